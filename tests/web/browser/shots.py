"""Screenshots of every portal and workbench page, desktop (1280) and phone (375) width, into
docs/web/.

    python -m tests.web.browser.shots [OUT_DIR]      (scripts/screenshots runs this)

Starts the real app on a fresh demo database (`app.cli demo`, in a temporary directory) with
the clock at Monday 2 March 2026 10:00 Beijing, walks the pages as an applicant (and a clerk
through the JSON API, to ask for a correction), then signs in to the workbench as each demo
role with the password `demo` printed, and writes `<page>-desktop.png` and `<page>-phone.png`
(full page, reduced to a small palette to keep them light; workbench pages `staff-*`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from app.runtime import build_runtime
from tests.api.portal_helpers import reply_and_serve
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.web.browser import flows, staff_shots
from tests.web.browser.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, LiveServer

DEMO_ORGAN = "demo"
SECRET = "screenshots-secret-key-not-for-production"
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Beijing
WIDTHS: dict[str, dict[str, Any]] = {
    "desktop": DESKTOP,
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
}


def demo_database(directory: Path) -> tuple[Settings, dict[str, str]]:
    """A migrated database with the demo organs, made by the same command as scripts/serve,
    and the workbench passwords it printed, by login name."""
    url = f"sqlite:///{directory / 'demo.db'}"
    env = {
        **os.environ,
        "GONGKAI_DATABASE_URL": url,
        "GONGKAI_SECRET_KEY": SECRET,
        "GONGKAI_STORAGE_DIR": str(directory / "storage"),
    }
    printed = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo"],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    passwords = dict(
        line.split()[:2] for line in printed.split("workbench /staff/login:", 1)[1].splitlines()[1:]
    )
    settings = Settings(
        database_url=url,
        secret_key=SECRET,  # type: ignore[arg-type]
        storage_dir=directory / "storage",
        letter_render_workers=0,
        audit_daily_checkpoint=False,
        audit_checkpoint_dir=directory / "audit",
    )
    return settings, passwords


def save(page: Any, out: Path, name: str, width: str) -> Path:
    path = out / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    return path


def walk(browser: Any, base: str, staff: Staff, out: Path, width: str) -> list[Path]:
    """Every page once at this width; returns the files written."""
    context = browser.new_context(
        base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai", **WIDTHS[width]
    )
    page = context.new_page()
    api = httpx.Client(base_url=base, timeout=30)
    written: list[Path] = []

    def shot(name: str, before: Callable[[], Any] | None = None) -> None:
        if before is not None:
            before()
        written.append(save(page, out, name, width))

    try:
        shot("home", lambda: page.goto("/"))
        shot("apply-organs", lambda: page.goto("/apply"))
        flows.open_form(page, "示例市人民政府办公室")
        shot("apply-form")
        flows.fill_person(page)
        flows.field(page, "证件号码").fill("110105199003071230")
        flows.fill_item(page)
        flows.fill_delivery(page)
        flows.button(page, "提交申请").click()
        page.get_by_role("alert").wait_for()
        shot("apply-form-errors")
        flows.fill_person(page)
        flows.fill_delivery(page)
        submitted = flows.submit_application(page)
        page.locator("summary", has_text="为什么是这一天").first.click()
        shot("apply-submitted")

        shot("query", lambda: page.goto("/query"))
        flows.look_up(page, submitted.number, "WRONG-CODE-0000")
        shot("query-wrong-code")
        flows.open_case(page, submitted.number, submitted.code)
        page.locator("summary", has_text="为什么是这一天").first.click()
        shot("case")

        asked = flows.api_application(api, DEMO_ORGAN)
        flows.staff_act(
            api,
            staff,
            asked.number,
            "request_correction",
            "clerk",
            items_to_correct=["请写明所需信息的文件名称、文号或形成时间"],
        )
        flows.open_case(page, asked.number, asked.code)
        shot("case-correction")

        flows.open_case(page, submitted.number, submitted.code)
        flows.link(page.get_by_role("main"), "撤回申请").or_(
            flows.button(page.get_by_role("main"), "撤回申请")
        ).first.click()
        shot("withdraw")
        flows.field(page, "撤回理由").fill("已通过其他途径获得该信息。")
        flows.button(page, "确认撤回").click()
        page.wait_for_url("**/query/case")
        shot("case-withdrawn")

        replied = flows.api_application(api, DEMO_ORGAN)
        case_id = flows.staff_case(api, staff, replied.number)["id"]
        reply_and_serve(api, staff, case_id, served_on="2026-03-02")
        flows.open_case(page, replied.number, replied.code)
        shot("case-replied")

        shot("not-found", lambda: page.goto("/no-such-page"))
    finally:
        api.close()
        context.close()
    return written


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings, passwords = demo_database(Path(tmp))
        rt = build_runtime(settings)
        clock = Clock(NOW)
        rt.clock = clock
        server = LiveServer(create_app(runtime=rt)).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    headless=True,
                    args=CHROMIUM_ARGS,
                )
                staff = Staff(rt, DEMO_ORGAN)
                for width in WIDTHS:
                    for path in walk(browser, server.url, staff, out, width):
                        print(f"{path}  {path.stat().st_size // 1024} KB")
                for path in staff_shots.walk(
                    browser, server.url, staff, clock, passwords, out, save
                ):
                    print(f"{path}  {path.stat().st_size // 1024} KB")
                browser.close()
        finally:
            server.stop()
            rt.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "docs" / "web")
