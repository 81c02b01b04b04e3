"""People and departments of org-a for the assignment tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.fixtures.factories import bearer


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    headers: dict[str, str]


def person(
    client: TestClient, admin: dict[str, str], name: str, *roles: str, organ: str = "org-a"
) -> Person:
    body = {"organ_code": organ, "name": name, "roles": list(roles)}
    r = client.post("/api/v1/admin/users", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return Person(r.json()["user"]["id"], name, bearer(r.json()["token"]))


def department(
    client: TestClient, admin: dict[str, str], name: str, *members: Person, organ: str = "org-a"
) -> dict[str, Any]:
    r = client.post("/api/v1/departments", json={"name": name, "organ_code": organ}, headers=admin)
    assert r.status_code == 201, r.text
    dept = r.json()
    r = client.put(
        f"/api/v1/departments/{dept['id']}/members",
        json={"user_ids": [m.id for m in members]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())
