"""Setting up cases with chosen due dates, and reading what the notices wrote."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import Case, Notice, User
from app.notices.channel import notice_channel
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.api.portal_helpers import online
from tests.outbox.helpers import events


def case_due(client: TestClient, rt: Runtime, due: str, **values: Any) -> int:
    """An online application whose cached reply due date is `due` (set directly: the tests
    choose the date; the scan reads only the cache)."""
    case = online(client)
    with rt.sessions.write.begin() as s:
        s.execute(
            update(Case)
            .where(Case.id == case["id"])
            .values(reply_due=date.fromisoformat(due), **values)
        )
    return int(case["id"])


def set_due(rt: Runtime, case_id: int, due: str) -> None:
    with rt.sessions.write.begin() as s:
        s.execute(update(Case).where(Case.id == case_id).values(reply_due=date.fromisoformat(due)))


def warnings(rt: Runtime, case_id: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    kinds = ("deadline.due_soon", "deadline.overdue", "consultation.window_ended")
    return [
        (e.type, e.payload)
        for e in events(rt)
        if e.type in kinds and (case_id is None or e.case_id == case_id)
    ]


def user_id(rt: Runtime, name: str) -> int:
    with rt.sessions.read() as s:
        found = s.scalar(select(User.id).where(User.name == name))
    assert found is not None, name
    return int(found)


def notices_of(rt: Runtime, uid: int) -> list[Notice]:
    with rt.sessions.read() as s:
        return list(s.scalars(select(Notice).where(Notice.user_id == uid).order_by(Notice.id)))


def deliver(rt: Runtime) -> None:
    """Dispatch and deliver what is in the outbox through the notice channel."""
    w = Worker(rt, channels=[notice_channel(rt)], periodic=[], scheduler=False)
    for _ in range(3):
        w.tick()
