"""Rows of several tables written together, and ids reserved before their rows are built.

A new case is a handful of small rows in six tables. Each statement costs more client CPU
(SQLAlchemy's execution, psycopg's protocol, a round trip) than the database spends on its
row, so on PostgreSQL `insert_rows` writes them all in one statement — one data-modifying
CTE per table, their foreign keys checked at the end of the statement — and elsewhere
(SQLite, which has no data-modifying CTEs and no round trips) one executemany per table, in
the order given.

Rows that refer to each other need their ids before they are inserted: `next_id` is the
expression that reserves a table's next id, to be evaluated in the statement that takes the
caller's write lock (the registration counter's UPDATE … RETURNING).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault


@dataclass(frozen=True)
class Rows:
    """Rows for one table; every row has the same keys."""

    table: Table
    rows: Sequence[Mapping[str, Any]]


def next_id(table: Table, dialect: str) -> ColumnElement[int]:
    """The id the table's next row gets.

    PostgreSQL: the next value of the id column's sequence (taken now, as the column default
    would take it; a rolled-back transaction leaves a gap, as it does with the default).
    SQLite: one more than the largest id, which is the rowid SQLite itself would choose (the
    tables are not AUTOINCREMENT); only valid inside the statement that takes the write lock,
    since SQLite writers are serial from then until the commit.
    """
    if dialect == "postgresql":
        return func.nextval(func.pg_get_serial_sequence(table.name, "id"))
    return select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()


def insert_rows(session: Session, parts: Sequence[Rows]) -> None:
    """Insert the rows of every part in the caller's transaction (see the module docstring);
    parts without rows are skipped."""
    parts = [p for p in parts if p.rows]
    if not parts:
        return
    if session.get_bind().dialect.name == "postgresql":
        _insert_together(session, parts)
    else:
        _insert_each(session, parts)


def _insert_each(session: Session, parts: Sequence[Rows]) -> None:
    for part in parts:
        session.execute(_plain_insert(part.table), list(part.rows))


def _insert_together(session: Session, parts: Sequence[Rows]) -> None:
    # An INSERT inside a CTE gets no Python-side column defaults from SQLAlchemy: add them.
    parts = [Rows(p.table, [_with_defaults(p.table, row) for row in p.rows]) for p in parts]
    conn = session.connection()
    together = _together(conn.dialect, _shape(parts))
    params: dict[str, Any] = {}
    for k, part in enumerate(parts):
        processors = together.processors[k]
        for i, row in enumerate(part.rows):
            for column, value in row.items():
                process = processors[column]
                params[f"p{k}_{i}_{column}"] = value if process is None else process(value)
    values = [params[name] for name in together.order]
    # psycopg parses a query with named parameters on every execution when it is this long
    # (its parse cache stops at 4 kB or 50 parameters): a raw cursor takes the $n form as is,
    # on the session's connection and transaction, and prepares it after a few executions.
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError(f"PostgreSQL through psycopg expected, not {type(driver).__name__}")
    try:
        with psycopg.RawCursor(driver) as cursor:
            cursor.execute(together.sql, values)
    except psycopg.Error as exc:
        # As SQLAlchemy would raise it (IntegrityError, ...).
        raise DBAPIError.instance(together.sql, values, exc, psycopg.Error) from exc


def _with_defaults(table: Table, row: Mapping[str, Any]) -> Mapping[str, Any]:
    missing = [c for c in table.columns if c.default is not None and c.key not in row]
    if not missing:
        return row
    out = dict(row)
    for column in missing:
        default = column.default
        if not isinstance(default, ScalarElementColumnDefault):
            raise ValueError(f"{table.name}.{column.key} has a computed default: give its value")
        out[column.key] = default.arg
    return out


_Shape = tuple[tuple[Table, int, tuple[str, ...]], ...]
_PLAIN: dict[Table, Insert] = {}


@dataclass(frozen=True)
class _Together:
    sql: str
    # The parameters' names in the order of $1, $2, ...
    order: tuple[str, ...]
    # Per part, the column types' bind processors for this dialect (None: the value as is).
    processors: tuple[dict[str, Any], ...]


# Compiles the $1, $2, ... form the raw cursor takes.
_NUMBERED = PGDialect_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
_TOGETHER: dict[tuple[str, _Shape], _Together] = {}
_TOGETHER_MAX = 128


def _plain_insert(table: Table) -> Insert:
    stmt = _PLAIN.get(table)
    if stmt is None:
        stmt = _PLAIN[table] = insert(table)
    return stmt


def _shape(parts: Sequence[Rows]) -> _Shape:
    out = []
    for part in parts:
        columns = tuple(part.rows[0])
        if any(tuple(row) != columns for row in part.rows[1:]):
            raise ValueError(f"rows for {part.table.name} have different columns")
        out.append((part.table, len(part.rows), columns))
    return tuple(out)


def _together(dialect: Dialect, shape: _Shape) -> _Together:
    """`WITH w0 AS (INSERT …), w1 AS (INSERT …) … SELECT 1`, compiled once per shape (tables,
    row counts, columns): SQLAlchemy does not cache a statement with DML in CTEs, and
    compiling it is several times the cost of running it. Its parameters are
    p<part>_<row>_<column>, converted by the bind processors SQLAlchemy would apply."""
    key = (dialect.name, shape)
    hit = _TOGETHER.get(key)
    if hit is not None:
        return hit
    ctes = []
    for k, (table, count, columns) in enumerate(shape):
        values = [
            {c: bindparam(f"p{k}_{i}_{c}", type_=table.c[c].type) for c in columns}
            for i in range(count)
        ]
        ctes.append(insert(table).values(values).cte(f"w{k}"))
    stmt = select(literal_column("1", Integer)).add_cte(*ctes)
    compiled = stmt.compile(dialect=_NUMBERED)
    processors = tuple(
        {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns}
        for table, _, columns in shape
    )
    built = _Together(compiled.string, tuple(compiled.positiontup or ()), processors)
    if len(_TOGETHER) >= _TOGETHER_MAX:
        _TOGETHER.clear()
    _TOGETHER[key] = built
    return built
