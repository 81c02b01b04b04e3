"""Reconsideration and litigation records of a case, over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, counter_case, online
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


# --- what a record challenges: a reply, a failure to answer, a closure ---------------------------


def test_a_failure_to_answer_is_challenged_once_the_reply_deadline_has_passed(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)  # received Mon 2 March 2026: the reply is due Mon 30 March
    h = organ_a.headers("clerk")
    clock.set("2026-03-30T18:00+08:00")
    on_due_day = {**RECONSIDERATION, "filed_on": "2026-03-30"}
    problem(client.post(_url(case), json=on_due_day, headers=h), 422)
    named = {**on_due_day, "subject": "failure_to_answer"}
    body = problem(client.post(_url(case), json=named, headers=h), 422)
    assert body["errors"][0]["loc"] == ["body", "subject"]

    clock.set("2026-04-02T10:00+08:00")
    late = {**RECONSIDERATION, "filed_on": "2026-03-31"}
    for wrong in ("reply", "closure"):
        body = problem(client.post(_url(case), json={**late, "subject": wrong}, headers=h), 422)
        assert body["errors"][0]["loc"] == ["body", "subject"], wrong
    r = client.post(_url(case), json=late, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["subject"] == "failure_to_answer"
    suit = {"kind": "litigation_direct", "body": "示例区人民法院", "filed_on": "2026-04-01",
            "subject": "failure_to_answer"}  # fmt: skip
    assert client.post(_url(case), json=suit, headers=h).status_code == 201

    listed = client.get(_url(case), headers=h).json()
    assert [(x["kind"], x["subject"]) for x in listed] == [
        ("reconsideration", "failure_to_answer"),
        ("litigation_direct", "failure_to_answer"),
    ]
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert [e["action"] for e in events[-2:]] == ["record_remedy", "record_remedy"]
    assert events[-2]["payload"]["after"]["subject"] == "failure_to_answer"
    assert events[-1]["from_state"] == events[-1]["to_state"] == "received"


def test_a_failure_to_answer_filed_before_a_late_reply_keeps_its_subject(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-04-03T10:00+08:00")  # after the deadline of 30 March
    case = reply_through_review(client, organ_a, case, "disclosed", provided="全文")
    assert case["reply_late"] is True
    h = organ_a.headers("clerk")
    filed = {**RECONSIDERATION, "filed_on": "2026-04-01"}  # before the late reply
    r = client.post(_url(case), json=filed, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["subject"] == "failure_to_answer"
    # A challenge filed after the reply challenges the reply; it cannot be a failure to answer.
    clock.set("2026-04-10T10:00+08:00")
    after = {**RECONSIDERATION, "filed_on": "2026-04-08"}
    body = problem(
        client.post(_url(case), json={**after, "subject": "failure_to_answer"}, headers=h), 422
    )
    assert body["errors"][0]["loc"] == ["body", "subject"]
    assert client.post(_url(case), json=after, headers=h).json()["subject"] == "reply"
    # An update that leaves the subject out keeps the one recorded.
    record = r.json()
    decided = {**filed, "result": "corrected", "result_on": "2026-04-09"}
    updated = ok(client.put(f"{_url(case)}/{record['id']}", json=decided, headers=h))
    assert updated["subject"] == "failure_to_answer"


def test_a_closure_for_want_of_a_correction_can_be_challenged(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = counter_case(client, organ_a)
    r = act(
        client,
        organ_a,
        case,
        "request_correction",
        "clerk",
        items_to_correct=["请明确所需信息的名称或者文号"],
        notice_received_on="2026-03-02",
    )
    assert r.status_code == 200, r.text
    clock.advance(days=40)
    closed = ok(act(client, organ_a, r.json(), "close_uncorrected", "clerk"))
    assert closed["outcome"] == "other.no_correction"
    h = organ_a.headers("clerk")
    filed = RECONSIDERATION  # filed on 10 April, the day before the closure
    body = problem(client.post(_url(case), json={**filed, "subject": "reply"}, headers=h), 422)
    assert body["errors"][0]["loc"] == ["body", "subject"]
    body = problem(
        client.post(_url(case), json={**filed, "subject": "failure_to_answer"}, headers=h), 422
    )
    assert body["errors"][0]["loc"] == ["body", "subject"]
    r = client.post(_url(case), json=filed, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["subject"] == "closure"
    r = client.post(_url(case), json={**filed, "subject": "closure"}, headers=h)
    assert r.status_code == 201, r.text


def test_a_reply_is_not_a_closure(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    case = _replied(client, organ_a, clock)
    named = {**RECONSIDERATION, "subject": "reply"}
    r = client.post(_url(case), json=named, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    assert r.json()["subject"] == "reply"
    body = problem(
        client.post(
            _url(case),
            json={**RECONSIDERATION, "subject": "closure"},
            headers=organ_a.headers("clerk"),
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "subject"]


def test_the_first_challenge_records_the_legal_office_joining_on_the_timeline(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # The case column changes through the one write path: the case's version moves and the
    # event names the column, once (a second record changes nothing of the case).
    case = reply_through_review(client, organ_a, online(client), "disclosed", provided="全文")
    clock.set("2026-05-20T10:00+08:00")
    clerk = organ_a.headers("clerk")
    version = client.get(f"{CASES}/{case['id']}", headers=clerk).json()["version"]
    assert client.post(_url(case), json=RECONSIDERATION, headers=clerk).status_code == 201
    after_first = client.get(f"{CASES}/{case['id']}", headers=clerk).json()["version"]
    assert after_first == version + 1
    suit = {"kind": "litigation_after_reconsideration", "body": "示例市中级人民法院",
            "filed_on": "2026-05-19", "result": "pending"}  # fmt: skip
    assert client.post(_url(case), json=suit, headers=clerk).status_code == 201
    assert client.get(f"{CASES}/{case['id']}", headers=clerk).json()["version"] == after_first
    events = client.get(f"{CASES}/{case['id']}/events", headers=clerk).json()
    first, second = events[-2:]
    assert first["payload"]["case_fields"] == {"legal_involved": True}
    assert "case_fields" not in second["payload"]
