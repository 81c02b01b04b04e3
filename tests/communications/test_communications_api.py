"""The communication log (沟通记录) of a case, over HTTP with real roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, person
from tests.letters.helpers import online, pdf_text
from tests.reply.helpers import issued, ok, pdf, problem, reply_through_review

CASES = "/api/v1/cases"
CALL = {
    "occurred_at": "2026-03-02T09:30:00+08:00",
    "party_name": "李四",
    "party_kind": "applicant",
    "method": "phone",
    "summary": "申请人来电询问补正要求，已告知须写明文件名称。",
    "follow_up": "三日内回电",
}


def _url(case: dict[str, Any]) -> str:
    return f"{CASES}/{case['id']}/communications"


def _events(client: TestClient, staff: Staff, case: dict[str, Any]) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case['id']}/events", headers=staff.headers("clerk"))
    return list(r.json())


def test_a_call_is_logged_on_the_timeline_and_corrected_with_before_and_after(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    r = client.post(_url(case), json=CALL, headers=organ_a.headers("front_desk"))
    assert r.status_code == 201, r.text
    entry = r.json()
    assert (entry["party_kind"], entry["method"], entry["follow_up"]) == (
        "applicant",
        "phone",
        "三日内回电",
    )
    fixed = {**CALL, "method": "visit", "follow_up": None}
    r = client.put(f"{_url(case)}/{entry['id']}", json=fixed, headers=organ_a.headers("approver"))
    assert ok(r)["method"] == "visit"

    listed = client.get(_url(case), headers=organ_a.headers("supervisor")).json()
    assert [(x["method"], x["summary"]) for x in listed] == [("visit", CALL["summary"])]
    events = _events(client, organ_a, case)
    assert [e["action"] for e in events[-2:]] == ["record_communication", "update_communication"]
    assert events[-2]["payload"]["after"]["summary"] == CALL["summary"]
    assert events[-1]["payload"]["before"]["method"] == "phone"
    assert events[-1]["payload"]["after"]["method"] == "visit"
    assert events[-1]["from_state"] == events[-1]["to_state"] == "received"


def test_the_log_is_open_in_final_states(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    case = online(client)
    r = client.post(
        f"{CASES}/{case['id']}/actions/withdraw",
        json={"version": case["version"], "withdrawn_on": "2026-03-02"},
        headers=organ_a.headers("clerk"),
    )
    assert ok(r)["state"] == "withdrawn"
    clock.advance(days=3)
    third = {**CALL, "party_kind": "third_party", "party_name": "某某公司", "method": "letter"}
    r = client.post(_url(case), json=third, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text


def test_bad_entries_are_refused_naming_the_field_and_nothing_is_kept(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)  # arrived 2 March 2026; now is 2 March 2026 10:00
    h = organ_a.headers("clerk")
    for bad, field in (
        ({**CALL, "occurred_at": "2026-03-02T11:00:00+08:00"}, "occurred_at"),  # future
        ({**CALL, "occurred_at": "2026-03-01T11:00:00+08:00"}, "occurred_at"),  # before arrival
        ({**CALL, "method": "telegram"}, "method"),
        ({**CALL, "party_kind": "neighbour"}, "party_kind"),
        ({**CALL, "summary": " "}, "summary"),
        ({**CALL, "party_name": ""}, "party_name"),
        ({k: v for k, v in CALL.items() if k != "summary"}, "summary"),
    ):
        body = problem(client.post(_url(case), json=bad, headers=h), 422)
        assert field in [e["loc"][-1] for e in body["errors"]], body
    assert client.get(_url(case), headers=h).json() == []
    assert not any(e["action"] == "record_communication" for e in _events(client, organ_a, case))


def test_a_time_without_offset_is_the_organs_local_time(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = client.post(
        _url(case),
        json={**CALL, "occurred_at": "2026-03-02T09:45:00"},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    at = datetime.fromisoformat(r.json()["occurred_at"])
    assert at == datetime(2026, 3, 2, 1, 45, tzinfo=UTC)


def test_other_organs_get_404_the_applicant_and_supervisor_cannot_write(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case = online(client)
    assert client.post(_url(case), json=CALL, headers=organ_b.headers("clerk")).status_code == 404
    assert client.get(_url(case), headers=organ_b.headers("clerk")).status_code == 404
    assert (
        client.post(_url(case), json=CALL, headers=organ_a.headers("supervisor")).status_code == 403
    )
    # The applicant has no staff token: their query code opens only their own view.
    code = {"X-Query-Code": case["query_code"]}
    assert client.get(_url(case), headers=code).status_code == 401
    assert client.post(_url(case), json=CALL, headers=code).status_code == 401
    r = client.put(f"{_url(case)}/999", json=CALL, headers=organ_a.headers("clerk"))
    assert r.status_code == 404


def test_a_legal_office_user_sees_the_log_only_of_cases_it_is_involved_in(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    assert client.post(_url(case), json=CALL, headers=organ_a.headers("legal")).status_code == 404


def test_the_applicant_view_never_shows_the_log(client: TestClient, organ_a: Staff) -> None:
    receipt = client.post("/api/v1/applications", json=application()).json()
    case = client.get(CASES, headers=organ_a.headers("clerk")).json()["items"][0]
    assert client.post(_url(case), json=CALL, headers=organ_a.headers("clerk")).status_code == 201
    r = client.get(
        f"/api/v1/applications/{receipt['number']}", headers={"X-Query-Code": receipt["query_code"]}
    )
    assert r.status_code == 200, r.text
    assert CALL["summary"] not in r.text
    assert "李四" not in r.text


def test_the_worklist_shows_the_latest_contact_masked_without_its_summary(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client, applicant=person(name="王小明"))
    h = organ_a.headers("clerk")
    assert client.post(_url(case), json=CALL, headers=h).status_code == 201
    later = {**CALL, "occurred_at": "2026-03-02T09:50:00+08:00", "party_name": "赵六",
             "party_kind": "third_party", "method": "email"}  # fmt: skip
    assert client.post(_url(case), json=later, headers=h).status_code == 201
    r = client.get(CASES, headers=h)
    row = next(x for x in ok(r)["items"] if x["id"] == case["id"])
    contact = row["last_contact"]
    assert datetime.fromisoformat(contact.pop("occurred_at")) == datetime(
        2026, 3, 2, 1, 50, tzinfo=UTC
    )
    assert contact == {
        "party_kind": "third_party",
        "party_name": "赵*",
        "method": "email",
    }
    assert CALL["summary"] not in r.text
    assert "赵六" not in r.text
    assert "李四" not in r.text


def test_the_log_never_reaches_a_letter(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    assert client.post(_url(case), json=CALL, headers=organ_a.headers("clerk")).status_code == 201
    reply_through_review(client, organ_a, case, "disclosed", provided="全文")
    letter = issued(client, organ_a, case["id"], "reply")[0]
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    assert "补正要求" not in text
    assert "三日内回电" not in text
