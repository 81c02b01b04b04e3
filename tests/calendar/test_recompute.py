"""Loading a year recomputes the open cases' deadlines and writes each move to the timeline."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.audit.keys import audit_key
from app.audit.service import verify_chains
from app.calendar.service import CalendarSource
from app.cli import cli
from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_session_factories
from app.models import CalendarYearRecord
from app.runtime import Runtime, build_runtime
from tests.calendar.data import NOTICE_2027_YAML, notice_2027
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application

CASES = "/api/v1/cases"


def _submit(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _events(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case_id}/events", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()
    return events


def _row(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    page = client.get(CASES, headers=staff.headers("clerk"), params={"page_size": 200}).json()
    return next(row for row in page["items"] if row["id"] == case_id)


def _reply(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    case = client.get(f"{CASES}/{case_id}", headers=staff.headers("clerk")).json()
    return next(d for d in case["deadlines"] if d["name"] == "reply")


@pytest.fixture
def three_cases(client: TestClient, organ_a: Staff, clock: Clock) -> dict[str, dict[str, Any]]:
    """March (unaffected), December open (reaches 2027) and December withdrawn (final)."""
    march = _submit(client)  # received Mon 2026-03-02: reply due 2026-03-30
    clock.set("2026-12-15T10:00+08:00")
    december = _submit(client)
    withdrawn = _submit(client)
    r = client.post(
        f"{CASES}/{withdrawn['id']}/actions/withdraw",
        json={"withdrawn_on": "2026-12-15", "version": withdrawn["version"]},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
    return {"march": march, "december": december, "withdrawn": withdrawn}


def test_loading_2027_moves_the_reply_deadline_reaching_into_it(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    runtime: Runtime,
    three_cases: dict[str, dict[str, Any]],
) -> None:
    december = three_cases["december"]
    row = _row(client, organ_a, december["id"])
    # Without 2027 data, Fri 2027-01-01 counts as a working day: the 20th is Tue 01-12.
    assert (row["reply_due"], row["reply_due_provisional"]) == ("2027-01-12", True)
    before = _events(client, organ_a, december["id"])

    r = client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin)
    assert r.status_code == 200, r.text
    recompute = r.json()["recompute"]
    # The withdrawn case is final and not even read.
    assert (recompute["reason"], recompute["cases_scanned"], recompute["cases_moved"]) == (
        "calendar 2027 loaded",
        2,
        1,
    )

    row = _row(client, organ_a, december["id"])
    assert (row["reply_due"], row["reply_due_provisional"]) == ("2027-01-13", False)
    reply = _reply(client, organ_a, december["id"])
    assert (reply["due_date"], reply["provisional"]) == ("2027-01-13", False)

    events = _events(client, organ_a, december["id"])
    assert events[:-1] == before
    event = events[-1]
    assert event["seq"] == before[-1]["seq"] + 1
    assert event["prev_hash"] == before[-1]["hash"]
    assert event["action"] == "deadlines_recomputed"
    assert event["from_state"] == event["to_state"] == "received"
    assert (event["actor_kind"], event["actor_label"]) == ("system", "系统")
    payload = event["payload"]
    assert payload["reason"] == "calendar 2027 loaded"
    assert payload["calendar_version"] == r.json()["calendar_version"] == runtime.calendar.version
    assert payload["before"] == {
        "reply_due": "2027-01-12",
        "reply_due_provisional": True,
        "correction_notice_due": "2026-12-24",
        "correction_due": None,
        "reply_status": "running",
    }
    assert payload["after"] == {
        **payload["before"],
        "reply_due": "2027-01-13",
        "reply_due_provisional": False,
    }
    assert payload["message"] == (
        "reply due moved from 2027-01-12 to 2027-01-13; reply due is no longer provisional: "
        "calendar 2027 loaded"
    )
    assert payload["message_zh"] == (
        "答复期限由2027-01-12调整为2027-01-13；答复期限不再是暂定（2027年放假安排已载入）"
    )

    with runtime.sessions.read() as session:
        checked, problems = verify_chains(session, audit_key(runtime.settings))
    assert problems == []
    assert checked == 5  # three submissions, one withdrawal, one recompute


def test_case_whose_deadlines_do_not_move_gets_no_event(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    three_cases: dict[str, dict[str, Any]],
) -> None:
    march = three_cases["march"]
    row_before = _row(client, organ_a, march["id"])
    events_before = _events(client, organ_a, march["id"])
    assert client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin).status_code == 200
    assert _events(client, organ_a, march["id"]) == events_before
    assert _row(client, organ_a, march["id"]) == row_before
    assert row_before["reply_due"] == "2026-03-30"


def test_final_case_is_left_untouched(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    three_cases: dict[str, dict[str, Any]],
) -> None:
    withdrawn = three_cases["withdrawn"]
    row_before = _row(client, organ_a, withdrawn["id"])
    events_before = _events(client, organ_a, withdrawn["id"])
    assert row_before["reply_due"] == "2027-01-12"
    assert client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin).status_code == 200
    assert _events(client, organ_a, withdrawn["id"]) == events_before
    assert _row(client, organ_a, withdrawn["id"]) == row_before


def test_changing_a_year_again_moves_the_deadline_again_and_says_changed(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    runtime: Runtime,
    three_cases: dict[str, dict[str, Any]],
) -> None:
    december = three_cases["december"]
    assert client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin).status_code == 200
    longer = notice_2027(
        days_off=[
            {"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"},
            {"name": "春节", "from": "2027-02-05", "to": "2027-02-13"},
        ]
    )
    r = client.put("/api/v1/calendar/2027", json=longer, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["recompute"]["reason"] == "calendar 2027 changed"
    assert r.json()["recompute"]["cases_moved"] == 1
    event = _events(client, organ_a, december["id"])[-1]
    assert event["payload"]["message"] == (
        "reply due moved from 2027-01-13 to 2027-01-14: calendar 2027 changed"
    )
    assert _row(client, organ_a, december["id"])["reply_due"] == "2027-01-14"
    with runtime.sessions.read() as session:
        assert verify_chains(session, audit_key(runtime.settings))[1] == []


def test_recompute_keeps_the_case_version_so_clients_can_still_act(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    three_cases: dict[str, dict[str, Any]],
) -> None:
    december = three_cases["december"]
    assert client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin).status_code == 200
    case = client.get(f"{CASES}/{december['id']}", headers=organ_a.headers("clerk")).json()
    assert case["version"] == december["version"]
    r = client.post(
        f"{CASES}/{december['id']}/actions/extend",
        json={"days": 5, "reason": "需检索档案", "version": december["version"]},
        headers=organ_a.headers("approver"),
    )
    assert r.status_code == 200, r.text
    reply = next(d for d in r.json()["deadlines"] if d["name"] == "reply")
    assert reply["due_date"] == "2027-01-20"  # 25 WD on the 2027 notice


# --------------------------------------------------------------------------------------------
# Start-up sync, other processes, the CLI
# --------------------------------------------------------------------------------------------


def _stored(runtime: Runtime) -> dict[int, str]:
    with runtime.sessions.read() as session:
        rows = session.execute(select(CalendarYearRecord.year, CalendarYearRecord.source))
        return {row.year: row.source for row in rows}


def test_start_up_stores_every_shipped_year(runtime: Runtime) -> None:
    assert _stored(runtime) == dict.fromkeys(range(2019, 2027), "shipped")
    assert sorted(runtime.calendar.years) == list(range(2019, 2027))


def test_restart_never_overwrites_a_year_an_admin_changed(
    client: TestClient, admin: dict[str, str], settings: Settings
) -> None:
    data = client.get("/api/v1/calendar/2026").json()["data"]
    data["days_off"].append({"name": "测试假日", "date": "2026-12-31"})
    assert client.put("/api/v1/calendar/2026", json=data, headers=admin).status_code == 200
    again = build_runtime(settings)
    try:
        assert _stored(again)[2026] == "admin"
        assert not again.calendar.is_working_day(date(2026, 12, 31))
    finally:
        again.close()
    assert client.get("/api/v1/calendar/2026").json()["data"] == data


def test_a_release_shipping_a_new_year_loads_it_at_start_up_and_recomputes(
    client: TestClient,
    organ_a: Staff,
    settings: Settings,
    three_cases: dict[str, dict[str, Any]],
    tmp_path: Path,
) -> None:
    shipped = tmp_path / "calendar"
    shutil.copytree(Path(PROJECT_ROOT) / "workflows" / "calendar", shipped)
    (shipped / "2027.yaml").write_text(NOTICE_2027_YAML, encoding="utf-8")
    upgraded = build_runtime(settings.model_copy(update={"calendar_dir": shipped}))
    try:
        assert _stored(upgraded)[2027] == "shipped"
        assert 2027 in upgraded.calendar.years
    finally:
        upgraded.close()
    december = three_cases["december"]
    event = _events(client, organ_a, december["id"])[-1]
    assert event["action"] == "deadlines_recomputed"
    assert event["payload"]["reason"] == "calendar 2027 loaded"
    assert _row(client, organ_a, december["id"])["reply_due"] == "2027-01-13"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_another_process_notices_a_change_within_its_check_interval(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    tick = FakeMonotonic()
    # The other process's sessions: its source checks on their connections as they begin.
    other_sessions = create_session_factories(runtime.engine)
    other = CalendarSource(
        other_sessions.read, list(runtime.calendars.shipped.values()), monotonic=tick
    )
    other.follow(other_sessions.read, other_sessions.write)

    def transaction() -> None:
        with other_sessions.read() as session:
            session.execute(select(1))

    transaction()
    assert 2027 not in other.current().years
    assert client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin).status_code == 200
    tick.now += 4.9
    transaction()
    assert 2027 not in other.current().years  # checked less than 5 s ago
    tick.now += 0.2
    assert 2027 not in other.current().years  # reading the calendar does no I/O
    transaction()
    assert 2027 in other.current().years
    assert other.current().version == runtime.calendar.version


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> None:
    monkeypatch.setenv("GONGKAI_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("GONGKAI_SECRET_KEY", runtime.settings.secret_key.get_secret_value())
    get_settings.cache_clear()


def test_cli_loads_a_year_from_yaml_and_reports_the_cases_moved(
    cli_env: None,
    client: TestClient,
    organ_a: Staff,
    runtime: Runtime,
    three_cases: dict[str, dict[str, Any]],
    tmp_path: Path,
) -> None:
    file = tmp_path / "2027.yaml"
    file.write_text(NOTICE_2027_YAML, encoding="utf-8")
    result = CliRunner().invoke(cli, ["load-calendar", str(file)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("calendar 2027 loaded (version ")
    assert "2 open case(s) scanned, 1 moved" in result.stdout
    assert _stored(runtime)[2027] == "admin"
    # This process learns of the change at its next check.
    assert 2027 in runtime.calendars.refresh().years
    december = three_cases["december"]
    assert _row(client, organ_a, december["id"])["reply_due"] == "2027-01-13"
    again = CliRunner().invoke(cli, ["load-calendar", str(file)])
    get_settings.cache_clear()
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("calendar 2027 unchanged")


def test_cli_refuses_an_invalid_file_and_stores_nothing(
    cli_env: None, runtime: Runtime, tmp_path: Path
) -> None:
    file = tmp_path / "2027.yaml"
    file.write_text(NOTICE_2027_YAML.replace("2027-01-31", "2027-02-01"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["load-calendar", str(file)])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "make-up working day 2027-02-01 is a Mon" in result.stderr
    assert 2027 not in _stored(runtime)
