"""Benchmark: webhook deliveries by the outbox worker, against a local receiver.

For each database: migrate a fresh database, create an organ and one webhook subscription to a
local HTTP receiver (http.server in a thread, 127.0.0.1), then

1. throughput: record N events in one transaction, start 1 (and on PostgreSQL 2) worker
   processes (`python -m app.cli worker --no-scheduler`) and time the receiver's first to last
   request; the reference is the same receiver hit directly by httpx in a loop (one client,
   keep-alive, a body of the same size) — what the HTTP side alone costs;
2. lag: one worker (two on PostgreSQL), events recorded one transaction each at a steady rate
   (50/s), lag = the receiver's arrival time - the commit's time, p50 and p99, for the worker's
   default idle wait (1 s between idle passes) and a short one.

    PYTHONPATH=. .venv/bin/python bench/outbox.py [--db sqlite|postgres|both] [--events 3000]
        [--rate 50] [--lag-seconds 20] [--postgres-url URL]

Loopback only. Figures only (no targets): exit status 0.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from databases import postgres_database  # bench/ is the script's directory
from sqlalchemy import func, select

from app.auth.principal import Principal
from app.config import PROJECT_ROOT, Settings
from app.migrate import upgrade_to_head
from app.models import OutboxDelivery
from app.organs.schemas import OrganCreate
from app.organs.service import create_organ
from app.outbox.events import CASE_RECEIVED, OutboxMessage
from app.outbox.service import emit
from app.runtime import Runtime, build_runtime, utc_now
from app.webhooks.schemas import WebhookCreate
from app.webhooks.service import create_subscription

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-outbox-secret"
ROOT = Principal(
    user_id=0, name="bench", organ_id=None, organ_code=None, roles=frozenset({"admin"})
)


@dataclass
class Receiver:
    arrivals: dict[int, float] = field(default_factory=dict)  # seq -> arrival (time.time())
    count: int = 0
    first: float = 0.0
    last: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def record(self, body: bytes) -> None:
        now = time.time()
        seq = json.loads(body)["data"].get("seq", -1)
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
            self.arrivals.setdefault(seq, now)

    def reset(self) -> None:
        with self.lock:
            self.arrivals, self.count, self.first, self.last = {}, 0, 0.0, 0.0


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            receiver.record(body)
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def message(organ_id: int, seq: int) -> OutboxMessage:
    case = {
        "id": seq,
        "number": f"示例〔2026〕{seq}号",
        "case_type": "foi_application",
        "state": "received",
    }
    return OutboxMessage(CASE_RECEIVED, {"case": case, "seq": seq}, organ_id=organ_id)


def start_workers(url: str, n: int, idle: float, storage: Path) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "GONGKAI_DATABASE_URL": url,
        "GONGKAI_SECRET_KEY": SECRET_KEY,
        "GONGKAI_STORAGE_DIR": str(storage),
        "GONGKAI_LETTER_RENDER_WORKERS": "0",
        "GONGKAI_AUDIT_DAILY_CHECKPOINT": "false",
    }
    args = [sys.executable, "-m", "app.cli", "worker", "--no-scheduler", "--idle", str(idle)]
    return [
        subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(n)
    ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        w.terminate()
    for w in workers:
        w.wait(20)


def delivered(rt: Runtime) -> int:
    with rt.sessions.read() as s:
        q = select(func.count()).where(OutboxDelivery.status == "delivered")
        return int(s.scalar(q) or 0)


def wait_delivered(rt: Runtime, n: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if delivered(rt) >= n:
            return True
        time.sleep(0.2)
    return False


def reference(url: str, n: int) -> float:
    """Requests per second of httpx posting straight to the receiver, one after another."""
    body = json.dumps(
        {"type": CASE_RECEIVED, "timestamp": "2026-03-02T02:00:00Z", "data": message(1, 0).payload},
        ensure_ascii=False,
    ).encode()
    headers = {
        "content-type": "application/json",
        "webhook-id": "evt_" + "0" * 32,
        "webhook-timestamp": "0",
        "webhook-signature": "v1," + "A" * 44,
    }
    with httpx.Client(timeout=10) as client:
        client.post(url, content=body, headers=headers)
        start = time.perf_counter()
        for _ in range(n):
            client.post(url, content=body, headers=headers)
        return n / (time.perf_counter() - start)


def throughput(
    rt: Runtime, url: str, organ_id: int, receiver: Receiver, n: int, workers: int, storage: Path
) -> float:
    receiver.reset()
    before = delivered(rt)
    with rt.sessions.write.begin() as s:
        emit(s, [message(organ_id, -1) for _ in range(n)], now=utc_now())
    procs = start_workers(url, workers, 0.05, storage)
    try:
        if not wait_delivered(rt, before + n, 600):
            print(f"  ! only {delivered(rt) - before} of {n} delivered in 600 s")
    finally:
        stop(procs)
    return (receiver.count - 1) / (receiver.last - receiver.first)


def lag(
    rt: Runtime,
    url: str,
    organ_id: int,
    receiver: Receiver,
    *,
    rate: float,
    seconds: float,
    workers: int,
    idle: float,
    storage: Path,
) -> tuple[float, float, int]:
    receiver.reset()
    before = delivered(rt)
    procs = start_workers(url, workers, idle, storage)
    committed: dict[int, float] = {}
    try:
        time.sleep(3)  # the workers start
        n = int(rate * seconds)
        start = time.monotonic()
        for seq in range(n):
            due = start + seq / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with rt.sessions.write.begin() as s:
                emit(s, [message(organ_id, seq)], now=utc_now())
            committed[seq] = time.time()
        if not wait_delivered(rt, before + n, 120):
            print(f"  ! only {delivered(rt) - before} of {n} delivered")
    finally:
        stop(procs)
    lags = sorted(
        (receiver.arrivals[s] - t) * 1000 for s, t in committed.items() if s in receiver.arrivals
    )
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    return statistics.median(lags), p99, len(lags)


def run(kind: str, url: str, args: argparse.Namespace, storage: Path) -> None:
    upgrade_to_head(url)
    settings = Settings(
        database_url=url,
        secret_key=SECRET_KEY,
        storage_dir=storage,  # type: ignore[arg-type]
        letter_render_workers=0,
        audit_daily_checkpoint=False,
    )
    rt = build_runtime(settings)
    try:
        with rt.sessions.write.begin() as s:
            organ = create_organ(
                s,
                OrganCreate(
                    code="bench-org",
                    name="示例市人民政府办公室",
                    reconsideration_body="示例市人民政府",
                    court="示例市中级人民法院",
                ),
                now=utc_now(),
            )
            organ_id = organ.id
        with receiving() as receiver:
            with rt.sessions.write.begin() as s:
                data = WebhookCreate(
                    url=receiver.url, event_types=[CASE_RECEIVED], organ_code="bench-org"
                )
                create_subscription(s, ROOT, data, key=rt.token_key, now=utc_now(), by="bench")
            ref = reference(receiver.url, args.events)
            print(f"\n{kind}: reference, httpx straight to the receiver: {ref:,.0f} req/s")
            counts = (1, 2) if kind == "postgresql" else (1,)
            for k in counts:
                got = throughput(rt, url, organ_id, receiver, args.events, k, storage)
                print(
                    f"  {k} worker{'s' if k > 1 else ''}: {got:,.0f} deliveries/s "
                    f"({got / ref:.0%} of the reference), {args.events} events"
                )
            lag_workers = 2 if kind == "postgresql" else 1
            for idle in (1.0, 0.1):
                p50, p99, n = lag(
                    rt,
                    url,
                    organ_id,
                    receiver,
                    rate=args.rate,
                    seconds=args.lag_seconds,
                    workers=lag_workers,
                    idle=idle,
                    storage=storage,
                )
                print(
                    f"  lag commit -> delivery at {args.rate:g} events/s, {lag_workers} "
                    f"worker(s), idle {idle:g} s: p50 {p50:.0f} ms, p99 {p99:.0f} ms ({n} events)"
                )
    finally:
        rt.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    print(f"outbox bench: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        storage = Path(tmp) / "storage"
        if args.db in ("sqlite", "both"):
            run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args, storage)
        if args.db in ("postgres", "both"):
            with postgres_database(args.postgres_url) as db:
                if db is not None:
                    run("postgresql", db.url, args, storage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
