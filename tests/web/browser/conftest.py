"""Fixtures of the browser tests: the live app, Chromium, pages that record off-origin requests.

The browser lives for this package, not the whole session: Playwright's sync API keeps its
event loop marked as running in the main thread, and other tests in the same xdist worker
call `anyio.run` (tests/api/test_if_match.py), which refuses to start inside a running loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.main import create_app
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import make_organ
from tests.web.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    WHY_NO_BROWSER,
    LiveServer,
    OffOrigin,
)

# The organs on the chooser: a government with two departments, and another government.
GOVERNMENT = "示例市人民政府"
OFFICE = "示例市人民政府办公室"
BUREAU = "示例市自然资源和规划局"
DISTRICT = "示例市某某区人民政府"


@pytest.fixture
def portal_organs(runtime: Runtime) -> Staff:
    """The chooser's organs; returns the staff of `org-a` (the office the tests apply to)."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, "demo-gov", name=GOVERNMENT)
        make_organ(session, "org-a", name=OFFICE, parent_code="demo-gov")
        make_organ(session, "org-zr", name=BUREAU, parent_code="demo-gov")
        make_organ(session, "org-qx", name=DISTRICT)
    return Staff(runtime, "org-a")


@pytest.fixture
def live(runtime: Runtime, portal_organs: Staff) -> Iterator[LiveServer]:
    """The real app (real migrated database, real letters) served over HTTP on 127.0.0.1."""
    server = LiveServer(create_app(runtime=runtime)).start()
    yield server
    server.stop()


@pytest.fixture
def staff_api(live: LiveServer) -> Iterator[httpx.Client]:
    """Plain HTTP to the live server, for what staff do through the JSON API."""
    with httpx.Client(base_url=live.url, timeout=90) as client:
        yield client


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if WHY_NO_BROWSER is not None:
        pytest.skip(WHY_NO_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


OpenPage = Callable[..., Any]


@pytest.fixture
def open_page(chromium: Any, live: LiveServer) -> Iterator[OpenPage]:
    """open_page(phone=False, js=True) → a Page in a fresh context on the live server.

    Every request any of these pages makes to another origin is recorded and refused; the
    test ends asserting there was none.
    """
    recorders: list[OffOrigin] = []
    contexts: list[Any] = []

    def _open(*, phone: bool = False, js: bool = True) -> Any:
        context = chromium.new_context(
            base_url=live.url,
            java_script_enabled=js,
            accept_downloads=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(30_000)
        recorder = OffOrigin(live.url)
        recorder.attach(context)
        recorders.append(recorder)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
    foreign = [url for recorder in recorders for url in recorder.requests]
    assert foreign == [], f"requests to other origins: {foreign}"


@pytest.fixture
def page(open_page: OpenPage) -> Any:
    """A desktop page (1280×900) with JavaScript on."""
    return open_page()
