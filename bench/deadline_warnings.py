"""Benchmark: the deadline-warning scan over 100,000 open cases, beside a bare SELECT of the
same rows, on SQLite and PostgreSQL.

For each database: migrate a fresh one, insert an organ and N open cases (reply clock running)
whose due dates spread from 10 days past to 40 days ahead, then time
  - reference: the candidate query alone (the rows fetched, nothing computed);
  - first scan: `deadline_warnings` recording every warning due (many events written);
  - second scan: the same day again (every key already recorded: nothing written).
Wall time is the figure; this process's CPU time is printed beside it (on a shared machine the
wall time includes waiting for a core; on PostgreSQL the server's work is not in the CPU time).

    .venv/bin/python bench/deadline_warnings.py [--db sqlite|postgres|both] [--cases 100000]
                                       [--postgres-url URL]

Target: each scan under 2 s including the outbox writes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from databases import (  # bench/ is the script's directory
    Database,
    backends_cpu_s,
    postgres_database,
)
from sqlalchemy import func, insert, select, text

from app.config import Settings
from app.db import table_of
from app.migrate import upgrade_to_head
from app.models import Case, OutboxEvent
from app.notices.scan import candidates, deadline_warnings, running_states
from app.organs.schemas import OrganCreate
from app.organs.service import create_organ
from app.runtime import build_runtime

NOW = datetime(2026, 11, 11, 1, 0, tzinfo=UTC)  # 09:00 Beijing, a Wednesday
TARGET_S = 2.0


def _fill(db: Database, n: int) -> None:
    settings = Settings(database_url=db.url, secret_key="bench")  # type: ignore[arg-type]
    upgrade_to_head(settings.database_url)
    rt = build_runtime(settings)
    try:
        state = running_states(rt)[0]
        today = NOW.date()
        with rt.sessions.write.begin() as s:
            organ = create_organ(
                s,
                OrganCreate.model_validate(
                    {
                        "code": "bench",
                        "name": "示例区人民政府办公室",
                        "reconsideration_body": "示例区人民政府",
                        "court": "示例区人民法院",
                        "number_pattern": "{code}依申〔{year}〕{seq:05d}号",
                    }
                ),
                now=NOW,
            )
            organ_id = organ.id
        rows = [
            {
                "organ_id": organ_id,
                "number": f"bench-{i:06d}",
                "year": 2026,
                "seq": i,
                "case_type": "foi_application",
                "state": state,
                "version": 1,
                "source": "portal",
                "channel": "online",
                "arrived_at": NOW,
                "receipt_date": today - timedelta(days=20),
                "filled_by_staff": False,
                "applicant_category": "natural_person",
                "applicant_name": "张三",
                "applicant_id_type": "resident_id",
                "applicant_id_number": "110101199003077777",
                "applicant_phone": "13800000000",
                "delivery_form": "paper",
                "delivery_method": "post",
                "e_service_consent": False,
                "query_code_hash": "0" * 64,
                "reply_due": today + timedelta(days=(i % 51) - 10),
                "reply_due_provisional": False,
                "legal_involved": False,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(1, n + 1)
        ]
        with rt.sessions.write.begin() as s:
            for i in range(0, n, 10_000):
                s.execute(insert(table_of(Case)), rows[i : i + 10_000])
        # A database that has held its cases for a while has their statistics (and the
        # autovacuum's ANALYZE of the fresh rows must not run during the timed scans).
        with rt.sessions.write.begin() as s:
            s.execute(text("ANALYZE"))
    finally:
        rt.close()


def _server_cpu(db: Database) -> float:
    """The PostgreSQL backends' CPU seconds so far (NaN when not measurable, or on SQLite)."""
    found = backends_cpu_s(db.url) if db.kind == "postgresql" else None
    return float("nan") if found is None else found


def _server_note(seconds: float) -> str:
    return "" if seconds != seconds else f", PostgreSQL's {seconds * 1000:.0f} ms"


def run(db: Database, n: int) -> bool:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\n{db.kind} {db.version}: {n:,} open cases (load average {load:.1f}, {os.cpu_count()} CPUs)"
    )
    _fill(db, n)
    settings = Settings(database_url=db.url, secret_key="bench")  # type: ignore[arg-type]
    rt = build_runtime(settings)
    rt.clock = lambda: NOW
    try:
        horizon = rt.calendar.add_working_days(NOW.astimezone(rt.tz).date(), 5)
        states = running_states(rt)
        started = time.perf_counter()
        with rt.sessions.read() as s:
            found = len(candidates(s, states, horizon))
        reference = time.perf_counter() - started
        server = _server_cpu(db)
        started, cpu = time.perf_counter(), time.process_time()
        first = deadline_warnings(rt, NOW)
        t_first = time.perf_counter() - started
        c_first = time.process_time() - cpu
        s_first = _server_cpu(db) - server
        started, cpu = time.perf_counter(), time.process_time()
        second = deadline_warnings(rt, NOW)
        t_second = time.perf_counter() - started
        c_second = time.process_time() - cpu
        with rt.sessions.read() as s:
            events = s.scalar(select(func.count()).select_from(OutboxEvent))
    finally:
        rt.close()
    print(f"  reference (candidate SELECT, {found:,} rows): {reference * 1000:8.0f} ms")
    print(
        f"  first scan  ({first:,} warnings written):    {t_first * 1000:8.0f} ms"
        f"  (this process's CPU {c_first * 1000:.0f} ms{_server_note(s_first)})"
    )
    print(
        f"  second scan ({second} written, all known):     {t_second * 1000:8.0f} ms"
        f"  (this process's CPU {c_second * 1000:.0f} ms)"
    )
    print(f"  events in the outbox: {events:,}")
    ok = t_first < TARGET_S and t_second < TARGET_S
    print(f"  target < {TARGET_S:.0f} s per scan: {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    a = p.parse_args()
    results = []
    if a.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            import sqlite3

            results.append(run(Database("sqlite", url, sqlite3.sqlite_version), a.cases))
    if a.db in ("postgres", "both"):
        with postgres_database(a.postgres_url) as db:
            if db is not None:
                results.append(run(db, a.cases))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
