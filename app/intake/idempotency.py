"""Idempotency-Key handling: a retried submission returns the first response."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.chain import canonical
from app.errors import IdempotencyKeyReused, InvalidInput
from app.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def check_key(key: str) -> str:
    """Keys are 1–200 printable ASCII characters."""
    if not key or len(key) > MAX_KEY_LENGTH or not all(32 < ord(c) < 127 for c in key):
        raise InvalidInput(
            ("header", "Idempotency-Key"),
            "幂等键须为 1–200 个可见 ASCII 字符 / the key must be 1–200 printable ASCII characters",
        )
    return key


def fingerprint(payload: Any) -> str:
    """SHA-256 of the request's canonical content."""
    return hashlib.sha256(canonical({"request": payload})).hexdigest()


def claim(
    session: Session, *, scope: str, key: str, request_hash: str, now: datetime, ttl: timedelta
) -> StoredResponse | IdempotencyRecord:
    """Claim the key for this request, or return the response already stored under it.

    The claim row is inserted before any work: a concurrent request with the same key blocks on
    the unique index until the first commits, then reads its stored response.
    """
    _purge_expired(session, scope=scope, key=key, before=now - ttl)
    existing = _find(session, scope, key)
    if existing is None:
        record = IdempotencyRecord(
            scope=scope,
            key=key,
            request_hash=request_hash,
            status_code=0,
            response={},
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
            return record
        except IntegrityError:
            existing = _find(session, scope, key)
            if existing is None:  # pragma: no cover - the winner rolled back; ours is the retry
                raise
    if existing.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "同一幂等键已用于内容不同的请求 / this Idempotency-Key was used for a different request"
        )
    return StoredResponse(existing.status_code, existing.response)


def complete(
    record: IdempotencyRecord, *, status_code: int, body: dict[str, Any], case_id: int
) -> None:
    """Store the response the claimed key will replay."""
    record.status_code = status_code
    record.response = body
    record.case_id = case_id


def _find(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
    )
    return session.scalars(stmt).one_or_none()


def _purge_expired(session: Session, *, scope: str, key: str, before: datetime) -> None:
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < before,
        ),
        execution_options={"synchronize_session": False},
    )
