"""Signing in to the workbench: passwords, the brake, the session cookie, sign-out, CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from app.auth.passwords import PasswordSet, hasher, set_password, verify_password
from app.config import Settings
from app.errors import Conflict
from app.models import SigninFailure, User
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.staff_support import (
    PASSWORD,
    csrf,
    login,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CSRF_FIELD = re.compile(r'name="csrf_token" value="[0-9a-f]{64}"')


@pytest.fixture
def clerk(runtime: Runtime, organ_a: Staff) -> int:
    return make_staff(runtime, "org-a", "clerk", login="clerk", name="承办人 李明")


def _set_cookie(r: object, name: str = "gk_staff") -> str:
    headers = r.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(name + "=")]
    assert found, headers
    return str(found[0])


# --- passwords (the service) -------------------------------------------------------------------


def test_a_password_is_stored_as_an_argon2id_hash_and_never_as_itself(
    runtime: Runtime, clerk: int
) -> None:
    with runtime.sessions.read() as session:
        user = session.get(User, clerk)
        assert user is not None
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
        assert PASSWORD not in user.password_hash
        assert user.login_name == "clerk"
        assert user.password_changed_at is not None


def test_a_hash_made_with_other_parameters_is_replaced_at_the_next_sign_in(
    client: TestClient, runtime: Runtime, clerk: int
) -> None:
    old_cost = Settings.model_validate(
        {**runtime.settings.model_dump(), "password_argon2_time_cost": 2}
    )
    old_hash = hasher(old_cost).hash(PASSWORD)
    with runtime.sessions.write.begin() as session:
        user = session.get(User, clerk)
        assert user is not None
        user.password_hash = old_hash
    assert verify_password(runtime.settings, old_hash, PASSWORD)[1] is not None

    signed_in(client, "clerk")

    with runtime.sessions.read() as session:
        user = session.get(User, clerk)
        assert user is not None
        assert user.password_hash is not None
        assert user.password_hash != old_hash
        assert ",t=1," in user.password_hash
        assert verify_password(runtime.settings, user.password_hash, PASSWORD) == (True, None)


@pytest.mark.parametrize(
    ("login_name", "password", "confirm", "field", "message"),
    [
        ("clerk2", "short", "short", "password", "密码至少 10 个字符"),
        ("clerk2", "x" * 257, "x" * 257, "password", "密码不超过 256 个字符"),
        ("a", PASSWORD, PASSWORD, "login_name", "登录名为 2–64 个字母"),
        ("有中文", PASSWORD, PASSWORD, "login_name", "登录名为 2–64 个字母"),
    ],
)
def test_a_new_password_must_meet_the_rules(
    login_name: str, password: str, confirm: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        PasswordSet(login_name=login_name, password=password, confirm=confirm)
    errors = caught.value.errors()
    assert [e["loc"] for e in errors] == [(field,)]
    assert message in errors[0]["msg"]


def test_the_password_may_not_be_the_login_name_nor_differ_from_its_confirmation() -> None:
    with pytest.raises(ValidationError) as caught:
        PasswordSet(login_name="Clerk.Li.01", password="clerk.li.01 ", confirm="clerk.li.01 ")
    assert [e["loc"] for e in caught.value.errors()] == [("password",)]
    assert "密码不能与登录名相同" in caught.value.errors()[0]["msg"]
    with pytest.raises(ValidationError) as caught:
        PasswordSet(login_name="clerk", password=PASSWORD, confirm=PASSWORD + "!")
    assert [e["loc"] for e in caught.value.errors()] == [("confirm",)]
    assert "两次输入的密码不一致" in caught.value.errors()[0]["msg"]


def test_a_login_name_belongs_to_one_user(runtime: Runtime, clerk: int) -> None:
    other = make_staff(runtime, "org-a", "legal", login="legal")
    with runtime.sessions.write.begin() as session:
        taken = PasswordSet(login_name="CLERK", password=PASSWORD, confirm=PASSWORD)
        with pytest.raises(Conflict):
            set_password(session, runtime.settings, other, taken, now=datetime.now(UTC), by="t")


# --- the sign-in page ----------------------------------------------------------------------------


def test_the_sign_in_page_is_a_labelled_form_that_is_never_cached(client: TestClient) -> None:
    r = client.get("/staff/login")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert '<label for="login_name">登录名' in r.text
    assert '<label for="password">密码' in r.text
    assert 'type="password"' in r.text
    assert ">登录</button>" in r.text
    assert CSRF_FIELD.search(r.text)
    assert "退出登录" not in r.text  # nobody is signed in


def test_signing_in_sets_a_strict_http_only_cookie_for_the_workbench_only(
    client: TestClient, clerk: int
) -> None:
    r = login(client, "clerk")
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/"
    cookie = _set_cookie(r).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/staff" in cookie
    assert "max-age=1800" in cookie
    assert "secure" not in cookie  # plain http (the test server)
    assert "clerk" not in cookie
    assert "correct" not in cookie
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "承办人 李明" in page.text
    assert "退出登录" in page.text


def test_over_https_the_cookie_is_secure(app: FastAPI, clerk: int) -> None:
    with TestClient(app, base_url="https://testserver") as https:
        r = login(https, "clerk")
        assert r.status_code == 303
        assert "secure" in _set_cookie(r).lower()


def test_a_wrong_password_and_an_unknown_name_answer_alike(client: TestClient, clerk: int) -> None:
    wrong = login(client, "clerk", "not the password")
    unknown = login(client, "nobody", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "登录名或密码不正确" in r.text
        assert "gk_staff=" not in r.headers.get("set-cookie", "")
    strip = lambda text: CSRF_FIELD.sub("", text).replace("clerk", "nobody")  # noqa: E731
    assert strip(wrong.text) == strip(unknown.text)
    # The name typed is kept, the password never is.
    assert 'value="nobody"' in unknown.text
    assert "not the password" not in unknown.text


def test_names_are_matched_without_case_or_blanks(client: TestClient, clerk: int) -> None:
    assert login(client, "  CLERK ").status_code == 303


def test_an_inactive_user_cannot_sign_in_and_is_signed_out(
    client: TestClient, runtime: Runtime, clerk: int
) -> None:
    signed_in(client, "clerk")
    with runtime.sessions.write.begin() as session:
        user = session.get(User, clerk)
        assert user is not None
        user.active = False
    r = client.get("/staff/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login"
    assert login(client, "clerk").status_code == 401


@pytest.mark.parametrize(
    ("next_path", "landing"),
    [
        ("/staff/?overdue=true", "/staff/?overdue=true"),
        ("//evil.example/staff/", "/staff/"),
        ("https://evil.example/", "/staff/"),
        ("/\\evil.example", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
    ],
)
def test_after_signing_in_next_stays_on_this_site(
    client: TestClient, clerk: int, next_path: str, landing: str
) -> None:
    r = login(client, "clerk", next_path=next_path)
    assert r.status_code == 303
    assert r.headers["location"] == landing


def test_a_page_without_a_session_sends_to_the_sign_in_page_and_back(
    client: TestClient, clerk: int
) -> None:
    r = client.get("/staff/?overdue=true&scope=all", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login?next=/staff/%3Foverdue%3Dtrue%26scope%3Dall"
    form = client.get(r.headers["location"])
    assert 'name="next" value="/staff/?overdue=true&amp;scope=all"' in form.text
    back = login(client, "clerk", next_path="/staff/?overdue=true&scope=all")
    assert back.headers["location"] == "/staff/?overdue=true&scope=all"


def test_a_forged_or_garbled_cookie_is_no_session(client: TestClient, clerk: int) -> None:
    signed_in(client, "clerk")
    value = client.cookies.get("gk_staff")
    assert value
    for bad in (value[:-2] + ("AA" if not value.endswith("AA") else "BB"), "x", "x" * 600):
        client.cookies.set("gk_staff", bad, path="/staff")
        r = client.get("/staff/", follow_redirects=False)
        assert r.status_code == 303, bad


# --- the brake -----------------------------------------------------------------------------------


@pytest.fixture
def tight(runtime: Runtime) -> Runtime:
    """Small numbers: 2 free failures, a lock at the 4th per login name (15 min); per client
    4 free and a lock at the 8th (60 min). The settings are this test's own."""
    s = runtime.settings
    s.signin_account_free_failures = 2
    s.signin_account_lock_failures = 4
    s.signin_client_free_failures = 4
    s.signin_client_lock_failures = 8
    return runtime


def test_failures_slow_then_lock_the_login_name_and_the_lock_ends(
    client: TestClient, tight: Runtime, clock: Clock, clerk: int
) -> None:
    assert login(client, "clerk", "wrong password 1").status_code == 401
    assert login(client, "clerk", "wrong password 2").status_code == 401
    assert login(client, "clerk", PASSWORD).headers["retry-after"] == "1"  # the free ones used
    clock.advance(seconds=1)
    assert login(client, "clerk", "wrong password 3").status_code == 401
    slowed = login(client, "clerk", PASSWORD)  # even the right one waits, longer each time
    assert slowed.status_code == 429
    assert slowed.headers["retry-after"] == "2"
    assert "2 秒" in slowed.text
    clock.advance(seconds=2)
    assert login(client, "clerk", "wrong password 4").status_code == 401  # the 4th: locked
    locked = login(client, "clerk", PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "15 分钟" in locked.text
    assert "登录失败次数过多" in locked.text
    clock.advance(minutes=14)
    assert login(client, "clerk", PASSWORD).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert login(client, "clerk", PASSWORD).status_code == 303
    # Signing in forgot the login name's failures.
    with tight.sessions.read() as session:
        rows = {r.subject: r.failures for r in session.scalars(select(SigninFailure))}
    # The login name's failures are forgotten; the client's four wrong ones stay (the right
    # attempt, counted while its password was checked, was taken back).
    assert rows == {"client:testclient": 4}


def test_a_locked_login_name_does_not_stop_another_user(
    app: FastAPI, tight: Runtime, clock: Clock, clerk: int
) -> None:
    make_staff(tight, "org-a", "legal", login="legal")
    with TestClient(app, client=("10.0.0.1", 1000)) as guesser:
        for i in range(4):
            clock.advance(seconds=5)  # past each wait
            assert login(guesser, "clerk", f"guess {i}").status_code == 401
        clock.advance(seconds=5)
        locked = login(guesser, "clerk", PASSWORD)
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 800
    with TestClient(app, client=("10.0.0.2", 1000)) as colleague:
        assert login(colleague, "legal").status_code == 303
        # The rightful clerk is kept out of their own name until the lock ends, from anywhere.
        assert login(colleague, "clerk").status_code == 429


def test_failures_from_one_client_lock_that_client_whatever_the_name(
    app: FastAPI, tight: Runtime, clock: Clock, clerk: int
) -> None:
    with TestClient(app, client=("10.0.0.7", 1000)) as guesser:
        for i in range(8):
            clock.advance(seconds=20)  # past each wait
            r = login(guesser, f"name{i}", "guess")
            assert r.status_code == 401, (i, r.status_code)
        r = login(guesser, "clerk", PASSWORD)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "3600"
        assert "1 小时" in r.text
    with TestClient(app, client=("10.0.0.8", 1000)) as other:
        assert login(other, "clerk").status_code == 303
    clock.advance(minutes=61)
    with TestClient(app, client=("10.0.0.7", 1000)) as guesser:
        assert login(guesser, "clerk").status_code == 303


# --- the session ---------------------------------------------------------------------------------


def test_the_session_ends_after_thirty_idle_minutes_and_each_view_renews_it(
    client: TestClient, clock: Clock, clerk: int
) -> None:
    signed_in(client, "clerk")
    for _ in range(3):
        clock.advance(minutes=29)
        r = client.get("/staff/", follow_redirects=False)
        assert r.status_code == 200
        assert "max-age=1800" in _set_cookie(r).lower()  # renewed
    clock.advance(minutes=31)
    r = client.get("/staff/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login"


def test_the_session_ends_twelve_hours_after_signing_in_however_busy(
    client: TestClient, clock: Clock, clerk: int
) -> None:
    signed_in(client, "clerk")
    for _ in range(12 * 3):
        clock.advance(minutes=20)
        assert client.get("/staff/", follow_redirects=False).status_code == 200
    clock.advance(minutes=1)
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_even_for_a_copied_cookie(
    client: TestClient, clerk: int
) -> None:
    signed_in(client, "clerk")
    copied = client.cookies.get("gk_staff")
    r = client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/")})
    assert r.status_code == 200  # followed to the sign-in page
    assert r.url.path == "/staff/login"
    client.cookies.set("gk_staff", copied or "", path="/staff")
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_a_new_password_ends_the_old_sessions(app: FastAPI, runtime: Runtime, clerk: int) -> None:
    with TestClient(app) as first:
        signed_in(first, "clerk")
        with runtime.sessions.write.begin() as session:
            new = "a brand new passphrase"
            data = PasswordSet(login_name="clerk", password=new, confirm=new)
            set_password(session, runtime.settings, clerk, data, now=datetime.now(UTC), by="t")
        assert first.get("/staff/", follow_redirects=False).status_code == 303
        assert login(first, "clerk", PASSWORD).status_code == 401
        assert login(first, "clerk", "a brand new passphrase").status_code == 303


# --- forms and malformed input --------------------------------------------------------------------


def test_sign_in_and_sign_out_need_the_form_token(client: TestClient, clerk: int) -> None:
    client.get("/staff/login")
    r = client.post("/staff/login", data={"login_name": "clerk", "password": PASSWORD})
    assert r.status_code == 403
    assert "gk_staff" not in client.cookies
    signed_in(client, "clerk")
    r = client.post("/staff/logout", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/staff/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        ({}, 422, "请填写登录名"),
        ({"login_name": "clerk"}, 422, "请填写密码"),
        ({"login_name": "x" * 10_000, "password": "p"}, 422, "登录名或密码不正确"),
        ({"login_name": "clerk", "password": "p" * 100_000}, 422, "密码不超过 256 个字符"),
        ({"login_name": "\x00\x01", "password": "\x00"}, 401, "登录名或密码不正确"),
        ({"login_name": "clerk", "password": "p", "next": "\x00//x"}, 401, "登录名或密码不正确"),
    ],
)
def test_malformed_sign_ins_are_answered_on_the_form(
    client: TestClient, clerk: int, data: dict[str, str], status: int, text: str
) -> None:
    r = client.post("/staff/login", data={"csrf_token": csrf(client), **data})
    assert r.status_code == status, r.text[:500]
    assert text in r.text
    assert 'role="alert"' in r.text
    assert "x" * 100 not in r.text


def test_a_file_instead_of_a_name_is_no_crash(client: TestClient, clerk: int) -> None:
    r = client.post(
        "/staff/login",
        data={"csrf_token": csrf(client)},
        files={"login_name": ("a.txt", b"clerk"), "password": ("b.txt", PASSWORD.encode())},
    )
    assert r.status_code == 422
