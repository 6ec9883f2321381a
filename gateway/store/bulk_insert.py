"""Many rows into one table in one short statement: bulk intake's write path.

Why not ``connection.execute(insert(table), rows)``: on PostgreSQL, SQLAlchemy runs that as
an executemany (psycopg pipelines one INSERT per row, a Python round per row) or, with
``RETURNING``, as "insertmanyvalues": one statement of ``rows × columns`` placeholders whose
text psycopg has to split afresh every time (too long for its query cache). Measured on a bulk
batch of 500 registrations, those two cost more CPU than mapping the registrations.

Here PostgreSQL gets one statement per table with one array parameter per column,
``INSERT ... SELECT * FROM unnest($1::varchar(255)[], $2::bytea[], ...)``: the statement text
is the same for every batch (prepared once per connection by psycopg), each array is dumped by
psycopg's C adapters, and ``ON CONFLICT DO NOTHING RETURNING`` keeps working. SQLite keeps
SQLAlchemy's executemany (an in-process call per row costs little there).

Column values go through the column type's bind processor first (``UtcDateTime`` and the like),
exactly as a Core insert would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    columns: tuple[str, ...]


@cache
def _postgres_statement(
    table: Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: tuple[str, ...],
    replace_below: str | None,
) -> _Statement:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    preparer = dialect.identifier_preparer
    arrays = ", ".join(
        f"CAST(%b AS {table.c[name].type.compile(dialect=dialect)}[])" for name in columns
    )
    # Names come from the table's metadata, quoted; every value is a parameter.
    target = f"{preparer.format_table(table)} ({', '.join(map(preparer.quote, columns))})"
    sql = f"INSERT INTO {target} SELECT * FROM unnest({arrays})"  # noqa: S608
    if conflict is not None:
        sql += f" ON CONFLICT ({', '.join(preparer.quote(name) for name in conflict)})"
        if replace_below is None:
            sql += " DO NOTHING"
        else:
            updated = [name for name in columns if name not in conflict]
            assignments = ", ".join(
                f"{preparer.quote(name)} = EXCLUDED.{preparer.quote(name)}" for name in updated
            )
            below = f"{preparer.format_table(table)}.{preparer.quote(replace_below)}"
            cast = table.c[replace_below].type.compile(dialect=dialect)
            sql += f" DO UPDATE SET {assignments} WHERE {below} < CAST(%b AS {cast})"
    if returning:
        sql += f" RETURNING {', '.join(preparer.quote(name) for name in returning)}"
    return _Statement(sql, columns)


def _processors(table: Table, columns: tuple[str, ...], dialect: Dialect) -> list[Any]:
    return [table.c[name].type._cached_bind_processor(dialect) for name in columns]


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict: Sequence[str] | None = None,
    returning: Sequence[str] = (),
    replace_below: tuple[str, Any] | None = None,
) -> list[Sequence[Any]]:
    """Insert ``rows`` in the caller's transaction; a key missing from a row inserts NULL.

    ``conflict``: the unique columns whose duplicates are skipped (``ON CONFLICT DO NOTHING``).
    ``returning``: columns to return for the rows inserted (not for skipped duplicates).
    ``replace_below=(column, value)``: instead of skipping a duplicate, overwrite the stored
    row with the new one when its ``column`` is below ``value`` (an expired replay-cache key);
    such rows count as inserted. PostgreSQL only: SQLite callers keep their own statement.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    if any(len(row) != len(columns) for row in rows):
        columns = tuple(dict.fromkeys(name for row in rows for name in row))
    dialect = connection.dialect
    if dialect.name != "postgresql":
        if replace_below is not None:
            raise ValueError("replace_below is written for PostgreSQL only")
        return _insert_generic(connection, table, rows, conflict, returning)
    statement = _postgres_statement(
        table,
        columns,
        tuple(conflict) if conflict is not None else None,
        tuple(returning),
        replace_below[0] if replace_below is not None else None,
    )
    arrays: list[list[Any]] = []
    for name, process in zip(columns, _processors(table, columns, dialect), strict=True):
        values = [row.get(name) for row in rows]
        arrays.append(values if process is None else [process(v) for v in values])
    params: list[Any] = list(arrays)
    if replace_below is not None:
        process = table.c[replace_below[0]].type._cached_bind_processor(dialect)
        params.append(replace_below[1] if process is None else process(replace_below[1]))
    result = connection.exec_driver_sql(statement.sql, tuple(params))
    return list(result) if returning else []


def _insert_generic(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str] | None,
    returning: Sequence[str],
) -> list[Sequence[Any]]:
    if any(len(row) != len(rows[0]) for row in rows):
        names = dict.fromkeys(name for row in rows for name in row)
        rows = [{name: row.get(name) for name in names} for row in rows]
    if conflict is None:
        stmt: Any = insert(table)
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning))
        return list(connection.execute(stmt, list(rows)))
    connection.execute(stmt, list(rows))
    return []


__all__ = ["insert_rows"]
