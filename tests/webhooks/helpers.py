"""Subscribing through the API, and events written straight into the outbox."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Organ
from app.outbox.events import CASE_RECEIVED, OutboxMessage
from app.outbox.service import emit
from app.runtime import Runtime

HOOKS = "/api/v1/webhooks"


def subscribe(
    client: TestClient,
    headers: dict[str, str],
    url: str,
    types: list[str] | None = None,
    **more: Any,
) -> dict[str, Any]:
    body = {"url": url, "event_types": types or [CASE_RECEIVED], **more}
    r = client.post(HOOKS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def organ_id(rt: Runtime, code: str) -> int:
    with rt.sessions.read() as s:
        found = s.scalar(select(Organ.id).where(Organ.code == code))
    assert found is not None
    return found


def emit_events(rt: Runtime, code: str, n: int, type_: str = CASE_RECEIVED) -> None:
    """n events of one organ, as a case's change would record them (no case behind them)."""
    oid = organ_id(rt, code)
    messages = [
        OutboxMessage(
            type=type_,
            organ_id=oid,
            payload={"case": {"id": i, "number": f"T-{i}", "case_type": "x", "state": "s"}},
        )
        for i in range(n)
    ]
    with rt.sessions.write.begin() as s:
        emit(s, messages, now=rt.clock())
