"""The workbench's pages for the screenshots (tests.web.browser.shots): a few cases registered
at earlier days so the worklist shows overdue and due-soon rows, then each demo role signs in
and its pages are shot, the worklist and the case page at phone width too."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Staff
from tests.fixtures.factories import Clock, person, staff_case

NOW = "2026-03-02T10:00+08:00"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
# (arrival, channel, applicant): overdue, due within 3 and 5 working days, and fresh cases.
CASES = [
    ("2026-01-16T09:30+08:00", "fax", "王建国"),
    ("2026-01-26T14:00+08:00", "in_person", "刘芳"),
    ("2026-02-03T10:00+08:00", "fax", "陈立"),
    ("2026-02-06T10:00+08:00", "in_person", "赵敏"),
    ("2026-02-27T11:00+08:00", "fax", "孙伟"),
    ("2026-03-02T09:00+08:00", "in_person", "周婷"),
]

Save = Callable[[Any, Path, str, str], Path]


def _register(api: httpx.Client, staff: Staff, clock: Clock) -> list[dict[str, Any]]:
    made = []
    for arrived, channel, name in CASES:
        clock.set(arrived)
        body = staff_case(channel, arrived_at=arrived, applicant=person(name=name))
        r = api.post("/api/v1/cases", json=body, headers=staff.headers("clerk"))
        assert r.status_code == 201, r.text
        made.append(r.json())
    clock.set(NOW)
    return made


def _sign_in(page: Any, login: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/staff/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def walk(
    browser: Any,
    base: str,
    staff: Staff,
    clock: Clock,
    passwords: dict[str, str],
    out: Path,
    save: Save,
) -> Iterable[Path]:
    """Shoot every workbench page type; yields the files written."""
    with httpx.Client(base_url=base, timeout=60) as api:
        cases = _register(api, staff, clock)
    late = cases[1]  # registered in person: its clock runs (a fax awaits confirmation)
    for width, options in (
        ("desktop", {"viewport": {"width": 1280, "height": 900}}),
        ("phone", PHONE),
    ):
        context = browser.new_context(
            base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai", **options
        )
        page = context.new_page()
        try:
            if width == "phone":
                _sign_in(page, "clerk", passwords["clerk"])
                page.goto("/staff/")
                yield save(page, out, "staff-worklist", width)
                page.goto(f"/staff/cases/{late['id']}")
                yield save(page, out, "staff-case", width)
                continue
            page.goto("/staff/login")
            yield save(page, out, "staff-login", width)
            _sign_in(page, "clerk", passwords["clerk"])
            page.goto("/staff/")
            yield save(page, out, "staff-worklist", width)
            page.goto("/staff/?overdue=true")
            yield save(page, out, "staff-worklist-overdue", width)
            page.goto(f"/staff/cases/{late['id']}")
            yield save(page, out, "staff-case", width)
            page.goto(f"/staff/cases/{cases[-1]['id']}")
            action = page.get_by_role("link", name="通知补正")
            action.or_(page.get_by_role("button", name="通知补正")).first.click()
            yield save(page, out, "staff-action", width)
            page.get_by_label("需补正事项").first.fill("请写明所需信息的文件名称或文号")
            page.get_by_role("button", name="预览文书").click()
            page.wait_for_load_state()
            yield save(page, out, "staff-action-preview", width)
            page.goto("/staff/ledger")
            yield save(page, out, "staff-ledger", width)
            for login, pages in (
                ("supervisor", [("/staff/dashboard", "staff-dashboard")]),
                (
                    "front_desk",
                    [
                        ("/staff/register", "staff-register"),
                        ("/staff/print", "staff-print"),
                        ("/staff/service", "staff-service"),
                    ],
                ),
                ("legal", [("/staff/legal", "staff-legal")]),
                (
                    "approver",
                    [
                        ("/staff/approvals", "staff-approvals"),
                        ("/staff/reports/2026", "staff-reports"),
                    ],
                ),
                (
                    "admin",
                    [
                        ("/staff/admin/users", "staff-admin-users"),
                        ("/staff/admin/organs", "staff-admin-organs"),
                        ("/staff/admin/calendar/2026", "staff-admin-calendar"),
                        ("/staff/admin/workflow/foi_application", "staff-admin-workflow"),
                    ],
                ),
            ):
                _sign_in(page, login, passwords[login])
                for path, name in pages:
                    response = page.goto(path)
                    if response is not None and response.status == 200:
                        yield save(page, out, name, width)
        finally:
            context.close()
