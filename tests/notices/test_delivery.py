"""Who gets a warning and how: handlers or clerks and supervisors, by their preferences; in-app
by default, e-mail to a real SMTP server when they chose it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Case
from app.notices.channel import NoticeChannel
from app.notices.recipients import case_recipients
from app.notices.scan import deadline_warnings
from app.outbox.transports import MailSender, SmtpConfig
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act
from tests.notices.helpers import case_due, deliver, notices_of, user_id
from tests.outbox.helpers import deliveries

PREFS = "/api/v1/me/notice-preferences"


def _staff(organ: Staff) -> dict[str, dict[str, str]]:
    return {r: organ.headers(r) for r in ("clerk", "supervisor", "approver")}


def _warn(client: TestClient, rt: Runtime, clock: Clock) -> int:
    case_id = case_due(client, rt, "2026-11-13")
    clock.set("2026-11-06T09:00+08:00")
    assert deadline_warnings(rt, clock()) == 1
    return case_id


def test_an_unhandled_case_warns_the_clerks_and_supervisors_in_app(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff
) -> None:
    h = _staff(organ_a)
    organ_b.headers("clerk")  # another organ's clerk hears nothing
    _warn(client, runtime, clock)
    deliver(runtime)
    planned = sorted(d.target for d in deliveries(runtime) if d.channel == "notice")
    clerk, sup = user_id(runtime, "clerk 用户"), user_id(runtime, "supervisor 用户")
    assert planned == sorted([f"user:{clerk}", f"user:{sup}"])
    assert all(d.status == "delivered" for d in deliveries(runtime) if d.channel == "notice")
    (n,) = notices_of(runtime, clerk)
    assert n.event_type == "deadline.due_soon"
    assert "2026-11-13" in n.subject
    assert "5 个工作日" in n.body
    # The dashboard's list, and mark-read.
    mine = client.get("/api/v1/me/notices", headers=h["clerk"]).json()
    assert mine["unread"] == 1
    assert mine["items"][0]["subject"] == n.subject
    r = client.post(f"/api/v1/me/notices/{n.id}/read", headers=h["clerk"])
    assert r.status_code == 200, r.text
    assert r.json()["read_at"] is not None
    assert client.get("/api/v1/me/notices", headers=h["clerk"]).json()["unread"] == 0
    # Someone else's notice is not found.
    other = client.post(f"/api/v1/me/notices/{n.id}/read", headers=h["supervisor"])
    assert other.status_code == 404


def test_a_handled_case_warns_its_handler_not_every_clerk(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    organ_a.headers("clerk")
    organ_a.headers("supervisor")
    handler = organ_a.headers("clerk", "legal")
    case_id = case_due(client, runtime, "2026-11-13")
    case = client.get(f"/api/v1/cases/{case_id}", headers=handler).json()
    r = act(client, organ_a, case, "request_correction", "clerk+legal", items_to_correct=["年份"])
    assert r.status_code == 200, r.text
    with runtime.sessions.read() as s:
        organ_id = s.scalar(select(Case.organ_id).where(Case.id == case_id))
        assert organ_id is not None
        got = case_recipients(s, organ_id, case_id)
    assert got == sorted(
        [user_id(runtime, "clerk+legal 用户"), user_id(runtime, "supervisor 用户")]
    )


def test_preferences_are_respected(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff
) -> None:
    h = _staff(organ_a)
    assert client.get(PREFS, headers=h["clerk"]).json() == {
        "warnings": "in_app",
        "digest": "none",
        "calendar": "in_app",
        "assignment": "in_app",
        "transfer": "in_app",
        "email": None,
        "mobile": None,
    }
    body = {"warnings": "none", "digest": "none", "calendar": "none"}
    assert client.put(PREFS, json=body, headers=h["clerk"]).status_code == 200
    # E-mail needs an address; no SMTP configured: kept in-app, and said so.
    bad = client.put(PREFS, json=body | {"warnings": "email"}, headers=h["supervisor"])
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "warnings"]
    ok = client.put(
        PREFS,
        json=body | {"warnings": "email", "email": "sup@example.gov.cn"},
        headers=h["supervisor"],
    )
    assert ok.status_code == 200, ok.text
    _warn(client, runtime, clock)
    deliver(runtime)
    sup = user_id(runtime, "supervisor 用户")
    planned = [d for d in deliveries(runtime) if d.channel == "notice"]
    assert [d.target for d in planned] == [f"user:{sup}"]  # the clerk chose none
    assert planned[0].result == {"method": "in_app"}
    assert len(notices_of(runtime, sup)) == 1


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_warning_by_e_mail_reaches_a_real_smtp_server(
    client: TestClient,
    runtime: Runtime,
    clock: Clock,
    organ_a: Staff,
    smtp: tuple[_Inbox, int],
) -> None:
    inbox, port = smtp
    h = _staff(organ_a)
    body = {"warnings": "email", "digest": "none", "calendar": "none", "email": "c@example.gov.cn"}
    assert client.put(PREFS, json=body, headers=h["clerk"]).status_code == 200
    settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": "gk@example.gov.cn"}
    )
    config = SmtpConfig.of(settings)
    assert config is not None
    channel = NoticeChannel(runtime, mail=MailSender(config))
    case_id = _warn(client, runtime, clock)
    w = Worker(runtime, channels=[channel], periodic=[], scheduler=False)
    w.tick()
    w.tick()
    ((sender, rcpts, msg),) = inbox.mails
    assert sender == "gk@example.gov.cn"
    assert rcpts == ["c@example.gov.cn"]
    number = client.get(f"/api/v1/cases/{case_id}", headers=h["clerk"]).json()["number"]
    assert number in str(msg["Subject"]) or number in msg.get_payload(decode=True).decode()
    text = msg.get_payload(decode=True).decode()
    assert "2026-11-13" in text
    clerk = user_id(runtime, "clerk 用户")
    mailed = [d for d in deliveries(runtime) if d.target == f"user:{clerk}"]
    assert mailed[0].status == "delivered"
    assert mailed[0].result is not None
    assert mailed[0].result["method"] == "email"
    assert notices_of(runtime, clerk) == []  # by mail, not in-app
