"""Users' roles, active flag and new users in the workbench (/staff/admin/users/...): admins
only, through the service the JSON API uses, logged with who did it."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import User
from app.runtime import Runtime
from tests.conftest import Staff
from tests.web.staff_support import (
    csrf,
    login,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

NEW = "a fresh passphrase 2026"


@pytest.fixture
def users(runtime: Runtime, organ_a: Staff) -> dict[str, int]:
    return {
        "root": make_staff(runtime, None, "admin", login="root", name="平台管理员"),
        "clerk": make_staff(runtime, "org-a", "clerk", login="clerk", name="承办人 李明"),
    }


@pytest.fixture
def root(client: TestClient, users: dict[str, int]) -> TestClient:
    return signed_in(client, "root")


def _post(client: TestClient, path: str, data: dict[str, str | list[str]]) -> object:
    return client.post(
        path, data={"csrf_token": csrf(client, path), **data}, follow_redirects=False
    )


def _roles(client: TestClient, user_id: int, roles: list[str], active: bool = True) -> object:
    data: dict[str, str | list[str]] = {"roles": roles}
    if active:
        data["active"] = "true"
    return _post(client, f"/staff/admin/users/{user_id}/roles", data)


def _stored(runtime: Runtime, user_id: int) -> tuple[list[str], bool]:
    with runtime.sessions.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return list(user.roles), user.active


def test_the_roles_form_shows_the_users_roles_checked(
    root: TestClient, users: dict[str, int]
) -> None:
    listed = root.get("/staff/admin/users").text
    assert f'href="/staff/admin/users/{users["clerk"]}/roles"' in listed
    assert 'href="/staff/admin/users/new"' in listed
    r = root.get(f"/staff/admin/users/{users['clerk']}/roles")
    assert r.status_code == 200
    assert "<h1>角色与状态：承办人 李明</h1>" in r.text
    assert '<legend>角色<span class="required"' in r.text
    assert 'id="roles-clerk" name="roles" value="clerk" checked>' in r.text
    assert 'id="roles-legal" name="roles" value="legal">' in r.text
    assert '<label for="roles-legal">法制机构</label>' in r.text
    assert 'id="roles-applicant"' not in r.text
    assert 'id="active" name="active" value="true" checked' in r.text


def test_new_roles_apply_to_the_users_open_session_and_are_logged(
    app: FastAPI,
    root: TestClient,
    runtime: Runtime,
    users: dict[str, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with TestClient(app) as clerk_browser:
        signed_in(clerk_browser, "clerk")
        assert clerk_browser.get("/staff/admin/users").status_code == 403
        with caplog.at_level(logging.INFO, logger="gongkai.auth"):
            r = _roles(root, users["clerk"], ["clerk", "admin"])
        assert r.status_code == 303  # type: ignore[attr-defined]
        location = r.headers["location"]  # type: ignore[attr-defined]
        assert location == f"/staff/admin/users?changed={users['clerk']}"
        assert "已保存 承办人 李明 的角色和状态" in root.get(location).text
        # Roles are read on every request: the same session, no new sign-in.
        assert clerk_browser.get("/staff/admin/users").status_code == 200
    assert _stored(runtime, users["clerk"]) == (["admin", "clerk"], True)
    lines = [x.getMessage() for x in caplog.records if x.name == "gongkai.auth"]
    assert lines == [
        f"auth: user {users['clerk']} roles ['clerk'] -> ['admin', 'clerk'], active True -> True "
        f"by user {users['root']} (平台管理员) on the admin page"
    ]


def test_deactivating_ends_the_users_sessions_and_reactivating_needs_a_new_sign_in(
    app: FastAPI, root: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    with TestClient(app) as clerk_browser:
        signed_in(clerk_browser, "clerk")
        r = _roles(root, users["clerk"], ["clerk"], active=False)
        assert r.status_code == 303  # type: ignore[attr-defined]
        assert "已停用" in root.get("/staff/admin/users").text
        assert clerk_browser.get("/staff/", follow_redirects=False).status_code == 303
        assert login(clerk_browser, "clerk").status_code == 401
        _roles(root, users["clerk"], ["clerk"])
        assert clerk_browser.get("/staff/", follow_redirects=False).status_code == 303
        assert login(clerk_browser, "clerk").status_code == 303
    assert _stored(runtime, users["clerk"]) == (["clerk"], True)


def test_an_admin_cannot_drop_their_own_admin_role_and_is_told_so(
    root: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    form = root.get(f"/staff/admin/users/{users['root']}/roles").text
    assert "您不能取消自己的系统管理员角色" in form
    r = _roles(root, users["root"], [])
    assert r.status_code == 422  # type: ignore[attr-defined]
    r = _roles(root, users["root"], ["supervisor"])
    assert r.status_code == 422  # type: ignore[attr-defined]
    text: str = r.text  # type: ignore[attr-defined]
    assert 'role="alert"' in text
    assert '<p class="field-error" id="roles-error">' in text
    assert "不能取消自己的系统管理员角色" in text
    assert 'id="roles-supervisor" name="roles" value="supervisor" checked>' in text
    r = _roles(root, users["root"], ["admin"], active=False)
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "不能停用自己的账户" in r.text  # type: ignore[attr-defined]
    assert _stored(runtime, users["root"]) == (["admin"], True)
    assert root.get("/staff/admin/users", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (["applicant"], "申请人不是工作人员角色"),
        (["boss"], "请选择一项"),
        ([], "请至少填写一项"),
    ],
)
def test_bad_roles_are_answered_beside_the_field_and_change_nothing(
    root: TestClient, runtime: Runtime, users: dict[str, int], roles: list[str], message: str
) -> None:
    r = _roles(root, users["clerk"], roles)
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert message in r.text  # type: ignore[attr-defined]
    assert _stored(runtime, users["clerk"]) == (["clerk"], True)


def test_creating_a_user_who_then_signs_in(
    app: FastAPI, root: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    form = root.get("/staff/admin/users/new")
    assert form.status_code == 200
    assert '<option value="org-a">' in form.text
    for label in ("所属机关", "姓名", "登录名", "密码", "确认密码"):
        assert f">{label}<" in form.text
    r = _post(
        root,
        "/staff/admin/users/new",
        {
            "organ_code": "org-a",
            "name": "法制科 王芳",
            "roles": ["legal", "clerk"],
            "login_name": "Wang.Fang",
            "password": NEW,
            "confirm": NEW,
        },
    )
    assert r.status_code == 303, r.text[:2000]  # type: ignore[attr-defined]
    with runtime.sessions.read() as session:
        made = session.scalars(select(User).where(User.login_name == "wang.fang")).one()
        assert made.roles == ["clerk", "legal"]
        assert made.organ_id is not None
    assert r.headers["location"] == f"/staff/admin/users?created={made.id}"  # type: ignore[attr-defined]
    assert "已新建用户 法制科 王芳" in root.get(r.headers["location"]).text  # type: ignore[attr-defined]
    with TestClient(app) as browser:
        assert login(browser, "wang.fang", NEW).status_code == 303
        assert browser.get("/staff/legal").status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"login_name": "clerk"}, 409, "login_name", "该登录名已被其他用户使用"),
        ({"organ_code": ""}, 422, "organ_code", "机关工作人员必须属于一个机关"),
        ({"organ_code": "nope"}, 422, "organ_code", "机关 nope 不存在"),
        ({"name": ""}, 422, "name", "内容不能为空"),
        ({"roles": []}, 422, "roles", "请至少填写一项"),
        ({"confirm": "other words 2026"}, 422, "confirm", "两次输入的密码不一致"),
    ],
)
def test_a_bad_new_user_is_answered_beside_its_field_and_nothing_is_created(
    root: TestClient,
    runtime: Runtime,
    users: dict[str, int],
    fields: dict[str, str | list[str]],
    status: int,
    field: str,
    message: str,
) -> None:
    data: dict[str, str | list[str]] = {
        "organ_code": "org-a",
        "name": "新同事",
        "roles": ["clerk"],
        "login_name": "newbie",
        "password": NEW,
        "confirm": NEW,
        **fields,
    }
    r = _post(root, "/staff/admin/users/new", data)
    assert r.status_code == status  # type: ignore[attr-defined]
    text: str = r.text  # type: ignore[attr-defined]
    assert f'<p class="field-error" id="{field}-error">' in text
    assert message in text
    assert NEW not in text
    with runtime.sessions.read() as session:
        assert session.scalars(select(User.id)).all() == sorted(users.values())


def test_the_user_pages_are_refused_to_everyone_else(
    client: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    signed_in(client, "clerk")
    for path in (f"/staff/admin/users/{users['clerk']}/roles", "/staff/admin/users/new"):
        assert client.get(path).status_code == 403, path
    token = csrf(client, "/staff/")
    r = client.post(
        f"/staff/admin/users/{users['clerk']}/roles",
        data={"csrf_token": token, "roles": ["admin", "clerk"], "active": "true"},
    )
    assert r.status_code == 403
    r = client.post(
        "/staff/admin/users/new",
        data={"csrf_token": token, "name": "x", "roles": ["admin"], "login_name": "xx"},
    )
    assert r.status_code == 403
    assert _stored(runtime, users["clerk"]) == (["clerk"], True)


@pytest.mark.parametrize("user_id", ["999999", "abc", "-1"])
def test_an_unknown_user_is_a_page_not_a_crash(
    root: TestClient, users: dict[str, int], user_id: str
) -> None:
    r = root.get(f"/staff/admin/users/{user_id}/roles")
    assert r.status_code in (400, 404, 422)
    assert r.headers["content-type"].startswith("text/html")
