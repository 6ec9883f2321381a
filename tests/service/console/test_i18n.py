"""The console's catalogue: every phrase in three languages, placeholders alike; negotiation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.delivery.circuit import CircuitState
from gateway.delivery.entries import OutboxStatus
from gateway.service.console import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
_FIELDS = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("key", sorted(i18n.CATALOGUE))
def test_every_phrase_has_three_languages_with_the_same_placeholders(key: str) -> None:
    en, nl, fr = i18n.CATALOGUE[key]
    assert en and nl and fr
    assert set(_FIELDS.findall(en)) == set(_FIELDS.findall(nl)) == set(_FIELDS.findall(fr))


def test_every_key_a_template_uses_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", template.read_text("utf-8")))
    assert used, "no t(...) calls found: the pattern is stale"
    missing = {k for k in used if not k.endswith(".") and k not in i18n.CATALOGUE}
    assert not missing
    # Keys built from a value ("status." ~ entry.status): every value has its phrase.
    assert {k for k in used if k.endswith(".")} == {"circuit.", "role.", "status."}
    for prefix, values in (
        ("circuit.", [s.value for s in CircuitState] + ["unknown"]),
        ("role.", ["viewer", "admin"]),
        ("status.", [s.value for s in OutboxStatus]),
    ):
        assert {prefix + v for v in values} <= set(i18n.CATALOGUE), prefix


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("fr", "nl", "en", "fr"),  # the switch wins
        (None, "nl", "fr-BE", "nl"),  # then the remembered choice
        (None, None, "fr-BE,fr;q=0.9,en;q=0.8", "fr"),
        (None, None, "de-DE,nl;q=0.5,en;q=0.7", "en"),  # by weight, unknown ones skipped
        (None, None, "nl-BE;q=0, fr;q=0.1", "fr"),  # q=0 means "not this one"
        (None, None, "de", "en"),
        ("xx", "yy", None, "en"),  # anything else is ignored
    ],
)
def test_language_negotiation(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert i18n.negotiate(query, cookie, header) == expected


def test_translate_fills_in_values() -> None:
    assert i18n.translate("dead.done_retry", "fr", n=3) == "3 message(s) remis en file d'attente."
