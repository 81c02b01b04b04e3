"""Confidentiality review (保密审查, Art. 17): which replies need it, who records it, what it
blocks, and that a failed review sends the draft back (RULES §9)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.auth.principal import Actor
from app.deadline import ledger as lg
from app.deadline.calendar import WorkCalendar
from app.organs.settings import OrganSettings
from app.runtime import Runtime
from app.workflow.context import CaseFacts, Change, Ctx
from app.workflow.rules_reply import record_reply_submission
from tests.conftest import Staff
from tests.fixtures.factories import Clock, make_organ
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, deadline, ok, problem, submit

CAL = WorkCalendar.from_dir(Path(__file__).resolve().parents[2] / "workflows" / "calendar")
DISCLOSED = {"provided": "2025年度预算执行情况全文", "provided_form": "electronic"}


def _submitted(settings: OrganSettings, **payload: Any) -> dict[str, Any]:
    ctx = Ctx(
        case=CaseFacts(
            state="received",
            channel="online",
            arrived_on=date(2026, 3, 2),
            receipt_date=date(2026, 3, 2),
            e_service_consent=True,
            item_positions=(1, 2),
        ),
        ledger=[lg.Received(on=date(2026, 3, 2))],
        payload=payload,
        actor=Actor(kind="user", label="承办人"),
        today=date(2026, 3, 10),
        now=datetime(2026, 3, 10, 2, tzinfo=UTC),
        calendar=CAL,
        settings=settings,
    )
    change = Change()
    record_reply_submission(ctx, change)
    assert change.errors == []
    return change.update.changed()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"outcome": "disclosed"}, "pending"),
        ({"outcome": "partially_disclosed", "withheld_parts": []}, "pending"),
        ({"outcome": "already_public"}, "not_required"),
        ({"outcome": "withheld.state_secret"}, "not_required"),
        ({"outcome": "unavailable.not_held"}, "not_required"),
        # An item that provides information is reviewed as much as a whole disclosure.
        (
            {
                "outcome": "unavailable.not_held",
                "item_outcomes": [
                    {"position": 1, "outcome": "unavailable.not_held"},
                    {"position": 2, "outcome": "disclosed"},
                ],
            },
            "pending",
        ),
    ],
)
def test_the_default_reviews_every_outcome_that_provides_information(
    payload: dict[str, Any], expected: str
) -> None:
    assert _submitted(OrganSettings(), **payload)["confidentiality_review"] == expected


def test_the_organ_chooses_the_outcomes_and_groups() -> None:
    s = OrganSettings(confidentiality_review_outcomes=("already_public", "withheld."))
    assert _submitted(s, outcome="disclosed")["confidentiality_review"] == "not_required"
    assert _submitted(s, outcome="already_public")["confidentiality_review"] == "pending"
    assert _submitted(s, outcome="withheld.third_party_rights")["confidentiality_review"] == (
        "pending"
    )
    none = OrganSettings(confidentiality_review_outcomes=())
    assert _submitted(none, outcome="disclosed")["confidentiality_review"] == "not_required"


def test_the_legal_office_as_reviewer_is_involved_in_the_case() -> None:
    s = OrganSettings(confidentiality_review_role="legal")
    fields = _submitted(s, outcome="disclosed")
    assert (fields["confidentiality_review"], fields["legal_involved"]) == ("pending", True)


def test_settings_refuse_unknown_outcomes_and_roles() -> None:
    with pytest.raises(ValidationError):
        OrganSettings(confidentiality_review_outcomes=("disclosed.nope",))
    with pytest.raises(ValidationError):
        OrganSettings(confidentiality_review_role="supervisor")  # type: ignore[arg-type]
    assert OrganSettings().confidentiality_review_role == "approver"


# --- over HTTP ------------------------------------------------------------------------------


def test_a_disclosure_is_reviewed_before_sign_off_and_issue_without_stopping_the_clock(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-10T10:00+08:00")
    due = deadline(case_of(client, organ_a, case["id"]), "reply")["due_date"]
    case = ok(submit(client, organ_a, case, "disclosed", **DISCLOSED))
    assert case["review"]["confidentiality_review"] == "pending"

    r = problem(act(client, organ_a, case, "approve_reply", "approver"), 409)
    assert (r["guard"], "保密审查" in r["detail"]) == ("confidentiality_review_done", True)
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert r["guard"] == "reply_approved"  # not signed off either
    # The clerk may not record it: this organ names the approver.
    r = problem(act(client, organ_a, case, "confidentiality_review", "clerk", result="passed"), 409)
    assert r["guard"] == "confidentiality_reviewer"
    assert "负责人" in r["detail"]

    case = ok(
        act(client, organ_a, case, "confidentiality_review", "approver", result="passed",
            comments="不涉及国家秘密")
    )  # fmt: skip
    assert (case["state"], case["review"]["confidentiality_review"]) == ("under_review", "passed")
    d = deadline(case, "reply")
    assert (d["due_date"], d["status"]) == (due, "running")
    # Recorded once: a second review is refused.
    r = problem(
        act(client, organ_a, case, "confidentiality_review", "approver", result="passed"), 409
    )
    assert r["guard"] == "confidentiality_review_pending"

    case = ok(act(client, organ_a, case, "approve_reply", "approver"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert (case["state"], case["outcome"]) == ("replied", "disclosed")
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk"))
    review = next(e for e in events.json() if e["action"] == "confidentiality_review")
    assert review["payload"]["input"] == {"result": "passed", "comments": "不涉及国家秘密"}
    assert review["payload"]["case_fields"] == {"confidentiality_review": "passed"}


def test_a_failed_review_needs_comments_and_sends_the_draft_back(
    client: TestClient, organ_a: Staff
) -> None:
    case = act(client, organ_a, online(client), "extend", "approver", days=5, reason="调档")
    case = ok(submit(client, organ_a, ok(case), "disclosed", **DISCLOSED))
    r = problem(
        act(client, organ_a, case, "confidentiality_review", "approver", result="failed"), 422
    )
    assert r["errors"][0]["loc"] == ["body", "comments"]
    r = problem(
        act(client, organ_a, case, "confidentiality_review", "approver", result="maybe"), 422
    )
    assert r["errors"][0]["loc"] == ["body", "result"]

    case = ok(
        act(client, organ_a, case, "confidentiality_review", "approver", result="failed",
            comments="第3页含涉密数据，应删除")
    )  # fmt: skip
    assert (case["state"], case["review"]) == ("extended", None)
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk"))
    last = events.json()[-1]
    assert (last["action"], last["from_state"], last["to_state"]) == (
        "confidentiality_review",
        "under_review",
        "extended",
    )
    # Resubmitted as a withholding: no confidentiality review, straight to sign-off.
    case = ok(submit(client, organ_a, case, "withheld.state_secret", reasons="经定密属于秘密级"))
    assert case["review"]["confidentiality_review"] == "not_required"


@pytest.fixture
def organ_l(runtime: Runtime) -> Staff:
    """An organ whose legal office records the confidentiality review."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-l", settings={"confidentiality_review_role": "legal"})
    return Staff(runtime, "org-l")


def test_the_role_the_organ_names_records_the_review(client: TestClient, organ_l: Staff) -> None:
    case = online(client, organ_code="org-l")
    case = ok(submit(client, organ_l, case, "disclosed", **DISCLOSED))
    r = problem(
        act(client, organ_l, case, "confidentiality_review", "approver", result="passed"), 409
    )
    assert r["guard"] == "confidentiality_reviewer"
    assert "法制机构" in r["detail"]
    # A legal-office user sees the case it must review.
    case = ok(act(client, organ_l, case, "confidentiality_review", "legal", result="passed"))
    assert case["review"]["confidentiality_review"] == "passed"


def test_admin_sets_the_review_outcomes_and_role(
    client: TestClient, admin: dict[str, str], organ_a: Staff
) -> None:
    url = "/api/v1/admin/organs/org-a/settings"
    r = client.put(
        url,
        json={
            "confidentiality_review_outcomes": ["disclosed"],
            "confidentiality_review_role": "clerk",
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["confidentiality_review_role"] == "clerk"
    for bad in (
        {"confidentiality_review_role": "supervisor"},
        {"confidentiality_review_outcomes": ["disclosed.all"]},
    ):
        body = problem(client.put(url, json=bad, headers=admin), 422)
        assert next(iter(bad)) in str(body["errors"])


@pytest.fixture
def organ_n(runtime: Runtime) -> Staff:
    """An organ whose replies need no sign-off: only the confidentiality review stands."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-n", settings={"sign_off_required": False})
    return Staff(runtime, "org-n")


def test_without_sign_off_the_reply_still_waits_for_the_review(
    client: TestClient, organ_n: Staff, organ_a: Staff
) -> None:
    case = ok(submit(client, organ_n, online(client, organ_code="org-n"), "disclosed", **DISCLOSED))
    r = problem(act(client, organ_n, case, "issue_reply", "clerk"), 409)
    assert r["guard"] == "confidentiality_review_done"
    assert "保密审查" in r["detail"]
    # Another organ's approver finds no such case.
    assert problem(
        act(client, organ_a, case, "confidentiality_review", "approver", result="passed"), 404
    )
    case = ok(act(client, organ_n, case, "confidentiality_review", "approver", result="passed"))
    assert ok(act(client, organ_n, case, "issue_reply", "clerk"))["state"] == "replied"
