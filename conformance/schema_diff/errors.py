"""The one error schema-diff raises for bad input (exit code 2 at the CLI, never a traceback)."""

from __future__ import annotations


class SchemaInputError(Exception):
    """A schema or golden file could not be read, parsed, resolved or compiled.

    The message names the file and the reason in one line, for a person at a terminal.
    """
