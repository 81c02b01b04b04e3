"""What a transfer (转办) tells: the applicant by e-mail (through a real SMTP server) with the
new number and never the query code, and the receiving organ's clerks in-app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.models import Organ, User
from app.notices.channel import notice_channel
from app.outbox.applicant.mail import EmailChannel
from app.outbox.transports import MailSender, SmtpConfig
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.notices.helpers import notices_of
from tests.outbox.helpers import events, payload_of, types_of
from tests.outbox.mail_server import MailServer, mail_server
from tests.transfers.helpers import act, manual_organ, submit_with_file


def clerk_of(runtime: Runtime, organ_code: str) -> int:
    with runtime.sessions.read() as s:
        q = select(User.id).join(Organ, Organ.id == User.organ_id).where(Organ.code == organ_code)
        return int(s.scalars(q).one())


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
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_mode="direct",
        smtp_timeout_s=5,
        mail_from="gongkai@example.gov.cn",
    )


def test_the_applicant_is_mailed_and_the_receiving_clerks_are_notified(
    client: TestClient, runtime: Runtime, smtp: MailServer
) -> None:
    first, second = manual_organ(runtime, "org-a"), manual_organ(runtime, "org-b")
    first.headers("clerk")
    second.headers("clerk")
    sent = submit_with_file(client, "org-a")
    moved = act(client, first, sent["id"], "transfer", to_organ="org-b", reason="职责在乙机关")
    assert moved.status_code == 200, moved.text
    new = moved.json()["transferred_to"]

    assert "case.transferred" in types_of(runtime, sent["id"])
    assert "case.transferred_in" in types_of(runtime, new["id"])
    told = payload_of(runtime, "case.transferred")
    assert told["to_case"] == {
        "id": new["id"],
        "number": new["number"],
        "case_type": "foi_application",
        "state": "awaiting_confirmation",
    }
    assert told["case"]["state"] == "transferred"
    assert told["to_organ"]["code"] == "org-b"

    config = SmtpConfig.of(runtime.settings)
    assert config is not None
    w = Worker(
        runtime,
        channels=[EmailChannel(runtime, MailSender(config)), notice_channel(runtime)],
        periodic=[],
        scheduler=False,
    )
    for _ in range(3):
        w.tick()

    [mail] = [m for m in smtp.inbox.received if "已转至" in str(m.message["Subject"])]
    # The mail of the transfer is the receiving organ's only word: no second acknowledgement.
    [first_ack] = [m for m in smtp.inbox.received if m is not mail]
    assert sent["number"] in first_ack.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    received = [e.payload for e in events(runtime) if e.type == "case.received"]
    assert received[-1]["case"]["id"] == new["id"]
    assert received[-1]["transferred_in"] is True
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert new["number"] in text
    assert sent["number"] in text
    assert sent["query_code"] not in text
    # The receiving organ's clerk hears of it; the first organ's clerk does not.
    (n,) = notices_of(runtime, clerk_of(runtime, "org-b"))
    assert n.event_type == "case.transferred_in"
    assert new["number"] in n.subject
    assert sent["number"] in n.body
    assert notices_of(runtime, clerk_of(runtime, "org-a")) == []
