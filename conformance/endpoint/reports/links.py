"""Rule references as links: ``docs/soap-endpoints.md#faults`` opens the section it names.

Why relative links by default: the report is read where it was written (a CI artefact next to
the checkout, a mail attachment opened from a checkout); a relative path to the repository's
``docs/`` works there without any network, and ``--docs-url`` points elsewhere (a docs site,
the repository's web view) for reports handed on.
"""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

#: the repository's docs directory (conformance/ lives at the repository's top level)
REPO_DOCS = Path(__file__).resolve().parents[3] / "docs"

_DOC_REFERENCE = re.compile(r"\bdocs/([\w./-]+?\.md)(#[\w.-]+)?(?![\w/])")
_SCHEMES = {"http", "https", "file"}


class DocsUrlError(ValueError):
    """A ``--docs-url`` that cannot be a link target (another scheme than http/https/file)."""


def check_docs_url(value: str) -> str:
    """``value`` with one trailing slash; :class:`DocsUrlError` for a scheme that is no page."""
    scheme = urlsplit(value).scheme
    if scheme and scheme.lower() not in _SCHEMES:
        raise DocsUrlError(
            f"--docs-url {value!r}: the scheme {scheme!r} is not allowed (http, https, file, "
            "or a path)"
        )
    return value.rstrip("/") + "/"


def default_docs_base(report: Path) -> str | None:
    """The repository's docs/ relative to the report's directory; None when it is not there."""
    if not REPO_DOCS.is_dir():
        return None
    relative = os.path.relpath(REPO_DOCS, report.resolve().parent)
    return Path(relative).as_posix().rstrip("/") + "/"


def linked(text: str, docs_base: str | None) -> str:
    """``text`` escaped for HTML, each ``docs/NAME.md#anchor`` a link under ``docs_base``."""
    if docs_base is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _DOC_REFERENCE.finditer(text):
        out.append(escape(text[last : match.start()]))
        href = docs_base + match.group(1) + (match.group(2) or "")
        out.append(f'<a class="doc" href="{escape(href)}">{escape(match.group(0))}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)
