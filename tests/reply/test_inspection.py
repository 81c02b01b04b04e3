"""Inspection on site (查阅, Art. 40): the reply states place, time window and contact (422
naming what is missing), the letter says it, and the appointment's outcome is recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.principal import Actor
from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.organs.settings import OrganSettings
from app.workflow.context import CaseFacts, Change, Ctx
from app.workflow.rules_inspection import APPOINTMENT_FIELDS, appointment
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online, pdf_text
from tests.reply.helpers import case_of, issued, ok, pdf, problem, reply_through_review, submit

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
APPOINTMENT = {
    "provided_form": "inspection",
    "inspection_place": "示例市人民路1号档案查阅室",
    "inspection_from": "2026-03-10",
    "inspection_to": "2026-03-20",
    "inspection_contact": "李老师 0571-87000001",
}


def _errors(**payload: Any) -> list[str]:
    ctx = Ctx(
        case=CaseFacts(
            state="received",
            channel="online",
            arrived_on=date(2026, 3, 2),
            receipt_date=date(2026, 3, 2),
            e_service_consent=True,
        ),
        ledger=[lg.Received(on=date(2026, 3, 2))],
        payload=payload,
        actor=Actor(kind="user", label="承办人"),
        today=date(2026, 3, 2),
        now=datetime(2026, 3, 2, 2, tzinfo=UTC),
        calendar=CAL,
        settings=OrganSettings(),
    )
    change = Change()
    appointment(ctx, change)
    return [e["loc"][-1] for e in change.errors]


@pytest.mark.parametrize("missing", sorted(k for k in APPOINTMENT if k != "provided_form"))
def test_each_part_of_the_appointment_is_required(missing: str) -> None:
    assert _errors(**{k: v for k, v in APPOINTMENT.items() if k != missing}) == [missing]


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"inspection_to": "2026-03-09"}, "inspection_to"),  # before the start
        ({"inspection_from": "2026-03-01", "inspection_to": "2026-03-05"}, "inspection_from"),
        ({"inspection_to": "2026-03-20T17:00+08:00"}, "inspection_to"),  # a date and a time
        ({"inspection_from": "next week"}, "inspection_from"),
        ({"inspection_from": "2026-03-10T09:00"}, "inspection_from"),  # no offset
    ],
)
def test_the_window_must_be_a_real_forward_window(window: dict[str, str], field: str) -> None:
    assert _errors(**{**APPOINTMENT, **window}) == [field]


def test_date_times_are_a_window_too_and_other_forms_take_no_appointment() -> None:
    times = {"inspection_from": "2026-03-10T09:00+08:00", "inspection_to": "2026-03-10T11:30+08:00"}
    assert _errors(**{**APPOINTMENT, **times}) == []
    assert _errors(**{**APPOINTMENT, "provided_form": "paper"}) == list(APPOINTMENT_FIELDS)
    assert _errors(provided_form="paper") == []


# --- over HTTP ------------------------------------------------------------------------------


def _replied(client: TestClient, staff: Staff, **appointment_: Any) -> dict[str, Any]:
    return reply_through_review(
        client, staff, online(client), "disclosed", provided="2025年度执法检查记录",
        **{**APPOINTMENT, **appointment_},
    )  # fmt: skip


def test_a_missing_part_is_a_422_naming_it_and_nothing_is_submitted(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    body = {k: v for k, v in APPOINTMENT.items() if k != "inspection_contact"}
    r = problem(submit(client, organ_a, case, "disclosed", provided="记录", **body), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "inspection_contact"]]
    assert case_of(client, organ_a, case["id"])["state"] == "received"


def test_the_reply_states_the_appointment_and_the_case_shows_it(
    client: TestClient, organ_a: Staff
) -> None:
    case = _replied(client, organ_a)
    assert case["inspection"] == {
        "place": "示例市人民路1号档案查阅室",
        "window_from": "2026-03-10",
        "window_to": "2026-03-20",
        "contact": "李老师 0571-87000001",
        "took_place": None,
        "on": None,
        "notes": None,
    }
    [letter] = issued(client, organ_a, case["id"], "reply")
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    assert "提供形式：安排查阅" in text
    assert (
        "于2026年3月10日至2026年3月20日到示例市人民路1号档案查阅室查阅，"
        "联系人及联系方式：李老师0571-87000001" in text
    )


def test_a_window_of_hours_reads_as_times(client: TestClient, organ_a: Staff) -> None:
    case = _replied(client, organ_a, inspection_from="2026-03-10T09:00+08:00",
                    inspection_to="2026-03-10T11:30+08:00")  # fmt: skip
    [letter] = issued(client, organ_a, case["id"], "reply")
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    assert "于2026年3月10日9时00分至2026年3月10日11时30分到" in text


def test_whether_the_inspection_took_place_is_recorded_on_the_timeline(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    case = _replied(client, organ_a)
    clock.set("2026-03-11T16:00+08:00")
    assert problem(act(client, organ_b, case, "record_inspection", "clerk",
                       took_place=True, on="2026-03-11"), 404)  # fmt: skip
    assert problem(act(client, organ_a, case, "record_inspection", "approver",
                       took_place=True, on="2026-03-11"), 403)  # fmt: skip
    for bad, field in (({"took_place": "yes", "on": "2026-03-11"}, "took_place"),
                       ({"took_place": True, "on": "2026-03-12"}, "on")):  # fmt: skip
        r = problem(act(client, organ_a, case, "record_inspection", "front_desk", **bad), 422)
        assert r["errors"][0]["loc"] == ["body", field]
    case = ok(act(client, organ_a, case, "record_inspection", "front_desk", took_place=True,
                  on="2026-03-11", notes="申请人查阅并摘抄"))  # fmt: skip
    assert case["state"] == "replied"
    assert (case["inspection"]["took_place"], case["inspection"]["on"]) == (True, "2026-03-11")
    assert case["inspection"]["place"] == "示例市人民路1号档案查阅室"
    # After service too; a later record replaces the earlier one, the timeline keeps both.
    case = ok(act(client, organ_a, case, "record_service", "front_desk", method="in_person",
                  served_on="2026-03-11", signature="张三"))  # fmt: skip
    case = ok(act(client, organ_a, case, "record_inspection", "clerk", took_place=False,
                  on="2026-03-11", notes="更正：申请人未到场"))  # fmt: skip
    assert (case["state"], case["inspection"]["took_place"]) == ("served", False)
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk"))
    recorded = [e for e in events.json() if e["action"] == "record_inspection"]
    assert [(e["from_state"], e["to_state"]) for e in recorded] == [
        ("replied", "replied"),
        ("served", "served"),
    ]


def test_a_reply_without_an_appointment_has_no_inspection_to_record(
    client: TestClient, organ_a: Staff
) -> None:
    case = reply_through_review(client, organ_a, online(client), "disclosed", provided="全文",
                                provided_form="electronic")  # fmt: skip
    assert case["inspection"] is None
    r = problem(act(client, organ_a, case, "record_inspection", "clerk", took_place=True,
                    on="2026-03-02"), 409)  # fmt: skip
    assert r["guard"] == "inspection_arranged"
