"""Electronic service is proved, not assumed (RULES §4), over HTTP with the real applicant routes:
a notice sent to an applicant who consented to e-service is "sent, not yet received" until the
applicant downloads it (logged, recorded by the system on the timeline) or staff record its
arrival with evidence; the reply downloaded is served electronically."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.letters.samples import reply_params
from app.models import LetterAccess
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online, pdf_text
from tests.reply.helpers import case_of, deadline, ok, problem, reply_through_review

CASES = "/api/v1/cases"
EVIDENCE = "申请人通过平台下载"


def _code(case: dict[str, Any]) -> dict[str, str]:
    return {"X-Query-Code": case["query_code"]}


def _applicant_letter(client: TestClient, case: dict[str, Any], kind: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/applications/{case['number']}/letters", headers=_code(case))
    assert r.status_code == 200, r.text
    return next(x for x in r.json() if x["kind"] == kind)


def _download(client: TestClient, case: dict[str, Any], kind: str) -> bytes:
    r = client.get(_applicant_letter(client, case, kind)["download"], headers=_code(case))
    assert r.status_code == 200, r.text
    return r.content


def _events(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case_id}/events", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())


def _summary(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    r = client.get(CASES, headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return next(x for x in r.json()["items"] if x["id"] == case_id)


def _dashboard(client: TestClient, staff: Staff) -> dict[str, Any]:
    r = client.get("/api/v1/dashboard", headers=staff.headers("supervisor"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _accesses(runtime: Runtime, case_id: int) -> list[LetterAccess]:
    with runtime.sessions.read() as session:
        stmt = select(LetterAccess).where(LetterAccess.case_id == case_id)
        return list(session.scalars(stmt.order_by(LetterAccess.id)))


def _correction_requested(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    case = online(client)  # received Mon 2026-03-02; the applicant consented to e-service
    clock.set("2026-03-04T10:00+08:00")
    asked = ok(act(client, staff, case, "request_correction", "clerk", items_to_correct=["年份"]))
    return {**asked, "query_code": case["query_code"]}


def test_correction_notice_downloaded_by_the_applicant_starts_the_window_that_day(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = _correction_requested(client, organ_a, clock)
    # Sent, not yet received: no window, and staff see it in the detail and the worklist.
    assert deadline(case, "correction")["status"] == "not_started"
    assert deadline(case, "reply")["status"] == "suspended"
    pending = {
        "kind": "correction_notice",
        "title": "政府信息公开申请补正告知书",
        "sent_on": "2026-03-04",
        "status_label": "已发出，未确认送达 / sent, not yet received",
    }
    assert case["notice_pending_receipt"] == pending
    assert _summary(client, organ_a, case["id"])["notice_pending_receipt"] == pending
    assert _dashboard(client, organ_a)["notice_pending_receipt"]["count"] == 1
    clock.set("2026-03-30T10:00+08:00")
    blocked = act(client, organ_a, case, "close_uncorrected", "clerk")
    assert problem(blocked, 409)["guard"] == "correction_period_elapsed"

    # 00:30 on Fri 03-06 in Beijing is still 03-05 in UTC: the local day counts.
    clock.set("2026-03-06T00:30+08:00")
    before = len(_events(client, organ_a, case["id"]))
    assert "补正" in pdf_text(_download(client, case, "correction_notice"))
    events = _events(client, organ_a, case["id"])
    assert len(events) == before + 1
    receipt = events[-1]
    assert receipt["action"] == "record_notice_receipt"
    assert receipt["actor_kind"] == "system"
    assert receipt["payload"]["input"]["received_on"] == "2026-03-06"
    assert receipt["payload"]["input"]["evidence"] == EVIDENCE
    assert receipt["payload"]["input"]["received_at"].startswith("2026-03-05T16:30")

    after = case_of(client, organ_a, case["id"])
    correction = deadline(after, "correction")
    assert correction["start_date"] == "2026-03-06"
    assert correction["due_date"] == "2026-03-27"  # 15 WD after Fri 03-06
    assert after["notice_pending_receipt"] is None
    assert _summary(client, organ_a, case["id"])["notice_pending_receipt"] is None
    assert _dashboard(client, organ_a)["notice_pending_receipt"]["count"] == 0
    [access] = _accesses(runtime, case["id"])
    assert access.channel == "applicant_download"
    assert access.receipt_action == "record_notice_receipt"
    assert access.client_address

    # A second download records nothing new.
    clock.set("2026-03-09T10:00+08:00")
    _download(client, case, "correction_notice")
    assert len(_events(client, organ_a, case["id"])) == before + 1
    assert case_of(client, organ_a, case["id"])["version"] == after["version"]
    assert len(_accesses(runtime, case["id"])) == 1

    # close_uncorrected counts from the recorded receipt.
    clock.set("2026-03-27T10:00+08:00")
    assert problem(act(client, organ_a, after, "close_uncorrected", "clerk"), 409)
    clock.set("2026-03-30T10:00+08:00")
    closed = ok(act(client, organ_a, after, "close_uncorrected", "clerk"))
    assert closed["state"] == "replied"


def test_staff_record_the_arrival_of_an_electronic_notice_with_its_evidence(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _correction_requested(client, organ_a, clock)
    clock.set("2026-03-05T10:00+08:00")
    bare = act(
        client, organ_a, case, "record_notice_receipt", "front_desk", received_on="2026-03-05"
    )
    assert [e["loc"] for e in problem(bare, 422)["errors"]] == [["body", "evidence"]]
    proved = ok(
        act(
            client,
            organ_a,
            case,
            "record_notice_receipt",
            "front_desk",
            received_on="2026-03-05",
            evidence="短信回执",
        )
    )
    assert deadline(proved, "correction")["due_date"] == "2026-03-26"
    assert proved["notice_pending_receipt"] is None
    event = _events(client, organ_a, case["id"])[-1]
    assert event["actor_kind"] == "user"
    assert event["payload"]["input"]["evidence"] == "短信回执"
    # Already received: the applicant's later download records the access only.
    before = len(_events(client, organ_a, case["id"]))
    _download(client, case, "correction_notice")
    assert len(_events(client, organ_a, case["id"])) == before


def test_fee_notice_downloaded_by_the_applicant_starts_the_payment_window(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-04T10:00+08:00")
    fee = ok(
        act(
            client,
            organ_a,
            case,
            "issue_fee_notice",
            "clerk",
            method="per_volume",
            quantity=100,
            payment="请通过政府非税收入缴款系统缴纳",
        )
    )
    assert deadline(fee, "fee_payment")["status"] == "not_started"
    assert deadline(fee, "reply")["status"] == "paused"
    assert fee["notice_pending_receipt"]["kind"] == "fee_notice"
    assert fee["notice_pending_receipt"]["sent_on"] == "2026-03-04"
    clock.set("2026-05-29T10:00+08:00")
    blocked = act(client, organ_a, fee, "close_unpaid", "clerk")
    assert problem(blocked, 409)["guard"] == "fee_window_elapsed"

    clock.set("2026-03-05T10:00+08:00")
    _download(client, {**fee, "query_code": case["query_code"]}, "fee_notice")
    receipt = _events(client, organ_a, case["id"])[-1]
    assert receipt["action"] == "record_fee_notice_receipt"
    assert receipt["actor_kind"] == "system"
    assert receipt["payload"]["input"]["received_on"] == "2026-03-05"
    assert receipt["payload"]["input"]["evidence"] == EVIDENCE
    after = case_of(client, organ_a, case["id"])
    assert deadline(after, "fee_payment")["due_date"] == "2026-04-02"  # 20 WD after 03-05
    assert after["notice_pending_receipt"] is None
    clock.set("2026-04-03T10:00+08:00")
    closed = ok(act(client, organ_a, after, "close_unpaid", "clerk"))
    assert closed["outcome"] == "other.fee_unpaid"


def test_the_reply_downloaded_by_a_consenting_applicant_is_served_electronically(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    replied = reply_through_review(client, organ_a, case, **reply_params("disclosed"))
    assert replied["state"] == "replied"
    assert not [d for d in replied["deadlines"] if d["name"] == "reconsideration_until"]

    clock.set("2026-03-23T09:15+08:00")
    _download(client, case, "reply")
    served = case_of(client, organ_a, case["id"])
    assert served["state"] == "served"
    assert served["service"] == {"method": "electronic", "served_on": "2026-03-23", "on_time": True}
    assert deadline(served, "reconsideration_until")["start_date"] == "2026-03-23"
    event = _events(client, organ_a, case["id"])[-1]
    assert event["action"] == "record_service"
    assert event["actor_kind"] == "system"
    assert event["payload"]["input"]["method"] == "electronic"
    assert event["payload"]["input"]["evidence"] == EVIDENCE
    assert event["payload"]["input"]["delivered_at"].startswith("2026-03-23T01:15")

    clock.set("2026-03-24T09:15+08:00")
    _download(client, case, "reply")
    again = case_of(client, organ_a, case["id"])
    assert again["version"] == served["version"]
    assert again["service"]["served_on"] == "2026-03-23"


def test_the_reply_downloaded_without_consent_to_e_service_records_the_access_only(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = online(client, e_service_consent=False, delivery={"form": "paper", "method": "post"})
    clock.set("2026-03-20T10:00+08:00")
    reply_through_review(client, organ_a, case, **reply_params("disclosed"))
    before = _events(client, organ_a, case["id"])
    _download(client, case, "reply")
    assert _events(client, organ_a, case["id"]) == before
    assert case_of(client, organ_a, case["id"])["state"] == "replied"
    assert [a.receipt_action for a in _accesses(runtime, case["id"])] == [None]


def test_staff_recording_electronic_service_must_give_the_evidence(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    replied = reply_through_review(client, organ_a, case, **reply_params("disclosed"))
    body = {"method": "electronic", "delivered_at": "2026-03-20T11:00:00+08:00"}
    r = act(client, organ_a, replied, "record_service", "front_desk", **body)
    assert [e["loc"] for e in problem(r, 422)["errors"]] == [["body", "evidence"]]
    served = ok(
        act(client, organ_a, replied, "record_service", "front_desk", evidence="邮件回执", **body)
    )
    assert served["service"]["served_on"] == "2026-03-20"


def test_a_download_in_another_state_records_the_access_only(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    before = _events(client, organ_a, case["id"])
    _download(client, case, "receipt")
    _download(client, case, "receipt")
    assert _events(client, organ_a, case["id"]) == before
    [access] = _accesses(runtime, case["id"])
    assert access.receipt_action is None


def test_another_cases_letter_is_refused_and_records_nothing(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    mine = online(client)
    theirs = _correction_requested(client, organ_a, clock)
    notice = next(
        x
        for x in client.get(
            f"{CASES}/{theirs['id']}/letters", headers=organ_a.headers("clerk")
        ).json()
        if x["kind"] == "correction_notice"
    )
    r = client.get(
        f"/api/v1/applications/{mine['number']}/letters/{notice['id']}/pdf", headers=_code(mine)
    )
    assert r.status_code == 404
    assert case_of(client, organ_a, theirs["id"])["notice_pending_receipt"] is not None
    assert _accesses(runtime, theirs["id"]) == []
    assert _accesses(runtime, mine["id"]) == []


def test_concurrent_download_and_staff_receipt_record_it_once_without_error(
    app: FastAPI, client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _correction_requested(client, organ_a, clock)
    clock.set("2026-03-05T10:00+08:00")
    url = _applicant_letter(client, case, "correction_notice")["download"]
    headers = organ_a.headers("front_desk")
    results: dict[str, int] = {}

    def download() -> None:
        with TestClient(app) as c:
            results["download"] = c.get(url, headers=_code(case)).status_code

    def staff() -> None:
        with TestClient(app) as c:
            results["staff"] = c.post(
                f"{CASES}/{case['id']}/actions/record_notice_receipt",
                json={
                    "received_on": "2026-03-05",
                    "evidence": "短信回执",
                    "version": case["version"],
                },
                headers=headers,
            ).status_code

    threads = [threading.Thread(target=download), threading.Thread(target=staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["download"] == 200
    assert results["staff"] in (200, 409)
    receipts = [
        e for e in _events(client, organ_a, case["id"]) if e["action"] == "record_notice_receipt"
    ]
    assert len(receipts) == 1
    expected_actor = "user" if results["staff"] == 200 else "system"
    assert receipts[0]["actor_kind"] == expected_actor
    assert deadline(case_of(client, organ_a, case["id"]), "correction")["due_date"] == "2026-03-26"
