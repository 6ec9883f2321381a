"""Two SQL expressions the backends spell differently, so the report's queries are the same.

``year_month(ts)`` is the UTC month of a timestamp as ``YYYY-MM``; ``seconds_between(a, b)``
the seconds from ``a`` to ``b``. Everything else in :mod:`gateway.report.queries` is portable
SQLAlchemy Core; these two compile per dialect (SQLite stores naive UTC text, PostgreSQL
``timestamptz``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class year_month(FunctionElement[str]):  # noqa: N801 (an SQL function's name)
    type = String()
    inherit_cache = True
    name = "year_month"


class seconds_between(FunctionElement[float]):  # noqa: N801
    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(ts, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_pg(element: year_month, compiler: Any, **kw: Any) -> str:
    (ts,) = list(element.clauses)
    return f"to_char({compiler.process(ts, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    # date_part() is double precision; EXTRACT() is numeric since PostgreSQL 14, several times
    # slower over a million rows
    finish, begin = compiler.process(end, **kw), compiler.process(start, **kw)
    return f"date_part('epoch', {finish} - {begin})"


def month_of(column: ColumnElement[Any]) -> year_month:
    return year_month(column)


def seconds(start: ColumnElement[Any], end: ColumnElement[Any]) -> seconds_between:
    return seconds_between(start, end)
