"""Signing in through the province's identity provider, in Chromium.

The provider is another site (http://localhost:port, the app at http://127.0.0.1:port), as in
production: the redirect back from it is a cross-site navigation, which carries the flow
cookie only because that cookie is SameSite=Lax. The only request that leaves the app's
origin is the browser's visit to the provider's authorize endpoint (it answers with a redirect).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.runtime import Runtime
from tests.fixtures.factories import Clock
from tests.web.browser.support import (
    DESKTOP,
    LiveServer,
    OffOrigin,
    assert_accessible,
    expect,
    needs_chromium,
)
from tests.web.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, linked_clerk, serve

pytestmark = needs_chromium

BUTTON = "使用省统一身份认证登录"


@pytest.fixture
def idp(clock: Clock) -> Iterator[Provider]:
    yield from serve(clock, host="localhost")


@pytest.fixture
def settings(database_url: str, tmp_path: Path, idp: Provider) -> Settings:
    return Settings.model_validate(
        {
            "database_url": database_url,
            "secret_key": "test-secret-key",
            "storage_dir": tmp_path / "storage",
            "letter_render_workers": 0,
            "audit_daily_checkpoint": False,
            "audit_checkpoint_dir": tmp_path / "audit",
            "oidc_issuer": idp.url,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_provider_name": "省统一身份认证",
        }
    )


@pytest.fixture
def browser_page(chromium: Any, live: LiveServer) -> Iterator[tuple[Any, OffOrigin]]:
    context = chromium.new_context(
        base_url=live.url, locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP
    )
    context.set_default_timeout(30_000)
    recorder = OffOrigin(live.url)
    context.on("request", recorder.record)  # recorded, not refused: the provider is expected
    yield context.new_page(), recorder
    context.close()


def test_a_linked_clerk_signs_in_through_the_provider(
    browser_page: tuple[Any, OffOrigin], runtime: Runtime, idp: Provider, live: LiveServer
) -> None:
    page, recorder = browser_page
    linked_clerk(runtime, "zhang.san")
    idp.interactive = True  # the person confirms at the provider: the way back is cross-site
    page.goto("/staff/login")
    expect(page.get_by_role("heading", name="其他登录方式")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=BUTTON).click()
    page.get_by_role("button", name="确认登录").click()

    page.wait_for_url(live.url + "/staff/")
    expect(page.get_by_text("承办人 张三")).to_be_visible()
    assert [r.split("?")[0] for r in recorder.requests] == [
        f"GET {idp.url}/authorize",
        f"POST {idp.url}/authorize",
    ]
    assert idp.token_requests == 1

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(live.url + "/staff/login")


def test_an_unlinked_person_reads_why_on_the_sign_in_page(
    browser_page: tuple[Any, OffOrigin], runtime: Runtime, idp: Provider, live: LiveServer
) -> None:
    page, _ = browser_page
    linked_clerk(runtime, "zhang.san")
    idp.subject = "nobody"
    page.goto("/staff/login")
    page.get_by_role("link", name=BUTTON).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("尚未关联本系统的工作人员账号")
    expect(page.get_by_label("登录名")).to_be_visible()  # the password form, to sign in instead
    assert_accessible(page)
