"""Every statement on the search index: writing its rows, and the cases a query finds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    cast,
    column,
    insert,
    literal,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from app.db import table_of
from app.db_insert import Rows
from app.models import Case, CaseSearch, Letter
from app.models.search import FTS_TABLE
from app.search import sources
from app.search.sources import RANK, Kind
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


@dataclass(frozen=True)
class Found:
    """One page of a search: the case ids in rank order, and the total (capped)."""

    ids: list[int]
    total: int
    capped: bool


# A case's best rank, then (exact matches first) the newest index row it matched by: numbers,
# names and items are indexed at registration, so newest means the newest case; letters are
# indexed as issued, so within letters the case with the latest letter comes first.
_Key = tuple[int, int, int]


def search_page(
    session: Session,
    scope: ColumnElement[bool],
    organ_id: int,
    plan: SearchPlan,
    *,
    names: bool,
    offset: int,
    limit: int,
    cap: int,
) -> Found:
    """The cases of the organ within `scope` (a condition on cases) that the plan finds, best
    first (number, then name or exact ID number, then item, then letter; newest first within
    each), a page of them and how many there are, counted up to `cap`.

    Only the page is ranked: the hits are read unordered up to a bound first, and when there
    are fewer, ranked here; when there are more (a common word), the total is "more than
    `cap`" and the page is read rank by rank, newest first, stopping once it is full — the
    database walks its index in order instead of sorting every hit."""
    bound = _ROWS_PER_CASE * cap + 1
    exact = _exact_hits(session, scope, plan, names=names, cap=cap)
    rows: list[tuple[int, int, int]] = []
    if plan.terms:
        stmt = _index_hits(session, scope, organ_id, list(plan.terms), names=names)
        rows = [(r.case_id, RANK[Kind(r.kind)], r.id) for r in session.execute(stmt.limit(bound))]
    if len(rows) < bound:
        return _ranked_here(exact + rows, offset=offset, limit=limit, cap=cap)
    return _ranked_in_order(session, scope, organ_id, plan, exact, names, offset, limit, cap)


# Index rows per case a search reads before it calls the result "more than the cap": a case
# matches by at most its number, name, a few items and letters.
_ROWS_PER_CASE = 4


def _ranked_here(rows: list[tuple[int, int, int]], *, offset: int, limit: int, cap: int) -> Found:
    best: dict[int, _Key] = {}
    for case_id, rank, row_id in rows:
        key = (rank, 1 if row_id else 0, -row_id if row_id else -case_id)
        if case_id not in best or key < best[case_id]:
            best[case_id] = key
    ordered = sorted(best, key=best.__getitem__)
    # Pages go as far as the count: past `cap` there is "more", not a page 21 of 20.
    page = ordered[offset : min(offset + limit, cap)]
    return Found(page, min(len(ordered), cap), len(ordered) > cap)


def _ranked_in_order(
    session: Session,
    scope: ColumnElement[bool],
    organ_id: int,
    plan: SearchPlan,
    exact: list[tuple[int, int, int]],
    names: bool,
    offset: int,
    limit: int,
    cap: int,
) -> Found:
    assert plan.terms
    wanted = min(offset + limit, cap)
    ordered = [case_id for case_id, _, _ in sorted(exact, key=lambda r: (r[1], -r[0]))]
    seen = set(ordered)
    by_rank = sorted({RANK[k] for k in Kind if names or k is not Kind.name})
    for rank in by_rank:
        kinds = [k.value for k in Kind if RANK[k] == rank]
        fetched = 0
        batch = max(wanted, 64)
        while len(ordered) < wanted:
            stmt = _index_hits(session, scope, organ_id, list(plan.terms), names=names)
            stmt = stmt.where(CaseSearch.kind.in_(kinds)).order_by(CaseSearch.id.desc())
            got = session.execute(stmt.offset(fetched).limit(batch)).all()
            for r in got:
                if r.case_id not in seen:
                    seen.add(r.case_id)
                    ordered.append(r.case_id)
            fetched += len(got)
            if len(got) < batch:
                break
            batch *= 4
    return Found(ordered[offset:wanted], cap, True)


def _exact_hits(
    session: Session, scope: ColumnElement[bool], plan: SearchPlan, *, names: bool, cap: int
) -> list[tuple[int, int, int]]:
    """(case_id, rank, 0) of the cases found by their exact ID number, or by the beginning of
    their number (a query too short for the index)."""
    out: list[tuple[int, int, int]] = []
    if plan.id_number is not None and names:
        stmt = select(Case.id).where(scope, Case.applicant_id_number == plan.id_number)
        out += [(case_id, RANK[Kind.name], 0) for case_id in session.scalars(stmt)]
    if plan.number_prefix is not None:
        prefix = Case.number.istartswith(plan.number_prefix, autoescape=True)
        # A one-character query matches most numbers: the newest `cap` + 1 tell the total.
        stmt = select(Case.id).where(scope, prefix).order_by(Case.id.desc()).limit(cap + 1)
        out += [(case_id, RANK[Kind.number], 0) for case_id in session.scalars(stmt)]
    return out


def _index_hits(
    session: Session,
    scope: ColumnElement[bool],
    organ_id: int,
    terms: list[str],
    *,
    names: bool,
) -> Select[int, int, str]:
    """(id, case_id, kind) of the index rows whose text contains the phrase, of cases within
    scope; without name rows unless `names`."""
    if session.get_bind().dialect.name == "postgresql":
        query = cast(literal(tsquery_literal(terms)), TSQUERY)
        stmt = select(CaseSearch.id, CaseSearch.case_id, CaseSearch.kind).where(
            CaseSearch.grams.op("@@")(query)
        )
    else:
        # Driven by the FTS5 table, whose rowid is the index row's id (external content).
        stmt = (
            select(CaseSearch.id, CaseSearch.case_id, CaseSearch.kind)
            .select_from(_FTS)
            .join(CaseSearch, CaseSearch.id == _FTS.c.rowid)
            .where(_FTS.c.grams.op("MATCH")(literal(fts5_phrase(terms))))
        )
    stmt = stmt.join(Case, Case.id == CaseSearch.case_id).where(
        CaseSearch.organ_id == organ_id, scope
    )
    if not names:
        stmt = stmt.where(CaseSearch.kind != Kind.name.value)
    return stmt
