"""Uploading released documents: checked like attachments (type from the content, PDFs with
active content or damaged refused, images laid out as a PDF page), within the organ's own size
limit (413), streamed to the store; only while the case is handled, by the organ's clerks and
approvers; each upload, mark and removal is a step on the timeline."""

from __future__ import annotations

import io

import pikepdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.runtime import Runtime
from app.storage import AttachmentStore, IncomingTooLarge
from tests.conftest import Staff
from tests.letters.helpers import act, online
from tests.releases.helpers import CASES, mark, png, text_pdf, upload


def _js_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"<html><body>not a pdf</body></html>", 415, "不是 PDF、JPEG 或 PNG"),
        (b"%PDF-1.7\n<script>alert(1)</script>", 415, "网页标记"),
        (_js_pdf(), 415, "JavaScript"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", 415, "%%EOF"),
        (b"PK\x03\x04" + b"\0" * 100, 415, "不是 PDF、JPEG 或 PNG"),
    ],
)
def test_files_that_may_not_be_released_are_refused_and_nothing_is_stored(
    client: TestClient, organ_a: Staff, data: bytes, status: int, words: str
) -> None:
    case = online(client)
    r = upload(client, organ_a, case["id"], data, filename="合同.pdf")
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert r.json()["filename"] == "合同.pdf"
    listed = client.get(
        f"{CASES}/{case['id']}/released-documents", headers=organ_a.headers("clerk")
    )
    assert listed.json() == []


def test_an_empty_file_is_refused(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = upload(client, organ_a, case["id"], b"")
    assert r.status_code == 422, r.text


def test_an_image_becomes_a_one_page_pdf_and_the_title_defaults_to_the_name(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    r = upload(client, organ_a, case["id"], png(600, 300), filename="现场照片.png", title=None)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["title"], doc["content_type"], doc["pages"]) == ("现场照片", "image/png", 1)
    original = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/original",
        headers=organ_a.headers("clerk"),
    )
    assert original.content[:8] == b"\x89PNG\r\n\x1a\n"
    page = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/pages/1",
        headers=organ_a.headers("clerk"),
    )
    assert page.status_code == 200
    img = Image.open(io.BytesIO(page.content))
    assert img.width > img.height  # a landscape image on a landscape A4 page


def test_the_organs_own_limit_refuses_a_larger_file(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    r = client.put(
        "/api/v1/admin/organs/org-a/settings", json={"released_file_max_mb": 1}, headers=admin
    )
    assert r.status_code == 200, r.text
    case = online(client)
    big = text_pdf(1) + b"\n" * (1024 * 1024)  # padding after %%EOF is allowed: the size counts
    r = upload(client, organ_a, case["id"], big)
    assert r.status_code == 413, r.text
    assert "1 MB" in r.json()["detail"]
    assert upload(client, organ_a, case["id"], text_pdf(1)).status_code == 201


def test_the_store_spools_in_chunks_within_a_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = AttachmentStore(tmp_path)
    with store.incoming(max_bytes=10) as spool:
        spool.write(b"12345")
        spool.write(b"67890")
        with pytest.raises(IncomingTooLarge):
            spool.write(b"x")
    assert not list((tmp_path / ".incoming").iterdir())  # nothing left behind
    with store.incoming() as spool:
        for _ in range(3):
            spool.write(b"chunk")
        sha = store.keep(spool)
    assert store.read(sha) == b"chunkchunkchunk"


def test_only_the_organs_editors_upload_and_only_while_the_case_is_handled(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case = online(client)
    assert upload(client, organ_a, case["id"], text_pdf(1), role="legal").status_code == 403
    assert upload(client, organ_b, case["id"], text_pdf(1)).status_code == 404
    assert upload(client, organ_a, case["id"], text_pdf(1), role="approver").status_code == 201
    withdrawn = act(client, organ_a, {**case, "version": 1}, "withdraw", "clerk",
                    withdrawn_on="2026-03-02")  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.text
    r = upload(client, organ_a, case["id"], text_pdf(1))
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "release-not-editable"


def test_marks_are_checked_against_the_document(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    doc = upload(client, organ_a, case["id"], text_pdf(2)).json()
    base = {"ground": "withheld.third_party_rights", "reason": "个人隐私"}
    r = mark(
        client, organ_a, case["id"], doc["id"], kind="area", page=3, x0=1, y0=1, x1=9, y1=9, **base
    )
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "page"])
    r = mark(
        client,
        organ_a,
        case["id"],
        doc["id"],
        kind="area",
        page=1,
        x0=900,
        y0=1,
        x1=950,
        y1=9,
        **base,
    )
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "x0"])
    r = mark(
        client, organ_a, case["id"], doc["id"], kind="area", page=1, x0=9, y0=1, x1=5, y1=9, **base
    )
    assert r.status_code == 422
    r = mark(
        client,
        organ_a,
        case["id"],
        doc["id"],
        kind="phrase",
        phrase="张三",
        ground="disclosed",
        reason="x",
    )
    assert (r.status_code, r.json()["errors"][0]["loc"]) == (422, ["body", "ground"])
    r = mark(client, organ_a, case["id"], doc["id"], kind="phrase", page=1, phrase="张三", **base)
    assert r.status_code == 422


def test_uploads_and_marks_are_steps_on_the_timeline(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    doc = upload(client, organ_a, case["id"], text_pdf(1)).json()
    m = mark(client, organ_a, case["id"], doc["id"], kind="pattern", pattern="id_number",
             ground="withheld.third_party_rights", reason="个人隐私").json()  # fmt: skip
    mark_id = m["marks"][0]["id"]
    r = client.put(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/marks/{mark_id}",
        json={
            "kind": "pattern",
            "pattern": "mobile_phone",
            "ground": "withheld.third_party_rights",
            "reason": "个人隐私",
        },
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["marks"][0]["pattern_label"] == "手机号码"
    r = client.delete(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/marks/{mark_id}",
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 200
    assert r.json()["marks"] == []
    r = client.post(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/apply",
        headers=organ_a.headers("clerk"),
    )
    assert r.json()["status"] == "ready"
    r = client.delete(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}", headers=organ_a.headers("clerk")
    )
    assert r.status_code == 204
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    actions = [e["action"] for e in events]
    assert actions[-6:] == [
        "upload_released_document",
        "mark_redaction",
        "update_redaction_mark",
        "remove_redaction_mark",
        "apply_redaction",
        "remove_released_document",
    ]
    applied = next(e for e in events if e["action"] == "apply_redaction")
    assert len(applied["payload"]["released_sha256"]) == 64
    assert (
        client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")).json()[
            "version"
        ]
        == case["version"]
    )
