"""The SMTP sender against a real SMTP server (aiosmtpd): relay with and without DSN, direct
mode, refusals and retries; and the quiet-hours arithmetic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from app.outbox.transports import (
    Attachment,
    Mail,
    MailSender,
    SmtpConfig,
    quiet_until,
    xtext,
)
from tests.outbox.mail_server import MailServer, free_port, mail_server

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    yield from mail_server()


def sender(port: int, mode: str = "relay", **overrides: object) -> MailSender:
    config = {
        "mode": mode,
        "host": "127.0.0.1",
        "port": port,
        "username": None,
        "password": None,
        "starttls": False,
        "timeout_s": 5.0,
        "mail_from": "gongkai@example.gov.cn",
        **overrides,
    }
    return MailSender(SmtpConfig(**config))  # type: ignore[arg-type]


MAIL = Mail(
    to="zhangsan@example.com",
    subject="示例市人民政府办公室：政府信息公开申请补正告知书",
    text="您好：附件为补正告知书。",
    sender_name="示例市人民政府办公室",
    attachments=(Attachment("补正告知书.pdf", b"%PDF-1.7\n\x00\xff binary"),),
    envid="evt_0123.42",
    message_id="<evt_0123.42@example.gov.cn>",
)


def test_relay_that_offers_dsn_is_asked_for_success_failure_and_delay(smtp: MailServer) -> None:
    smtp.inbox.dsn = True
    result = sender(smtp.port).send(MAIL)
    assert result.ok
    assert result.dsn
    assert not result.arrived
    assert not result.permanent
    assert result.code == 250
    assert "GK123" in result.detail
    [got] = smtp.inbox.received
    assert "RET=HDRS" in got.mail_options
    assert "ENVID=EVT_0123.42" in got.mail_options  # aiosmtpd upper-cases what it records
    assert "NOTIFY=SUCCESS,FAILURE,DELAY" in got.rcpt_options
    assert got.rcpt_to == ["zhangsan@example.com"]
    assert got.mail_from == "gongkai@example.gov.cn"
    msg = got.message
    assert msg["Message-ID"] == "<evt_0123.42@example.gov.cn>"
    assert "示例市人民政府办公室" in str(msg["From"])
    assert "gongkai@example.gov.cn" in str(msg["From"])
    assert str(msg["Subject"]) == MAIL.subject
    assert got.attachments() == [("补正告知书.pdf", b"%PDF-1.7\n\x00\xff binary")]


def test_relay_without_dsn_gets_no_dsn_parameters(smtp: MailServer) -> None:
    result = sender(smtp.port).send(MAIL)
    assert result.ok
    assert not result.dsn
    assert not result.arrived
    [got] = smtp.inbox.received
    assert not any(o.startswith(("RET=", "ENVID=")) for o in got.mail_options)
    assert got.rcpt_options == []


def test_direct_mode_250_to_data_is_the_arrival_and_asks_no_dsn(smtp: MailServer) -> None:
    smtp.inbox.dsn = True  # even offered: DSN is for a relay's later word
    result = sender(smtp.port, "direct").send(MAIL)
    assert result.ok
    assert result.arrived
    assert not result.dsn
    assert result.mode == "direct"
    assert result.server == "127.0.0.1"
    assert smtp.inbox.received[0].rcpt_options == []


def test_a_5xx_refusal_is_permanent(smtp: MailServer) -> None:
    smtp.inbox.rcpt_reply = "550 5.1.1 <zhangsan@example.com>: no such user"
    result = sender(smtp.port, "direct").send(MAIL)
    assert not result.ok
    assert result.permanent
    assert not result.arrived
    assert result.code == 550
    assert "RCPT" in result.detail
    assert "no such user" in result.detail
    assert smtp.inbox.received == []


def test_our_sender_refused_is_retried_not_dead(smtp: MailServer) -> None:
    smtp.inbox.mail_reply = "553 5.7.1 <gongkai@example.gov.cn>: sender not allowed"
    result = sender(smtp.port).send(MAIL)
    assert not result.ok
    assert not result.permanent  # the deployment's sender, not the applicant's address
    assert result.code == 553
    assert result.detail.startswith("MAIL: 553")


def test_a_4xx_answer_to_data_is_worth_trying_again(smtp: MailServer) -> None:
    smtp.inbox.data_reply = "451 4.3.0 try again later"
    result = sender(smtp.port).send(MAIL)
    assert not result.ok
    assert not result.permanent
    assert result.code == 451


def test_no_server_listening_is_worth_trying_again() -> None:
    result = sender(free_port()).send(MAIL)
    assert not result.ok
    assert not result.permanent
    assert result.code is None
    assert "ConnectionRefused" in result.detail


def test_a_relay_that_must_use_starttls_but_does_not_offer_it_sends_nothing(
    smtp: MailServer,
) -> None:
    result = sender(smtp.port, starttls=True).send(MAIL)
    assert not result.ok
    assert "STARTTLS" in result.detail
    assert smtp.inbox.received == []


def test_direct_mode_without_a_host_tries_the_exchangers_in_order(smtp: MailServer) -> None:
    asked: list[str] = []

    def resolve(domain: str, *, timeout_s: float) -> list[str]:
        asked.append(domain)
        return ["127.0.0.2", "127.0.0.1"]  # the first refuses the connection: the next one

    config = SmtpConfig("direct", None, smtp.port, None, None, False, 5.0, "gongkai@example.gov.cn")
    result = MailSender(config, resolve=resolve).send(MAIL)
    assert asked == ["example.com"]
    assert result.ok
    assert result.arrived
    assert result.server == "127.0.0.1"
    assert len(smtp.inbox.received) == 1


def test_a_domain_without_exchangers_is_a_permanent_failure() -> None:
    config = SmtpConfig("direct", None, 25, None, None, False, 5.0, "gongkai@example.gov.cn")
    result = MailSender(config, resolve=lambda domain, *, timeout_s: []).send(MAIL)
    assert not result.ok
    assert result.permanent
    assert "example.com" in result.detail


def test_xtext_escapes_plus_equals_and_non_ascii() -> None:
    assert xtext("evt_ab.12") == "evt_ab.12"
    assert xtext("a+b=c d") == "a+2Bb+3Dc+20d"
    assert xtext("é") == "+C3+A9"


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ("2026-03-02T21:59:59", None),
        ("2026-03-02T22:00:00", "2026-03-03T08:00:00"),
        ("2026-03-02T23:30:00", "2026-03-03T08:00:00"),
        ("2026-03-03T00:10:00", "2026-03-03T08:00:00"),
        ("2026-03-03T07:59:00", "2026-03-03T08:00:00"),
        ("2026-03-03T08:00:00", None),
        ("2026-03-03T12:00:00", None),
    ],
)
def test_quiet_hours_over_midnight_end_at_eight_beijing_time(local: str, until: str | None) -> None:
    now = datetime.fromisoformat(local).replace(tzinfo=BEIJING).astimezone(UTC)
    found = quiet_until(now, BEIJING, time(22), time(8))
    if until is None:
        assert found is None
    else:
        assert found == datetime.fromisoformat(until).replace(tzinfo=BEIJING)
        assert found is not None
        assert found.tzinfo is UTC


def test_a_quiet_window_within_one_day_and_an_empty_one() -> None:
    noon = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # 12:30 in Beijing
    assert quiet_until(noon, BEIJING, time(12), time(14)) == datetime(
        2026, 3, 3, 14, tzinfo=BEIJING
    )
    assert quiet_until(noon, BEIJING, time(13), time(14)) is None
    assert quiet_until(noon, BEIJING, time(8), time(8)) is None
