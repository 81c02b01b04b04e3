"""Delivery of released files: the applicant downloads only their own case's released copies
with the query code (never an original, a draft's document or another case's); each download
is logged; the first is the reply's proof of electronic service; after the period the reply
states, downloads are refused; a notice goes out a week before; a paper reply prints its files
after the letter."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Notice, OutboxEvent
from app.outbox.worker import Worker
from app.releases.expiry import expiry_notices
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import online
from tests.releases.helpers import (
    CASES,
    ID_NUMBER,
    SECRET_PHRASE,
    page_count,
    pdftotext,
    prepared,
    replied,
    squeeze,
    text_pdf,
    upload,
)
from tests.reply.helpers import case_of, issued
from tests.web.test_query import open_case, text_of

APPS = "/api/v1/applications"


def _files(client: TestClient, case: dict[str, Any], code: str | None = None) -> Any:
    return client.get(
        f"{APPS}/{case['number']}/released-files",
        headers={"X-Query-Code": code or case["query_code"]},
    )


def _download(client: TestClient, case: dict[str, Any], file_id: int) -> Any:
    return client.get(
        f"{APPS}/{case['number']}/released-files/{file_id}/pdf",
        headers={"X-Query-Code": case["query_code"]},
    )


def _doc(client: TestClient, staff: Staff, case_id: int, doc_id: int) -> dict[str, Any]:
    r = client.get(f"{CASES}/{case_id}/released-documents/{doc_id}", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_applicant_gets_the_released_copy_only_of_their_own_case(
    client: TestClient, organ_a: Staff
) -> None:
    case, doc = replied(client, organ_a)
    files = _files(client, case).json()
    assert [(f["id"], f["title"], f["pages"], f["expired"]) for f in files] == [
        (doc["id"], "采购合同", 4, False)
    ]
    r = _download(client, case, doc["id"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{doc["released_sha256"]}"'
    text = squeeze(pdftotext(r.content))
    assert squeeze(SECRET_PHRASE) not in text
    assert ID_NUMBER not in text
    # Another case of the same organ: its own query code opens nothing of this one.
    other, other_doc = prepared(client, organ_a)  # its document is a draft's: never listed
    assert _files(client, other).json() == []
    assert _download(client, other, doc["id"]).status_code == 404
    assert _download(client, other, other_doc["id"]).status_code == 404
    # A wrong code is a wrong code.
    assert _files(client, case, "A" * 20).status_code == 404


def test_each_download_is_logged_and_the_first_serves_the_reply(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case, doc = replied(client, organ_a)
    assert case["state"] == "replied"
    clock.set("2026-03-05T09:30+08:00")
    assert _download(client, case, doc["id"]).status_code == 200
    clock.set("2026-03-06T15:00+08:00")
    assert _download(client, case, doc["id"]).status_code == 200
    logged = _doc(client, organ_a, case["id"], doc["id"])["downloads"]
    assert [(d["at"], d["channel"]) for d in logged] == [
        ("2026-03-05T01:30:00Z", "applicant_download"),
        ("2026-03-06T07:00:00Z", "applicant_download"),
    ]
    served = case_of(client, organ_a, case["id"])
    assert served["state"] == "served"
    assert served["service"]["method"] == "electronic"
    assert served["service"]["served_on"] == "2026-03-05"
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    service = [e for e in events if e["action"] == "record_service"]
    assert len(service) == 1
    assert "公开文件《采购合同》" in service[0]["payload"]["input"]["evidence"]


def test_after_the_period_downloads_are_refused_with_a_clear_message(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case, doc = replied(client, organ_a)  # issued 2026-03-02: downloadable through 05-01
    clock.set("2026-05-01T23:00+08:00")
    assert _download(client, case, doc["id"]).status_code == 200
    clock.set("2026-05-02T08:00+08:00")
    r = _download(client, case, doc["id"])
    assert r.status_code == 410, r.text
    assert r.json()["code"] == "released-file-expired"
    assert "下载期限已于2026年5月1日届满" in r.json()["detail"]
    assert _files(client, case).json()[0]["expired"] is True
    assert _files(client, case).json()[0]["download"] is None
    page = text_of(open_case(client, case))
    assert "下载期限已于2026年5月1日届满，不再提供下载" in page
    assert client.get(f"/query/released/{doc['id']}").status_code == 410


def test_the_portal_lists_and_downloads_the_files(client: TestClient, organ_a: Staff) -> None:
    case, doc = replied(client, organ_a)
    page = open_case(client, case)
    assert f'href="/query/released/{doc["id"]}"' in page
    assert "可下载至2026年5月1日" in text_of(page)
    r = client.get(f"/query/released/{doc['id']}")
    assert r.status_code == 200
    assert r.content[:5] == b"%PDF-"
    assert case_of(client, organ_a, case["id"])["state"] == "served"


def _events(runtime: Runtime, kind: str) -> list[OutboxEvent]:
    with runtime.sessions.read() as s:
        return list(s.scalars(select(OutboxEvent).where(OutboxEvent.type == kind)))


def test_a_notice_goes_out_a_week_before_the_files_expire(
    client: TestClient, organ_a: Staff, runtime: Runtime, clock: Clock
) -> None:
    case, doc = replied(client, organ_a)
    clock.set("2026-04-23T09:00+08:00")  # 8 days before 05-01
    assert expiry_notices(runtime, clock()) == 0
    clock.set("2026-04-24T09:00+08:00")  # a week before
    assert expiry_notices(runtime, clock()) == 1
    assert expiry_notices(runtime, clock()) == 0  # once
    (event,) = _events(runtime, "release.expiring")
    assert event.case_id == case["id"]
    assert event.payload["until"] == "2026-05-01"
    assert event.payload["files"] == [{"id": doc["id"], "title": "采购合同"}]
    assert event.payload["downloaded"] is False
    # The worker delivers it as a warning to the case's handlers (in-app by default).
    Worker(runtime, scheduler=False).tick()
    with runtime.sessions.read() as s:
        notices = list(s.scalars(select(Notice).where(Notice.event_type == "release.expiring")))
    assert notices
    assert "2026-05-01" in notices[0].subject
    assert "申请人尚未下载公开文件" in notices[0].body


def test_a_paper_reply_prints_its_released_files_after_the_letter(
    client: TestClient, organ_a: Staff
) -> None:
    case, _ = replied(
        client, organ_a, e_service_consent=False, delivery={"form": "paper", "method": "post"}
    )
    reply = issued(client, organ_a, case["id"], "reply")[0]
    r = client.post(
        "/api/v1/print-batches",
        json={"letter_ids": [reply["id"]]},
        headers=organ_a.headers("front_desk"),
    )
    assert r.status_code == 200, r.text
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(r.content)).pages]
    texts = [squeeze(t) for t in pages]
    assert "文书批量打印清单" in texts[0]
    assert "附：《采购合同》4页" in texts[0]
    first = next(i for i, t in enumerate(texts) if "政府信息公开申请答复书" in t)
    released_at = next(i for i, t in enumerate(texts) if "Publicbudgetlineapprovedpage1" in t)
    receipt_at = next(i for i, t in enumerate(texts) if "送达回证" in t and i > first)
    assert first < released_at < receipt_at
    assert "遮盖说明" in texts[released_at + 3]
    assert receipt_at == released_at + 4
    assert all(squeeze(SECRET_PHRASE) not in t for t in texts)
    assert len(pages) == page_count(r.content)


def test_an_electronic_reply_prints_no_released_files(client: TestClient, organ_a: Staff) -> None:
    case, _ = replied(client, organ_a)
    reply = issued(client, organ_a, case["id"], "reply")[0]
    r = client.post(
        "/api/v1/print-batches",
        json={"letter_ids": [reply["id"]]},
        headers=organ_a.headers("front_desk"),
    )
    text = squeeze(pdftotext(r.content))
    assert "Publicbudgetlineapproved" not in text


def test_originals_are_for_the_organ_only(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case = online(client)
    original = text_pdf(1)
    doc = upload(client, organ_a, case["id"], original).json()
    path = f"{CASES}/{case['id']}/released-documents/{doc['id']}/original"
    r = client.get(path, headers=organ_a.headers("clerk"))
    assert r.status_code == 200
    assert r.content == original
    assert client.get(path, headers=organ_b.headers("clerk")).status_code == 404
