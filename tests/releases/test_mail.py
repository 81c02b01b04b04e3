"""A reply e-mailed by the outbox carries its released files while the mail stays within the
size limit, else says where to download them; the files' arrival is logged; the notice a week
before they expire reaches the applicant's mailbox (a real SMTP server, aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.releases.expiry import expiry_notices
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.outbox.mail_server import MailServer, mail_server
from tests.outbox.test_email import mail_about, worker
from tests.releases.helpers import CASES, replied


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


def _downloads(client: TestClient, staff: Staff, case_id: int, doc_id: int) -> list[dict]:
    r = client.get(f"{CASES}/{case_id}/released-documents/{doc_id}", headers=staff.headers("clerk"))
    return list(r.json()["downloads"])


def test_the_reply_mail_carries_the_released_files(
    client: TestClient, organ_a: Staff, runtime: Runtime, smtp: MailServer
) -> None:
    case, doc = replied(client, organ_a)
    worker(runtime).tick()
    mail = mail_about(smtp, "答复书")
    names = [name for name, _ in mail.attachments()]
    assert names == ["政府信息公开申请答复书.pdf", "采购合同.pdf"]
    released = dict(mail.attachments())["采购合同.pdf"]
    stored = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/released",
        headers=organ_a.headers("clerk"),
    ).content
    assert released == stored  # the released copy, byte for byte — never the original
    assert "答复所附公开文件《采购合同》随本邮件附上" in mail.text()
    assert [d["channel"] for d in _downloads(client, organ_a, case["id"], doc["id"])] == [
        "mail_attachment"
    ]


def test_above_the_size_limit_the_mail_links_to_the_portal(
    client: TestClient, organ_a: Staff, runtime: Runtime, smtp: MailServer
) -> None:
    case, doc = replied(client, organ_a)
    small = runtime.settings.model_copy(update={"mail_max_bytes": 40_000})
    runtime.settings = small
    worker(runtime).tick()
    mail = mail_about(smtp, "答复书")
    assert [name for name, _ in mail.attachments()] == ["政府信息公开申请答复书.pdf"]
    assert "合计较大，未随本邮件发送，请凭登记编号和查询码在网上平台下载" in mail.text()
    assert "下载期限至2026年5月1日" in mail.text()
    assert _downloads(client, organ_a, case["id"], doc["id"]) == []


def test_the_expiry_notice_reaches_the_applicant(
    client: TestClient, organ_a: Staff, runtime: Runtime, smtp: MailServer, clock: Clock
) -> None:
    case, _ = replied(client, organ_a)
    clock.set("2026-04-24T09:00+08:00")
    assert expiry_notices(runtime, clock()) == 1
    worker(runtime).tick()
    mail = mail_about(smtp, "不再提供下载")
    assert "2026-05-01" in str(mail.message["Subject"])
    assert "《采购合同》" in mail.text()
    assert case["query_code"] not in mail.text()
