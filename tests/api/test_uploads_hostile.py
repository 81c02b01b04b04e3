"""Hostile attachments through the real intake route: refused by name, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application
from tests.validation.samples import (
    RawEntry,
    js_action,
    make_ofd,
    make_pdf,
    ofd_entry,
    pdf_with,
    raw_zip,
    saved,
    zip_bomb,
)

URL = "/api/v1/applications"
PROBLEM = "application/problem+json"


def submit(client: TestClient, name: str, data: bytes, **kwargs: Any) -> Any:
    parts: list[tuple[str, Any]] = [
        ("application", (None, json.dumps(application()), "application/json")),
        ("attachments", ("申请书.pdf", make_pdf(), "application/pdf")),
        ("attachments", (name, data, "application/octet-stream")),
    ]
    return client.post(URL, files=parts, **kwargs)


def stored_files(runtime: Runtime) -> list[Path]:
    root = runtime.settings.storage_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_refused(r: Any, status: int, name: str, runtime: Runtime, client: TestClient,
                   organ: Staff) -> dict[str, Any]:  # fmt: skip
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert body["filename"] == name
    assert name in body["detail"]
    assert stored_files(runtime) == []
    cases = client.get("/api/v1/cases", headers=organ.headers("clerk")).json()
    assert cases["total"] == 0
    return body


HOSTILE = {
    "zip-bomb": ("委托书.ofd", zip_bomb(1024), 415, "bomb"),
    "too-many-entries": (
        "many.ofd",
        make_ofd({f"Doc_0/Pages/Page_{i}/Content.xml": b"<p/>" for i in range(5_001)}),
        415,
        "5000",
    ),
    "expands-too-far": (
        "big.ofd",
        raw_zip(
            [ofd_entry()]
            + [RawEntry(f"Doc_0/Res/{i}.bin", b"x" * (40 << 10), 2 << 20) for i in range(60)]
        ),
        413,
        "100 MB",
    ),
    "pdf-openaction-js": ("声明.pdf", saved(pdf_with(OpenAction=js_action())), 415, "JavaScript"),
    "pdf-polyglot": (
        "page.pdf",
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n",
        415,
        "HTML",
    ),
    "pdf-encrypted": (
        "secret.pdf",
        saved(pdf_with(), encryption=__import__("pikepdf").Encryption(user="pw", owner="pw")),
        415,
        "password",
    ),
}


@pytest.mark.parametrize(("name", "data", "status", "reason"), HOSTILE.values(), ids=HOSTILE)
def test_hostile_attachments_are_refused_and_nothing_is_stored(
    client: TestClient,
    organ_a: Staff,
    runtime: Runtime,
    name: str,
    data: bytes,
    status: int,
    reason: str,
) -> None:
    r = submit(client, name, data)

    body = assert_refused(r, status, name, runtime, client, organ_a)
    assert reason in body["detail"]
    # The refusal burnt no registration number.
    ok = client.post(URL, json=application())
    assert ok.json()["number"] == "org-a依申〔2026〕0001号"


def test_staff_registration_refuses_the_same_files(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    from tests.fixtures.factories import staff_case

    r = client.post(
        "/api/v1/cases",
        data={"application": json.dumps(staff_case("in_person"))},
        files=[("attachments", ("炸弹.ofd", zip_bomb(1024), "application/zip"))],
        headers=organ_a.headers("front_desk"),
    )

    assert_refused(r, 415, "炸弹.ofd", runtime, client, organ_a)


def raw_multipart(filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body written byte by byte: clients would escape what a hostile one sends."""
    boundary = b"gongkai-boundary"
    body = (
        b'--%s\r\nContent-Disposition: form-data; name="application"\r\n'
        b"Content-Type: application/json\r\n\r\n%s\r\n"
        b'--%s\r\nContent-Disposition: form-data; name="attachments"; filename="%s"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%s\r\n--%s--\r\n"
    ) % (boundary, json.dumps(application()).encode(), boundary, filename, data, boundary)
    return body, f"multipart/form-data; boundary={boundary.decode()}"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # Shown as "invoicefdp.exe" the other way round, "invoiceexe.pdf", if it survived.
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u202a申请\u2066书\u2069\u200f.pdf", "申请书.pdf"),
        ("scan\u200b\u2028\ufeff.pdf\u061c", "scan.pdf"),
        ("a\x01b\x1b[31mc\x7f.pdf", "ab[31mc.pdf"),
        ("\u202e" + "长" * 200 + ".pdf", "长" * 116 + ".pdf"),
        ("\u202e\u200f", "attachment"),
    ],
    ids=["override-disguising-exe", "isolates-and-marks", "invisible", "c0-controls", "long",
         "nothing-left"],
)  # fmt: skip
def test_a_file_name_with_bidi_or_control_characters_is_stored_clean(
    client: TestClient, organ_a: Staff, raw: str, stored: str
) -> None:
    body, content_type = raw_multipart(raw.encode(), make_pdf())

    r = client.post(URL, content=body, headers={"Content-Type": content_type})

    assert r.status_code == 201, r.text
    case = client.get(f"/api/v1/cases/{r.json()['id']}", headers=organ_a.headers("clerk")).json()
    (attachment,) = case["attachments"]
    assert attachment["filename"] == stored
    download = client.get(
        f"/api/v1/cases/{case['id']}/attachments/{attachment['id']}",
        headers=organ_a.headers("clerk"),
    )
    assert download.headers["content-disposition"].endswith(quote(stored))


def test_a_clean_pdf_is_still_served_as_an_inert_attachment(
    client: TestClient, organ_a: Staff
) -> None:
    r = submit(client, "说明.pdf", saved(pdf_with(pages=2)))
    assert r.status_code == 201, r.text
    case = client.get(f"/api/v1/cases/{r.json()['id']}", headers=organ_a.headers("clerk")).json()

    d = client.get(
        f"/api/v1/cases/{case['id']}/attachments/{case['attachments'][1]['id']}",
        headers=organ_a.headers("clerk"),
    )

    assert d.status_code == 200
    assert d.headers["content-type"] == "application/pdf"
    assert d.headers["content-disposition"].startswith("attachment;")
    assert d.headers["x-content-type-options"] == "nosniff"
    assert d.headers["content-security-policy"].startswith("sandbox")


def test_an_oversized_file_is_refused_under_its_cleaned_name(
    runtime: Runtime, organ_a: Staff
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_attachment_bytes": 1000})
    body, content_type = raw_multipart("big\u202e\u0007.pdf".encode(), make_pdf() + b" " * 2000)

    with TestClient(create_app(runtime=runtime)) as client:
        r = client.post(URL, content=body, headers={"Content-Type": content_type})

        assert_refused(r, 413, "big.pdf", runtime, client, organ_a)
    assert "\u202e" not in r.text
