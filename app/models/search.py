"""The search index of cases (检索): one row per searchable text of a case (app.search).

`grams` holds the text's character bigrams (app.search.text): on PostgreSQL a `tsvector` of the
characters (bigrams bare, the trigram at each position with its position; lz4-compressed) under
one partial GIN index per kind; on SQLite hex terms in plain text that one contentless FTS5 table
per kind indexes (kept in step by triggers). One index per kind, because the kinds differ
in what is common (every letter says 条例, no number does): a search asks each kind's index on
its own, and a word common in letters costs nothing in the numbers' index. All are made by the
migration. Rows are written in the transaction that writes what they index and never change
after (the texts they index do not).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.db import Base

# Made by the migration only, for one dialect, so the models do not declare them (see
# app.migrate.include_object): SQLite's FTS5 tables (and their shadow tables), PostgreSQL's GIN
# indexes; one of each per kind, named with the kind after an underscore.
FTS_TABLE = "case_search_fts"
GIN_INDEX = "ix_case_search_grams"
KINDS = ("number", "name", "item", "letter")


def fts_table(kind: str) -> str:
    """SQLite's FTS5 table of one kind's rows."""
    return f"{FTS_TABLE}_{kind}"


def gin_index(kind: str) -> str:
    """PostgreSQL's partial GIN index of one kind's rows."""
    return f"{GIN_INDEX}_{kind}"


class Grams(TypeDecorator[str]):
    """A text's bigram terms: tsvector on PostgreSQL (given as its literal), text elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class CaseSearch(Base):
    __tablename__ = "case_search"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    organ_id: Mapped[int] = mapped_column(Integer)
    # number | name | item | letter (app.search.sources.Kind, KINDS)
    kind: Mapped[str] = mapped_column(String(8))
    grams: Mapped[str] = mapped_column(Grams())
