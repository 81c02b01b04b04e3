"""Released documents in the workbench without a browser: the case page's 公开文件 section and
its upload form (errors beside the field), the document's page and its mark form (errors
beside their fields), applying and removing — the same services as the JSON routes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.letters.helpers import online
from tests.releases.helpers import text_pdf
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)


def _upload(client: TestClient, case_id: int, data: bytes, name: str = "合同.pdf") -> object:
    token = csrf(client, f"/staff/cases/{case_id}")
    return client.post(
        f"/staff/cases/{case_id}/released",
        data={"csrf_token": token, "title": "采购合同"},
        files={"file": (name, data, "application/pdf")},
        follow_redirects=False,
    )


def test_the_clerk_uploads_marks_applies_and_removes(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    make_staff(runtime, "org-a", "clerk", login="li")
    signed_in(client, "li")
    page = client.get(f"/staff/cases/{case['id']}")
    assert 'id="released-title">公开文件</h2>' in page.text
    assert "尚无公开文件" in page.text
    assert 'enctype="multipart/form-data"' in page.text

    source = text_pdf(2)
    r = _upload(client, case["id"], source)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    doc_url = r.headers["location"]  # type: ignore[attr-defined]
    page = client.get(doc_url)
    assert "公开文件：采购合同" in page.text
    assert 'viewBox="0 0 595.00 842.00"' in page.text
    doc_id = int(doc_url.rsplit("/", 1)[1])
    image = client.get(f"/staff/cases/{case['id']}/released/{doc_id}/pages/1.png")
    assert image.headers["content-type"] == "image/png"

    token = csrf(client, doc_url)
    bad = client.post(
        f"{doc_url}/marks",
        data={"csrf_token": token, "kind": "area", "page": "1", "x0": "50", "y0": "50",
              "x1": "10", "y1": "90", "ground": "", "reason": ""},
    )  # fmt: skip
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.text
    assert 'value="50"' in bad.text  # what was typed stays

    ok = client.post(
        f"{doc_url}/marks",
        data={"csrf_token": token, "kind": "area", "page": "1", "x0": "300", "y0": "280",
              "x1": "440", "y1": "360", "ground": "withheld.internal_affairs",
              "reason": "内部审批签名"},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303, ok.text
    page = client.get(doc_url)
    assert '<rect class="page-mark" x="300.0" y="280.0" width="140.0" height="80.0">' in page.text
    assert "第十六条" in page.text

    r = client.post(f"{doc_url}/apply", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(doc_url)
    assert "公开版本已生成" in page.text
    assert "遮盖记录（公开版本）" in page.text
    released = client.get(f"{doc_url}/released.pdf")
    assert released.content[:5] == b"%PDF-"
    original = client.get(f"{doc_url}/original")
    assert original.content == source

    r = client.post(f"{doc_url}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "尚无公开文件" in client.get(f"/staff/cases/{case['id']}").text


def test_a_refused_upload_is_said_beside_the_file_field(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    make_staff(runtime, "org-a", "clerk", login="li")
    signed_in(client, "li")
    r = _upload(client, case["id"], b"<html>not a pdf</html>")
    assert r.status_code == 415  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert 'id="file-error"' in text
    assert "不是 PDF、JPEG 或 PNG" in text
    assert 'value="采购合同"' in text


def test_readers_see_the_section_without_the_forms(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    make_staff(runtime, "org-a", "supervisor", login="du")
    page = signed_in(client, "du").get(f"/staff/cases/{case['id']}")
    assert 'id="released-title">公开文件</h2>' in page.text
    assert "上传公开文件" not in page.text
