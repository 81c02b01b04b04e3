"""Driving a case to its archiving over HTTP, and reading its case file."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import Staff
from tests.consultations.helpers import conclude, opinion, start
from tests.fixtures.factories import Clock, application
from tests.letters.helpers import act
from tests.reply.helpers import ok, reply_through_review
from tests.validation.samples import make_pdf

CASES = "/api/v1/cases"


def png(width: int = 120, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _ofd() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "OFD.xml", b'<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        )
        z.writestr("Doc_0/Document.xml", b"<ofd:Document/>")
    return out.getvalue()


OFD = _ofd()
ATTACHMENTS = [
    ("申请书.pdf", make_pdf(), "application/pdf"),
    ("身份证.png", png(), "image/png"),
    ("委托书.ofd", OFD, "application/zip"),
]


def online_with_attachments(client: TestClient) -> dict[str, Any]:
    parts: list[tuple[str, Any]] = [
        ("application", (None, json.dumps(application()), "application/json"))
    ]
    parts.extend(("attachments", a) for a in ATTACHMENTS)
    r = client.post("/api/v1/applications", files=parts)
    assert r.status_code == 201, r.text
    return dict(r.json())


def case_of(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    return ok(client.get(f"{CASES}/{case_id}", headers=staff.headers("clerk")))


def archived_case(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    """Received online Mon 2 March 2026 with a PDF, an image and an OFD; a third party
    consulted; a call logged; disclosed after review; served in person; archived."""
    created = online_with_attachments(client)
    case = case_of(client, staff, created["id"])
    clock.set("2026-03-04T10:00+08:00")
    case = ok(start(client, staff, case, "third_party"))
    clock.set("2026-03-09T10:00+08:00")
    case = ok(opinion(client, staff, case, "C1", "2026-03-09", "consent"))
    case = ok(conclude(client, staff, case))
    r = client.post(
        f"{CASES}/{case['id']}/communications",
        json={
            "occurred_at": "2026-03-09T09:30:00+08:00",
            "party_name": "张三",
            "party_kind": "applicant",
            "method": "phone",
            "summary": "告知申请人已征求第三方意见，将按期答复",
        },
        headers=staff.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    case = case_of(client, staff, case["id"])
    clock.set("2026-03-10T10:00+08:00")
    case = reply_through_review(
        client, staff, case, "disclosed", provided="2025年度预算全文", provided_form="electronic"
    )
    clock.set("2026-03-12T10:00+08:00")
    case = ok(act(client, staff, case, "record_service", "front_desk", method="in_person",
                  served_on="2026-03-12", signature="张三"))  # fmt: skip
    clock.set("2026-03-13T10:00+08:00")
    return ok(act(client, staff, case, "archive", "clerk"))


def get_file(
    client: TestClient, staff: Staff, case_id: int, fmt: str = "pdf", **params: Any
) -> Any:
    return client.get(
        f"{CASES}/{case_id}/file",
        params={"format": fmt, **params},
        headers=staff.headers("clerk"),
    )


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}
