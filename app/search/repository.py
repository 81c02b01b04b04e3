"""Every statement on the search index: writing its rows, and the cases a query finds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Text,
    case,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from app.db import table_of
from app.db_insert import Rows
from app.models import Case, CaseSearch, Letter
from app.models.search import FTS_TABLE
from app.search import sources
from app.search.text import SearchPlan, fts5_phrase, tsquery_literal

_SEARCH = table_of(CaseSearch)
# SQLite's FTS5 table over case_search (made by the migration; see app.models.search).
_FTS = table(FTS_TABLE, column("rowid", Integer), column("grams", Text))


def new_case_rows(
    case_id: int,
    organ_id: int,
    values: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    letters: Sequence[Letter],
    dialect: str,
) -> Rows:
    """The index rows of a new case (its number, name, items and the letters issued with it),
    for app.db_insert.insert_rows beside the case's own rows."""
    found = sources.case_sources(values, items)
    private = [values.get(c) for c in sources.PRIVATE_COLUMNS]
    found += [sources.letter_source(x.number, x.context or {}, private) for x in letters]
    return Rows(_SEARCH, sources.rows(case_id, organ_id, found, dialect))


def index_letters(session: Session, case: Case, letters: Sequence[Letter]) -> None:
    """Index letters just issued on a case, in the caller's transaction."""
    private = [getattr(case, c) for c in sources.PRIVATE_COLUMNS]
    found = [sources.letter_source(x.number, x.context or {}, private) for x in letters]
    dialect = session.get_bind().dialect.name
    rows = sources.rows(case.id, case.organ_id, found, dialect)
    if rows:
        session.execute(insert(_SEARCH), rows)


_KIND_RANK = case(
    *((CaseSearch.kind == kind.value, rank) for kind, rank in sources.RANK.items()),
    else_=len(sources.RANK),
)


def hits(
    session: Session, organ_id: int, plan: SearchPlan, *, names: bool
) -> CompoundSelect[int, int] | Select[int, int] | None:
    """(case_id, rank) of every hit of a query in the organ: the index's phrase (without name
    rows unless `names`), the applicant's exact ID number, a number's beginning (for a query
    too short for a bigram). A case may appear more than once; None: nothing to look for."""
    parts: list[Select[int, int]] = []  # (case_id, rank)
    terms, id_number, number_prefix = list(plan.terms or ()), plan.id_number, plan.number_prefix
    if terms:
        parts.append(_index_hits(session, organ_id, terms, names=names))
    if id_number is not None:
        parts.append(
            select(
                Case.id.label("case_id"), literal(sources.RANK[sources.Kind.name]).label("rank")
            ).where(Case.organ_id == organ_id, Case.applicant_id_number == id_number)
        )
    if number_prefix is not None:
        parts.append(
            select(Case.id.label("case_id"), literal(0).label("rank")).where(
                Case.organ_id == organ_id,
                Case.number.istartswith(number_prefix, autoescape=True),
            )
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _index_hits(
    session: Session, organ_id: int, terms: list[str], *, names: bool
) -> Select[int, int]:
    stmt = select(CaseSearch.case_id, _KIND_RANK.label("rank")).where(
        CaseSearch.organ_id == organ_id, _matches(session, terms)
    )
    if not names:
        stmt = stmt.where(CaseSearch.kind != sources.Kind.name.value)
    return stmt


def _matches(session: Session, terms: list[str]) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        query = cast(literal(tsquery_literal(terms)), TSQUERY)
        return CaseSearch.grams.op("@@")(query)
    # The FTS5 table's rowid is the index row's id (external content).
    matching = select(_FTS.c.rowid).where(_FTS.c.grams.op("MATCH")(literal(fts5_phrase(terms))))
    return CaseSearch.id.in_(matching)


def ranked(found: CompoundSelect[int, int] | Select[int, int]) -> Any:
    """(case_id, rank) once per case: its best rank."""
    sub = found.subquery()
    return (
        select(sub.c.case_id, func.min(sub.c.rank).label("rank"))
        .group_by(sub.c.case_id)
        .subquery("search_hits")
    )
