"""Every statement on the search index: writing its rows, and the cases a query finds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from app.db import table_of
from app.db_insert import Rows
from app.models import Case, CaseSearch, Letter
from app.models.search import fts_table
from app.search import sources
from app.search.sources import RANK, Kind
from app.search.text import SearchPlan, fts5_phrase, tsquery_literal

_SEARCH = table_of(CaseSearch)


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


def search_page(
    session: Session,
    organ_id: int,
    scope: ColumnElement[bool] | None,
    plan: SearchPlan,
    *,
    names: bool,
    offset: int,
    limit: int,
    cap: int,
) -> Found:
    """The organ's cases within `scope` (a further condition on cases; None: every case of
    the organ) that the plan finds, best first — number, then exact ID number and name, then item, then letter; within
    each, the newest index row first (numbers, names and items are indexed at registration, so
    the newest case; letters as issued, so the latest letter) — a page of them and how many
    there are, counted up to `cap`.

    Each kind's index is asked on its own. A kind with few hits gives them all, unordered, and
    they are ranked here; a kind with many (a word every letter uses) is read newest first,
    walking its rows in order and stopping once more than `cap` cases are found, so no search
    sorts, or even reads, every hit of a common word."""
    kinds = [k for k in Kind if names or k is not Kind.name]
    in_organ = Case.organ_id == organ_id
    exact = _exact_hits(session, in_organ if scope is None else scope, plan, names=names, cap=cap)
    out = _Collected(cap, scope)
    for kind in kinds:
        rank = RANK[kind]
        out.add(session, [case_id for case_id, r in exact if r == rank])
        if plan.terms and not out.full:
            _collect_kind(session, organ_id, kind, list(plan.terms), out)
        if out.full:
            break
    page = out.ordered[offset : min(offset + limit, cap)]
    return Found(page, min(len(out.ordered), cap), out.full)


class _Collected:
    """Case ids in rank order, each once, within scope; full once more than `cap`."""

    def __init__(self, cap: int, scope: ColumnElement[bool] | None) -> None:
        self.cap = cap
        self.scope = scope
        self.ordered: list[int] = []
        self.seen: set[int] = set()

    @property
    def full(self) -> bool:
        return len(self.ordered) > self.cap

    @property
    def wanted(self) -> int:
        """How many more cases make it full."""
        return self.cap + 1 - len(self.ordered)

    def add(self, session: Session, case_ids: list[int]) -> None:
        """Add the cases (of the organ: the index rows say so) that are within scope."""
        new = [i for i in dict.fromkeys(case_ids) if i not in self.seen]
        if not new:
            return
        inside = set(new)
        if self.scope is not None:
            stmt = select(Case.id).where(Case.id.in_(new), self.scope)
            inside = set(session.scalars(stmt))
        for case_id in new:
            if case_id in inside and not self.full:
                self.seen.add(case_id)
                self.ordered.append(case_id)


# A kind with at least this many hits per counted case is read in order (see search_page).
_ROWS_PER_CASE = 1


def _collect_kind(
    session: Session, organ_id: int, kind: Kind, terms: list[str], out: _Collected
) -> None:
    bound = _ROWS_PER_CASE * out.cap + 1
    rows = _probe(session, organ_id, kind, terms, bound)
    if len(rows) < bound:
        out.add(session, [case_id for _, case_id in sorted(rows, reverse=True)])
        return
    # The probe read the table in about the order of its ids, from one or several places:
    # how many ids its first half of the hits (by id) spans says how dense the hits are.
    ids = sorted(row_id for row_id, _ in rows)[: max(1, len(rows) // 2)]
    walk = len(ids) / (ids[-1] - ids[0] + 1) >= _WALK_DENSITY
    fetched = 0
    while not out.full:
        # Mostly one row per case: a little more than the cases still wanted, then twice that.
        batch = out.wanted + 32 if not fetched else 2 * out.wanted + 32
        got = _in_order(session, organ_id, kind, terms, offset=fetched, limit=batch, walk=walk)
        out.add(session, [case_id for _, case_id in got])
        if len(got) < batch:
            return
        fetched += len(got)


# PostgreSQL reads a dense kind's hits newest first by walking the table's rows backwards
# (cost: the rows passed, about the rows wanted / density), a sparser one's by sorting every
# hit its GIN index gives (cost: the hits): the two meet at a density of about
# sqrt(wanted / rows), some 1–2% for a page's 1,000 counted cases in a million cases' rows.
_WALK_DENSITY = 0.02


def _exact_hits(
    session: Session, scope: ColumnElement[bool], plan: SearchPlan, *, names: bool, cap: int
) -> list[tuple[int, int]]:
    """(case_id, rank) of the cases found by their exact ID number, or by the beginning of
    their number (a query too short for the index), newest first."""
    out: list[tuple[int, int]] = []
    if plan.id_number is not None and names:
        stmt = select(Case.id).where(scope, Case.applicant_id_number == plan.id_number)
        out += [(case_id, RANK[Kind.name]) for case_id in session.scalars(stmt)]
    if plan.number_prefix is not None:
        prefix = Case.number.istartswith(plan.number_prefix, autoescape=True)
        # A one-character query matches most numbers: the newest `cap` + 1 tell the total.
        stmt = select(Case.id).where(scope, prefix).order_by(Case.id.desc()).limit(cap + 1)
        out += [(case_id, RANK[Kind.number]) for case_id in session.scalars(stmt)]
    return sorted(out, key=lambda r: -r[0])


def _probe(
    session: Session, organ_id: int, kind: Kind, terms: list[str], bound: int
) -> list[tuple[int, int]]:
    """Up to `bound` (id, case_id) of one kind's rows containing the phrase, in no order,
    through that kind's index."""
    if _postgres(session):
        stmt = _pg_hits(organ_id, kind, terms).limit(bound)
        # The kind's GIN index, whatever the planner guesses from the column's statistics,
        # which are the whole table's: a word common in letters is not common in numbers.
        with _planner(session, enable_seqscan="off", enable_indexscan="off"):
            return [(r.id, r.case_id) for r in session.execute(stmt)]
    stmt = _fts_hits(organ_id, kind, terms).limit(bound)
    return [(r.id, r.case_id) for r in session.execute(stmt)]


def _in_order(
    session: Session,
    organ_id: int,
    kind: Kind,
    terms: list[str],
    *,
    offset: int,
    limit: int,
    walk: bool,
) -> list[tuple[int, int]]:
    """(id, case_id) of one kind's rows containing the phrase, newest first, a slice of them:
    on PostgreSQL by walking the rows backwards (`walk`) or by sorting the index's hits."""
    if _postgres(session):
        stmt = _pg_hits(organ_id, kind, terms).order_by(CaseSearch.id.desc())
        stmt = stmt.offset(offset).limit(limit)
        path = {"enable_bitmapscan": "off"} if walk else {"enable_indexscan": "off"}
        with _planner(session, enable_seqscan="off", **path):
            return [(r.id, r.case_id) for r in session.execute(stmt)]
    # FTS5 gives a phrase's rows in rowid order, backwards as cheaply as forwards.
    fts = _fts(kind)
    stmt = _fts_hits(organ_id, kind, terms).order_by(fts.c.rowid.desc())
    stmt = stmt.offset(offset).limit(limit)
    return [(r.id, r.case_id) for r in session.execute(stmt)]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_hits(organ_id: int, kind: Kind, terms: list[str]) -> Select[int, int]:
    query = cast(literal(tsquery_literal(terms)), TSQUERY)
    # The kind as a literal, so that the partial index's predicate matches in any plan.
    return select(CaseSearch.id, CaseSearch.case_id).where(
        CaseSearch.kind == literal_column(f"'{kind.value}'"),
        CaseSearch.grams.op("@@")(query),
        CaseSearch.organ_id == organ_id,
    )


def _fts(kind: Kind) -> TableClause:
    return table(fts_table(kind.value), column("rowid", Integer), column("grams", Text))


def _fts_hits(organ_id: int, kind: Kind, terms: list[str]) -> Select[int, int]:
    # The FTS5 table's rowid is the index row's id.
    fts = _fts(kind)
    return (
        select(CaseSearch.id, CaseSearch.case_id)
        .select_from(fts)
        .join(CaseSearch, CaseSearch.id == fts.c.rowid)
        .where(
            fts.c.grams.op("MATCH")(literal(fts5_phrase(terms))),
            CaseSearch.organ_id == organ_id,
        )
    )


_PLANNER_SETTINGS = frozenset({"enable_seqscan", "enable_indexscan", "enable_bitmapscan"})


@contextmanager
def _planner(session: Session, **settings: str) -> Iterator[None]:
    """PostgreSQL planner settings for one statement of the caller's transaction. Without
    parallel workers too: they would cost more than these short reads, and they would hand
    back the probe's rows out of the table's order (see _collect_kind)."""
    assert set(settings) <= _PLANNER_SETTINGS
    settings = {**settings, "max_parallel_workers_per_gather": "0"}
    for name, value in settings.items():
        session.execute(text(f"SET LOCAL {name} = {value}"))
    try:
        yield
    finally:
        for name in settings:
            session.execute(text(f"SET LOCAL {name} TO DEFAULT"))
