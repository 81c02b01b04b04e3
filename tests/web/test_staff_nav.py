"""The workbench's navigation shows a user exactly the pages their roles open."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from app.web.staff import nav
from tests.conftest import Staff
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

NAV = re.compile(r'<nav class="site-nav staff-nav".*?</nav>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)"')
ROLES = ["clerk", "front_desk", "legal", "approver", "supervisor", "admin"]


def _links(page: str) -> list[str]:
    found = NAV.search(page)
    assert found, page[:1000]
    return LINK.findall(found.group(0))


@pytest.mark.parametrize("role", ROLES)
def test_a_role_sees_the_links_it_may_follow_and_no_other(
    client: TestClient, runtime: Runtime, organ_a: Staff, role: str
) -> None:
    organ = None if role == "admin" else "org-a"
    make_staff(runtime, organ, role, login=f"u-{role}")
    signed_in(client, f"u-{role}")
    start = "/staff/admin/workflow"  # every member of staff may open it
    shown = _links(client.get(start).text)
    assert start in shown
    for path in {link.path for link in nav._LINKS.values()}:
        r = client.get(path, follow_redirects=False)
        if path in shown:
            assert r.status_code in (200, 303), (role, path, r.status_code)
        else:
            assert r.status_code == 403, (role, path, r.status_code)


def test_the_current_page_is_marked(client: TestClient, runtime: Runtime, organ_a: Staff) -> None:
    make_staff(runtime, "org-a", "clerk", "front_desk", login="desk")
    signed_in(client, "desk")
    page = client.get("/staff/print").text
    assert '<a href="/staff/print" aria-current="page">' in page
    assert '<a href="/staff/" aria-current="page">' not in page  # exact: not every /staff/ page
    assert '<a href="/staff/" aria-current="page">' in client.get("/staff/").text


def test_a_platform_administrator_chooses_the_organ_of_the_dashboard(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    make_staff(runtime, None, "admin", login="root")
    signed_in(client, "root")
    chooser = client.get("/staff/dashboard")
    assert chooser.status_code == 200
    assert '<a href="/staff/dashboard?organ=org-a">' in chooser.text
    board = client.get("/staff/dashboard?organ=org-a")
    assert board.status_code == 200
    assert 'href="/staff/?' not in board.text  # the worklist is not an administrator's page
    assert client.get("/staff/dashboard?organ=nowhere").status_code == 404
