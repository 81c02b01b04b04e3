"""Fill the search index from the cases there are (the migrations that make or rebuild it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.models.search import Grams
from app.search import sources
from app.search.text import tsvector_literal

BATCH = 2000

_CASES = sa.table(
    "cases",
    sa.column("id", sa.Integer()),
    sa.column("organ_id", sa.Integer()),
    sa.column("number", sa.String()),
    *(sa.column(c, sa.String()) for c in sources.PRIVATE_COLUMNS),
)
_ITEMS = sa.table(
    "case_items",
    sa.column("case_id", sa.Integer()),
    sa.column("position", sa.Integer()),
    sa.column("description", sa.Text()),
    sa.column("document_number", sa.String()),
)
_LETTERS = sa.table(
    "letters",
    sa.column("id", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("number", sa.String()),
    sa.column("context", sa.JSON()),
)
_SEARCH = sa.table(
    "case_search",
    sa.column("case_id", sa.Integer()),
    sa.column("organ_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("grams", Grams()),
)


def backfill(bind: Connection, pg_literal: sources.PgLiteral = tsvector_literal) -> None:
    """Index every case there is, a batch of cases at a time, as the service indexes a new
    case and each letter it issues (app.search.sources); on PostgreSQL in the format
    `pg_literal` writes (the service's own unless a migration going back says otherwise)."""
    dialect = bind.dialect.name
    last = 0
    while True:
        cases = (
            bind.execute(
                sa.select(_CASES).where(_CASES.c.id > last).order_by(_CASES.c.id).limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not cases:
            return
        ids = [c["id"] for c in cases]
        last = ids[-1]
        items: dict[int, list[Any]] = {}
        for item in bind.execute(
            sa.select(_ITEMS).where(_ITEMS.c.case_id.in_(ids)).order_by(_ITEMS.c.position)
        ).mappings():
            items.setdefault(item["case_id"], []).append(item)
        letters: dict[int, list[Any]] = {}
        for letter in bind.execute(
            sa.select(_LETTERS)
            .where(_LETTERS.c.case_id.in_(ids), _LETTERS.c.status == "issued")
            .order_by(_LETTERS.c.id)
        ).mappings():
            letters.setdefault(letter["case_id"], []).append(letter)
        rows = []
        for c in cases:
            private = [c[k] for k in sources.PRIVATE_COLUMNS]
            found = sources.case_sources(dict(c), items.get(c["id"], []))
            found += [
                sources.letter_source(x["number"], x["context"] or {}, private)
                for x in letters.get(c["id"], [])
            ]
            rows += sources.rows(c["id"], c["organ_id"], found, dialect, pg_literal)
        if rows:
            bind.execute(_SEARCH.insert(), rows)
