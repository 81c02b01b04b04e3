"""The notices pages: one's own notices with mark-read and how one receives them
(/staff/me/notices), and the organ's texts with a preview (/staff/admin/notices, admins)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.notices.scan import deadline_warnings
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.notices.helpers import case_due, deliver, notices_of
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)


@pytest.fixture
def users(runtime: Runtime, organ_a: Staff) -> dict[str, int]:
    return {
        "root": make_staff(runtime, None, "admin", login="root"),
        "clerk": make_staff(runtime, "org-a", "clerk", login="clerk", name="承办人 李明"),
    }


def test_my_notices_list_mark_read_and_preferences(
    client: TestClient, runtime: Runtime, clock: Clock, users: dict[str, int]
) -> None:
    case_due(client, runtime, "2026-11-13")
    clock.set("2026-11-06T09:00+08:00")
    deadline_warnings(runtime, clock())
    deliver(runtime)
    (n,) = notices_of(runtime, users["clerk"])
    c = signed_in(client, "clerk")
    page = c.get("/staff/me/notices")
    assert page.status_code == 200
    assert "未读 1 条" in page.text
    assert n.subject in page.text
    assert 'href="/staff/me/notices"' in page.text  # in the menu
    board = c.get("/staff/dashboard")
    assert "我的提醒" in board.text
    assert n.subject in board.text
    token = csrf(c, "/staff/me/notices")
    r = c.post(f"/staff/me/notices/{n.id}/read", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "未读 0 条" in c.get("/staff/me/notices").text
    # E-mail without an address: the form says so; with one: saved.
    form = {"csrf_token": token, "warnings": "email", "digest": "none", "calendar": "in_app"}
    bad = c.post("/staff/me/notices/preferences", data=form)
    assert bad.status_code == 422
    assert "选择电子邮件须填写邮箱" in bad.text
    ok = c.post(
        "/staff/me/notices/preferences",
        data=form | {"email": "li@example.gov.cn"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    api = client.get("/staff/me/notices")
    assert 'value="li@example.gov.cn"' in api.text


def test_admins_edit_and_preview_an_organs_text(
    client: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    root = signed_in(client, "root")
    chooser = root.get("/staff/admin/notices")
    assert chooser.status_code == 200
    assert "/staff/admin/notices?organ=org-a" in chooser.text
    page = root.get("/staff/admin/notices/due_soon?organ=org-a")
    assert page.status_code == 200
    assert "默认文本" in page.text
    token = csrf(root, "/staff/admin/notices/due_soon?organ=org-a")
    path = "/staff/admin/notices/due_soon?organ=org-a"
    shown = root.post(
        path,
        data={
            "csrf_token": token,
            "subject": "{{ case.number }}",
            "body": "剩 {{ remaining_wd }} 日",
            "action": "preview",
        },
    )
    assert shown.status_code == 200
    assert "剩 5 日" in shown.text
    refused = root.post(
        path,
        data={
            "csrf_token": token,
            "subject": "x",
            "body": "{{ ''.__class__ }}",
            "action": "preview",
        },
    )
    assert refused.status_code == 422
    assert "模板无法渲染" in refused.text
    saved = root.post(
        path,
        data={
            "csrf_token": token,
            "subject": "请办理 {{ case.number }}",
            "body": "{{ due }}",
            "action": "save",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    after = root.get(saved.headers["location"])
    assert "本机关文本" in after.text
    assert "请办理 {{ case.number }}" in after.text


def test_the_texts_page_is_for_admins_only(
    client: TestClient, runtime: Runtime, users: dict[str, int]
) -> None:
    c = signed_in(client, "clerk")
    assert c.get("/staff/admin/notices").status_code == 403
    assert 'href="/staff/admin/notices"' not in c.get("/staff/me/notices").text
