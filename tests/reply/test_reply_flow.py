"""The reply through review, issue, service and archive, over HTTP with the real roles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online, pdf_text
from tests.reply.helpers import (
    deadline,
    issued,
    ok,
    pdf,
    problem,
    submit,
)


def test_disclosed_reply_is_signed_off_issued_served_and_archived(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)  # received Mon 2026-03-02, reply due 2026-03-30
    clock.set("2026-03-20T10:00+08:00")
    case = ok(
        submit(client, organ_a, case, "disclosed", provided="见附件", provided_form="electronic")
    )
    assert case["state"] == "under_review"
    assert case["review"] == {
        "outcome": "disclosed",
        "outcome_label": case["review"]["outcome_label"],
        "legal_review": "not_required",
        "sign_off": "pending",
        "confidentiality_review": "pending",
    }
    # Not yet signed off: the reply cannot go out.
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert r["code"] == "guard-failed"
    case = ok(act(client, organ_a, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert case["state"] == "replied"
    assert case["outcome"] == "disclosed"
    assert case["concluded_on"] == "2026-03-20"
    assert case["reply_late"] is False
    assert deadline(case, "reply")["status"] == "met"
    [reply] = issued(client, organ_a, case["id"], "reply")
    text = pdf_text(pdf(client, organ_a, reply["id"]))
    assert "予以公开" in text
    assert "提供形式：电子数据" in text

    clock.set("2026-03-23T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_service",
            "front_desk",
            method="electronic",
            delivered_at="2026-03-20T15:00:00+08:00",
            evidence="邮件回执",
        )
    )
    assert case["state"] == "served"
    assert case["service"] == {"method": "electronic", "served_on": "2026-03-20", "on_time": True}
    names = {d["name"] for d in case["deadlines"]}
    assert {"reconsideration_until", "litigation_until"} <= names
    [receipt] = issued(client, organ_a, case["id"], "service_receipt")
    assert reply["number"] in pdf_text(pdf(client, organ_a, receipt["id"]))
    case = ok(act(client, organ_a, case, "archive", "clerk"))
    assert case["state"] == "archived"


def test_withdrawal_under_review_ends_the_review(client: TestClient, organ_a: Staff) -> None:
    case = ok(submit(client, organ_a, online(client), "withheld.state_secret", reasons="涉密"))
    assert case["review"]["legal_review"] == "pending"
    case = ok(act(client, organ_a, case, "withdraw", "clerk", withdrawn_on="2026-03-02"))
    assert case["state"] == "withdrawn"
    assert case["review"] is None
    assert case["outcome"] == "other.other"
