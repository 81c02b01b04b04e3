"""The calendar API: reading a year, loading one as admin, and working-day arithmetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from tests.calendar.data import notice_2027
from tests.conftest import Staff

CAL = "/api/v1/calendar"


def _shipped(year: int) -> dict[str, Any]:
    text = (Path(PROJECT_ROOT) / "workflows" / "calendar" / f"{year}.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _iso(value: Any) -> Any:
    # YAML gives dates; the API gives ISO strings.
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_shipped_year_is_returned_as_in_its_yaml_file(client: TestClient) -> None:
    r = client.get(f"{CAL}/2026")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2026
    assert body["source"] == "shipped"
    assert body["updated_by_id"] is None
    assert body["updated_at"] is not None
    assert len(body["version"]) == 12
    assert body["calendar_version"] == client.get(f"{CAL}/2019").json()["calendar_version"]
    assert body["data"] == _iso(_shipped(2026))
    assert body["data"]["reference"] == "国办发明电〔2025〕7号"
    assert {"date": "2026-09-20", "for": "国庆节"} in body["data"]["makeup_days"]


def test_year_without_data_is_404_saying_deadlines_are_provisional(client: TestClient) -> None:
    r = client.get(f"{CAL}/2031")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "not-found"
    assert body["year"] == 2031
    assert body["provisional"] is True
    assert "computed provisionally with weekends only" in body["detail"]
    assert "暂按周一至周五" in body["detail"]


@pytest.mark.parametrize("year", ["0", "10000", "abc"])
def test_year_outside_1_to_9999_is_422(client: TestClient, year: str) -> None:
    r = client.get(f"{CAL}/{year}")
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["path", "year"]


def test_admin_loads_a_new_year_and_reads_it_back(
    client: TestClient, admin: dict[str, str]
) -> None:
    before = client.get(f"{CAL}/2026").json()["calendar_version"]
    r = client.put(f"{CAL}/2027", json=notice_2027(), headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "admin"
    assert body["changed"] is True
    assert body["recompute"]["reason"] == "calendar 2027 loaded"
    assert body["recompute"]["cases_scanned"] == 0
    assert body["recompute"]["cases_moved"] == 0
    got = client.get(f"{CAL}/2027").json()
    assert got["data"] == notice_2027()
    assert got["source"] == "admin"
    assert got["updated_by_id"] == body["updated_by_id"] is not None
    assert got["version"] == body["version"]
    assert got["calendar_version"] == body["calendar_version"] != before
    assert client.get(f"{CAL}/2026").json()["calendar_version"] == body["calendar_version"]


def test_putting_the_same_data_again_changes_nothing(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = client.put(f"{CAL}/2027", json=notice_2027(), headers=admin).json()
    again = client.put(f"{CAL}/2027", json=notice_2027(), headers=admin)
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert again.json()["recompute"] is None
    assert again.json()["updated_at"] == first["updated_at"]
    assert again.json()["version"] == first["version"]


def test_changing_an_existing_year_says_changed(client: TestClient, admin: dict[str, str]) -> None:
    data = _iso(_shipped(2026))
    data["days_off"].append({"name": "测试假日", "date": "2026-12-31"})
    r = client.put(f"{CAL}/2026", json=data, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["recompute"]["reason"] == "calendar 2026 changed"
    assert r.json()["source"] == "admin"
    days = client.get(f"{CAL}/working-days", params={"from": "2026-12-30", "days": 1}).json()
    assert days["due_date"] == "2027-01-01"  # 12-31 is now a day off; 2027 has no data yet


def _refused(client: TestClient, admin: dict[str, str], year: int, body: Any) -> dict[str, Any]:
    r = client.put(f"{CAL}/{year}", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    # Nothing was stored.
    assert client.get(f"{CAL}/2027").status_code == 404
    problem: dict[str, Any] = r.json()
    return problem


def test_day_off_outside_the_year_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = notice_2027(days_off=[{"name": "元旦", "from": "2026-12-31", "to": "2027-01-02"}])
    problem = _refused(client, admin, 2027, body)
    assert "day off 2026-12-31 is outside the year 2027" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body"]


def test_make_up_day_outside_the_year_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = notice_2027(makeup_days=[{"date": "2028-01-02", "for": "元旦"}])
    problem = _refused(client, admin, 2027, body)
    assert "make-up working day 2028-01-02 is outside the year 2027" in problem["detail"]


def test_date_both_off_and_make_up_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = notice_2027(makeup_days=[{"date": "2027-01-02", "for": "元旦"}])
    problem = _refused(client, admin, 2027, body)
    assert "2027-01-02 is both a day off and a make-up day" in problem["detail"]


def test_make_up_day_on_a_weekday_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = notice_2027(makeup_days=[{"date": "2027-02-01", "for": "春节"}])
    problem = _refused(client, admin, 2027, body)
    assert "make-up working day 2027-02-01 is a Mon" in problem["detail"]
    assert "only a Saturday or Sunday" in problem["detail"]


def test_path_year_must_equal_body_year(client: TestClient, admin: dict[str, str]) -> None:
    r = client.put(f"{CAL}/2028", json=notice_2027(), headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "year"]
    assert "the path says 2028 but the body says 2027" in r.json()["detail"]
    assert client.get(f"{CAL}/2028").status_code == 404


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        ({"year": "2027"}, ["body", "year"]),
        ({"published": "2026/11/05"}, ["body", "published"]),
        ({"makeup_days": [{"date": "2027-01-31"}]}, ["body", "makeup_days", 0, "for"]),
        ({"unknown": 1}, ["body", "unknown"]),
        ({"title": ""}, ["body", "title"]),
    ],
)
def test_malformed_body_is_422_naming_the_field(
    client: TestClient, admin: dict[str, str], override: dict[str, Any], loc: list[Any]
) -> None:
    r = client.put(f"{CAL}/2027", json=notice_2027(**override), headers=admin)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [loc]


def test_only_an_admin_may_load_a_year(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    clerk = client.put(f"{CAL}/2027", json=notice_2027(), headers=organ_a.headers("clerk"))
    assert clerk.status_code == 403
    assert clerk.json()["required_roles"] == ["admin"]
    anonymous = client.put(f"{CAL}/2027", json=notice_2027())
    assert anonymous.status_code == 401
    assert client.get(f"{CAL}/2027").status_code == 404


def _days(client: TestClient, start: str, n: int) -> dict[str, Any]:
    r = client.get(f"{CAL}/working-days", params={"from": start, "days": n})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_working_days_rules_example_counts_the_sunday_make_up_day(client: TestClient) -> None:
    body = _days(client, "2026-09-18", 20)
    assert body["from"] == "2026-09-18"
    assert body["days"] == 20
    assert body["due_date"] == "2026-10-22"
    assert body["provisional"] is False
    assert {"date": "2026-09-20", "name": "国庆节"} in body["makeup_days_counted"]
    assert {"date": "2026-10-10", "name": "国庆节"} in body["makeup_days_counted"]
    assert [d["date"] for d in body["days_off_skipped"]] == [
        "2026-09-25",
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ]
    assert body["years_used"] == [
        {"year": 2026, "reference": "国办发明电〔2025〕7号", "provisional": False}
    ]
    assert "2026-10-22" in body["explanation"]


def test_working_days_rules_example_correction_notice_after_spring_festival(
    client: TestClient,
) -> None:
    body = _days(client, "2026-02-10", 7)
    assert body["due_date"] == "2026-02-26"
    assert body["provisional"] is False
    assert {"date": "2026-02-14", "name": "春节"} in body["makeup_days_counted"]


def test_working_days_into_a_year_without_data_is_provisional(client: TestClient) -> None:
    body = _days(client, "2026-12-15", 20)
    assert body["due_date"] == "2027-01-12"  # 2027-01-01 counted as an ordinary Friday
    assert body["provisional"] is True
    assert body["years_used"] == [
        {"year": 2026, "reference": "国办发明电〔2025〕7号", "provisional": False},
        {"year": 2027, "reference": None, "provisional": True},
    ]
    assert "Provisional: holiday data for 2027 is not loaded." in body["explanation"]
    assert "该期限为暂定" in body["explanation"]


def test_working_days_follow_a_newly_loaded_year_at_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert client.put(f"{CAL}/2027", json=notice_2027(), headers=admin).status_code == 200
    body = _days(client, "2026-12-15", 20)
    assert body["due_date"] == "2027-01-13"
    assert body["provisional"] is False
    assert {"date": "2027-01-01", "name": "元旦"} in body["days_off_skipped"]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"from": "2026-09-18", "days": 0}, ["query", "days"]),
        ({"from": "2026-09-18", "days": 1001}, ["query", "days"]),
        ({"from": "2026-09-18", "days": "x"}, ["query", "days"]),
        ({"from": "2026-09-18"}, ["query", "days"]),
        ({"days": 5}, ["query", "from"]),
        ({"from": "2026-9-18", "days": 5}, ["query", "from"]),
        ({"from": "20260918", "days": 5}, ["query", "from"]),
        ({"from": "2026-02-30", "days": 5}, ["query", "from"]),
        ({"from": "9999-12-20", "days": 1000}, ["query", "days"]),
    ],
)
def test_working_days_bad_input_is_422(
    client: TestClient, params: dict[str, Any], loc: list[str]
) -> None:
    r = client.get(f"{CAL}/working-days", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [loc]


def test_working_days_bounds_are_1_and_1000(client: TestClient) -> None:
    assert _days(client, "2026-09-18", 1)["due_date"] == "2026-09-20"  # a make-up Sunday
    longest = _days(client, "2026-01-05", 1000)
    # 2026 has 246 working days after 01-05; the other 754 are Monday-Fridays of 2027-2029.
    assert longest["due_date"] == "2029-11-21"
    assert longest["provisional"] is True
    assert [y["year"] for y in longest["years_used"] if y["provisional"]] == [2027, 2028, 2029]
