"""Worker processes for the robustness tests: `python -m app.cli worker` against the test's
database, as a deployment runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app.models import OutboxDelivery, OutboxEvent
from app.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]


def start_worker(
    database_url: str, *, lease_seconds: int = 2, batch: int = 20, idle: float = 0.05,
    log: Path | None = None, scheduler: bool = False,
) -> subprocess.Popen[bytes]:  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GONGKAI_DATABASE_URL": database_url,
        "GONGKAI_SECRET_KEY": "test-secret-key",  # the tests' settings: secrets unseal
        "GONGKAI_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "GONGKAI_LETTER_RENDER_WORKERS": "0",
        "GONGKAI_AUDIT_DAILY_CHECKPOINT": "false",
        "GONGKAI_WEBHOOK_TIMEOUT_S": "30",
    }
    args = [sys.executable, "-m", "app.cli", "worker", "--batch", str(batch), "--idle", str(idle)]
    if not scheduler:
        args.append("--no-scheduler")
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def counts(rt: Runtime) -> dict[str, int]:
    """Deliveries by status, and events not yet dispatched."""
    with rt.sessions.read() as s:
        q = select(OutboxDelivery.status, func.count()).group_by(OutboxDelivery.status)
        out = {str(status): int(n) for status, n in s.execute(q)}
        undispatched = s.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
        )
    out["undispatched"] = undispatched or 0
    return out


def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(every)
    return check()
