"""PUT /api/v1/admin/users/{id}: an admin sets a user's roles and active flag, logged with who."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import User
from app.runtime import Runtime
from tests.conftest import Staff

USERS = "/api/v1/admin/users"


def _user(client: TestClient, admin: dict[str, str], organ: str | None, *roles: str) -> Any:
    body = {"organ_code": organ, "name": "赵六", "roles": list(roles)}
    r = client.post(USERS, json=body, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _admin_id(runtime: Runtime) -> int:
    with runtime.sessions.read() as session:
        ids = session.scalars(select(User.id).where(User.organ_id.is_(None))).all()
    assert len(ids) == 1
    return ids[0]


def _stored(runtime: Runtime, user_id: int) -> tuple[list[str], bool]:
    with runtime.sessions.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return list(user.roles), user.active


def test_new_roles_apply_to_the_users_next_request_and_are_logged(
    client: TestClient,
    runtime: Runtime,
    admin: dict[str, str],
    organ_a: Staff,
    caplog: pytest.LogCaptureFixture,
) -> None:
    made = _user(client, admin, "org-a", "clerk")
    user, headers = made["user"], _bearer(made["token"])
    assert client.get("/api/v1/admin/organs", headers=headers).status_code == 403
    with caplog.at_level(logging.INFO, logger="gongkai.auth"):
        r = client.put(
            f"{USERS}/{user['id']}",
            json={"roles": ["admin", "clerk"], "active": True},
            headers=admin,
        )
    assert r.status_code == 200, r.text
    assert r.json() == {**user, "roles": ["admin", "clerk"]}
    assert client.get("/api/v1/admin/organs", headers=headers).status_code == 200
    lines = [x.getMessage() for x in caplog.records if x.name == "gongkai.auth"]
    assert lines == [
        f"auth: user {user['id']} roles ['clerk'] -> ['admin', 'clerk'], active True -> True "
        f"by user {_admin_id(runtime)} (admin 用户) through the API"
    ]


def test_deactivating_stops_the_users_tokens_at_once(
    client: TestClient, admin: dict[str, str], organ_a: Staff
) -> None:
    made = _user(client, admin, "org-a", "clerk")
    user, headers = made["user"], _bearer(made["token"])
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    r = client.put(
        f"{USERS}/{user['id']}", json={"roles": ["clerk"], "active": False}, headers=admin
    )
    assert r.status_code == 200
    assert r.json()["active"] is False
    assert client.get("/api/v1/cases", headers=headers).status_code == 401
    client.put(f"{USERS}/{user['id']}", json={"roles": ["clerk"], "active": True}, headers=admin)
    assert client.get("/api/v1/cases", headers=headers).status_code == 200


def test_an_admin_cannot_drop_their_own_admin_role_or_deactivate_themselves(
    client: TestClient, runtime: Runtime, admin: dict[str, str]
) -> None:
    me = _admin_id(runtime)
    r = client.put(f"{USERS}/{me}", json={"roles": ["supervisor"], "active": True}, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "roles"]
    assert "不能取消自己的系统管理员角色" in r.json()["detail"]
    r = client.put(f"{USERS}/{me}", json={"roles": ["admin"], "active": False}, headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "active"]
    assert _stored(runtime, me) == (["admin"], True)


def test_only_an_admin_may_change_roles(
    client: TestClient, runtime: Runtime, admin: dict[str, str], organ_a: Staff
) -> None:
    user = _user(client, admin, "org-a", "clerk")["user"]
    for role in ("clerk", "supervisor", "approver"):
        r = client.put(
            f"{USERS}/{user['id']}",
            json={"roles": ["admin"], "active": True},
            headers=organ_a.headers(role),
        )
        assert r.status_code == 403, role
    assert (
        client.put(f"{USERS}/{user['id']}", json={"roles": ["admin"], "active": True}).status_code
        == 401
    )
    assert _stored(runtime, user["id"]) == (["clerk"], True)


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"roles": ["applicant"], "active": True}, ["body", "roles"], "申请人不是工作人员角色"),
        ({"roles": [], "active": True}, ["body", "roles"], ""),
        ({"roles": ["boss"], "active": True}, ["body", "roles", 0], ""),
        ({"roles": ["clerk"]}, ["body", "active"], ""),
        ({"roles": ["clerk"], "active": True, "organ_code": "org-b"}, ["body", "organ_code"], ""),
    ],
)
def test_bad_role_changes_are_refused_and_change_nothing(
    client: TestClient,
    runtime: Runtime,
    admin: dict[str, str],
    organ_a: Staff,
    body: dict[str, Any],
    loc: list[Any],
    message: str,
) -> None:
    user = _user(client, admin, "org-a", "clerk")["user"]
    r = client.put(f"{USERS}/{user['id']}", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert loc in [e["loc"] for e in r.json()["errors"]]
    assert message in r.text
    assert _stored(runtime, user["id"]) == (["clerk"], True)


def test_a_user_of_no_organ_can_only_be_an_admin(
    client: TestClient, runtime: Runtime, admin: dict[str, str]
) -> None:
    other = _user(client, admin, None, "admin")["user"]
    r = client.put(
        f"{USERS}/{other['id']}", json={"roles": ["clerk"], "active": True}, headers=admin
    )
    assert r.status_code == 422
    assert "机关工作人员必须属于一个机关" in r.json()["detail"]
    # Another admin may take away an admin's role (only their own is protected).
    r = client.put(
        f"{USERS}/{other['id']}", json={"roles": ["supervisor"], "active": True}, headers=admin
    )
    assert r.status_code == 422  # supervisor is an organ role too
    assert _stored(runtime, other["id"]) == (["admin"], True)


def test_an_unknown_user_is_404(client: TestClient, admin: dict[str, str]) -> None:
    r = client.put(f"{USERS}/999999", json={"roles": ["clerk"], "active": True}, headers=admin)
    assert r.status_code == 404
    assert client.put(f"{USERS}/abc", json={}, headers=admin).status_code == 422
