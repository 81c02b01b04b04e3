"""Portable SQL for events built in a SELECT: a date as ISO text and a JSON object, written
as Python writes them (date.isoformat(), a dict), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, cast, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class IsoDate(FunctionElement[str]):
    """A date column as 'YYYY-MM-DD' text, as date.isoformat() writes it."""

    type = String()
    inherit_cache = True


@compiles(IsoDate)
def _iso_date_default(element: IsoDate, compiler: Any, **kw: Any) -> str:
    # SQLite keeps a Date as its ISO text already.
    return compiler.process(cast(next(iter(element.clauses)), String), **kw)  # type: ignore[no-any-return]


@compiles(IsoDate, "postgresql")
def _iso_date_pg(element: IsoDate, compiler: Any, **kw: Any) -> str:
    # to_char, not ::text, so the server's DateStyle cannot change the text.
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'YYYY-MM-DD')"


class _JsonObject(FunctionElement[Any]):
    type = JSON()
    inherit_cache = True


@compiles(_JsonObject, "sqlite")
def _json_object_sqlite(element: _JsonObject, compiler: Any, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clause_expr.element, **kw)})"


@compiles(_JsonObject, "postgresql")
def _json_object_pg(element: _JsonObject, compiler: Any, **kw: Any) -> str:
    return f"jsonb_build_object({compiler.process(element.clause_expr.element, **kw)})"


def json_object(fields: dict[str, ColumnElement[Any]]) -> ColumnElement[Any]:
    """The JSON object {key: value, ..} of these SQL values (numbers stay numbers; a nested
    json_object stays an object). Keys are names written in the code, inlined as literals."""
    args: list[ColumnElement[Any]] = []
    for key, value in fields.items():
        if not key.isidentifier():
            raise ValueError(f"not a plain key: {key!r}")
        args += [literal_column(f"'{key}'", String), value]
    return _JsonObject(*args)
