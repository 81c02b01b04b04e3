"""The reply's review chain over HTTP: who may do what, the order legal review → sign-off →
issue, returns back to the state the case came from with the comments on the timeline, the
previewable draft, an organ without sign-off, the reply's number, the legal office's view of
the cases it reviews, and whether the reply was issued on time."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, make_organ
from tests.letters.helpers import act, letters, online, pdf_text
from tests.reply.helpers import (
    CASES,
    case_of,
    deadline,
    issued,
    ok,
    pdf,
    problem,
    reply_through_review,
    submit,
)

SECRET = reply_params("withheld.state_secret")  # needs legal review by default
DISCLOSED = reply_params("disclosed")  # does not


def events(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case_id}/events", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())


def draft_reply(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    [draft] = [x for x in letters(client, staff, case_id) if x["kind"] == "reply"]
    assert draft["status"] == "draft"
    return draft


def preview_html(client: TestClient, staff: Staff, case_id: int, letter_id: int) -> str:
    r = client.get(
        f"{CASES}/{case_id}/letters/{letter_id}/preview",
        params={"format": "html"},
        headers=staff.headers("clerk"),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    return str(r.text)


def submit_as(
    client: TestClient, staff: Staff, case: dict[str, Any], role: str, **fields: Any
) -> Any:
    return act(client, staff, case, "submit_reply", role, **fields)


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "role", "body"),
    [
        ("legal_approve", "clerk", {"comments": "合法"}),
        ("approve_reply", "clerk", {"comments": "同意"}),
        ("approve_reply", "legal", {"comments": "同意"}),
        ("return_for_revision", "clerk", {"comments": "再改改"}),
        ("legal_return", "approver", {"comments": "再改改"}),
        ("issue_reply", "front_desk", {}),
        ("issue_reply", "legal", {}),
    ],
)
def test_review_actions_refuse_the_wrong_role(
    action: str, role: str, body: dict[str, Any], client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    r = problem(act(client, organ_a, case, action, role, **body), 403)
    assert r["code"] == "forbidden"
    after = case_of(client, organ_a, case["id"])
    assert after["version"] == case["version"]
    assert after["review"] == case["review"]


def test_approver_cannot_submit_a_reply(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = problem(submit_as(client, organ_a, case, "approver", **DISCLOSED), 403)
    assert r["required_roles"] == ["clerk"]
    assert case_of(client, organ_a, case["id"])["state"] == "received"


# --- order ----------------------------------------------------------------------------------


def test_sign_off_waits_for_legal_review_and_issue_for_both(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    assert case["review"]["legal_review"] == "pending"
    r = problem(act(client, organ_a, case, "approve_reply", "approver"), 409)
    assert r["code"] == "guard-failed"
    assert r["guard"] == "legal_review_done_if_required"
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert r["guard"] == "reply_approved"
    assert case_of(client, organ_a, case["id"])["version"] == case["version"]

    case = ok(act(client, organ_a, case, "legal_approve", "legal", comments="合法"))
    assert case["review"]["legal_review"] == "approved"
    # Reviewed once only.
    r = problem(act(client, organ_a, case, "legal_approve", "legal"), 409)
    assert r["guard"] == "legal_review_pending"
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert r["guard"] == "reply_approved"

    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    assert case["review"]["sign_off"] == "approved"
    r = problem(act(client, organ_a, case, "approve_reply", "approver"), 409)
    assert r["guard"] == "legal_review_done_if_required"
    case = ok(act(client, organ_a, case, "issue_reply", "approver"))
    assert case["state"] == "replied"


def test_legal_cannot_approve_a_reply_that_needs_no_legal_review(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **DISCLOSED))
    assert case["review"]["legal_review"] == "not_required"
    # The legal office is not involved: to a legal-only user the case does not exist.
    r = problem(act(client, organ_a, case, "legal_approve", "legal"), 404)
    assert r["code"] == "not-found"
    r = problem(act(client, organ_a, case, "legal_approve", "legal+clerk"), 409)
    assert r["guard"] == "legal_review_pending"


# --- returns --------------------------------------------------------------------------------


def test_legal_return_goes_back_to_received_with_its_comments_on_the_timeline(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    r = problem(act(client, organ_a, case, "legal_return", "legal"), 422)
    assert r["errors"][0]["loc"][-1] == "comments"
    case = ok(act(client, organ_a, case, "legal_return", "legal", comments="请补充定密依据"))
    assert case["state"] == "received"
    assert case["review"] is None
    last = events(client, organ_a, case["id"])[-1]
    assert last["action"] == "legal_return"
    assert (last["from_state"], last["to_state"]) == ("under_review", "received")
    assert last["payload"]["input"]["comments"] == "请补充定密依据"


def test_return_for_revision_goes_back_to_extended_when_the_case_was_extended(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(act(client, organ_a, case, "extend", "approver", days=10, reason="需调取档案较多"))
    assert case["state"] == "extended"
    case = ok(submit(client, organ_a, case, **DISCLOSED))
    r = problem(act(client, organ_a, case, "return_for_revision", "approver"), 422)
    assert r["errors"][0]["loc"][-1] == "comments"
    case = ok(
        act(client, organ_a, case, "return_for_revision", "approver", comments="提供形式写明")
    )
    assert case["state"] == "extended"
    assert case["review"] is None
    assert deadline(case, "reply")["due_date"] == "2026-04-14"  # the extension stands
    last = events(client, organ_a, case["id"])[-1]
    assert last["action"] == "return_for_revision"
    assert (last["from_state"], last["to_state"]) == ("under_review", "extended")
    assert last["payload"]["input"]["comments"] == "提供形式写明"


def test_legal_return_from_an_extended_case_goes_back_to_extended(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(act(client, organ_a, online(client), "extend", "approver", days=5, reason="档案"))
    case = ok(submit(client, organ_a, case, **SECRET))
    case = ok(act(client, organ_a, case, "legal_return", "legal", comments="理由不足"))
    assert case["state"] == "extended"


def test_a_returned_reply_is_resubmitted_reviewed_afresh_and_issued_as_revised(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    case = ok(act(client, organ_a, case, "legal_approve", "legal", comments="合法"))
    case = ok(act(client, organ_a, case, "return_for_revision", "approver", comments="改写理由"))
    assert case["state"] == "received"
    # The review starts over: the earlier legal approval does not carry over.
    case = ok(submit(client, organ_a, case, "withheld.state_secret", reasons="经定密属于秘密级"))
    assert case["review"]["legal_review"] == "pending"
    assert case["review"]["sign_off"] == "pending"
    case = ok(act(client, organ_a, case, "legal_approve", "legal", comments="合法"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert case["outcome"] == "withheld.state_secret"
    [reply] = [x for x in letters(client, organ_a, case["id"]) if x["kind"] == "reply"]
    assert reply["status"] == "issued"
    text = pdf_text(pdf(client, organ_a, reply["id"]))
    assert "经定密属于秘密级" in text
    assert "目前尚在保密期限内" not in text  # the first draft's reasons


def test_resubmission_may_change_the_outcome_and_its_review_chain(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    case = ok(act(client, organ_a, case, "legal_return", "legal", comments="可以公开"))
    case = ok(submit(client, organ_a, case, **DISCLOSED))
    assert case["review"]["outcome"] == "disclosed"
    assert case["review"]["legal_review"] == "not_required"
    case = ok(act(client, organ_a, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert case["outcome"] == "disclosed"


# --- the draft ------------------------------------------------------------------------------


def test_the_submitted_draft_is_previewable_at_once_and_follows_resubmission(
    client: TestClient, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_a, online(client), **SECRET))
    draft = draft_reply(client, organ_a, case["id"])
    assert draft["number"] is None
    assert draft["fields"]["outcome"] == "withheld.state_secret"
    html = preview_html(client, organ_a, case["id"], draft["id"])
    assert "草稿" in html
    assert "属于国家秘密" in html
    assert "目前尚在保密期限内" in html

    case = ok(act(client, organ_a, case, "legal_return", "legal", comments="改"))
    case = ok(submit(client, organ_a, case, "withheld.state_secret", reasons="保密期限至2030年"))
    again = draft_reply(client, organ_a, case["id"])
    assert again["id"] == draft["id"]
    html = preview_html(client, organ_a, case["id"], again["id"])
    assert "保密期限至2030年" in html
    assert "目前尚在保密期限内" not in html


# --- an organ without sign-off ---------------------------------------------------------------


@pytest.fixture
def organ_c(runtime: Runtime) -> Staff:
    """An organ whose replies need no sign-off by the approver (nor a recorded
    confidentiality review)."""
    with runtime.sessions.write.begin() as session:
        make_organ(
            session,
            "org-c",
            settings={"sign_off_required": False, "confidentiality_review_outcomes": []},
        )
    return Staff(runtime, "org-c")


def test_without_sign_off_the_reply_is_issued_after_legal_review(
    client: TestClient, organ_c: Staff
) -> None:
    case = ok(submit(client, organ_c, online(client, organ_code="org-c"), **SECRET))
    assert case["review"]["legal_review"] == "pending"
    assert case["review"]["sign_off"] == "not_required"
    r = problem(act(client, organ_c, case, "issue_reply", "clerk"), 409)
    assert r["guard"] == "reply_approved"
    case = ok(act(client, organ_c, case, "legal_approve", "legal", comments="合法"))
    r = problem(act(client, organ_c, case, "approve_reply", "approver"), 409)
    assert r["guard"] == "legal_review_done_if_required"
    case = ok(act(client, organ_c, case, "issue_reply", "clerk"))
    assert case["state"] == "replied"


def test_without_sign_off_a_reply_needing_no_review_is_issued_at_once(
    client: TestClient, organ_c: Staff
) -> None:
    case = ok(submit(client, organ_c, online(client, organ_code="org-c"), **DISCLOSED))
    assert case["review"]["legal_review"] == "not_required"
    assert case["review"]["sign_off"] == "not_required"
    case = ok(act(client, organ_c, case, "issue_reply", "clerk"))
    assert case["state"] == "replied"
    assert case["outcome"] == "disclosed"


# --- the reply's number ---------------------------------------------------------------------


def test_the_reply_number_is_allocated_once_at_issue(client: TestClient, organ_a: Staff) -> None:
    case = ok(submit(client, organ_a, online(client), **DISCLOSED))
    # Refused issues (guard, then payload) allocate nothing.
    problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    case = ok(act(client, organ_a, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver"))
    problem(act(client, organ_a, case, "issue_reply", "clerk", consultation_id="C1"), 422)
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    [reply] = issued(client, organ_a, case["id"], "reply")
    assert reply["number"] == "org-a依申答〔2026〕1号"
    text = pdf_text(pdf(client, organ_a, reply["id"]))
    assert reply["number"] in text
    assert "草稿" not in text
    # Issued once: a second issue is refused and the letter keeps its number.
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert r["code"] == "invalid-transition"
    [again] = issued(client, organ_a, case["id"], "reply")
    assert (again["id"], again["number"]) == (reply["id"], reply["number"])

    other = reply_through_review(client, organ_a, online(client), **DISCLOSED)
    [second] = issued(client, organ_a, other["id"], "reply")
    assert second["number"] == "org-a依申答〔2026〕2号"


# --- the legal office's view ----------------------------------------------------------------


def test_a_legal_only_user_sees_and_approves_what_awaits_its_review_and_nothing_else(
    client: TestClient, organ_a: Staff
) -> None:
    mine = ok(submit(client, organ_a, online(client), **SECRET))
    not_mine = ok(submit(client, organ_a, online(client), **DISCLOSED))
    legal = organ_a.headers("legal")

    r = client.get(CASES, params={"queue": "legal"}, headers=legal)
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["items"]] == [mine["id"]]
    r = client.get(CASES, headers=legal)
    assert [c["id"] for c in r.json()["items"]] == [mine["id"]]
    assert client.get(f"{CASES}/{mine['id']}", headers=legal).status_code == 200

    for path in ("", "/events", "/letters", "/deadlines"):
        r = client.get(f"{CASES}/{not_mine['id']}{path}", headers=legal)
        assert r.status_code == 404, (path, r.text)
    problem(act(client, organ_a, not_mine, "return_for_revision", "legal", comments="x"), 404)

    mine = ok(act(client, organ_a, mine, "legal_approve", "legal", comments="合法"))
    assert mine["review"]["legal_review"] == "approved"
    # Reviewed: no longer in the queue, still visible to the legal office.
    r = client.get(CASES, params={"queue": "legal"}, headers=legal)
    assert r.json()["items"] == []
    assert client.get(f"{CASES}/{mine['id']}", headers=legal).status_code == 200


def test_the_legal_queue_of_one_organ_does_not_show_anothers_cases(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    theirs = ok(submit(client, organ_b, online(client, organ_code="org-b"), **SECRET))
    r = client.get(CASES, params={"queue": "legal"}, headers=organ_a.headers("legal"))
    assert r.json()["items"] == []
    r = client.get(f"{CASES}/{theirs['id']}", headers=organ_a.headers("legal"))
    assert r.status_code == 404


# --- on time or late ------------------------------------------------------------------------


def test_a_reply_issued_after_the_due_date_is_late(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)  # reply due Mon 2026-03-30
    clock.set("2026-04-02T10:00+08:00")
    case = reply_through_review(client, organ_a, case, **DISCLOSED)
    assert case["concluded_on"] == "2026-04-02"
    assert case["reply_late"] is True
    assert deadline(case, "reply")["status"] == "late"


def test_a_reply_issued_on_the_due_date_is_on_time(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-30T17:30+08:00")
    case = reply_through_review(client, organ_a, case, **DISCLOSED)
    assert case["concluded_on"] == "2026-03-30"
    assert case["reply_late"] is False
    assert deadline(case, "reply")["status"] == "met"


def test_only_the_issue_day_decides_lateness_not_the_submission_day(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-27T10:00+08:00")
    case = ok(submit(client, organ_a, case, **DISCLOSED))
    case = ok(act(client, organ_a, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver"))
    clock.set("2026-03-31T09:00+08:00")
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert case["reply_late"] is True
    assert deadline(case, "reply")["status"] == "late"
