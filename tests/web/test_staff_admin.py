"""Administration of users' passwords (/staff/admin/users): admins only, errors beside fields."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models import User
from app.runtime import Runtime
from tests.conftest import Staff
from tests.web.staff_support import (
    PASSWORD,
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


def _post(client: TestClient, user_id: int, **fields: str) -> object:
    path = f"/staff/admin/users/{user_id}/password"
    data = {"csrf_token": csrf(client, path), **fields}
    return client.post(path, data=data, follow_redirects=False)


def test_the_admin_sees_every_user_with_login_name_and_roles(
    root: TestClient, runtime: Runtime, users: dict[str, int], organ_a: Staff
) -> None:
    organ_a.headers("legal")  # a user with a token and no password
    r = root.get("/staff/admin/users")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "<h1>用户与密码</h1>" in r.text
    assert "承办人 李明" in r.text
    assert '<span class="code">clerk</span>' in r.text
    assert "系统管理员" in r.text
    assert "承办人</td>" in r.text
    assert "法制机构</td>" in r.text
    assert "未设置" in r.text
    assert f'href="/staff/admin/users/{users["clerk"]}/password"' in r.text
    assert "$argon2" not in r.text


def test_resetting_a_password_lets_the_user_in_with_it_and_ends_their_sessions(
    app: FastAPI, root: TestClient, users: dict[str, int]
) -> None:
    with TestClient(app) as clerk_browser:
        signed_in(clerk_browser, "clerk")
        form = root.get(f"/staff/admin/users/{users['clerk']}/password")
        assert form.status_code == 200
        for label in ("登录名", "新密码", "确认新密码"):
            assert f">{label}<" in form.text
        assert 'value="clerk"' in form.text

        r = _post(root, users["clerk"], login_name="Li.Ming", password=NEW, confirm=NEW)
        assert r.status_code == 303  # type: ignore[attr-defined]
        assert r.headers["location"] == f"/staff/admin/users?done={users['clerk']}"  # type: ignore[attr-defined]
        done = root.get(r.headers["location"])  # type: ignore[attr-defined]
        assert "已为 承办人 李明 设置登录名" in done.text
        assert '<span class="code">li.ming</span>' in done.text

        assert clerk_browser.get("/staff/", follow_redirects=False).status_code == 303
        assert login(clerk_browser, "clerk", PASSWORD).status_code == 401
        assert login(clerk_browser, "li.ming", NEW).status_code == 303


def test_setting_a_password_is_logged_with_who_did_it_and_never_the_password(
    root: TestClient, users: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gongkai.auth"):
        _post(root, users["clerk"], login_name="clerk", password=NEW, confirm=NEW)
    lines = [r.getMessage() for r in caplog.records if r.name == "gongkai.auth"]
    assert lines == [
        f"auth: password set for user {users['clerk']} (login clerk) by user "
        f"{users['root']} (平台管理员) on the admin page"
    ]
    assert NEW not in caplog.text


def test_an_admin_changing_their_own_password_stays_signed_in(
    root: TestClient, users: dict[str, int]
) -> None:
    r = _post(root, users["root"], login_name="root", password=NEW, confirm=NEW)
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert root.get("/staff/admin/users", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        (
            {"login_name": "clerk", "password": "short", "confirm": "short"},
            422,
            "password",
            "密码至少 10 个字符",
        ),
        (
            {"login_name": "clerk", "password": NEW, "confirm": NEW + "x"},
            422,
            "confirm",
            "两次输入的密码不一致",
        ),
        (
            {"login_name": "clerk", "password": "clerk", "confirm": "clerk"},
            422,
            "password",
            "密码不能与登录名相同",
        ),
        (
            {"login_name": "clerk.li.01", "password": "CLERK.LI.01", "confirm": "CLERK.LI.01"},
            422,
            "password",
            "密码不能与登录名相同",
        ),
        (
            {"login_name": "root", "password": NEW, "confirm": NEW},
            409,
            "login_name",
            "该登录名已被其他用户使用",
        ),
        (
            {"login_name": "<b>x</b>", "password": NEW, "confirm": NEW},
            422,
            "login_name",
            "登录名为 2–64 个字母",
        ),
        ({"password": NEW, "confirm": NEW}, 422, "login_name", "登录名为"),
        (
            {"login_name": "x" * 10_000, "password": "p" * 10_000, "confirm": ""},
            422,
            "login_name",
            "登录名为",
        ),
    ],
)
def test_a_bad_password_form_is_answered_beside_its_field_and_nothing_changes(
    root: TestClient,
    runtime: Runtime,
    users: dict[str, int],
    fields: dict[str, str],
    status: int,
    field: str,
    message: str,
) -> None:
    with runtime.sessions.read() as session:
        before = session.get(User, users["clerk"])
        assert before is not None
        old_hash = before.password_hash
    r = _post(root, users["clerk"], **fields)
    assert r.status_code == status  # type: ignore[attr-defined]
    text: str = r.text  # type: ignore[attr-defined]
    assert 'role="alert"' in text
    assert f'<p class="field-error" id="{field}-error">' in text
    assert message in text
    assert NEW not in text  # a password is never echoed
    assert "x" * 100 not in text
    with runtime.sessions.read() as session:
        after = session.get(User, users["clerk"])
        assert after is not None
        assert after.password_hash == old_hash
        assert after.login_name == "clerk"


def test_the_admin_pages_are_refused_to_everyone_else(
    client: TestClient, users: dict[str, int]
) -> None:
    signed_in(client, "clerk")
    for path in ("/staff/admin/users", f"/staff/admin/users/{users['clerk']}/password"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert r.headers["content-type"].startswith("text/html")
    token = csrf(client, "/staff/")
    r = client.post(
        f"/staff/admin/users/{users['clerk']}/password",
        data={"csrf_token": token, "login_name": "clerk", "password": NEW, "confirm": NEW},
    )
    assert r.status_code == 403
    assert login(client, "clerk", NEW).status_code == 401


def test_without_a_session_the_admin_pages_send_to_sign_in(
    client: TestClient, users: dict[str, int]
) -> None:
    r = client.get("/staff/admin/users", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login?next=/staff/admin/users"


def test_the_password_form_needs_its_token(root: TestClient, users: dict[str, int]) -> None:
    r = root.post(
        f"/staff/admin/users/{users['clerk']}/password",
        data={"login_name": "clerk", "password": NEW, "confirm": NEW},
    )
    assert r.status_code == 403
    assert "页面已过期" in r.text


@pytest.mark.parametrize("user_id", ["999999", "abc", "-1", "1" * 40])
def test_an_unknown_user_is_a_page_not_a_crash(
    root: TestClient, users: dict[str, int], user_id: str
) -> None:
    r = root.get(f"/staff/admin/users/{user_id}/password")
    assert r.status_code in (400, 404, 422)
    assert r.headers["content-type"].startswith("text/html")
    token = csrf(root, "/staff/admin/users")
    r = root.post(
        f"/staff/admin/users/{user_id}/password",
        data={"csrf_token": token, "login_name": "zz", "password": NEW, "confirm": NEW},
    )
    assert r.status_code in (400, 404, 422)


def test_every_workbench_page_is_never_cached(root: TestClient, users: dict[str, int]) -> None:
    for path in (
        "/staff/login",
        "/staff/admin/users",
        f"/staff/admin/users/{users['clerk']}/password",
        "/staff/",  # refused to an admin: the error page is not cached either
        "/staff/no-such-page",
    ):
        r = root.get(path)
        assert r.headers["cache-control"] == "no-store", path
        assert r.headers["content-type"].startswith("text/html"), path


def test_workbench_error_pages_keep_the_workbench_layout(root: TestClient) -> None:
    r = root.get("/staff/")
    assert r.status_code == 403
    assert "政府信息公开工作台" in r.text
    assert "回到工作台" in r.text
    assert "查询码" not in r.text
    missing = root.get("/staff/no-such-page")
    assert missing.status_code == 404
    assert "回到工作台" in missing.text
