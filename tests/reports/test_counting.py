"""The database's grouped counting against the case-by-case rules it mirrors (app.reports.periods),
over thousands of synthetic cases spread across year boundaries: every cell of tables 三 and 四
for four years, and the drill-down count of every cell."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from app.models import Case, RemedyRecord
from app.reports import counts, tables
from app.reports.periods import CaseStats, Period, RemedyStats, table3_cells, table4_cells
from app.runtime import Runtime
from tests.fixtures.factories import make_organ
from tests.reports.synthetic import insert_cases

YEARS = (2024, 2025, 2026, 2027)


@pytest.fixture
def organ_id(runtime: Runtime) -> int:
    with runtime.sessions.write.begin() as session:
        oid = make_organ(session, "org-syn")
        # Enough remedy records that every year has a few (the sanity check below).
        insert_cases(
            session, oid, 2000, first=date(2024, 6, 1), days=3 * 365, seed=7, remedy_share=0.05
        )
    return oid


def _expected(runtime: Runtime, period: Period) -> tuple[Counter[tuple[str, str]], Counter]:
    with runtime.sessions.read() as session:
        cases = session.scalars(select(Case)).all()
        records = session.scalars(select(RemedyRecord)).all()
        t3 = Counter(cell for c in cases for cell in table3_cells(period, CaseStats.of(c)))
        t4 = Counter(cell for r in records for cell in table4_cells(period, RemedyStats.of(r)))
    return t3, t4


def test_grouped_sql_equals_the_case_by_case_rules(runtime: Runtime, organ_id: int) -> None:
    for year in YEARS:
        period = Period(year)
        want3, want4 = _expected(runtime, period)
        with runtime.sessions.read() as session:
            t3 = tables.table3(counts.table3_groups(session, [organ_id], period))
            t4 = tables.table4(counts.table4_groups(session, [organ_id], period))
        got3 = Counter({(r, c): n for r, cols in t3.items() for c, n in cols.items() if n})
        got4 = Counter({(r, c): n for r, cols in t4.items() for c, n in cols.items() if n})
        assert got3 == want3, year
        assert got4 == want4, year
        assert tables.ensure_consistent(t3, t4) > 0
        assert t3["new"]["total"] > 100  # the data really spans the year
        assert sum(t4[k]["total"] for k in t4) > 5


def test_identities_catch_an_outcome_the_layout_does_not_know(
    runtime: Runtime, organ_id: int
) -> None:
    with runtime.sessions.write.begin() as session:
        case = session.scalars(
            select(Case).where(Case.concluded_on.between(date(2025, 3, 1), date(2025, 11, 30)))
        ).first()
        assert case is not None
        case.outcome = "withheld.made_up"
        category = case.applicant_category
    with runtime.sessions.read() as session:
        period = Period(2025)
        t3 = tables.table3(counts.table3_groups(session, [organ_id], period))
        t4 = tables.table4(counts.table4_groups(session, [organ_id], period))
    with pytest.raises(tables.ReportInconsistent) as caught:
        tables.ensure_consistent(t3, t4)
    failures = caught.value.extra["failures"]
    assert {(f["row"], f["column"]) for f in failures} == {("total", category), ("total", "total")}
    assert "total/" in caught.value.detail
