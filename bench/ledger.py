"""Benchmark: a full year's ledger (台账) export, CSV and XLSX, over N cases.

For each database (a temporary SQLite file; PostgreSQL too with --postgres URL) it:

1. runs the real migrations and creates two organs;
2. bulk-inserts N cases (default 100,000; table-level inserts, not HTTP) received over 2026,
   90% to the organ exported: one to three items each, about 3% not yet confirmed (no receipt
   date), the rest received, extended, replied and served, archived or withdrawn, with the
   issued reply, closure and extension letters the ledger cites;
3. exports the organ's ledger for 2026-01-01..2026-12-31 as CSV and as XLSX through the
   service (`app.ledger_export.service.export_ledger`, the function the route calls),
   consuming every chunk and discarding it, each in a fresh Python process: once timed, once
   under tracemalloc for the peak of Python allocations; the peak RSS growth over the timed
   export is VmHWM after it (reset through /proc/self/clear_refs just before) minus VmRSS
   before it — what the export itself adds, including SQLite's page cache and sorter.

Printed per database and format: rows, file size, seconds, rows per second, tracemalloc peak
and peak RSS growth. Memory is flat when the peaks stay far below the file's size and do not
grow with N (try --cases 10000 against the default).

    .venv/bin/python bench/ledger.py [--cases 100000] [--postgres URL] [--seed 7]

Exit status 0 unless something fails; it checks that each file holds one row per case exported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from databases import Database, postgres_database  # noqa: E402  (bench/ is the script's dir)
from sqlalchemy import func, insert, select, text  # noqa: E402

from app.auth.principal import Principal  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import table_of  # noqa: E402
from app.ledger_export import service  # noqa: E402
from app.migrate import upgrade_to_head  # noqa: E402
from app.models import Case, CaseItem, Letter, Organ  # noqa: E402
from app.organs.schemas import OrganCreate  # noqa: E402
from app.organs.service import create_organ  # noqa: E402
from app.outcomes import OUTCOMES  # noqa: E402
from app.runtime import Runtime, build_runtime  # noqa: E402

ORGAN = "bench-ledger"
OTHER = "bench-other"
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
NOW = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
SUBJECTS = (
    "老旧小区改造项目清单及资金安排",
    "道路拓宽工程房屋征收补偿方案",
    "学区划分调整的会议纪要与依据",
    "河道整治工程环境影响评价批复",
    "公共租赁住房分配结果及审核标准",
    "农村集体土地征收批复文件",
    "财政专项资金使用绩效评价报告",
    "城市更新单元规划审批意见",
)
REPLY_OUTCOMES = tuple(c for c in OUTCOMES if not c.startswith("other."))
INSERT_BATCH = 10_000


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def _case_row(
    rng: random.Random, i: int, organ_id: int, letters: list[dict[str, Any]]
) -> dict[str, Any]:
    received = YEAR_START + timedelta(days=rng.randrange(365))
    arrived = datetime.combine(received, datetime.min.time(), UTC) + timedelta(
        minutes=rng.randrange(60, 600)  # 09:00-18:00 in Beijing
    )
    row: dict[str, Any] = {
        "id": i,
        "organ_id": organ_id,
        "number": f"bench依申〔2026〕{i:06d}号",
        "year": 2026,
        "seq": i,
        "previous_state": None,
        "version": 1,
        "source": "portal",
        "channel": rng.choice(("online", "in_person", "registered_mail", "ordinary_mail", "fax")),
        "arrived_at": arrived,
        "receipt_date": received,
        "receipt_basis": "confirmed",
        "receipt_evidence": "确认记录",
        "filled_by_staff": False,
        "staff_note": None,
        "applicant_category": "natural_person" if rng.random() < 0.8 else "commercial_enterprise",
        "applicant_name": SURNAMES[i % len(SURNAMES)] + "某某",
        "applicant_id_type": "resident_id",
        "applicant_id_number": f"1101051990{i % 10**8:08d}",
        "applicant_phone": "13800138000",
        "applicant_email": None,
        "applicant_address": "示例市人民路100号",
        "applicant_postal_code": None,
        "applicant_legal_representative": None,
        "applicant_contact_person": None,
        "delivery_form": "electronic",
        "delivery_method": "email",
        "e_service_consent": True,
        "e_service_address": None,
        "query_code_hash": f"{i:064x}",
        "created_by_id": None,
        "reply_due": received + timedelta(days=28),
        "reply_due_provisional": received > date(2026, 11, 25),
        "correction_notice_due": None,
        "correction_due": None,
        "reply_status": "running",
        "review_outcome": None,
        "legal_review": None,
        "sign_off": None,
        "legal_involved": False,
        "outcome": None,
        "concluded_on": None,
        "reply_late": None,
        "served_on": None,
        "service_method": None,
        "served_on_time": None,
        "created_at": arrived,
        "updated_at": arrived,
    }

    def letter(kind: str, mark: str, on: date) -> None:
        seq = len(letters) + 1
        letters.append(
            {
                "case_id": i,
                "organ_id": organ_id,
                "kind": kind,
                "status": "issued",
                "fields": {},
                "number": f"bench依申{mark}〔2026〕{seq}号",
                "year": 2026,
                "seq": seq,
                "letter_date": on,
                "action": kind,
                "issued_at": datetime.combine(on, datetime.min.time(), UTC),
                "issued_by": "承办人",
                "created_at": datetime.combine(on, datetime.min.time(), UTC),
            }
        )

    r = rng.random()
    if r < 0.03:
        row.update(
            state="awaiting_confirmation",
            receipt_date=None,
            receipt_basis=None,
            receipt_evidence=None,
            reply_due=None,
            reply_due_provisional=False,
            reply_status=None,
        )
    elif r < 0.13:
        on = received + timedelta(days=rng.randrange(1, 10))
        row.update(state="withdrawn", outcome="other.other", concluded_on=on, reply_status=None)
        letter("closure_notice", "终", on)
    elif r < 0.18:
        row.update(state="extended", reply_due=received + timedelta(days=56))
        letter("extension_notice", "延", received + timedelta(days=20))
    elif r < 0.70:
        on = received + timedelta(days=rng.randrange(5, 35))
        late = on > row["reply_due"]
        served = on + timedelta(days=rng.randrange(0, 4))
        row.update(
            state="archived" if r < 0.5 else "served",
            outcome=rng.choice(REPLY_OUTCOMES),
            concluded_on=on,
            reply_late=late,
            served_on=served,
            service_method=rng.choice(("post", "electronic", "in_person")),
            served_on_time=not late,
            reply_status="met" if not late else "late",
        )
        letter("reply", "答", on)
    else:
        row.update(state="received", correction_notice_due=received + timedelta(days=9))
    return row


def populate(rt: Runtime, n: int, seed: int) -> int:
    """Insert the cases, items and letters; returns how many cases the exported organ has."""
    rng = random.Random(seed)
    with rt.sessions.write.begin() as session:
        ids = [
            create_organ(
                session,
                OrganCreate(
                    code=code,
                    name=f"{code} 示例市人民政府办公室",
                    reconsideration_body="示例市人民政府",
                    court="示例市中级人民法院",
                ),
                now=NOW,
            ).id
            for code in (ORGAN, OTHER)
        ]
    exported = 0
    with rt.sessions.write.begin() as session:
        conn = session.connection()
        for start in range(1, n + 1, INSERT_BATCH):
            cases, items, letters = [], [], []
            for i in range(start, min(start + INSERT_BATCH, n + 1)):
                organ_id = ids[0] if rng.random() < 0.9 else ids[1]
                exported += organ_id == ids[0]
                cases.append(_case_row(rng, i, organ_id, letters))
                items.extend(
                    {
                        "case_id": i,
                        "position": k,
                        "description": f"{2020 + (i + k) % 6}年{SUBJECTS[(i + k) % len(SUBJECTS)]}",
                        "document_number": f"示政发〔2025〕{i % 97}号" if k == 2 else None,
                    }
                    for k in range(1, 2 + i % 3)
                )
            conn.execute(insert(table_of(Case)), cases)
            conn.execute(insert(table_of(CaseItem)), items)
            if letters:
                # Letter numbers are unique per organ: number them per batch across kinds.
                for letter in letters:
                    letter["number"] = letter["number"].replace("〔2026〕", f"〔2026〕{start}-")
                conn.execute(insert(table_of(Letter)), letters)
        if conn.dialect.name == "postgresql":
            for table in ("cases", "case_items", "letters"):
                conn.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
            conn.execute(text("ANALYZE"))
    return exported


# ---------------------------------------------------------------------------------------------
# One export, in a fresh process
# ---------------------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    """Reset the process's peak RSS (VmHWM) to its current RSS (Linux 4.0+)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _runtime(url: str, storage: Path) -> Runtime:
    settings = Settings(
        database_url=url,
        secret_key=secrets.token_urlsafe(32),  # type: ignore[arg-type]
        storage_dir=storage,
        letter_render_workers=0,
    )
    rt = build_runtime(settings)
    rt.clock = lambda: NOW
    return rt


def _export_once(rt: Runtime, principal: Principal, fmt: str) -> tuple[int, int, float]:
    request = service.LedgerRequest(start=YEAR_START, end=YEAR_END, format=fmt)  # type: ignore[arg-type]
    t = time.perf_counter()
    size = lines = 0
    with rt.sessions.read() as session:
        ledger = service.export_ledger(session, rt, principal, request)
        for chunk in ledger.chunks:
            size += len(chunk)
            if fmt == "csv":
                lines += chunk.count(b"\r\n")
    return size, lines, time.perf_counter() - t


def child(url: str, fmt: str) -> None:
    """Run in a fresh process: one timed export, then one under tracemalloc; print JSON."""
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-storage-") as storage:
        rt = _runtime(url, Path(storage))
        try:
            with rt.sessions.read() as session:
                organ = session.scalars(select(Organ).where(Organ.code == ORGAN)).one()
            principal = Principal(
                user_id=0,
                name="bench",
                organ_id=organ.id,
                organ_code=organ.code,
                roles=frozenset({"clerk"}),
            )
            # Start-up (imports, migrations check, calendar) peaks above what follows: measure
            # the export's own peak, not the process's.
            reset = _reset_peak_rss()
            rss_before = _status_kib("VmRSS")
            size, lines, seconds = _export_once(rt, principal, fmt)
            peak = _status_kib("VmHWM") if reset else 0
            if not reset:  # no /proc: the process's peak, start-up included
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            tracemalloc.start()
            _export_once(rt, principal, fmt)
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            with rt.sessions.read() as session:
                rows = session.scalar(
                    select(func.count()).where(
                        Case.organ_id == organ.id,
                        (Case.receipt_date.between(YEAR_START, YEAR_END))
                        | Case.receipt_date.is_(None),
                    )
                )
        finally:
            rt.close()
    print(
        json.dumps(
            {
                "size": size,
                "csv_records": lines,
                "rows_expected": rows,
                "seconds": seconds,
                "rss_growth_kib": max(0, peak - rss_before),
                "rss_before_kib": rss_before,
                "tracemalloc_peak": traced_peak,
            }
        )
    )


def measure(url: str, fmt: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", fmt, "--url", url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        yield Database("sqlite", f"sqlite:///{tmp}/bench.db", sqlite3.sqlite_version)


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def bench(db: Database, n: int, seed: int) -> bool:
    print(f"\n== {db.kind} {db.version}")
    upgrade_to_head(db.url)
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-storage-") as storage:
        rt = _runtime(db.url, Path(storage))
        try:
            t = time.perf_counter()
            exported = populate(rt, n, seed)
            print(
                f"  inserted {n:,} cases ({exported:,} to {ORGAN}) with items and letters "
                f"in {time.perf_counter() - t:.1f} s"
            )
        finally:
            rt.close()
    ok = True
    for fmt in ("csv", "xlsx"):
        m = measure(db.url, fmt)
        rows = m["rows_expected"]
        if fmt == "csv" and m["csv_records"] < rows + 1:
            print(f"  FAIL: CSV has {m['csv_records'] - 1:,} records, expected {rows:,}")
            ok = False
        print(
            f"  {fmt:<5} {rows:>8,} rows  {_mib(m['size']):>10}  {m['seconds']:6.2f} s "
            f"({rows / m['seconds']:,.0f} rows/s)  tracemalloc peak {_mib(m['tracemalloc_peak'])}"
            f"  peak RSS growth {_mib(m['rss_growth_kib'] * 1024)} "
            f"(RSS before {_mib(m['rss_before_kib'] * 1024)})"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to insert (100000)")
    parser.add_argument("--postgres", metavar="URL", help="also on a fresh database there")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=("csv", "xlsx"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.url, args.child)
        return 0
    print(
        f"ledger export benchmark: {args.cases:,} cases over 2026, full-year export; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    ok = True
    with sqlite_database() as db:
        ok &= bench(db, args.cases, args.seed)
    if args.postgres:
        with postgres_database(args.postgres) as pg:
            if pg is not None:
                ok &= bench(pg, args.cases, args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
