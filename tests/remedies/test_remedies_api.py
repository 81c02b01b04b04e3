"""Reconsideration and litigation records of a case, over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import online
from tests.reply.helpers import ok, problem, reply_through_review

CASES = "/api/v1/cases"
RECONSIDERATION = {
    "kind": "reconsideration",
    "body": "示例市人民政府",
    "filed_on": "2026-04-10",
    "case_number": "示府复〔2026〕12号",
}


def _replied(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    case = reply_through_review(
        client, staff, online(client), "withheld.state_secret", reasons="涉密"
    )
    clock.set("2026-05-20T10:00+08:00")
    return case


def _url(case: dict[str, Any]) -> str:
    return f"{CASES}/{case['id']}/remedies"


def test_a_reconsideration_is_recorded_then_its_result(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _replied(client, organ_a, clock)
    r = client.post(_url(case), json=RECONSIDERATION, headers=organ_a.headers("legal"))
    assert r.status_code == 201, r.text
    record = r.json()
    assert (record["result"], record["result_on"]) == ("pending", None)

    done = {**RECONSIDERATION, "result": "upheld", "result_on": "2026-05-18"}
    r = client.put(f"{_url(case)}/{record['id']}", json=done, headers=organ_a.headers("clerk"))
    assert ok(r)["result"] == "upheld"

    listed = client.get(_url(case), headers=organ_a.headers("supervisor")).json()
    assert [(x["kind"], x["result"]) for x in listed] == [("reconsideration", "upheld")]
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert [e["action"] for e in events[-2:]] == ["record_remedy", "update_remedy"]
    assert events[-1]["payload"]["before"]["result"] == "pending"
    assert events[-1]["from_state"] == events[-1]["to_state"] == "replied"


def test_litigation_after_reconsideration_is_its_own_kind(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _replied(client, organ_a, clock)
    suit = {"kind": "litigation_after_reconsideration", "body": "示例市中级人民法院",
            "filed_on": "2026-05-19", "result": "pending"}  # fmt: skip
    assert client.post(_url(case), json=suit, headers=organ_a.headers("clerk")).status_code == 201


def test_bad_records_are_refused_and_nothing_is_kept(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _replied(client, organ_a, clock)
    h = organ_a.headers("clerk")
    for bad in (
        {**RECONSIDERATION, "result": "upheld"},  # no result date
        {**RECONSIDERATION, "result_on": "2026-05-01"},  # pending with a date
        {**RECONSIDERATION, "result": "corrected", "result_on": "2026-04-01"},  # before filing
        {**RECONSIDERATION, "filed_on": "2026-06-01"},  # in the future
        {**RECONSIDERATION, "kind": "appeal"},
        {**RECONSIDERATION, "result": "won"},
        {**RECONSIDERATION, "body": " "},
        {**RECONSIDERATION, "extra": 1},
    ):
        problem(client.post(_url(case), json=bad, headers=h), 422)
    assert client.get(_url(case), headers=h).json() == []


def test_a_case_without_a_reply_has_nothing_to_challenge(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    problem(client.post(_url(case), json=RECONSIDERATION, headers=organ_a.headers("clerk")), 422)


def test_roles_and_organs(client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock) -> None:
    case = _replied(client, organ_a, clock)
    assert (
        client.post(
            _url(case), json=RECONSIDERATION, headers=organ_a.headers("front_desk")
        ).status_code
        == 403
    )
    assert (
        client.post(_url(case), json=RECONSIDERATION, headers=organ_b.headers("clerk")).status_code
        == 404
    )
    assert client.get(_url(case), headers=organ_b.headers("clerk")).status_code == 404
    r = client.put(f"{_url(case)}/999", json=RECONSIDERATION, headers=organ_a.headers("clerk"))
    assert r.status_code == 404


def test_a_record_cannot_predate_the_application(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _replied(client, organ_a, clock)  # received 2 March 2026
    early = {**RECONSIDERATION, "filed_on": "2026-03-01"}
    body = problem(client.post(_url(case), json=early, headers=organ_a.headers("clerk")), 422)
    assert body["errors"][0]["loc"] == ["body", "filed_on"]
    # A complaint of no answer may precede the reply; it cannot precede the application.
    same_day = {**RECONSIDERATION, "filed_on": "2026-03-02"}
    assert (
        client.post(_url(case), json=same_day, headers=organ_a.headers("clerk")).status_code == 201
    )


def test_once_a_clerk_records_a_challenge_the_legal_office_sees_and_updates_it(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = reply_through_review(client, organ_a, online(client), "disclosed", provided="全文")
    clock.set("2026-05-20T10:00+08:00")
    legal = organ_a.headers("legal")
    assert client.get(_url(case), headers=legal).status_code == 404  # not its case yet
    r = client.post(_url(case), json=RECONSIDERATION, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    assert [x["kind"] for x in ok_list(client.get(_url(case), headers=legal))] == [
        "reconsideration"
    ]
    done = {**RECONSIDERATION, "result": "upheld", "result_on": "2026-05-18"}
    assert client.put(f"{_url(case)}/{r.json()['id']}", json=done, headers=legal).status_code == 200


def ok_list(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    return list(r.json())
