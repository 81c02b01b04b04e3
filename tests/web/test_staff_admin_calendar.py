"""The calendar pages (/staff/admin/calendar): the month grid, loading a year through the
service the JSON PUT uses, the recompute's result, errors beside the field, admins only."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import escape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.calendar.data import NOTICE_2027_YAML, notice_2027
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PAGE = "/staff/admin/calendar"


@pytest.fixture
def root(client: TestClient, runtime: Runtime) -> TestClient:
    make_staff(runtime, None, "admin", login="root", name="平台管理员")
    return signed_in(client, "root")


def _cell(html: str, day: str) -> str:
    found = re.search(rf'<td class="cal-day[^"]*"><time datetime="{day}">.*?</td>', html, re.S)
    assert found, day
    return found.group(0)


def _save(client: TestClient, year: int | str, text: str) -> Any:
    path = f"{PAGE}/{year}"
    return client.post(path, data={"csrf_token": csrf(client, PAGE), "data": text})


def test_the_years_are_listed_with_their_notices(root: TestClient) -> None:
    r = root.get(PAGE)
    assert r.status_code == 200, r.text
    assert '<a href="/staff/admin/calendar/2026">2026 年</a>' in r.text
    assert "国办发明电〔2025〕7号" in r.text
    assert '<a href="/staff/admin/calendar/2027">载入 2027 年的放假安排</a>' in r.text
    assert 'href="/staff/admin/calendar" aria-current="page"' in r.text


def test_a_year_is_a_month_grid_marking_days_off_and_make_up_days_in_words(
    root: TestClient, client: TestClient, admin: dict[str, str]
) -> None:
    r = root.get(f"{PAGE}/2026")
    assert r.status_code == 200, r.text
    api = client.get("/api/v1/calendar/2026", headers=admin).json()
    assert api["data"]["reference"] in r.text
    assert api["data"]["title"] in r.text
    assert "2025年11月4日" in r.text
    assert r.text.count('<table class="calendar-month">') == 12
    assert "<caption>1 月" in r.text
    assert "<caption>12 月" in r.text
    # Legend, and every marked day says what it is in text, not colour only.
    assert "法定节假日/休息日" in r.text
    assert "调休上班日" in r.text
    newyear = _cell(r.text, "2026-01-01")
    assert ">休</span>" in newyear
    assert "法定节假日/休息日（元旦）" in newyear
    makeup = _cell(r.text, "2026-01-04")  # a Sunday worked for 元旦
    assert ">班</span>" in makeup
    assert "调休上班日（元旦）" in makeup
    plain = _cell(r.text, "2026-01-05")
    assert "cal-mark" not in plain
    assert "cal-day--workday" in plain
    assert "cal-day--weekend" in _cell(r.text, "2026-01-10")
    # Every day off and make-up day of the API's data is marked, and no other.
    marked_off = re.findall(
        r'datetime="(\d{4}-\d\d-\d\d)">\d+</time><span class="cal-mark cal-mark--off', r.text
    )
    marked_makeup = re.findall(
        r'datetime="(\d{4}-\d\d-\d\d)">\d+</time><span class="cal-mark cal-mark--makeup', r.text
    )
    assert sorted(marked_makeup) == [m["date"] for m in api["data"]["makeup_days"]]
    declared = []
    for entry in api["data"]["days_off"]:
        first = date.fromisoformat(entry.get("from", entry.get("date")))
        last = date.fromisoformat(entry.get("to", entry.get("date")))
        declared += [str(first + timedelta(days=n)) for n in range((last - first).days + 1)]
    assert sorted(marked_off) == sorted(declared)
    # The week starts on Monday: 2026-01-01 is a Thursday, so three blank cells precede it.
    january = r.text.split("<caption>1 月", 1)[1].split("</table>", 1)[0]
    first_week = january.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert first_week.count('<td class="cal-empty">') == 3
    # The edit form is prefilled with the year in the YAML file's shape.
    assert "reference: 国办发明电〔2025〕7号" in r.text
    assert "- {name: 元旦, from: 2026-01-01, to: 2026-01-03}" in r.text


def test_a_year_without_data_says_deadlines_are_provisional_and_offers_a_form(
    root: TestClient,
) -> None:
    r = root.get(f"{PAGE}/2027")
    assert r.status_code == 200
    assert "尚无 2027 年的放假安排数据" in r.text
    assert "暂定" in r.text
    assert "year: 2027" in r.text
    assert "calendar-month" not in r.text


def test_loading_a_year_recomputes_open_cases_and_shows_how_many_moved(
    client: TestClient,
    runtime: Runtime,
    admin: dict[str, str],
    organ_a: Staff,
    clock: Clock,
    app: FastAPI,
) -> None:
    clock.set("2026-12-15T10:00+08:00")
    make_staff(runtime, None, "admin", login="root")
    root = signed_in(TestClient(app), "root")
    submitted = client.post("/api/v1/applications", json=application())
    assert submitted.status_code == 201, submitted.text
    case_id = submitted.json()["id"]

    r = _save(root, 2027, NOTICE_2027_YAML)
    assert r.status_code == 200, r.text
    assert "已保存 2027 年的放假安排" in r.text
    assert "检查 1 件，其中 <strong>1 件</strong>期限有变动" in r.text
    assert "calendar 2027 loaded" in r.text
    assert ">班</span>" in _cell(r.text, "2027-01-31")

    # Written through the service: the JSON API reads the same, and the case's deadline moved.
    api = client.get("/api/v1/calendar/2027", headers=admin)
    assert api.status_code == 200
    assert api.json()["source"] == "admin"
    assert api.json()["data"] == notice_2027()
    case = client.get(f"/api/v1/cases/{case_id}", headers=organ_a.headers("clerk")).json()
    reply = next(d for d in case["deadlines"] if d["name"] == "reply")
    assert reply["provisional"] is False

    again = _save(root, 2027, NOTICE_2027_YAML)
    assert again.status_code == 200
    assert "内容与已保存的数据相同，未作改动" in again.text
    listed = root.get(PAGE)
    assert "测试数据〔2026〕1号（非官方）" in listed.text
    assert "管理员载入" in listed.text


def test_the_form_takes_the_json_body_too(root: TestClient, client: TestClient) -> None:
    r = _save(root, 2027, json.dumps(notice_2027(), ensure_ascii=False))
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/calendar/2027").json()["data"] == notice_2027()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "请填写该年的放假安排"),
        ("year: [2027", "格式有误，第"),
        ("- just a list", "内容应为 year"),
        (
            NOTICE_2027_YAML.replace("year: 2027", "year: 2028"),
            "路径中的年份 2027 与内容中的年份 2028 不一致",
        ),
        (
            NOTICE_2027_YAML.replace("published: 2026-11-05", "published: 2026-13-05"),
            "日期或数值无效",
        ),
        (
            NOTICE_2027_YAML.replace(
                "{date: 2027-01-31, for: 春节}", "{date: 2027-02-01, for: 春节}"
            ),
            "放假安排数据有误",
        ),
        (NOTICE_2027_YAML + "colour: red\n", "colour"),
        ("a: &x [1, 2]\nb: *x\n", "不支持别名"),
        ("x" * 20_001, "内容过长"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(
    root: TestClient, client: TestClient, text: str, says: str
) -> None:
    r = _save(root, 2027, text)
    assert r.status_code == 422, r.text[:300]
    error = re.search(r'<p class="field-error" id="data-error">(.*?)</p>', r.text, re.S)
    assert error, r.text[:3000]
    assert says in error.group(1)
    assert 'aria-invalid="true"' in r.text
    assert "提交未成功" in r.text
    assert client.get("/api/v1/calendar/2027").status_code == 404
    if len(text) < 20_000:
        assert escape(text.splitlines()[0], quote=False) in r.text if text else True  # kept


def test_other_roles_are_refused_as_by_the_api(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    make_staff(runtime, "org-a", "clerk", "supervisor", "approver", login="boss")
    signed_in(client, "boss")
    for path in (PAGE, f"{PAGE}/2026", f"{PAGE}/2027"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert r.headers["content-type"].startswith("text/html")
    r = client.post(
        f"{PAGE}/2027", data={"csrf_token": csrf(client, "/staff/"), "data": NOTICE_2027_YAML}
    )
    assert r.status_code == 403
    api = client.put(
        "/api/v1/calendar/2027", json=notice_2027(), headers=organ_a.headers("supervisor")
    )
    assert api.status_code == 403
    assert client.get("/api/v1/calendar/2027").status_code == 404


def test_saving_needs_the_form_token(root: TestClient, client: TestClient) -> None:
    r = root.post(f"{PAGE}/2027", data={"data": NOTICE_2027_YAML})
    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert client.get("/api/v1/calendar/2027").status_code == 404


@pytest.mark.parametrize("year", ["abc", "0", "10000", "-5", "1" * 40, "2026.5"])
def test_a_junk_year_is_a_page_not_a_crash(root: TestClient, year: str) -> None:
    r = root.get(f"{PAGE}/{year}")
    assert r.status_code in (400, 404, 422), r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    r = _save(root, year, NOTICE_2027_YAML)
    assert r.status_code in (400, 404, 422)


@pytest.mark.parametrize("year", [1, 9999])
def test_the_first_and_last_years_render(root: TestClient, year: int) -> None:
    r = root.get(f"{PAGE}/{year}")
    assert r.status_code == 200
    text = f"year: {year}\nreference: 测试\ntitle: 测试\n"
    saved = _save(root, year, text)
    assert saved.status_code == 200, saved.text[:2000]
    assert saved.text.count('<table class="calendar-month">') == 12
