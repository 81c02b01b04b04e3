"""Shared steps of the transfer tests: organs that confirm receipt by hand, a submission with
an attachment, the clerk's actions."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application, make_organ
from tests.validation.samples import make_pdf

PDF = make_pdf()


def manual_organ(runtime: Runtime, code: str) -> Staff:
    """An organ whose clerks confirm an online application's receipt themselves."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, code, settings={"online_auto_confirm": False})
    return Staff(runtime, code)


def submit_with_file(client: TestClient, organ_code: str, **overrides: Any) -> dict[str, Any]:
    parts: list[tuple[str, Any]] = [
        (
            "application",
            (None, json.dumps(application(organ_code, **overrides)), "application/json"),
        ),
        ("attachments", ("身份证明.pdf", PDF, "application/pdf")),
    ]
    r = client.post("/api/v1/applications", files=parts)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def act(client: TestClient, staff: Staff, case_id: int, action: str, **payload: Any) -> Any:
    case = client.get(f"/api/v1/cases/{case_id}", headers=staff.headers("clerk"))
    assert case.status_code == 200, case.text
    body = {**payload, "version": case.json()["version"]}
    return client.post(
        f"/api/v1/cases/{case_id}/actions/{action}", json=body, headers=staff.headers("clerk")
    )
