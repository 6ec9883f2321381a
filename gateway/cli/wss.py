"""``brug wss``: sign and verify SOAP messages with a WS-Security profile.

Exit codes: 0 success; 1 the message was refused (the WS-Security fault code and reason are
printed); 2 bad arguments or unreadable files (never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from cryptography import x509

from gateway.cli._common import EXIT_INVALID, console, err_console, fail_validation
from gateway.errors import BrugValidationError
from gateway.wssecurity import (
    KeyMaterial,
    Profile,
    Signer,
    TrustStore,
    Verifier,
    WSSecurityFault,
    available_profiles,
    load_profile,
)
from gateway.wssecurity.trust import Pin

NAME = "wss"
app = typer.Typer(help="WS-Security: sign and verify SOAP envelopes.", no_args_is_help=True)

EXIT_REFUSED = 1

ProfileOpt = Annotated[
    str,
    typer.Option(
        "--profile", "-p", help=f"Profile name or TOML file ({', '.join(available_profiles())})."
    ),
]


def _bad(message: str) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(EXIT_INVALID)


def _profile(name: str) -> Profile:
    try:
        return load_profile(name)
    except (ValueError, OSError) as exc:
        _bad(str(exc).splitlines()[0])


def _read(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except OSError as exc:
        _bad(f"cannot read {path}: {exc.strerror}")


@app.command("sign")
def sign(
    profile: ProfileOpt,
    key: Annotated[Path, typer.Option("--key", help="PEM private key, or a .p12 bundle.")],
    source: Annotated[Path, typer.Argument(metavar="IN", help="SOAP envelope ('-' = stdin).")],
    target: Annotated[Path, typer.Argument(metavar="OUT", help="Signed output ('-' = stdout).")],
    cert: Annotated[
        Path | None, typer.Option("--cert", help="PEM certificate (not needed with .p12).")
    ] = None,
    chain: Annotated[
        list[Path] | None, typer.Option("--chain", help="Intermediate/CA PEM (repeatable).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", envvar="BRUG_KEY_PASSWORD", help="Key or PKCS#12 password."),
    ] = None,
) -> None:
    """Sign IN with the profile's layout and write OUT."""
    prof = _profile(profile)
    try:
        if key.suffix.lower() in (".p12", ".pfx"):
            material = KeyMaterial.from_pkcs12(key, password)
        else:
            if cert is None:
                _bad("--cert is required with a PEM key")
            material = KeyMaterial.from_pem(key, cert, tuple(chain or ()), password)
    except OSError as exc:
        _bad(f"cannot read key material: {exc.strerror} ({exc.filename})")
    except (ValueError, TypeError) as exc:
        # The message of cryptography's loaders names the problem, never the key bytes.
        _bad(f"cannot load key material: {exc}")
    data = _read(source)
    try:
        signed = Signer(prof, material).sign(data)
    except BrugValidationError as exc:
        fail_validation(exc)
    except ValueError as exc:
        _bad(str(exc))
    if str(target) == "-":
        sys.stdout.buffer.write(signed)
        return
    try:
        target.write_bytes(signed)
    except OSError as exc:
        _bad(f"cannot write {target}: {exc.strerror}")
    err_console.print(f"signed with profile {prof.name} -> {target}")


def _pins(values: list[str]) -> list[Pin]:
    pins: list[Pin] = []
    for value in values:
        path = Path(value)
        if path.exists():
            try:
                pins.extend(x509.load_pem_x509_certificates(path.read_bytes()))
            except (OSError, ValueError) as exc:
                _bad(f"cannot read pinned certificate {value}: {exc}")
        else:
            try:
                bytes.fromhex(value.replace(":", ""))
            except ValueError:
                _bad(f"--pin {value!r} is neither a certificate file nor a SHA-256 fingerprint")
            pins.append(value)
    return pins


@app.command("verify")
def verify(
    profile: ProfileOpt,
    trust: Annotated[list[Path], typer.Option("--trust", help="Trusted CA PEM (repeatable).")],
    source: Annotated[Path, typer.Argument(metavar="IN", help="Signed envelope ('-' = stdin).")],
    pin: Annotated[
        list[str] | None,
        typer.Option("--pin", help="Pinned partner certificate (PEM file or SHA-256 hex)."),
    ] = None,
) -> None:
    """Verify IN; print the signed parts (exit 0) or the fault code and reason (exit 1)."""
    prof = _profile(profile)
    try:
        store = TrustStore.from_pem_files(trust)
    except OSError as exc:
        _bad(f"cannot read trust store: {exc.strerror} ({exc.filename})")
    except ValueError as exc:
        _bad(f"cannot load trust store: {exc}")
    try:
        verifier = Verifier(prof, store, pins=_pins(pin or []))
    except ValueError as exc:
        _bad(str(exc))
    data = _read(source)
    try:
        message = verifier.verify(data)
    except WSSecurityFault as fault:
        err_console.print(f"[red]{fault.code}[/red] {fault.reason}")
        raise typer.Exit(EXIT_REFUSED) from None
    cn = message.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    console.print(f"OK signed parts: {', '.join(_label(p) for p in message.signed_parts)}")
    console.print(
        f"signer: {cn[0].value if cn else message.certificate.subject.rfc4514_string()!s}"
    )
    console.print(f"algorithm: {message.signature_algorithm}")
    if message.created is not None:
        expires = message.expires.isoformat() if message.expires else "-"
        console.print(f"created: {message.created.isoformat()} expires: {expires}")


def _label(part: str) -> str:
    return part.rsplit("}", 1)[-1]
