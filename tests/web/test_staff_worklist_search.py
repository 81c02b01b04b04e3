"""The worklist's search box and the per-clerk lists the dashboard links to."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.cases import repository as cases_repo
from app.runtime import Runtime
from tests.conftest import Staff
from tests.dashboard.helpers import act, named_user, register, submit
from tests.fixtures.factories import Clock, person, staff_case
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
NUMBER = re.compile(r'<a href="/staff/cases/(\d+)">([^<]+)</a>')


def _numbers(html: str) -> list[str]:
    return sorted(number for _id, number in NUMBER.findall(html))


@pytest.fixture
def cases(client: TestClient, organ_a: Staff, organ_b: Staff) -> dict[str, dict[str, Any]]:
    made = {}
    for key, staff, name in (
        ("wang", organ_a, "王小明"),
        ("percent", organ_a, "赵%_"),
        ("other", organ_b, "王小明"),
    ):
        payload = staff_case(applicant=person(name=name))
        r = client.post(CASES, json=payload, headers=staff.headers("clerk"))
        assert r.status_code == 201, r.text
        made[key] = r.json()
    return made


def _as(client: TestClient, runtime: Runtime, role: str) -> TestClient:
    make_staff(runtime, "org-a", role, login=f"u-{role}")
    return signed_in(client, f"u-{role}")


def test_a_clerk_finds_a_case_by_number_part_or_name(
    client: TestClient, runtime: Runtime, cases: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk")
    number = cases["wang"]["number"]
    page = clerk.get("/staff/", params={"q": number})
    assert page.status_code == 200
    assert _numbers(page.text) == [number]
    assert "案件（共 1 件）" in page.text
    # The search box keeps what was typed, and says names are searched.
    assert f'value="{number}"' in page.text
    assert "搜索登记编号、申请人、申请内容或文书" in page.text
    ours = sorted([cases["wang"]["number"], cases["percent"]["number"]])
    assert _numbers(clerk.get("/staff/", params={"q": number[:4].upper()}).text) == ours
    assert _numbers(clerk.get("/staff/", params={"q": "小明"}).text) == [number]
    # Punctuation is not searched: "赵%_" is the name "赵", one character, no bigram.
    assert _numbers(clerk.get("/staff/", params={"q": "%"}).text) == []
    # Part of the items the applicant asked for (every case here asks for the same).
    assert _numbers(clerk.get("/staff/", params={"q": "老旧小区"}).text) == ours
    # Another organ's 王小明 is never found.
    assert cases["other"]["number"] not in clerk.get("/staff/", params={"q": "王小明"}).text


def test_a_supervisor_cannot_search_names_and_the_page_says_so(
    client: TestClient, runtime: Runtime, cases: dict[str, Any]
) -> None:
    boss = _as(client, runtime, "supervisor")
    page = boss.get("/staff/", params={"q": "小明"})
    assert page.status_code == 200
    assert _numbers(page.text) == []
    assert "您的角色不能按申请人姓名或证件号码搜索" in page.text
    number = cases["wang"]["number"]
    assert _numbers(boss.get("/staff/", params={"q": number}).text) == [number]


def test_a_search_text_too_long_is_an_error_beside_the_box_not_a_500(
    client: TestClient, runtime: Runtime, cases: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk")
    page = clerk.get("/staff/", params={"q": "王" * 51})
    assert page.status_code == 422
    assert '<a href="#q">搜索内容请不超过 50 个字</a>' in page.text
    assert "筛选条件有误" in page.text
    assert _numbers(page.text) == []
    # Fifty is allowed, and blank is no search.
    assert clerk.get("/staff/", params={"q": "王" * 50}).status_code == 200
    blank = clerk.get("/staff/", params={"q": "   "})
    assert _numbers(blank.text) == sorted([cases["wang"]["number"], cases["percent"]["number"]])


def test_the_search_is_kept_across_pages(
    client: TestClient, runtime: Runtime, cases: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk")
    page = clerk.get("/staff/", params={"q": "org-a", "page_size": "1"})
    nxt = re.search(r'<a href="([^"]+)" rel="next">', page.text)
    assert nxt
    assert ("q", "org-a") in parse_qsl(urlsplit(nxt.group(1).replace("&amp;", "&")).query)


@pytest.mark.parametrize("value", ["0", "abc", str(2**31)])
def test_a_bad_actor_is_an_error_not_a_500(
    client: TestClient, runtime: Runtime, cases: dict[str, Any], value: str
) -> None:
    page = _as(client, runtime, "clerk").get("/staff/", params={"actor": value})
    assert page.status_code == 422
    assert 'href="#actor"' in page.text


def _claimed(client: TestClient, clerk: dict[str, str], case: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/api/v1/cases/{case['id']}/claim", headers=clerk)
    assert r.status_code == 200, r.text
    return {**case, "version": r.json()["version"]}


def test_the_dashboards_per_clerk_figures_open_lists_of_that_many_cases(
    client: TestClient, runtime: Runtime, organ_a: Staff, clock: Clock
) -> None:
    """王 registered and claimed an overdue case, one due today and one due on the 6th working
    day; 李 the 3rd-, 4th- and 5th-WD ones (the dashboard tests' calendar around National Day
    2026); 李 also took a step on 王's overdue case, which stays 王's. Each figure of the
    per-staff table links to a worklist whose total is the figure, on the page and through the
    JSON list."""
    clock.set("2026-09-30T10:00+08:00")
    admin = organ_a.headers("admin")
    wang = named_user(client, admin, "org-a", "王承办", "clerk")
    li = named_user(client, admin, "org-a", "李承办", "clerk")
    late = _claimed(client, wang, register(client, wang, "2026-09-01"))
    _claimed(client, wang, register(client, wang, "2026-09-02"))
    _claimed(client, wang, register(client, wang, "2026-09-10"))
    for received in ("2026-09-07", "2026-09-08", "2026-09-09"):
        _claimed(client, li, register(client, li, received))
    submit(client, li, late)  # 李 drafts the reply to 王's overdue case: still 王's case
    gone = register(client, wang, "2026-09-01")
    act(client, wang, gone, "withdraw", withdrawn_on="2026-09-30")

    body = client.get("/api/v1/dashboard", headers=organ_a.headers("supervisor")).json()
    rows = {s["name"]: s for s in body["staff"]}
    assert {n: (r["open_cases"], r["overdue"], r["due_within_5"]) for n, r in rows.items()} == {
        "王承办": (3, 1, 1),
        "李承办": (3, 0, 3),
    }
    boss = _as(client, runtime, "supervisor")
    page = boss.get("/staff/dashboard")
    assert page.status_code == 200
    found = re.findall(r'<a href="(/staff/\?[^"]*assignee=[^"]+)"', page.text)
    links = [h.replace("&amp;", "&") for h in found]
    assert len(links) == 6
    for row in rows.values():
        for figure, key in (
            ("open_cases", "open_cases_href"),
            ("overdue", "overdue_href"),
            ("due_within_5", "due_within_5_href"),
        ):
            href = row[key]
            assert ("assignee", str(row["user_id"])) in parse_qsl(urlsplit(href).query)
            api_total = client.get(href, headers=organ_a.headers("supervisor")).json()["total"]
            assert api_total == row[figure], (row["name"], figure)
            link = "/staff/?" + urlsplit(href).query + "&scope=all"
            assert link in links
            listed = boss.get(link)
            assert listed.status_code == 200
            assert f"案件（共 {row[figure]} 件）" in listed.text
            assert len(NUMBER.findall(listed.text)) == row[figure]


def test_a_search_counted_past_its_cap_says_so(
    client: TestClient, runtime: Runtime, cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_repo, "SEARCH_COUNT_CAP", 1)
    page = _as(client, runtime, "clerk").get("/staff/", params={"q": "老旧小区"})
    assert page.status_code == 200
    assert "案件（共 1+ 件）" in page.text
    assert len(_numbers(page.text)) == 1
