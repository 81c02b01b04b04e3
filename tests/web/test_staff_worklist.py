"""The worklist page: the organ's cases through the JSON list's service, by urgency, filtered."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, person, staff_case
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
NUMBER = re.compile(r'<a href="/staff/cases/(\d+)">([^<]+)</a>')
# "Today" for the list: Wednesday 15 April 2026.
TODAY = date(2026, 4, 15)


def _arrival_for_due(rt: Runtime, due: date) -> date:
    """The working day on which a case must arrive in person for its reply to fall due on
    `due` (20 working days, RULES §4), found with the service's own calendar."""
    day = due - timedelta(days=60)
    while rt.calendar.add_working_days(day, 20) != due or not rt.calendar.is_working_day(day):
        day += timedelta(days=1)
        assert day < due
    return day


def _register(client: TestClient, staff: Staff, arrived: date, name: str) -> dict[str, Any]:
    payload = staff_case(
        "in_person",
        arrived_at=f"{arrived.isoformat()}T10:00:00+08:00",
        applicant=person(name=name),
    )
    r = client.post(CASES, json=payload, headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def cases(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff
) -> dict[str, dict[str, Any]]:
    """org-a: one overdue, one due in 2 working days, one in 5, one in 10, one withdrawn;
    org-b: one overdue."""
    clock.set("2026-04-15T09:00+08:00")
    cal = runtime.calendar
    due = {
        "overdue": TODAY - timedelta(days=1),  # Tuesday: one working day late
        "due2": cal.add_working_days(TODAY, 2),
        "due5": cal.add_working_days(TODAY, 5),
        "due10": cal.add_working_days(TODAY, 10),
    }
    made = {}
    names = {"overdue": "王一", "due2": "王二", "due5": "王三", "due10": "王四"}
    for key in ("due10", "due5", "overdue", "due2"):  # registered out of order on purpose
        made[key] = _register(client, organ_a, _arrival_for_due(runtime, due[key]), names[key])
    withdrawn = _register(client, organ_a, date(2026, 3, 2), "王五")
    r = client.post(
        f"{CASES}/{withdrawn['id']}/actions/withdraw",
        json={"version": withdrawn["version"], "withdrawn_on": "2026-03-03"},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 200, r.text
    made["withdrawn"] = r.json()
    made["other_organ"] = _register(client, organ_b, date(2026, 3, 2), "李六")
    return made


@pytest.fixture
def clerk(client: TestClient, runtime: Runtime, cases: dict[str, Any]) -> TestClient:
    make_staff(runtime, "org-a", "clerk", login="clerk")
    return signed_in(client, "clerk")


def _numbers(html: str) -> list[str]:
    return [number for _id, number in NUMBER.findall(html)]


def _n(cases: dict[str, Any], *keys: str) -> list[str]:
    return [cases[k]["number"] for k in keys]


def test_the_worklist_lists_the_organs_open_cases_most_urgent_first(
    clerk: TestClient, cases: dict[str, Any]
) -> None:
    r = clerk.get("/staff/")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "<h1>工作清单</h1>" in r.text
    assert _numbers(r.text) == _n(cases, "overdue", "due2", "due5", "due10")
    # Another organ's case and the withdrawn one are not there.
    assert cases["other_organ"]["number"] not in r.text
    assert "案件（共 4 件）" in r.text
    for case in (cases["overdue"], cases["due2"]):
        assert f'href="/staff/cases/{case["id"]}"' in r.text


def test_each_row_says_how_urgent_it_is_in_words_not_only_colour(
    clerk: TestClient, cases: dict[str, Any]
) -> None:
    text = clerk.get("/staff/").text
    rows = text.split('<tr class="worklist-row')[1:]
    expected = [
        ("overdue", "已逾期 1 个工作日"),
        ("due-3", "剩 2 个工作日"),
        ("due-5", "剩 5 个工作日"),
        ("later", "剩 10 个工作日"),
    ]
    assert len(rows) == 4
    for row, (tone, words) in zip(rows, expected, strict=True):
        assert row.startswith(f" worklist-row--{tone}")
        assert f'<span class="tag due due--{tone}">{words}</span>' in row


def test_applicants_are_masked_exactly_as_the_json_list_masks_them(
    clerk: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    api = clerk.get(CASES, headers=organ_a.headers("clerk")).json()["items"]
    page = clerk.get("/staff/?scope=all").text
    assert {i["applicant_name"] for i in api} <= set(re.findall(r"<td>([^<]*)</td>", page))
    for full in ("王一", "王二", "王三", "王四", "王五"):
        assert full not in page
    assert all("*" in i["applicant_name"] for i in api)


def test_all_scope_adds_the_concluded_cases_after_the_open_ones(
    clerk: TestClient, cases: dict[str, Any]
) -> None:
    r = clerk.get("/staff/?scope=all")
    assert _numbers(r.text) == _n(cases, "overdue", "due2", "due5", "due10", "withdrawn")
    row = r.text.split('<tr class="worklist-row')[-1]
    assert "已撤回" in row
    assert "期限不在计算中" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=true", ["overdue"]),
        ("due_within=3", ["due2"]),
        ("due_within=5", ["due2", "due5"]),
        ("state=withdrawn&scope=all", ["withdrawn"]),
        ("state=received", ["overdue", "due2", "due5", "due10"]),
        ("channel=fax", []),
        ("channel=in_person&due_within=5", ["due2", "due5"]),
        # Received 16, 19, 24 and 31 March (and 2 March, the withdrawn one).
        ("received_from=2026-03-30", ["due10"]),
        ("received_to=2026-03-20&scope=all", ["overdue", "due2", "withdrawn"]),
        ("received_from=2026-03-17&received_to=2026-03-24", ["due2", "due5"]),
        ("queue=legal", []),
        ("consultation_lapsed=true", []),
        ("mail_failed=true", []),
        ("overdue=&due_within=&state=&channel=", ["overdue", "due2", "due5", "due10"]),
    ],
)
def test_filters_are_the_json_lists_filters(
    clerk: TestClient,
    organ_a: Staff,
    cases: dict[str, Any],
    query: str,
    expected: list[str],
) -> None:
    r = clerk.get(f"/staff/?{query}")
    assert r.status_code == 200, r.text[:1000]
    assert _numbers(r.text) == _n(cases, *expected)
    if not expected:
        assert "没有符合条件的案件" in r.text
    if "=&" in query:
        return  # blank fields are the form's way of saying "no filter"; the API wants none
    # The same numbers come from the API given the same parameters (scope=open is open_only).
    api_query = query.replace("scope=all", "").replace("&&", "&").strip("&")
    if "scope=all" not in query:
        api_query += "&open_only=true"
    api = clerk.get(f"{CASES}?{api_query}", headers=organ_a.headers("clerk"))
    assert api.status_code == 200, api.text
    assert [i["number"] for i in api.json()["items"]] == _n(cases, *expected)


def test_the_filter_form_shows_the_filters_in_force(clerk: TestClient) -> None:
    text = clerk.get("/staff/?overdue=true&channel=in_person&received_from=2026-03-01").text
    assert 'name="overdue" value="true" checked' in text
    assert '<option value="in_person" selected>' in text
    assert 'name="received_from" type="date" value="2026-03-01"' in text
    for label in (
        "状态",
        "渠道",
        "收到日期（起）",
        "收到日期（止）",
        "N 个工作日内到期",
        "只看已逾期",
    ):
        assert label in text


def test_pages_follow_one_another(clerk: TestClient, cases: dict[str, Any]) -> None:
    first = clerk.get("/staff/?page_size=3&overdue=")
    assert _numbers(first.text) == _n(cases, "overdue", "due2", "due5")
    assert "第 1 页，共 2 页" in first.text
    assert '<input type="hidden" name="page_size" value="3">' in first.text  # kept by filtering
    assert "上一页" not in first.text
    link = re.search(r'<a href="([^"]+)" rel="next">下一页</a>', first.text)
    assert link
    assert link.group(1) == "/staff/?page=2&amp;page_size=3"
    second = clerk.get("/staff/?page=2&page_size=3")
    assert _numbers(second.text) == _n(cases, "due10")
    assert '<a href="/staff/?page_size=3" rel="prev">上一页</a>' in second.text
    assert "下一页" not in second.text
    beyond = clerk.get("/staff/?page=9")
    assert beyond.status_code == 200
    assert "没有符合条件的案件" in beyond.text
    assert "回到第 1 页" in beyond.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("received_from=2026-13-45", "received_from"),
        ("received_to=yesterday", "received_to"),
        ("due_within=0", "due_within"),
        ("due_within=61", "due_within"),
        ("due_within=abc", "due_within"),
        ("state=%3Cscript%3E", "state.0"),
        ("channel=pigeon", "channel.0"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=100000", "page_size"),
        ("scope=everything", "scope"),
        ("queue=mine", "queue"),
        ("overdue=perhaps", "overdue"),
        ("received_from=" + "9" * 5000, "received_from"),
    ],
)
def test_a_bad_filter_is_named_beside_its_field_and_nothing_breaks(
    clerk: TestClient, query: str, field: str
) -> None:
    r = clerk.get(f"/staff/?{query}")
    assert r.status_code == 422, r.text[:500]
    message = re.search(r'<li><a href="#[^"]+">([^<]+)</a></li>', r.text)
    assert message
    assert re.search("[\u4e00-\u9fff]", message.group(1)), message.group(1)  # in Chinese
    assert 'role="alert"' in r.text
    assert f'href="#{field.replace(".", "-")}"' in r.text
    assert "筛选条件有误" in r.text
    assert "9" * 200 not in r.text


def test_an_organs_other_staff_see_their_own_cases_only(
    client: TestClient, runtime: Runtime, cases: dict[str, Any]
) -> None:
    make_staff(runtime, "org-b", "supervisor", login="boss-b")
    page = signed_in(client, "boss-b").get("/staff/")
    assert _numbers(page.text) == [cases["other_organ"]["number"]]


def test_a_role_the_json_list_refuses_is_refused_the_page(
    client: TestClient, runtime: Runtime, admin: dict[str, str], cases: dict[str, Any]
) -> None:
    make_staff(runtime, None, "admin", login="root")
    assert client.get(CASES, headers=admin).status_code == 403
    page = signed_in(client, "root").get("/staff/")
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert cases["overdue"]["number"] not in page.text


def test_the_workbench_layout_names_the_user_and_offers_sign_out(clerk: TestClient) -> None:
    text = clerk.get("/staff/").text
    assert "政府信息公开工作台" in text
    assert 'aria-current="page">工作台</a>' in text
    assert "clerk 用户" in text
    assert "org-a 示例区人民政府办公室" in text
    assert '<form method="post" action="/staff/logout"' in text
    assert "用户与密码" not in text  # not an administrator
    assert "/apply" not in text  # the portal's navigation is replaced
