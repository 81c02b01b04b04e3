"""Every statement on the search index: writing its rows, and the cases a query finds."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    cast,
    column,
    func,
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
from app.search.text import (
    BUCKET_ROWS,
    SearchPlan,
    fts5_phrase,
    pg_phrase,
    tsquery_literal,
    tsquery_window,
    window_terms,
)

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
    they are ranked here; a kind with many (a word every letter uses) is read newest first and
    stops once more than `cap` cases are found, so no search sorts, or even reads, every hit
    of a common word: FTS5 walks its posting lists backwards; PostgreSQL asks its GIN index for
    the phrase within the newest blocks of ids (see _collect_pg)."""
    kinds = [k for k in Kind if names or k is not Kind.name]
    in_organ = Case.organ_id == organ_id
    exact = _exact_hits(session, in_organ if scope is None else scope, plan, names=names, cap=cap)
    out = _Collected(cap, scope)
    # PostgreSQL reads the newest blocks of ids first (_collect_pg): the newest id, once.
    top = session.scalar(select(func.max(CaseSearch.id))) if _postgres(session) else None
    with _index_only(session):
        for kind in kinds:
            rank = RANK[kind]
            out.add(session, [case_id for case_id, r in exact if r == rank])
            if plan.terms and not out.full:
                _collect_kind(session, organ_id, kind, list(plan.terms), out, top)
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


# SQLite: a kind with at least this many hits per counted case is read in order (search_page).
_ROWS_PER_CASE = 1


def _collect_kind(
    session: Session,
    organ_id: int,
    kind: Kind,
    terms: list[str],
    out: _Collected,
    top_id: int | None,
) -> None:
    if _postgres(session):
        if top_id is not None:
            _collect_pg(session, organ_id, kind, pg_phrase(terms), out, top_id)
        return
    bound = _ROWS_PER_CASE * out.cap + 1
    rows = _probe(session, organ_id, kind, terms, bound)
    if len(rows) < bound:
        out.add(session, [case_id for _, case_id in sorted(rows, reverse=True)])
        return
    _drain(
        out,
        session,
        lambda offset, limit: _fts_in_order(session, organ_id, kind, terms, offset, limit),
    )


def _drain(
    out: _Collected,
    session: Session,
    read: Callable[[int, int], list[tuple[int, int]]],
) -> None:
    """Add the rows `read(offset, limit)` gives, newest first, until `out` is full or they end."""
    fetched = 0
    while not out.full:
        # Mostly one row per case: a little more than the cases still wanted, then twice that.
        batch = out.wanted + 32 if not fetched else 2 * out.wanted + 32
        got = read(fetched, batch)
        out.add(session, [case_id for _, case_id in got])
        if len(got) < batch:
            return
        fetched += len(got)


# PostgreSQL: every index row carries the terms of its blocks of ids (a trigger adds them, see
# app.search.text: blocks of BUCKET_ROWS ids and of twice, four times … that), so the GIN index
# itself answers "the phrase among the newest ids": the phrase's posting lists are intersected
# with a few blocks' and only the rows found there are read. A common word is read newest block
# first; a window of blocks sized from the hits' density (doubling when the guess falls short)
# gives about the cases still wanted, each window a handful of aligned blocks. Past _MAX_WINDOW
# smallest blocks (8 million ids) the rest is read by sorting its hits.
_MAX_WINDOW = 1024
# The newest windows read before anything else (in smallest blocks), and the hits in them that
# are enough to size the next windows from their density (else a bounded probe tells it).
_FIRST_WINDOWS = (1, 16)
_DENSE_ENOUGH = 32


def _collect_pg(
    session: Session, organ_id: int, kind: Kind, terms: list[str], out: _Collected, top_id: int
) -> None:
    hi = top_id // BUCKET_ROWS
    # The hits seen and the smallest blocks they were seen in: the density that sizes windows.
    hits, covered = 0.0, 0.0
    for size in _FIRST_WINDOWS:
        lo = max(0, hi - size + 1)
        hits += _pg_window(session, organ_id, kind, terms, out, lo, hi)
        covered += hi - lo + 1
        hi = lo - 1
        if out.full or hi < 0 or hits >= _DENSE_ENOUGH:
            break
    else:
        # Few hits in the newest blocks: how many below them, up to a bound, in no order — a
        # rare word's are all there, and ranked here.
        bound = _ROWS_PER_CASE * out.cap + 1
        rows = _probe(session, organ_id, kind, terms, bound, below=(hi + 1) * BUCKET_ROWS)
        if len(rows) < bound:
            out.add(session, [case_id for _, case_id in sorted(rows, reverse=True)])
            return
        # The probe read the table in about the order of its ids, from one or several places:
        # how many ids its first half of the hits (by id) spans says how dense the hits are.
        ids = sorted(row_id for row_id, _ in rows)[: max(1, len(rows) // 2)]
        hits, covered = len(ids), (ids[-1] - ids[0] + 1) / BUCKET_ROWS
    while not out.full and hi >= 0:
        # The blocks that hold about the cases still wanted at the density seen, then twice.
        size = max(1, math.ceil(1.5 * out.wanted * covered / max(hits, 1)))
        if size > _MAX_WINDOW:
            below = (hi + 1) * BUCKET_ROWS
            _drain(out, session, partial(_pg_sorted, session, organ_id, kind, terms, below))
            return
        lo = max(0, hi - size + 1)
        _pg_window(session, organ_id, kind, terms, out, lo, hi)
        hi = lo - 1
        hits /= 2  # each further window twice the last guess


def _pg_window(
    session: Session,
    organ_id: int,
    kind: Kind,
    terms: list[str],
    out: _Collected,
    lo: int,
    hi: int,
) -> int:
    """Add the kind's rows with the phrase in id blocks lo..hi, newest first; how many rows
    were read."""
    query = cast(literal(tsquery_window(terms, window_terms(lo, hi))), TSQUERY)
    read = 0

    def rows(offset: int, limit: int) -> list[tuple[int, int]]:
        nonlocal read
        stmt = (
            _pg_select(organ_id, kind, query)
            .order_by(CaseSearch.id.desc())
            .offset(offset)
            .limit(limit)
        )
        got = [(r.id, r.case_id) for r in session.execute(stmt)]
        read += len(got)
        return got

    _drain(out, session, rows)
    return read


def _pg_sorted(
    session: Session,
    organ_id: int,
    kind: Kind,
    terms: list[str],
    below: int,
    offset: int,
    limit: int,
) -> list[tuple[int, int]]:
    """A slice of the kind's rows with the phrase and an id under `below`, newest first, by
    sorting what its GIN index gives."""
    stmt = (
        _pg_hits(organ_id, kind, terms)
        .where(CaseSearch.id < below)
        .order_by(CaseSearch.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [(r.id, r.case_id) for r in session.execute(stmt)]


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
    session: Session,
    organ_id: int,
    kind: Kind,
    terms: list[str],
    bound: int,
    *,
    below: int | None = None,
) -> list[tuple[int, int]]:
    """Up to `bound` (id, case_id) of one kind's rows containing the phrase (with an id under
    `below`), in no order, through that kind's index."""
    if _postgres(session):
        stmt = _pg_hits(organ_id, kind, terms)
        if below is not None:
            stmt = stmt.where(CaseSearch.id < below)
        return [(r.id, r.case_id) for r in session.execute(stmt.limit(bound))]
    stmt = _fts_hits(organ_id, kind, terms).limit(bound)
    return [(r.id, r.case_id) for r in session.execute(stmt)]


def _fts_in_order(
    session: Session, organ_id: int, kind: Kind, terms: list[str], offset: int, limit: int
) -> list[tuple[int, int]]:
    """A slice of one kind's rows containing the phrase, newest first: FTS5 gives a phrase's
    rows in rowid order, backwards as cheaply as forwards."""
    fts = _fts(kind)
    stmt = _fts_hits(organ_id, kind, terms).order_by(fts.c.rowid.desc())
    return [(r.id, r.case_id) for r in session.execute(stmt.offset(offset).limit(limit))]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_hits(organ_id: int, kind: Kind, terms: list[str]) -> Select[int, int]:
    return _pg_select(organ_id, kind, cast(literal(tsquery_literal(terms)), TSQUERY))


def _pg_select(organ_id: int, kind: Kind, query: ColumnElement[Any]) -> Select[int, int]:
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


# PostgreSQL, while the kinds' indexes are read: each kind's GIN index, whatever the planner
# guesses from the column's statistics, which are the whole table's (a word common in letters
# is not common in numbers); and no parallel workers, which would cost more than these short
# reads and would hand back the probe's rows out of the table's order (see _collect_pg).
_INDEX_ONLY = {
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "max_parallel_workers_per_gather": "0",
}


@contextmanager
def _index_only(session: Session) -> Iterator[None]:
    """The _INDEX_ONLY planner settings for the statements of the block, in the caller's
    transaction, then the settings as they were: one round trip each way (set_config, local
    to the transaction), not two per setting and statement."""
    if not _postgres(session):
        yield
        return
    names = list(_INDEX_ONLY)
    before = session.execute(
        text(
            "SELECT "
            + ", ".join(
                f"current_setting('{n}'), set_config('{n}', '{_INDEX_ONLY[n]}', true)"
                for n in names
            )
        )
    ).one()
    try:
        yield
    finally:
        olds = {n: before[2 * i] for i, n in enumerate(names)}
        session.execute(
            text("SELECT " + ", ".join(f"set_config('{n}', :{n}, true)" for n in names)), olds
        )
