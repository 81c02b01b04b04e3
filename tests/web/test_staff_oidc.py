"""Signing in to the workbench through the province's identity provider (OIDC, issue 15).

A real provider (tests/web/oidc_provider.py) answers over HTTP on 127.0.0.1; the browser's part
is played by hand: the app's redirect is followed to the provider with httpx, the provider's
redirect back is followed to the app's callback.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings, get_settings
from app.main import create_app
from app.models import SigninFailure, User
from app.runtime import Runtime, build_runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    linked_clerk,
    new_key,
    serve,
)
from tests.web.staff_support import login, make_staff

REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]*)">')
CALLBACK = "http://testserver/staff/login/oidc/callback"
PROVIDER_NAME = "省统一身份认证"


@pytest.fixture(scope="module")
def _served() -> Iterator[Provider]:
    yield from serve(Clock(datetime.now(UTC)))


@pytest.fixture
def provider(_served: Provider, clock: Clock) -> Provider:
    """The provider, on the test's clock, with nothing bent."""
    _served.reset()
    _served.clock = clock
    return _served


def _settings(database_url: str, tmp_path: Path, **oidc: object) -> Settings:
    return Settings.model_validate(
        {
            "database_url": database_url,
            "secret_key": "test-secret-key",
            "storage_dir": tmp_path / "storage",
            "letter_render_workers": 0,
            "audit_daily_checkpoint": False,
            "audit_checkpoint_dir": tmp_path / "audit",
            "password_argon2_time_cost": 1,
            "password_argon2_memory_kib": 8 * 1024,
            "password_argon2_parallelism": 1,
            **oidc,
        }
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path, _served: Provider) -> Settings:
    return _settings(
        database_url,
        tmp_path,
        oidc_issuer=_served.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_provider_name=PROVIDER_NAME,
    )


@pytest.fixture
def zhang(runtime: Runtime, organ_a: Staff) -> int:
    return linked_clerk(runtime, "zhang.san")


def _start(client: TestClient, next_path: str | None = None) -> httpx.Response:
    params = {"next": next_path} if next_path is not None else None
    return client.get("/staff/login/oidc", params=params, follow_redirects=False)


def _at_provider(start: httpx.Response) -> str:
    """The browser at the provider: where the provider sends it back (the callback URL)."""
    assert start.status_code == 303, start.text[:1000]
    answer = httpx.get(start.headers["location"], follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = answer.headers["location"]
    assert back.startswith(CALLBACK + "?")
    return back


def _callback(client: TestClient, url: str) -> httpx.Response:
    return client.get(url, follow_redirects=False)


def _round_trip(client: TestClient, next_path: str | None = None) -> httpx.Response:
    return _callback(client, _at_provider(_start(client, next_path)))


def _session_cookie(r: httpx.Response) -> list[str]:
    return [h for h in r.headers.get_list("set-cookie") if h.startswith("gk_staff=")]


def _went_on_to(r: httpx.Response) -> str:
    """Signed in: the session cookie is set and the page goes on by itself (where to)."""
    assert r.status_code == 200, r.text[:2000]
    assert _session_cookie(r)
    found = REFRESH.search(r.text)
    assert found, r.text[:2000]
    link = html.unescape(found.group(1))
    assert f'<a href="{found.group(1)}">点击这里继续</a>' in r.text  # without a refresh too
    return link


def _refused(r: httpx.Response, status: int, words: str) -> None:
    assert r.status_code == status, r.text[:2000]
    assert words in r.text
    assert "工作人员登录" in r.text  # the sign-in page, to try again
    assert not _session_cookie(r)


# --- the flow ----------------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_when_one_is_configured(
    client: TestClient, provider: Provider
) -> None:
    page = client.get("/staff/login")
    assert f"使用{PROVIDER_NAME}登录" in page.text
    assert 'href="/staff/login/oidc"' in page.text
    deep = client.get("/staff/login", params={"next": "/staff/cases/7?tab=x&y=1"})
    assert 'href="/staff/login/oidc?next=/staff/cases/7%3Ftab%3Dx%26y%3D1"' in deep.text


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_s256_challenge(
    client: TestClient, provider: Provider
) -> None:
    r = _start(client)
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == provider.url + "/authorize"
    q = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert q["response_type"] == "code"
    assert q["client_id"] == CLIENT_ID
    assert q["redirect_uri"] == CALLBACK
    assert q["scope"] == "openid profile"
    assert q["code_challenge_method"] == "S256"
    assert len(q["state"]) >= 40
    assert len(q["nonce"]) >= 40
    assert len(q["code_challenge"]) == 43
    (cookie,) = [h for h in r.headers.get_list("set-cookie") if h.startswith("gk_oidc=")]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/staff/login/oidc" in cookie
    assert "Max-Age=600" in cookie
    again = _start(client)
    q2 = parse_qs(urlsplit(again.headers["location"]).query)
    assert q2["state"][0] != q["state"]
    assert q2["nonce"][0] != q["nonce"]


def test_a_linked_user_gets_a_workbench_session_as_with_a_password(
    client: TestClient, provider: Provider, zhang: int
) -> None:
    r = _round_trip(client, next_path="/staff/?state=x&page=2")
    assert _went_on_to(r) == "/staff/?state=x&page=2"
    (cookie,) = _session_cookie(r)
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/staff" in cookie
    assert any(h.startswith('gk_oidc=""') for h in r.headers.get_list("set-cookie"))
    assert provider.token_requests == 1  # the code was exchanged (client, verifier checked)
    home = client.get("/staff/", follow_redirects=False)
    assert home.status_code == 200
    assert "承办人 张三" in home.text
    # Sign-out stays the same: it ends the session.
    form = client.get("/staff/")
    token = form.text.split('name="csrf_token" value="')[1][:64]
    out = client.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_next_must_stay_on_this_site(client: TestClient, provider: Provider, zhang: int) -> None:
    r = _round_trip(client, next_path="https://evil.example/staff/")
    assert _went_on_to(r) == "/staff/"


def test_a_long_next_survives_the_trip(client: TestClient, provider: Provider, zhang: int) -> None:
    assert _went_on_to(_round_trip(client, next_path="/staff/?q=王五")) == "/staff/?q=王五"
    varied = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(480))  # compresses badly
    r = _start(client, next_path="/staff/?q=" + varied)
    (cookie,) = [h for h in r.headers.get_list("set-cookie") if h.startswith("gk_oidc=")]
    assert len(cookie) < 4000
    assert _went_on_to(_callback(client, _at_provider(r))) == "/staff/?q=" + varied


def test_the_registered_callback_address_can_be_set(
    runtime: Runtime, provider: Provider, database_url: str, tmp_path: Path
) -> None:
    registered = "http://gongkai.intranet/staff/login/oidc/callback"
    settings = _settings(
        database_url,
        tmp_path,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_redirect_uri=registered,
    )
    other = build_runtime(settings)
    try:
        with TestClient(create_app(runtime=other)) as c:
            r = _start(c)
            assert parse_qs(urlsplit(r.headers["location"]).query)["redirect_uri"] == [registered]
    finally:
        other.close()


def test_the_subject_claim_is_configurable(
    runtime: Runtime, provider: Provider, organ_a: Staff, database_url: str, tmp_path: Path
) -> None:
    linked_clerk(runtime, "li.si@province")
    provider.subject = "li.si"
    settings = _settings(
        database_url,
        tmp_path,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_subject_claim="preferred_username",
    )
    other = build_runtime(settings)
    other.clock = runtime.clock
    try:
        with TestClient(create_app(runtime=other)) as c:
            assert _went_on_to(_round_trip(c)) == "/staff/"
    finally:
        other.close()


def test_a_callback_is_answered_once(client: TestClient, provider: Provider, zhang: int) -> None:
    back = _at_provider(_start(client))
    assert _went_on_to(_callback(client, back)) == "/staff/"
    assert "gk_oidc" not in client.cookies
    _refused(_callback(client, back), 400, "这次登录请求已过期或不是从本页面发起的")


# --- refusals ----------------------------------------------------------------------------------


def test_an_unknown_subject_is_refused_and_counted_as_a_failed_sign_in(
    client: TestClient, runtime: Runtime, provider: Provider, zhang: int
) -> None:
    provider.subject = "wang.wu"
    _refused(_round_trip(client), 403, f"您的{PROVIDER_NAME}账号尚未关联本系统的工作人员账号")
    with runtime.sessions.read() as session:
        rows = {r.subject: r.failures for r in session.scalars(select(SigninFailure))}
    assert rows["client:testclient"] == 1
    assert [s for s in rows if s.startswith("oidc#")]


def test_an_inactive_user_is_refused(
    client: TestClient, runtime: Runtime, provider: Provider, organ_a: Staff
) -> None:
    linked_clerk(runtime, "zhang.san", active=False)
    _refused(_round_trip(client), 403, "或关联的账号已停用")


def test_repeated_unknown_subjects_are_braked(
    client: TestClient, provider: Provider, zhang: int
) -> None:
    provider.subject = "guesser"
    statuses = [_round_trip(client).status_code for _ in range(5)]
    assert statuses == [403] * 5
    braked = _round_trip(client)
    assert braked.status_code == 429
    assert "后再试" in braked.text
    assert braked.headers["retry-after"] == "1"
    assert not _session_cookie(braked)
    # Another subject from the same office address is not kept out by the guesser.
    provider.subject = "zhang.san"
    assert _went_on_to(_round_trip(client)) == "/staff/"


def test_a_tampered_state_is_refused(client: TestClient, provider: Provider, zhang: int) -> None:
    back = _at_provider(_start(client))
    q = parse_qs(urlsplit(back).query)
    forged = f"{CALLBACK}?code={q['code'][0]}&state={q['state'][0][:-2]}xx"
    _refused(_callback(client, forged), 400, "这次登录请求已过期或不是从本页面发起的")
    assert provider.token_requests == 0  # the code never reached the token endpoint


def test_a_tampered_flow_cookie_is_refused(
    client: TestClient, provider: Provider, zhang: int
) -> None:
    start = _start(client)
    value = client.cookies.get("gk_oidc")
    assert value
    client.cookies.set("gk_oidc", value[:-3] + "AAA", path="/staff/login/oidc")
    _refused(_callback(client, _at_provider(start)), 400, "这次登录请求已过期")


def test_a_flow_older_than_its_lifetime_is_refused(
    client: TestClient, provider: Provider, clock: Clock, zhang: int
) -> None:
    back = _at_provider(_start(client))
    clock.advance(minutes=11)
    _refused(_callback(client, back), 400, "这次登录请求已过期")


def test_a_callback_without_a_started_sign_in_is_refused(
    client: TestClient, provider: Provider, zhang: int
) -> None:
    _refused(_callback(client, CALLBACK + "?code=abc&state=def"), 400, "这次登录请求已过期")
    _refused(_callback(client, CALLBACK), 400, "这次登录请求已过期")


@pytest.mark.parametrize(
    "bend",
    [
        pytest.param({"claims": {"nonce": "another-sign-in"}}, id="wrong nonce"),
        pytest.param({"claims": {"nonce": None}}, id="no nonce"),
        pytest.param({"claims": {"exp": 1_000_000_000}}, id="expired"),
        pytest.param({"claims": {"aud": "another-client"}}, id="wrong audience"),
        pytest.param({"claims": {"aud": [CLIENT_ID, "another"]}}, id="several audiences, no azp"),
        pytest.param({"claims": {"iss": "https://impostor.example"}}, id="wrong issuer"),
        pytest.param({"claims": {"iat": 4_000_000_000}}, id="issued in the future"),
        pytest.param({"signing_key": new_key()}, id="bad signature"),
        pytest.param({"signing_key": CLIENT_SECRET, "algorithm": "HS256"}, id="HMAC"),
    ],
)
def test_an_id_token_that_fails_verification_is_refused(
    client: TestClient, provider: Provider, zhang: int, bend: dict[str, object]
) -> None:
    for name, value in bend.items():
        setattr(provider, name, value)
    _refused(_round_trip(client), 401, "返回的身份凭证未通过验证")


def test_the_expiry_allows_a_minute_of_clock_skew(
    client: TestClient, provider: Provider, clock: Clock, zhang: int
) -> None:
    provider.claims = {"exp": int(clock().timestamp()) - 30}
    assert _went_on_to(_round_trip(client)) == "/staff/"


def test_a_rotated_signing_key_is_fetched_again(
    client: TestClient, provider: Provider, zhang: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _went_on_to(_round_trip(client)) == "/staff/"  # the key set is cached now
    provider.key, provider.kid = new_key(), "key-2"
    # Within half a minute of the last fetch an unknown key is not fetched again (a flood of
    # forged kids cannot make the service hammer the provider) ...
    _refused(_round_trip(client), 401, "返回的身份凭证未通过验证")
    # ... after it, the new key set is fetched and the token verifies.
    monkeypatch.setattr("app.auth.oidc.provider._JWKS_REFETCH_AFTER_S", 0.0)
    assert _went_on_to(_round_trip(client)) == "/staff/"


def test_a_provider_error_is_shown_in_words(
    client: TestClient, provider: Provider, zhang: int
) -> None:
    provider.deny = True
    _refused(_round_trip(client), 401, f"{PROVIDER_NAME}没有完成登录")


def test_an_unreachable_provider_is_a_page_not_a_500(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    settings = _settings(
        database_url,
        tmp_path,
        oidc_issuer="http://127.0.0.1:9",  # discard: nothing listens
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_timeout_s=2,
    )
    other = build_runtime(settings)
    try:
        with TestClient(create_app(runtime=other)) as c:
            r = c.get("/staff/login/oidc", follow_redirects=False)
            assert r.status_code == 502
            assert "暂时无法与统一身份认证完成登录" in r.text
            assert "使用统一身份认证登录" in r.text
    finally:
        other.close()


# --- configured, not required -------------------------------------------------------------------


def test_without_a_provider_the_routes_are_404_and_there_is_no_button(
    database_url: str, tmp_path: Path, runtime: Runtime, organ_a: Staff
) -> None:
    plain = build_runtime(
        _settings(database_url, tmp_path, oidc_issuer="https://id.example", oidc_client_id="x")
    )
    assert plain.oidc is None  # no secret: not configured
    try:
        with TestClient(create_app(runtime=plain)) as c:
            page = c.get("/staff/login")
            assert page.status_code == 200
            assert "/staff/login/oidc" not in page.text
            assert "其他登录方式" not in page.text
            for path in ("/staff/login/oidc", "/staff/login/oidc/callback?code=a&state=b"):
                r = c.get(path, follow_redirects=False)
                assert r.status_code == 404
                assert "未找到" in r.text
            # Passwords work as before.
            make_staff(plain, "org-a", "clerk", login="clerk")
            assert login(c, "clerk").status_code == 303
    finally:
        plain.close()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("oidc_scopes", "profile email"),
        ("oidc_issuer", "http://id.example"),
        ("oidc_issuer", "https://user:pw@id.example"),
        ("oidc_redirect_uri", "ftp://gongkai.example/cb"),
    ],
)
def test_unsafe_or_unusable_settings_are_refused(
    database_url: str, tmp_path: Path, field: str, value: str
) -> None:
    with pytest.raises(ValidationError):
        _settings(database_url, tmp_path, **{field: value})


# --- linking users ------------------------------------------------------------------------------


def test_an_admin_links_and_unlinks_through_the_json_api(
    client: TestClient, runtime: Runtime, provider: Provider, organ_a: Staff, admin: dict[str, str]
) -> None:
    user_id = make_staff(runtime, "org-a", "clerk", login="clerk")
    url = f"/api/v1/admin/users/{user_id}/oidc-subject"
    r = client.put(url, json={"subject": "zhang.san"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"user_id": user_id, "subject": "zhang.san"}

    assert _went_on_to(_round_trip(client)) == "/staff/"
    assert client.get("/staff/", follow_redirects=False).status_code == 200

    # Unlinking ends the sessions begun through the provider (and every other one).
    r = client.put(url, json={"subject": None}, headers=admin)
    assert r.status_code == 200
    assert r.json()["subject"] is None
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    _refused(_round_trip(client), 403, "尚未关联")


def test_linking_is_checked(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    first = make_staff(runtime, "org-a", "clerk", login="first")
    second = make_staff(runtime, "org-a", "clerk", login="second")
    put = client.put
    assert (
        put(
            f"/api/v1/admin/users/{first}/oidc-subject", json={"subject": "s-1"}, headers=admin
        ).status_code
        == 200
    )
    taken = put(
        f"/api/v1/admin/users/{second}/oidc-subject", json={"subject": "s-1"}, headers=admin
    )
    assert taken.status_code == 409
    assert taken.json()["errors"][0]["loc"] == ["subject"]
    for bad in (" s-2", "", "x" * 256, "a\nb"):
        r = put(f"/api/v1/admin/users/{second}/oidc-subject", json={"subject": bad}, headers=admin)
        assert r.status_code == 422, bad
    assert (
        put(
            "/api/v1/admin/users/99999/oidc-subject", json={"subject": "s-3"}, headers=admin
        ).status_code
        == 404
    )
    clerk = organ_a.headers("clerk")
    assert (
        put(
            f"/api/v1/admin/users/{second}/oidc-subject", json={"subject": "s-4"}, headers=clerk
        ).status_code
        == 403
    )
    with runtime.sessions.read() as session:
        assert session.scalar(select(User.oidc_subject).where(User.id == second)) is None


def test_the_cli_links_a_user(
    runtime: Runtime, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("GONGKAI_SECRET_KEY", runtime.settings.secret_key.get_secret_value())
    get_settings.cache_clear()
    try:
        user_id = make_staff(runtime, "org-a", "clerk", login="clerk")
        done = CliRunner().invoke(cli, ["link-oidc", str(user_id), "zhang.san"])
        assert done.exit_code == 0, done.output
        assert "linked" in done.stdout
        with runtime.sessions.read() as session:
            assert (
                session.scalar(select(User.oidc_subject).where(User.id == user_id)) == "zhang.san"
            )
        other = make_staff(runtime, "org-a", "clerk", login="other")
        taken = CliRunner().invoke(cli, ["link-oidc", str(other), "zhang.san"])
        assert taken.exit_code == 1
        assert "已关联其他用户" in taken.stderr
        neither = CliRunner().invoke(cli, ["link-oidc", str(other)])
        assert neither.exit_code == 1
        undone = CliRunner().invoke(cli, ["link-oidc", str(user_id), "--unlink"])
        assert undone.exit_code == 0, undone.output
        with runtime.sessions.read() as session:
            assert session.scalar(select(User.oidc_subject).where(User.id == user_id)) is None
    finally:
        get_settings.cache_clear()
