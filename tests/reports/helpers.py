"""Reading the annual report over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff

REPORTS = "/api/v1/reports/annual"


def report(
    client: TestClient, staff: Staff, year: int, role: str = "supervisor", **params: Any
) -> dict[str, Any]:
    r = client.get(f"{REPORTS}/{year}", params=params, headers=staff.headers(role))
    assert r.status_code == 200, r.text
    return dict(r.json())


def table3(rep: dict[str, Any]) -> dict[str, dict[str, int]]:
    """row key -> column key -> number."""
    return {
        row["key"]: {c["column"]: c["value"] for c in row["cells"]} for row in rep["table3"]["rows"]
    }


def table4(rep: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        g["key"]: {c["column"]: c["value"] for c in g["cells"]} for g in rep["table4"]["groups"]
    }


def nonzero(cells: dict[str, dict[str, int]]) -> dict[tuple[str, str], int]:
    return {(r, c): n for r, cols in cells.items() for c, n in cols.items() if n}


def drill(client: TestClient, href: str, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(href, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())
