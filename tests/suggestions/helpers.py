"""Registering applications at the counter for the suggestion tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import staff_case

CASES = "/api/v1/cases"


def register(
    client: TestClient,
    staff: Staff,
    *items: str | tuple[str, str],
    applicant: dict[str, Any],
    arrived: str,
    channel: str = "in_person",
    **extra: Any,
) -> dict[str, Any]:
    """An application registered by the front desk, arrived at `arrived` (Beijing time)."""
    body = staff_case(
        channel,
        arrived_at=arrived,
        applicant=applicant,
        items=[
            {"description": i, "document_number": None}
            if isinstance(i, str)
            else {"description": i[0], "document_number": i[1]}
            for i in items
        ],
        **extra,
    )
    r = client.post(CASES, json=body, headers=staff.headers("front_desk"))
    assert r.status_code == 201, r.text
    return dict(r.json())
