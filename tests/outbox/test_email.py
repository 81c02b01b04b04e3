"""Mail to applicants through a real SMTP server (aiosmtpd), delivered by the worker: the
acknowledgement, letters served electronically with their PDF, and their arrival (RULES §4) —
the recipient's server accepting it (direct), or a DSN through the relay — which starts the
windows that run from the applicant's receipt; refusals and bounces flag the case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from app.config import Settings, get_settings
from app.models import Letter, LetterAccess, OutboxDelivery
from app.outbox.applicant.mail import EmailChannel
from app.outbox.service import redeliver
from app.outbox.transports import MailSender, SmtpConfig
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.outbox.helpers import attempts
from tests.outbox.mail_server import MailServer, Received, mail_server
from tests.reply.helpers import case_of, deadline, ok
from tests.web.staff_support import make_staff, signed_in

TOKEN = "dsn-shared-token"
DSN = "/api/v1/mail/dsn"


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    yield from mail_server()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp: MailServer) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",  # type: ignore[arg-type]
        storage_dir=tmp_path / "storage",
        letter_render_workers=0,
        audit_daily_checkpoint=False,
        audit_checkpoint_dir=tmp_path / "audit",
        password_argon2_time_cost=1,
        password_argon2_memory_kib=8 * 1024,
        password_argon2_parallelism=1,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_mode="direct",
        smtp_timeout_s=5,
        mail_from="gongkai@example.gov.cn",
        mail_dsn_token=SecretStr(TOKEN),
    )


def worker(runtime: Runtime, mode: str = "direct") -> Worker:
    config = SmtpConfig.of(runtime.settings.model_copy(update={"smtp_mode": mode}))
    assert config is not None
    return Worker(runtime, channels=[EmailChannel(runtime, MailSender(config))], scheduler=False)


def mail_deliveries(runtime: Runtime) -> list[OutboxDelivery]:
    with runtime.sessions.read() as s:
        q = select(OutboxDelivery).where(OutboxDelivery.channel == "email")
        return list(s.scalars(q.order_by(OutboxDelivery.id)))


def letter_of(runtime: Runtime, case_id: int, kind: str) -> Letter:
    with runtime.sessions.read() as s:
        q = select(Letter).where(Letter.case_id == case_id, Letter.kind == kind)
        return s.scalars(q).one()


def arrivals(runtime: Runtime, case_id: int) -> list[LetterAccess]:
    with runtime.sessions.read() as s:
        q = select(LetterAccess).where(
            LetterAccess.case_id == case_id, LetterAccess.channel == "mail_arrival"
        )
        return list(s.scalars(q.order_by(LetterAccess.id)))


def events(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/cases/{case_id}/events", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())


def summary(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    r = client.get("/api/v1/cases", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return next(x for x in r.json()["items"] if x["id"] == case_id)


def mail_about(smtp: MailServer, words: str) -> Received:
    found = [m for m in smtp.inbox.received if words in str(m.message["Subject"])]
    assert len(found) == 1, [str(m.message["Subject"]) for m in smtp.inbox.received]
    return found[0]


def correction_requested(
    client: TestClient, runtime: Runtime, staff: Staff, clock: Clock, mode: str = "direct"
) -> dict[str, Any]:
    """Applied online Mon 03-02 (consenting to e-service), the acknowledgement and receipt
    mailed; a correction asked for on Wed 03-04."""
    case = online(client)
    worker(runtime, mode).tick()
    clock.set("2026-03-04T10:00+08:00")
    asked = ok(act(client, staff, case, "request_correction", "clerk", items_to_correct=["年份"]))
    return {**asked, "query_code": case["query_code"]}


def dsn_report(envid: str, action: str, status: str, when: str, diagnostic: str = "") -> bytes:
    """A whole DSN as an MTA pipes it (RFC 3464 multipart/report)."""
    diag = f"Diagnostic-Code: smtp; {diagnostic}\r\n" if diagnostic else ""
    return (
        "From: MAILER-DAEMON@relay.example.gov.cn\r\n"
        "To: gongkai@example.gov.cn\r\n"
        "Subject: Delivery Status Notification\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "This is the mail system at host relay.example.gov.cn.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; relay.example.gov.cn\r\n"
        f"Original-Envelope-Id: {envid}\r\n"
        "Arrival-Date: Thu, 5 Mar 2026 09:00:00 +0800\r\n"
        "\r\n"
        "Final-Recipient: rfc822; zhangsan@example.com\r\n"
        "Original-Recipient: rfc822;zhangsan@example.com\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; mx.example.com\r\n"
        f"{diag}"
        f"Last-Attempt-Date: {when}\r\n"
        "\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "Subject: x\r\n"
        "--B--\r\n"
    ).encode()


def post_dsn(client: TestClient, body: bytes, token: str | None = TOKEN) -> Any:
    headers = {"Content-Type": "multipart/report"}
    if token is not None:
        headers["X-Mail-Token"] = token
    return client.post(DSN, content=body, headers=headers)


def correction_delivery(runtime: Runtime, case_id: int) -> OutboxDelivery:
    letter = letter_of(runtime, case_id, "correction_notice")
    with runtime.sessions.read() as s:
        from app.models import OutboxEvent

        q = (
            select(OutboxDelivery)
            .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
            .where(OutboxDelivery.channel == "email", OutboxEvent.type == "letter.issued")
        )
        found = [
            d
            for d in s.scalars(q)
            if s.get(OutboxEvent, d.event_id).payload["letter"]["id"] == letter.id  # type: ignore[union-attr]
        ]
    assert len(found) == 1
    return found[0]


# -- the acknowledgement and the letters -------------------------------------------------------


def test_the_acknowledgement_has_the_registration_number_and_never_the_query_code(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer
) -> None:
    case = online(client)
    report = worker(runtime).tick()
    # One mail: the applicant consented to electronic service, so the registration receipt
    # issued with the case goes with the acknowledgement.
    assert report.delivered == 1
    assert report.failed == 0
    assert len(smtp.inbox.received) == 1
    ack = mail_about(smtp, "已收到您的政府信息公开申请")
    assert ack.rcpt_to == ["zhangsan@example.com"]
    assert case["number"] in ack.text()
    assert case["number"] in str(ack.message["Subject"])
    assert "收到申请之日：2026-03-02" in ack.text()
    assert case["query_code"] not in ack.data.decode("utf-8", "replace")
    receipt = letter_of(runtime, case["id"], "receipt")
    assert receipt.pdf_sha256 is not None
    assert ack.attachments() == [
        ("政府信息公开申请登记回执.pdf", runtime.store.read(receipt.pdf_sha256))
    ]
    for mail in smtp.inbox.received:
        assert case["query_code"] not in mail.data.decode("utf-8", "replace")
    # The same Message-ID on every attempt of a delivery: the event id and the delivery.
    assert str(ack.message["Message-ID"]).startswith("<evt_")


def test_a_letter_mail_attaches_the_issued_pdf_byte_for_byte(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    case = correction_requested(client, runtime, organ_a, clock)
    worker(runtime).tick()
    notice = mail_about(smtp, "补正告知书")
    [(name, pdf)] = notice.attachments()
    assert name == "政府信息公开申请补正告知书.pdf"
    letter = letter_of(runtime, case["id"], "correction_notice")
    assert letter.pdf_sha256 is not None
    assert pdf == runtime.store.read(letter.pdf_sha256)
    r = client.get(f"/api/v1/letters/{letter.id}/pdf", headers=organ_a.headers("clerk"))
    assert r.status_code == 200
    assert r.content == pdf
    assert case["number"] in notice.text()
    # The receipt issued at intake went with the acknowledgement, rendered for the mail.
    receipt = mail_about(smtp, "已收到您的政府信息公开申请")
    receipt_letter = letter_of(runtime, case["id"], "receipt")
    assert receipt_letter.pdf_sha256 is not None
    assert receipt.attachments()[0][1] == runtime.store.read(receipt_letter.pdf_sha256)


def test_without_consent_to_electronic_service_only_the_acknowledgement_is_mailed(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer
) -> None:
    online(client, e_service_consent=False, delivery={"form": "paper", "method": "post"})
    worker(runtime).tick()
    assert len(smtp.inbox.received) == 1
    mail_about(smtp, "已收到")


def test_no_email_no_mail(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer
) -> None:
    from tests.fixtures.factories import person

    online(
        client,
        applicant=person(email=None),
        e_service_consent=False,
        delivery={"form": "paper", "method": "post"},
    )
    worker(runtime).tick()
    assert smtp.inbox.received == []
    assert mail_deliveries(runtime) == []


# -- arrival -------------------------------------------------------------------------------------


def test_direct_mode_acceptance_is_the_arrival_and_the_correction_window_runs_from_it(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    case = correction_requested(client, runtime, organ_a, clock)
    assert deadline(case, "correction")["status"] == "not_started"
    clock.set("2026-03-05T09:00+08:00")
    before = len(events(client, organ_a, case["id"]))
    worker(runtime).tick()
    delivery = correction_delivery(runtime, case["id"])
    assert delivery.status == "delivered"
    assert delivery.result is not None
    assert delivery.result["arrived"] is True
    assert delivery.result["mode"] == "direct"
    assert delivery.result["code"] == 250

    timeline = events(client, organ_a, case["id"])
    assert len(timeline) == before + 1
    receipt = timeline[-1]
    assert receipt["action"] == "record_notice_receipt"
    assert receipt["actor_kind"] == "system"
    assert receipt["payload"]["input"]["received_on"] == "2026-03-05"
    assert receipt["payload"]["input"]["evidence"].startswith("邮件回执：收件方邮件服务器")

    after = case_of(client, organ_a, case["id"])
    correction = deadline(after, "correction")
    assert correction["start_date"] == "2026-03-05"
    assert correction["due_date"] == "2026-03-26"  # 15 WD after Thu 03-05
    assert after["notice_pending_receipt"] is None
    assert after["mail_failed"] is False
    kinds = {a.receipt_action for a in arrivals(runtime, case["id"])}
    assert "record_notice_receipt" in kinds


def test_relay_acceptance_is_sent_not_arrived(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    smtp.inbox.dsn = True
    case = correction_requested(client, runtime, organ_a, clock, mode="relay")
    clock.set("2026-03-05T09:00+08:00")
    worker(runtime, "relay").tick()
    delivery = correction_delivery(runtime, case["id"])
    assert delivery.status == "delivered"
    assert delivery.result is not None
    assert delivery.result["arrived"] is False
    assert delivery.result["dsn"] is True
    assert delivery.result["sent_at"].startswith("2026-03-05T01:00")
    notice = mail_about(smtp, "补正告知书")
    assert f"ENVID={delivery.result['envid']}".upper() in notice.mail_options
    after = case_of(client, organ_a, case["id"])
    assert deadline(after, "correction")["status"] == "not_started"
    assert after["notice_pending_receipt"] is not None
    assert arrivals(runtime, case["id"]) == []


def test_a_dsn_delivered_records_the_arrival_and_starts_the_window(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    smtp.inbox.dsn = True
    case = correction_requested(client, runtime, organ_a, clock, mode="relay")
    clock.set("2026-03-05T09:00+08:00")
    worker(runtime, "relay").tick()
    envid = correction_delivery(runtime, case["id"]).result["envid"]  # type: ignore[index]
    clock.set("2026-03-06T10:00+08:00")
    body = dsn_report(envid, "delivered", "2.0.0", "Thu, 5 Mar 2026 09:00:05 +0800")
    answer = ok(post_dsn(client, body))
    assert answer["matched"] is True
    assert answer["action"] == "delivered"
    assert answer["arrival_recorded"] is True

    after = case_of(client, organ_a, case["id"])
    correction = deadline(after, "correction")
    assert correction["start_date"] == "2026-03-05"  # the day it reached the mailbox
    assert after["notice_pending_receipt"] is None
    receipt = events(client, organ_a, case["id"])[-1]
    assert receipt["action"] == "record_notice_receipt"
    assert "DSN" in receipt["payload"]["input"]["evidence"]
    delivery = correction_delivery(runtime, case["id"])
    assert delivery.result is not None
    assert delivery.result["arrived"] is True
    assert attempts(runtime, delivery.id)[-1].detail.startswith("DSN delivered 2.0.0")
    # The same DSN again records nothing more.
    again = ok(post_dsn(client, body))
    assert again["matched"] is True
    assert again["arrival_recorded"] is False
    assert case_of(client, organ_a, case["id"])["version"] == after["version"]


def test_a_dsn_failed_flags_the_case_and_marks_the_delivery_dead(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    smtp.inbox.dsn = True
    case = correction_requested(client, runtime, organ_a, clock, mode="relay")
    worker(runtime, "relay").tick()
    delivery = correction_delivery(runtime, case["id"])
    body = dsn_report(
        delivery.result["envid"],  # type: ignore[index]
        "failed",
        "5.1.1",
        "Wed, 4 Mar 2026 10:00:05 +0800",
        "550 5.1.1 <zhangsan@example.com>: Recipient address rejected",
    )
    answer = ok(post_dsn(client, body))
    assert answer == {
        "matched": True,
        "delivery_id": delivery.id,
        "action": "failed",
        "arrival_recorded": False,
    }
    dead = correction_delivery(runtime, case["id"])
    assert dead.status == "dead"
    assert "5.1.1" in (dead.last_error or "")
    after = case_of(client, organ_a, case["id"])
    assert after["mail_failed"] is True
    assert after["notice_pending_receipt"] is not None  # no arrival
    assert summary(client, organ_a, case["id"])["mail_failed"] is True

    r = client.get("/api/v1/cases?mail_failed=true", headers=organ_a.headers("clerk"))
    assert [x["number"] for x in r.json()["items"]] == [case["number"]]
    make_staff(runtime, "org-a", "clerk", login="clerk")
    page = signed_in(client, "clerk").get("/staff/")
    assert page.status_code == 200
    assert '<span class="tag tag--overdue">邮件未送达</span>' in page.text
    only = client.get("/staff/?mail_failed=true&scope=all")
    assert case["number"] in only.text
    assert 'name="mail_failed" value="true" checked' in only.text
    detail = client.get(f"/staff/cases/{case['id']}")
    assert "发给申请人的邮件被拒收或退信" in detail.text

    # An administrator's redelivery takes the flag away while it is tried again.
    with runtime.sessions.write.begin() as session:
        redeliver(session, dead.id, organ_id=None, now=runtime.clock())
    assert case_of(client, organ_a, case["id"])["mail_failed"] is False
    r = client.get("/api/v1/cases?mail_failed=true", headers=organ_a.headers("clerk"))
    assert r.json()["items"] == []


def test_a_550_is_dead_at_once_flags_the_case_and_records_no_arrival(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    case = correction_requested(client, runtime, organ_a, clock)
    smtp.inbox.rcpt_reply = "550 5.1.1 <zhangsan@example.com>: no such user"
    report = worker(runtime).tick()
    assert report.dead == 1
    delivery = correction_delivery(runtime, case["id"])
    assert delivery.status == "dead"
    assert delivery.attempts == 1
    assert "550" in (delivery.last_error or "")
    after = case_of(client, organ_a, case["id"])
    assert after["mail_failed"] is True
    assert after["notice_pending_receipt"] is not None
    assert deadline(after, "correction")["status"] == "not_started"
    assert [a.receipt_action for a in arrivals(runtime, case["id"])] == [None]  # the receipt
    assert summary(client, organ_a, case["id"])["mail_failed"] is True


def test_a_4xx_is_tried_again_later_and_then_arrives(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    case = correction_requested(client, runtime, organ_a, clock)
    smtp.inbox.data_reply = "451 4.3.0 mailbox busy, try later"
    report = worker(runtime).tick()
    assert report.failed == 1
    assert report.dead == 0
    delivery = correction_delivery(runtime, case["id"])
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > runtime.clock()
    assert "451" in (delivery.last_error or "")
    assert case_of(client, organ_a, case["id"])["mail_failed"] is False

    smtp.inbox.data_reply = "250 2.0.0 Ok: queued as GK124"
    clock.advance(hours=1)
    worker(runtime).tick()
    delivered = correction_delivery(runtime, case["id"])
    assert delivered.status == "delivered"
    assert delivered.attempts == 2
    assert deadline(case_of(client, organ_a, case["id"]), "correction")["start_date"] == (
        "2026-03-04"
    )


# -- the DSN route and command ---------------------------------------------------------------


def test_the_dsn_route_needs_the_shared_token(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    body = dsn_report("evt_x.1", "delivered", "2.0.0", "Thu, 5 Mar 2026 09:00:05 +0800")
    for token in (None, "wrong"):
        r = post_dsn(client, body, token)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"].startswith("application/problem+json")


def test_a_dsn_route_without_a_configured_token_is_off(
    client: TestClient, runtime: Runtime
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"mail_dsn_token": None})
    r = post_dsn(client, b"Action: delivered\r\n", TOKEN)
    assert r.status_code == 403
    assert r.json()["code"] == "dsn-off"


def test_a_body_that_is_no_dsn_is_a_422_and_an_unknown_envelope_is_ignored(
    client: TestClient, runtime: Runtime
) -> None:
    r = post_dsn(client, b"hello, this is not a report")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    bare = b"Original-Envelope-Id: evt_0000.99\r\n\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
    r = client.post(
        DSN,
        content=bare,
        headers={"Content-Type": "message/delivery-status", "X-Mail-Token": TOKEN},
    )
    assert ok(r)["matched"] is False


def test_the_mail_dsn_command_takes_a_dsn_on_standard_input(
    client: TestClient,
    runtime: Runtime,
    organ_a: Staff,
    smtp: MailServer,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.cli import cli

    smtp.inbox.dsn = True
    case = correction_requested(client, runtime, organ_a, clock, mode="relay")
    worker(runtime, "relay").tick()
    delivery = correction_delivery(runtime, case["id"])
    monkeypatch.setenv("GONGKAI_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("GONGKAI_SECRET_KEY", runtime.settings.secret_key.get_secret_value())
    monkeypatch.setenv("GONGKAI_STORAGE_DIR", str(runtime.settings.storage_dir))
    get_settings.cache_clear()
    try:
        body = dsn_report(
            delivery.result["envid"],  # type: ignore[index]
            "delivered",
            "2.0.0",
            "Wed, 4 Mar 2026 10:00:05 +0800",
        )
        result = CliRunner().invoke(cli, ["mail-dsn"], input=body)
        assert result.exit_code == 0, result.output
        assert '"arrival_recorded":true' in result.stdout
        bad = CliRunner().invoke(cli, ["mail-dsn"], input=b"not a report")
        assert bad.exit_code == 65
    finally:
        get_settings.cache_clear()
    after = case_of(client, organ_a, case["id"])
    assert deadline(after, "correction")["start_date"] == "2026-03-04"
    assert after["notice_pending_receipt"] is None


def test_arrival_moment_is_never_after_now() -> None:
    from app.outbox.applicant.service import _moment

    now = datetime.fromisoformat("2026-03-05T01:00:00+00:00")
    later = datetime.fromisoformat("2026-03-05T02:00:00+00:00")
    assert _moment(later, now) == now
    assert _moment(None, now) == now


def test_hidden_characters_in_a_dsn_are_not_stored(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, clock: Clock
) -> None:
    smtp.inbox.dsn = True
    case = correction_requested(client, runtime, organ_a, clock, mode="relay")
    worker(runtime, "relay").tick()
    delivery = correction_delivery(runtime, case["id"])
    body = dsn_report(
        delivery.result["envid"],  # type: ignore[index]
        "failed",
        "5.1.1",
        "Wed, 4 Mar 2026 10:00:05 +0800",
        "550 bad\x00user\u202e\u2028 here",
    )
    assert ok(post_dsn(client, body))["action"] == "failed"
    dead = correction_delivery(runtime, case["id"])
    assert dead.last_error is not None
    assert "550 baduser here" in dead.last_error
    assert attempts(runtime, dead.id)[-1].detail == dead.last_error


def test_an_organs_own_sender_address_goes_first(
    client: TestClient, runtime: Runtime, organ_a: Staff, smtp: MailServer, admin: dict[str, str]
) -> None:
    r = client.put(
        "/api/v1/admin/organs/org-a/settings",
        json={"mail_from": "xinxi@org-a.example.gov.cn"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    online(client)
    worker(runtime).tick()
    for mail in smtp.inbox.received:
        assert mail.mail_from == "xinxi@org-a.example.gov.cn"
        assert "xinxi@org-a.example.gov.cn" in str(mail.message["From"])
        assert str(mail.message["Message-ID"]).endswith("@org-a.example.gov.cn>")
