"""Re-answering (重新答复) over HTTP: the approver reopens an answered case under a decision; the
new deadline follows it; the new reply cites the earlier one, which stays as issued; the annual
report counts the case once, by its latest conclusion; a published year needs an override."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online, pdf_text
from tests.reply.helpers import case_of, deadline, issued, ok, pdf, problem, reply_through_review
from tests.reports.helpers import REPORTS, nonzero, report, table3

CASES = "/api/v1/cases"
DECISION = {
    "reason": "复议机关认为原答复认定事实不清，责令重新答复",
    "decision_kind": "reconsideration",
    "decision_number": "示府复〔2026〕12号",
    "decision_received_on": "2026-05-20",
}


def _served_refusal(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    """Received Mon 2 March 2026, refused (state secret) that day, served 4 March."""
    case = reply_through_review(client, staff, online(client), "withheld.state_secret",
                                reasons="经定密属于秘密级")  # fmt: skip
    clock.set("2026-03-04T10:00+08:00")
    case = ok(act(client, staff, case, "record_service", "front_desk", method="in_person",
                  served_on="2026-03-04", signature="张三"))  # fmt: skip
    clock.set("2026-05-21T10:00+08:00")
    return case


def test_only_the_approver_reopens_and_bad_decisions_are_refused_naming_the_field(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    case = _served_refusal(client, organ_a, clock)
    assert problem(act(client, organ_a, case, "reopen", "clerk", **DECISION), 403)
    assert problem(act(client, organ_b, case, "reopen", "approver", **DECISION), 404)
    for bad, field in (
        ({**DECISION, "decision_number": None}, "decision_number"),
        ({**DECISION, "decision_received_on": "2026-05-22"}, "decision_received_on"),  # future
        ({**DECISION, "decision_received_on": "2026-03-01"}, "decision_received_on"),  # < reply
        ({**DECISION, "new_reply_date": "2026-05-20"}, "new_reply_date"),
        ({**DECISION, "decision_kind": "petition"}, "decision_kind"),
        ({k: v for k, v in DECISION.items() if k != "reason"}, "reason"),
    ):
        body = {k: v for k, v in bad.items() if v is not None}
        r = problem(act(client, organ_a, case, "reopen", "approver", **body), 422)
        assert field in [e["loc"][-1] for e in r["errors"]], r
    assert case_of(client, organ_a, case["id"])["state"] == "served"
    # Not from handling: there is nothing to answer again yet.
    fresh = online(client)
    assert problem(act(client, organ_a, fresh, "reopen", "approver", **DECISION), 409)


def test_reopening_clears_the_conclusion_and_runs_a_new_explained_deadline(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _served_refusal(client, organ_a, clock)
    case = ok(act(client, organ_a, case, "reopen", "approver", **DECISION))
    assert (case["state"], case["outcome"], case["concluded_on"]) == ("received", None, None)
    assert (case["review"], case["service"], case["reply_late"]) == (None, None, None)
    assert [d["name"] for d in case["deadlines"]] == ["reply"]
    d = deadline(case, "reply")
    assert (d["label"], d["due_date"], d["status"]) == ("重新答复期限", "2026-06-17", "running")
    assert "本机关收到决定" in d["explanation"]
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert (events[-1]["action"], events[-1]["from_state"], events[-1]["to_state"]) == (
        "reopen",
        "served",
        "received",
    )
    assert events[-1]["payload"]["input"]["decision_number"] == "示府复〔2026〕12号"


def test_the_new_reply_cites_the_earlier_one_which_stays_as_issued(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _served_refusal(client, organ_a, clock)
    [first] = issued(client, organ_a, case["id"], "reply")
    first_pdf = pdf(client, organ_a, first["id"])
    case = ok(act(client, organ_a, case, "reopen", "approver", **DECISION))
    clock.set("2026-06-01T10:00+08:00")
    case = reply_through_review(client, organ_a, case, "disclosed", provided="2025年度预算全文",
                                provided_form="electronic")  # fmt: skip
    assert (case["state"], case["outcome"], case["concluded_on"]) == (
        "replied",
        "disclosed",
        "2026-06-01",
    )
    assert case["reply_late"] is False
    replies = issued(client, organ_a, case["id"], "reply")
    assert replies[0]["id"] == first["id"]
    assert len(replies) == 2
    second = next(x for x in replies if x["id"] != first["id"])
    assert second["number"] != first["number"]
    text = pdf_text(pdf(client, organ_a, second["id"]))
    assert (
        f"本机关于2026年3月2日作出的《政府信息公开申请答复书》（{first['number']}）"
        "已经行政复议决定（示府复〔2026〕12号）责令重新答复，现重新答复如下" in text
    )
    # The earlier letter is frozen: same bytes, no mention of the re-answer.
    again = pdf(client, organ_a, first["id"])
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first_pdf).hexdigest()
    assert "重新答复" not in pdf_text(again)


def test_a_self_correction_of_an_archived_case_with_a_date(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _served_refusal(client, organ_a, clock)
    case = ok(act(client, organ_a, case, "archive", "clerk"))
    decision = {"reason": "发现原答复引用依据错误", "decision_kind": "self_correction",
                "decision_received_on": "2026-05-21", "new_reply_date": "2026-05-29"}  # fmt: skip
    case = ok(act(client, organ_a, case, "reopen", "approver", **decision))
    assert case["state"] == "received"
    d = deadline(case, "reply")
    assert (d["label"], d["due_date"]) == ("重新答复期限", "2026-05-29")
    case = reply_through_review(client, organ_a, case, "withheld.state_secret",
                                reasons="经定密属于机密级")  # fmt: skip
    second = issued(client, organ_a, case["id"], "reply")[-1]
    text = pdf_text(pdf(client, organ_a, second["id"]))
    assert "经本机关审查发现有误，予以纠正，现重新答复如下" in text


def test_the_annual_report_counts_a_reanswered_case_once_by_its_latest_conclusion(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    """Hand-worked table 三 for 2026 and 2027. One person's application, received 2 March 2026,
    refused (三.1) on 2 March 2026, reopened on 20 Dec 2026, re-answered as disclosed (一) on
    5 Jan 2027.
    2026: 一 new 1; (七) 0; 四 carried forward 1  (1 + 0 = 0 + 1).
    2027: 二 carried over 1; (一) 1; (七) 1; 四 0   (0 + 1 = 1 + 0)."""
    case = _served_refusal(client, organ_a, clock)
    clock.set("2026-12-21T10:00+08:00")
    case = ok(act(client, organ_a, case, "reopen", "approver",
                  **{**DECISION, "decision_received_on": "2026-12-20"}))  # fmt: skip
    clock.set("2027-01-05T10:00+08:00")
    reply_through_review(client, organ_a, case, "disclosed", provided="全文")
    assert nonzero(table3(report(client, organ_a, 2026))) == {
        ("new", "natural_person"): 1,
        ("new", "total"): 1,
        ("carried_forward", "natural_person"): 1,
        ("carried_forward", "total"): 1,
    }
    assert nonzero(table3(report(client, organ_a, 2027))) == {
        ("carried_over", "natural_person"): 1,
        ("carried_over", "total"): 1,
        ("disclosed", "natural_person"): 1,
        ("disclosed", "total"): 1,
        ("total", "natural_person"): 1,
        ("total", "total"): 1,
    }


def test_reopening_a_case_concluded_in_a_published_year_needs_an_override(
    client: TestClient, organ_a: Staff, clock: Clock, admin: dict[str, str]
) -> None:
    case = _served_refusal(client, organ_a, clock)
    clock.set("2027-01-05T10:00+08:00")
    ok(client.post(f"{REPORTS}/2026/lock", headers=organ_a.headers("approver")))
    later = {**DECISION, "decision_received_on": "2027-01-04"}
    r = problem(act(client, organ_a, case, "reopen", "approver", **later), 409)
    assert r["code"] == "report-year-locked"
    assert case_of(client, organ_a, case["id"])["state"] == "served"
    r = client.post(
        f"{REPORTS}/2026/overrides",
        params={"organ": organ_a.organ_code},
        json={"case_id": case["id"], "reason": "复议决定责令重新答复"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    case = ok(act(client, organ_a, case, "reopen", "approver", **later))
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["payload"]["report_overrides"][0]["year"] == 2026
