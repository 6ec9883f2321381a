"""brug as a real package: a wheel built from this tree, installed (not editable) with its
runtime dependencies only into a fresh virtual environment, run from outside the source tree.

The wheel is built offline (``pip wheel --no-build-isolation``: hatchling is in the dev extra);
the install resolves the runtime dependencies the way an operator's ``pip install`` does (the
machine's index or pip cache). Slow (a fresh venv, ~40 s), hence one module-scoped install.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # no PYTHONPATH and a directory outside the tree: only the installed copy can be imported
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith("BRUG_")}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("wheel")
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.skip("hatchling (the build backend, in the dev extra) is not installed")
    built = _run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
            *("-w", str(work / "dist"), str(ROOT)),
        ],
        cwd=work,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("brug-*.whl")
    made = _run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    assert made.returncode == 0, made.stderr
    pip = work / "venv" / "bin" / "pip"
    installed = _run([str(pip), "install", "--quiet", str(wheel)], cwd=work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    yield work / "venv"


def test_brug_version_prints_the_project_version(venv: Path, tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    run = _run([str(venv / "bin" / "brug"), "--version"], cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"brug {project['version']}"


def test_the_installed_package_is_not_the_source_tree(venv: Path, tmp_path: Path) -> None:
    code = "import gateway, adapters, conformance; print(gateway.__file__)"
    run = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()).is_relative_to(venv)


def test_runtime_dependencies_only(venv: Path, tmp_path: Path) -> None:
    # xmlsec (interop tests) and the test tools are the dev extra's, not the runtime's
    for module in ("xmlsec", "pytest", "hypothesis"):
        run = _run([str(venv / "bin" / "python"), "-c", f"import {module}"], cwd=tmp_path)
        assert run.returncode != 0, f"{module} is installed with the runtime dependencies"


def test_offline_demo_brings_its_own_examples(venv: Path, tmp_path: Path) -> None:
    run = _run([str(venv / "bin" / "brug"), "demo", "--offline", "--count", "100"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert "shipped examples" in run.stdout
    assert "sample of 100 registrations" in run.stdout


def test_schemas_and_wsdls_are_found(venv: Path, tmp_path: Path) -> None:
    brug = str(venv / "bin" / "brug")
    listed = _run([brug, "schemas"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "bev-record-v2" in listed.stdout
    assert "gateway-service-v1" in listed.stdout
    example = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from gateway.cli.demo import examples_dir; print(examples_dir())",
        ],
        cwd=tmp_path,
    )
    bundled = Path(example.stdout.strip())
    assert bundled.is_relative_to(venv)
    valid = _run([brug, "validate", "bev-record-v1", str(bundled / "bev-record-v1.xml")], tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr


def test_make_demo_installs_the_runtime_dependencies_only(tmp_path: Path) -> None:
    if subprocess.run(["make", "--version"], capture_output=True, check=False).returncode:
        pytest.skip("make is not installed")
    plan = _run(["make", "-n", "-C", str(ROOT), "demo", f"VENV={tmp_path / 'venv'}"], tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "pip install --quiet -e .\n" in plan.stdout
    assert "[dev]" not in plan.stdout


def test_the_full_demo_runs_with_the_runtime_dependencies_only(venv: Path, tmp_path: Path) -> None:
    # what `make demo` runs, here from the wheel: simulators and gateway as processes
    run = _run(
        [
            *(str(venv / "bin" / "brug"), "demo", "--count", "200", "--outage", "0"),
            *("--mutations", "5", "--workdir", str(tmp_path / "demo")),
        ],
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "audit chain verified" in run.stdout
