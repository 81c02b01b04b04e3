"""Benchmark: recomputing every open case's deadlines when a calendar year is loaded.

For each database (an SQLite file, and PostgreSQL when reachable) it:

1. creates a fresh database (on PostgreSQL a new database `gongkai_bench_<random>`, dropped at
   the end), runs the real migrations and builds the real runtime (which stores the shipped
   years 2019-2026);
2. bulk-inserts `--cases` open cases (default 100,000) plus `--closed` archived ones, each with
   its creation event (a valid hash chain) and its clock ledger, and the cached deadline columns
   the 2019-2026 calendar gives: receipts on working days spread over --received-from
   (2026-09-01)..2026-12-31,
   about 55% only received, 12% awaiting correction and 5% corrected, 10% extended, 5% in a
   third-party consultation (a third answered), 5% with a fee notice (a third paid), 5% not yet
   confirmed, the rest under review; two organs, one with `fee_pauses_clock` off;
3. with the clock at 2026-12-31, loads an (invented, test-only) 2027 notice through
   `app.calendar.service.load_year` and commits: one transaction that stores the year,
   recomputes, updates the moved cases and appends their timeline events;
4. changes the 2027 notice (元旦 one day longer) and does it again;
5. checks that every moved case got exactly one `deadlines_recomputed` event and that the
   audit chains verify.

Printed per run: cases scanned, cases moved, distinct ledgers computed, and seconds total and
per phase (read, compute, write, commit). Target: total under 5 s.

    .venv/bin/python bench/recompute.py [--cases 100000] [--closed 20000] [--db both]
                                        [--postgres-url URL] [--seed 7]
                                        [--received-from 2026-09-01]

Exit status 0 when every run met the target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from databases import Database, postgres_database  # noqa: E402  (bench/ is the script's dir)
from sqlalchemy import func, insert, select, text  # noqa: E402

from app.audit.chain import GENESIS  # noqa: E402
from app.audit.keys import audit_key  # noqa: E402
from app.audit.service import event_row, verify_chains  # noqa: E402
from app.auth.principal import APPLICANT  # noqa: E402
from app.calendar import service as calendar_service  # noqa: E402
from app.calendar.recompute import ACTION  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import table_of  # noqa: E402
from app.deadline import ledger as lg  # noqa: E402
from app.deadline.cache import cache_values  # noqa: E402
from app.deadline.calendar import CalendarYear, WorkCalendar  # noqa: E402
from app.deadline.codec import encode, kind_of  # noqa: E402
from app.migrate import upgrade_to_head  # noqa: E402
from app.models import Case, CaseEvent, ClockEntry  # noqa: E402
from app.organs.schemas import OrganCreate  # noqa: E402
from app.organs.service import create_organ  # noqa: E402
from app.runtime import Runtime, build_runtime  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 5.0
TODAY = date(2026, 12, 31)
NOW = datetime(2026, 12, 31, 2, 0, tzinfo=UTC)  # 10:00 in Beijing

# TEST DATA, NOT OFFICIAL: an invented 2027 arrangement in the usual shape of a notice.
NOTICE_2027: dict[str, Any] = {
    "year": 2027,
    "reference": "测试数据〔2026〕1号（非官方）",
    "title": "TEST DATA 国务院办公厅关于2027年部分节假日安排的通知（测试用，非官方）",
    "published": date(2026, 11, 5),
    "days_off": [
        {"name": "元旦", "from": date(2027, 1, 1), "to": date(2027, 1, 3)},
        {"name": "春节", "from": date(2027, 2, 5), "to": date(2027, 2, 13)},
    ],
    "makeup_days": [
        {"date": date(2027, 1, 31), "for": "春节"},
        {"date": date(2027, 2, 20), "for": "春节"},
    ],
}
CHANGED_2027: dict[str, Any] = {
    **NOTICE_2027,
    "days_off": [
        {"name": "元旦", "from": date(2027, 1, 1), "to": date(2027, 1, 4)},
        NOTICE_2027["days_off"][1],
    ],
}


# ---------------------------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[Database]:
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        yield Database("sqlite", f"sqlite:///{tmp}/bench.db", sqlite3.sqlite_version)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def working_days_between(cal: WorkCalendar, first: date, last: date) -> list[date]:
    days, d = [], first
    while d <= last:
        if cal.is_working_day(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def open_ledger(
    rng: random.Random, cal: WorkCalendar, received: date
) -> tuple[str, list[lg.LedgerEntry]]:
    """A state and a ledger for an open case received on `received`, every date <= TODAY."""

    def wd(start: date, n: int) -> date | None:
        d = cal.add_working_days(start, n)
        return d if d <= TODAY else None

    r = rng.random()
    base: list[lg.LedgerEntry] = [lg.Received(on=received)]
    if r < 0.05:
        return "awaiting_confirmation", []
    if r < 0.22 and (notice := wd(received, rng.randint(1, 6))) is not None:
        got = wd(notice, 2)
        base.append(lg.CorrectionRequested(notice_on=notice, applicant_received_on=got))
        if r < 0.10 and got is not None and (fixed := wd(got, rng.randint(2, 10))) is not None:
            base.append(lg.CorrectionReceived(on=fixed))
            return "received", base
        return "awaiting_correction", base
    if r < 0.32 and (approved := wd(received, rng.randint(10, 19))) is not None:
        base.append(lg.Extended(20, "负责人 陈刚", approved, "需要检索多个部门的档案"))
        return "extended", base
    if r < 0.37 and (sent := wd(received, rng.randint(2, 8))) is not None:
        party = sent + timedelta(days=2)
        base.append(lg.ConsultationStarted("C1", "third_party", sent, party))
        if rng.random() < 0.33 and (answer := wd(party, rng.randint(3, 12))) is not None:
            base.append(lg.ConsultationAnswered("C1", answer))
            return "received", base
        return "consulting", base
    if r < 0.42 and (sent := wd(received, rng.randint(5, 12))) is not None:
        base.append(lg.FeeNoticeSent(sent, sent + timedelta(days=2)))
        if rng.random() < 0.33 and (paid := wd(sent, rng.randint(3, 10))) is not None:
            base.append(lg.FeePaid(paid))
            return "received", base
        return "awaiting_fee", base
    return ("under_review" if r > 0.97 else "received"), base


def closed_ledger(cal: WorkCalendar, received: date) -> list[lg.LedgerEntry]:
    replied = cal.add_working_days(received, 15)
    return [
        lg.Received(on=received),
        lg.Stopped(on=replied, reason="答复"),
        lg.Served(on=replied + timedelta(days=3)),
    ]


def populate(
    rt: Runtime, n_open: int, n_closed: int, seed: int, received_from: date
) -> dict[str, int]:
    """Bulk-insert the cases, their creation events and ledgers; returns counts by state."""
    rng = random.Random(seed)
    cal = rt.calendar
    with rt.sessions.write.begin() as session:
        organ_ids = [
            create_organ(
                session,
                OrganCreate(
                    code=code,
                    name=f"{code} 示例市人民政府办公室",
                    reconsideration_body="示例市人民政府",
                    court="示例市中级人民法院",
                    settings={"fee_pauses_clock": fee},
                ),
                now=NOW,
            ).id
            for code, fee in (("bench-a", True), ("bench-b", False))
        ]
    open_days = working_days_between(cal, received_from, TODAY)
    closed_days = working_days_between(cal, date(2026, 1, 5), date(2026, 8, 14))
    memo: dict[tuple[bool, tuple[lg.LedgerEntry, ...]], dict[str, Any]] = {}
    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    states: dict[str, int] = {}
    for i in range(1, n_open + n_closed + 1):
        case_id = i
        organ = organ_ids[0] if rng.random() < 0.8 else organ_ids[1]
        if i <= n_open:
            received = rng.choice(open_days)
            state, ledger = open_ledger(rng, cal, received)
        else:
            received = rng.choice(closed_days)
            state, ledger = "archived", closed_ledger(cal, received)
        states[state] = states.get(state, 0) + 1
        fee = organ == organ_ids[0]
        key = (fee, tuple(ledger))
        if key not in memo:
            memo[key] = cache_values(ledger, cal, fee_pauses_clock=fee, today=TODAY)
        arrived = datetime.combine(received, datetime.min.time(), UTC) + timedelta(hours=1)
        number = f"bench依申〔2026〕{i:06d}号"
        cases.append(
            {
                "id": case_id,
                "organ_id": organ,
                "number": number,
                "year": 2026,
                "seq": i,
                "state": state,
                "previous_state": None,
                "version": 1 + len(ledger),
                "source": "portal",
                "channel": "online",
                "arrived_at": arrived,
                "receipt_date": received if ledger else None,
                "receipt_basis": "platform_ack" if ledger else None,
                "receipt_evidence": "网上申请平台即时回执" if ledger else None,
                "filled_by_staff": False,
                "staff_note": None,
                "applicant_category": "natural_person",
                "applicant_name": f"申请人{i}",
                "applicant_id_type": "resident_id",
                "applicant_id_number": f"11010119900101{i % 10000:04d}",
                "applicant_phone": "13800138000",
                "applicant_email": None,
                "applicant_address": None,
                "applicant_postal_code": None,
                "applicant_legal_representative": None,
                "applicant_contact_person": None,
                "delivery_form": "electronic",
                "delivery_method": "email",
                "e_service_consent": False,
                "e_service_address": None,
                "query_code_hash": f"{i:064x}",
                "created_by_id": None,
                **memo[key],
                "created_at": arrived,
                "updated_at": arrived,
            }
        )
        events.append(
            event_row(
                key=audit_key(rt.settings),
                case_id=case_id,
                seq=1,
                prev_hash=GENESIS,
                action="submit",
                from_state=None,
                to_state=state,
                actor=APPLICANT,
                now=arrived,
                payload={"after": {"number": number, "receipt_date": received}},
                workflow_version=rt.workflow.version,
            )
        )
        entries.extend(
            {
                "case_id": case_id,
                "seq": n,
                "kind": kind_of(e),
                "data": encode(e),
                "event_id": None,
                "recorded_at": arrived,
            }
            for n, e in enumerate(ledger, start=1)
        )
    with rt.sessions.write.begin() as session:
        conn = session.connection()
        for table, rows in (
            (table_of(Case), cases),
            (table_of(CaseEvent), events),
            (table_of(ClockEntry), entries),
        ):
            for start in range(0, len(rows), 10_000):
                conn.execute(insert(table), rows[start : start + 10_000])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))"))
            conn.execute(text("ANALYZE"))
    return states


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    label: str
    scanned: int
    moved: int
    distinct: int
    read_s: float
    compute_s: float
    write_s: float
    other_s: float
    commit_s: float

    @property
    def total_s(self) -> float:
        return self.read_s + self.compute_s + self.write_s + self.other_s + self.commit_s


def load(rt: Runtime, data: dict[str, Any]) -> Run:
    cy = CalendarYear.from_mapping(data)
    t0 = time.perf_counter()
    with rt.sessions.write() as session:
        loaded = calendar_service.load_year(session, rt, cy, user_id=None)
        t1 = time.perf_counter()
        session.commit()
        t2 = time.perf_counter()
    assert loaded.change is not None
    assert loaded.report is not None
    report = loaded.report
    return Run(
        label=loaded.change.reason,
        scanned=report.scanned,
        moved=report.moved,
        distinct=report.distinct_ledgers,
        read_s=report.read_s,
        compute_s=report.compute_s,
        write_s=report.write_s,
        other_s=(t1 - t0) - report.total_s,
        commit_s=t2 - t1,
    )


def print_run(run: Run) -> None:
    verdict = "PASS" if run.total_s < TARGET_SECONDS else "FAIL"
    print(
        f"  {run.label:<22} scanned {run.scanned:>7,}  moved {run.moved:>7,}  "
        f"distinct ledgers {run.distinct:>6,}\n"
        f"  {'':<22} total {run.total_s:5.2f} s = read {run.read_s:.2f} + compute "
        f"{run.compute_s:.2f} + write {run.write_s:.2f} + lock/year/stamp {run.other_s:.2f} + "
        f"commit {run.commit_s:.2f}   [{verdict} < {TARGET_SECONDS:.0f} s]"
    )


def bench(db: Database, n_open: int, n_closed: int, seed: int, received_from: date) -> list[Run]:
    print(f"\n== {db.kind} {db.version}")
    upgrade_to_head(db.url)
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-storage-") as storage:
        settings = Settings(
            database_url=db.url,
            secret_key=secrets.token_urlsafe(32),  # type: ignore[arg-type]
            storage_dir=Path(storage),
        )
        rt = build_runtime(settings)
        rt.clock = lambda: NOW
        try:
            t = time.perf_counter()
            states = populate(rt, n_open, n_closed, seed, received_from)
            print(
                f"  populated {n_open:,} open + {n_closed:,} archived cases in "
                f"{time.perf_counter() - t:.1f} s: "
                + ", ".join(f"{s} {c:,}" for s, c in sorted(states.items()))
            )
            runs = [load(rt, NOTICE_2027), load(rt, CHANGED_2027)]
            for run in runs:
                print_run(run)
            with rt.sessions.read() as session:
                recomputed = session.scalar(select(func.count()).where(CaseEvent.action == ACTION))
                t = time.perf_counter()
                checked, problems = verify_chains(session, audit_key(rt.settings))
                verify_s = time.perf_counter() - t
            expected = sum(r.moved for r in runs)
            print(
                f"  {recomputed:,} deadlines_recomputed events (expected {expected:,}); "
                f"audit chains: {checked:,} events checked in {verify_s:.1f} s, "
                f"{len(problems)} problem(s)"
            )
            assert recomputed == expected, "event count differs from cases moved"
            assert not problems, problems[:5]
        finally:
            rt.close()
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="open cases")
    parser.add_argument("--closed", type=int, default=20_000, help="archived cases as well")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--received-from",
        type=date.fromisoformat,
        default=date(2026, 9, 1),
        help="first receipt date of the open cases (later: more of them reach into 2027)",
    )
    args = parser.parse_args()
    print(
        f"recompute benchmark: {args.cases:,} open cases received from {args.received_from}, "
        f"{args.closed:,} archived; "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    runs: list[Run] = []
    if args.db in ("sqlite", "both"):
        with sqlite_database() as db:
            runs += bench(db, args.cases, args.closed, args.seed, args.received_from)
    if args.db in ("postgres", "both"):
        with postgres_database(args.postgres_url) as pg:
            if pg is not None:
                runs += bench(pg, args.cases, args.closed, args.seed, args.received_from)
    ok = all(r.total_s < TARGET_SECONDS for r in runs)
    print(f"\n{'PASS' if ok else 'FAIL'}: every run under {TARGET_SECONDS:.0f} s" if runs else "")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
