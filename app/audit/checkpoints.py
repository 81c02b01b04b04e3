"""Signed checkpoints of every chain head, in the database and in an append-only file.

A checkpoint lists each case's last event (id, seq, hash), a SHA-256 root over that list, and
an HMAC signature under the audit key over its summary. The database row keeps the heads; the
file outside the database keeps one JSON line per checkpoint (the signed summary, whose root
vouches for the heads). Whoever can write the database can neither forge a checkpoint (no key)
nor quietly drop one (the file keeps it), so a chain cut short after a checkpoint shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.chain import AuditKey, canonical, sign
from app.audit.keys import audit_key
from app.config import Settings
from app.models import AuditCheckpoint
from app.runtime import Runtime

log = logging.getLogger("gongkai.audit")

FILE_NAME = "checkpoints.jsonl"
RECORD_VERSION = 1
# How often the web process looks for today's checkpoint: hourly, so a day is never missed
# even across restarts, and the query that finds it written is cheap.
DAILY_CHECK_S = 3600.0


def checkpoint_file(settings: Settings) -> Path:
    """The append-only file of checkpoints."""
    return settings.audit_checkpoint_dir / FILE_NAME


def heads_root(heads: list[list[Any]]) -> str:
    """SHA-256 over the canonical list of heads."""
    return hashlib.sha256(canonical({"heads": heads})).hexdigest()


def summary(row: AuditCheckpoint) -> dict[str, Any]:
    """What a checkpoint's signature covers (and its file line holds, with the signature)."""
    return {
        "v": RECORD_VERSION,
        "taken_at": row.taken_at.isoformat(),
        "daily_on": row.daily_on.isoformat() if row.daily_on else None,
        "nonce": row.nonce,
        "key_id": row.key_id,
        "cases": row.cases,
        "events": row.events,
        "root": row.root,
    }


def take_checkpoint(
    session: Session,
    key: AuditKey,
    path: Path,
    *,
    now: datetime,
    daily_on: date | None = None,
) -> AuditCheckpoint:
    """Write a checkpoint of every chain head to the database and append it to the file.

    The row is flushed first: for a daily checkpoint the flush is the lease (a unique day), so
    a process that lost the race raises IntegrityError before touching the file. The caller
    commits; a commit that fails after the append leaves a line verify-audit reports.
    """
    heads = repository.chain_heads(session)
    row = AuditCheckpoint(
        # UTC, so the signed text is the one the row reads back as.
        taken_at=now.astimezone(UTC),
        daily_on=daily_on,
        nonce=secrets.token_hex(16),
        key_id=key.id,
        cases=len(heads),
        events=sum(h[2] for h in heads),
        root=heads_root(heads),
        heads=heads,
    )
    row.signature = sign(key, summary(row))
    session.add(row)
    session.flush()
    append_line(path, {**summary(row), "sig": row.signature})
    return row


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line with a single O_APPEND write, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class FileLine:
    number: int
    record: dict[str, Any] | None  # None: not a checkpoint record


def read_lines(path: Path) -> list[FileLine] | None:
    """The file's lines parsed, or None when there is no file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    lines = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        lines.append(FileLine(number, record if isinstance(record, dict) else None))
    return lines


def write_daily(rt: Runtime) -> AuditCheckpoint | None:
    """Today's checkpoint if no process has written it yet; None when one already has."""
    now = rt.clock()
    day = now.astimezone(rt.tz).date()
    key = audit_key(rt.settings)
    try:
        with rt.sessions.write.begin() as session:
            if repository.daily_checkpoint_exists(session, day):
                return None
            row = take_checkpoint(session, key, checkpoint_file(rt.settings), now=now, daily_on=day)
    except IntegrityError:
        return None  # another process took the day's lease between our check and our insert
    log.info("audit checkpoint for %s: %d chain(s), root %s", day, row.cases, row.root)
    return row


class DailyCheckpoints:
    """A daemon thread that writes today's checkpoint at start and then checks hourly."""

    def __init__(self, rt: Runtime, *, interval_s: float = DAILY_CHECK_S) -> None:
        self._rt = rt
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if rt.settings.audit_daily_checkpoint:
            self._thread = threading.Thread(target=self._run, name="audit-checkpoint", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                write_daily(self._rt)
            except Exception:
                # A failed day is retried within the hour; the service keeps serving meanwhile.
                log.exception("audit checkpoint failed")
            if self._stop.wait(self._interval_s):
                return

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop the thread, letting a checkpoint being written finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)


def start_daily_checkpoints(rt: Runtime) -> DailyCheckpoints:
    """Start the daily checkpoint thread (idle when audit_daily_checkpoint is off)."""
    return DailyCheckpoints(rt)
