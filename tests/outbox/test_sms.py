"""SMS notices to applicants through a real HTTP gateway (http.server in a thread), delivered by
the worker: letter issued, correction needed, fee due; quiet hours hold them until 08:00."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from app.config import Settings
from app.models import OutboxDelivery
from app.outbox.applicant.sms import SmsChannel, is_mobile, notice_of, sms_channel
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, person
from tests.letters.helpers import act, online
from tests.outbox.helpers import attempts
from tests.outbox.mail_server import Gateway, sms_gateway
from tests.reply.helpers import ok

TEMPLATES = {"letter_issued": "SMS_100", "correction_needed": "SMS_200", "fee_due": "SMS_300"}


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    yield from sms_gateway()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, gateway: Gateway) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",  # type: ignore[arg-type]
        storage_dir=tmp_path / "storage",
        letter_render_workers=0,
        audit_daily_checkpoint=False,
        audit_checkpoint_dir=tmp_path / "audit",
        sms_gateway_url=gateway.url,
        sms_gateway_key=SecretStr("gateway-key"),
        sms_sign="示例市政府",
        sms_templates=TEMPLATES,
    )


def worker(runtime: Runtime) -> Worker:
    channel = sms_channel(runtime)
    assert isinstance(channel, SmsChannel)
    return Worker(runtime, channels=[channel], scheduler=False)


def sms_deliveries(runtime: Runtime) -> list[OutboxDelivery]:
    with runtime.sessions.read() as s:
        q = select(OutboxDelivery).where(OutboxDelivery.channel == "sms")
        return list(s.scalars(q.order_by(OutboxDelivery.id)))


def test_a_letter_issued_reaches_the_gateway_with_template_sign_and_number(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway
) -> None:
    case = online(client)  # 10:00 Beijing time on Mon 03-02: the receipt letter
    report = worker(runtime).tick()
    assert report.delivered == 1
    [(headers, body)] = gateway.requests
    assert headers["authorization"] == "Bearer gateway-key"
    assert headers["content-type"] == "application/json"
    assert body["phone"] == "13800138000"
    assert body["sign"] == "示例市政府"
    assert body["template_id"] == "SMS_100"
    assert body["params"]["number"] == case["number"]
    assert body["params"]["letter"] == "政府信息公开申请登记回执"
    assert case["query_code"] not in repr(body)
    [delivery] = sms_deliveries(runtime)
    assert delivery.status == "delivered"
    assert delivery.result is not None
    assert delivery.result["message_id"] == "m-1"
    assert delivery.result["notice"] == "letter_issued"


def test_a_correction_notice_is_announced_as_correction_needed(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway, clock: Clock
) -> None:
    case = online(client)
    worker(runtime).tick()
    clock.set("2026-03-04T10:00+08:00")
    ok(act(client, organ_a, case, "request_correction", "clerk", items_to_correct=["年份"]))
    worker(runtime).tick()
    assert [b["template_id"] for _, b in gateway.requests] == ["SMS_100", "SMS_200"]
    assert gateway.requests[-1][1]["params"]["letter"] == "政府信息公开申请补正告知书"


def test_notices_by_letter_kind() -> None:
    assert notice_of("correction_notice") == "correction_needed"
    assert notice_of("fee_notice") == "fee_due"
    assert notice_of("reply") == "letter_issued"
    assert is_mobile("13800138000")
    assert not is_mobile("0571-88886666")
    assert not is_mobile("12345")


def test_a_landline_gets_no_sms(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway
) -> None:
    online(client, applicant=person(phone="0571-88886666"))
    worker(runtime).tick()
    assert gateway.requests == []
    assert sms_deliveries(runtime) == []


def test_a_notice_without_a_template_id_is_not_sent(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway
) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"sms_templates": {"correction_needed": "SMS_200"}}
    )
    online(client)
    worker(runtime).tick()
    assert gateway.requests == []
    assert sms_deliveries(runtime) == []


def test_quiet_hours_hold_the_message_until_eight_in_the_morning(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway, clock: Clock
) -> None:
    clock.set("2026-03-02T22:30+08:00")
    online(client)
    report = worker(runtime).tick()
    assert report.delivered == 0
    assert report.failed == 0
    assert gateway.requests == []
    [held] = sms_deliveries(runtime)
    assert held.status == "pending"
    assert held.attempts == 0  # a hold is no attempt
    assert held.next_attempt_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00 Beijing
    assert attempts(runtime, held.id) == []

    clock.set("2026-03-03T07:59+08:00")
    worker(runtime).tick()
    assert gateway.requests == []
    clock.set("2026-03-03T08:00+08:00")
    report = worker(runtime).tick()
    assert report.delivered == 1
    assert len(gateway.requests) == 1
    [sent] = sms_deliveries(runtime)
    assert sent.status == "delivered"
    assert sent.attempts == 1


def test_a_message_after_midnight_is_held_until_eight_the_same_morning(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway, clock: Clock
) -> None:
    clock.set("2026-03-03T01:15+08:00")
    online(client)
    worker(runtime).tick()
    [held] = sms_deliveries(runtime)
    assert held.next_attempt_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert gateway.requests == []


def test_a_gateway_refusal_is_dead_and_a_gateway_error_is_retried(
    client: TestClient, runtime: Runtime, organ_a: Staff, gateway: Gateway, clock: Clock
) -> None:
    gateway.status = 500
    gateway.answer = {"code": "SYSTEM_BUSY"}
    online(client)
    report = worker(runtime).tick()
    assert report.failed == 1
    [retry] = sms_deliveries(runtime)
    assert retry.status == "pending"
    assert retry.attempts == 1
    assert "SYSTEM_BUSY" in (retry.last_error or "")

    gateway.status = 400
    gateway.answer = {"code": "INVALID_MOBILE"}
    clock.advance(hours=1)
    report = worker(runtime).tick()
    assert report.dead == 1
    [dead] = sms_deliveries(runtime)
    assert dead.status == "dead"
    assert "INVALID_MOBILE" in (dead.last_error or "")
    assert len(gateway.requests) == 2


def test_the_worker_builds_both_applicant_channels_where_configured(runtime: Runtime) -> None:
    from app.outbox.channels import build

    with_mail = runtime.settings.model_copy(update={"mail_from": "gk@example.gov.cn"})
    runtime.settings = with_mail.model_copy(update={"smtp_host": "127.0.0.1"})
    names = [c.name for c in build(runtime)]
    assert "email" in names
    assert "sms" in names
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_host": None, "sms_gateway_url": None}
    )
    names = [c.name for c in build(runtime)]
    assert "email" not in names  # relay mode without a host: mail is off
    assert "sms" not in names
