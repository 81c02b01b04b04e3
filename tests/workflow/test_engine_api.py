"""The workflow engine through the real API: transitions, roles, versions, guards, clocks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.audit.keys import audit_key
from app.audit.service import verify_chains
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, staff_case

CASES = "/api/v1/cases"


def _mail_case(client: TestClient, staff: Staff) -> dict[str, Any]:
    r = client.post(CASES, json=staff_case("ordinary_mail"), headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "awaiting_confirmation"
    return r.json()


def _received(client: TestClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/applications", json=application(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


def _act(
    client: TestClient, staff: Staff, case: dict[str, Any], action: str, role: str, **body: Any
) -> Any:
    body.setdefault("version", case["version"])
    return client.post(
        f"{CASES}/{case['id']}/actions/{action}", json=body, headers=staff.headers(*role.split("+"))
    )


def _deadline(case: dict[str, Any], name: str) -> dict[str, Any]:
    return next(d for d in case["deadlines"] if d["name"] == name)


def test_confirm_receipt_starts_the_reply_clock_from_the_confirmed_date(
    client: TestClient, organ_a: Staff
) -> None:
    case = _mail_case(client, organ_a)
    assert case["deadlines"] == []
    r = _act(
        client,
        organ_a,
        case,
        "confirm_receipt",
        "clerk",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence="电话确认，通话记录 0302-1",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "received"
    assert body["version"] == case["version"] + 1
    assert body["receipt_date"] == "2026-03-02"
    assert _deadline(body, "reply")["due_date"] == "2026-03-30"
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert [e["action"] for e in events] == ["register", "confirm_receipt"]
    assert events[1]["from_state"] == "awaiting_confirmation"
    assert events[1]["to_state"] == "received"
    assert events[1]["payload"]["after"]["reply_due"] == "2026-03-30"
    assert events[1]["prev_hash"] == events[0]["hash"]


def test_confirm_receipt_refuses_a_basis_that_does_not_fit_the_channel(
    client: TestClient, organ_a: Staff
) -> None:
    case = _mail_case(client, organ_a)
    r = _act(
        client,
        organ_a,
        case,
        "confirm_receipt",
        "clerk",
        receipt_date="2026-03-02",
        receipt_basis="signed_for",
        receipt_evidence="x",
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "receipt_basis"]


def test_action_not_allowed_in_state_is_409_listing_allowed_actions(
    client: TestClient, organ_a: Staff
) -> None:
    case = _received(client)
    r = _act(
        client,
        organ_a,
        case,
        "confirm_receipt",
        "clerk",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence="x",
    )
    assert r.status_code == 409
    problem = r.json()
    assert problem["code"] == "invalid-transition"
    assert problem["state"] == "received"
    assert "request_correction" in problem["allowed_actions"]


def test_wrong_role_is_403_and_unknown_action_404(client: TestClient, organ_a: Staff) -> None:
    case = _received(client)
    assert _act(client, organ_a, case, "extend", "clerk", days=5, reason="复杂").status_code == 403
    r = _act(client, organ_a, case, "fly_away", "clerk")
    assert r.status_code == 404


def test_stale_or_missing_version_changes_nothing(client: TestClient, organ_a: Staff) -> None:
    case = _received(client)
    stale = _act(
        client,
        organ_a,
        case,
        "request_correction",
        "clerk",
        items_to_correct=["请补充身份证明"],
        version=case["version"] + 7,
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "version-conflict"
    missing = client.post(
        f"{CASES}/{case['id']}/actions/request_correction",
        json={"items_to_correct": ["x"]},
        headers=organ_a.headers("clerk"),
    )
    assert missing.status_code == 428
    via_header = client.post(
        f"{CASES}/{case['id']}/actions/request_correction",
        json={"items_to_correct": ["请补充身份证明"]},
        headers={**organ_a.headers("clerk"), "If-Match": f'"{case["version"]}"'},
    )
    assert via_header.status_code == 200, via_header.text
    assert via_header.json()["state"] == "awaiting_correction"


def test_bad_payload_is_422_naming_each_field(client: TestClient, organ_a: Staff) -> None:
    case = _received(client)
    r = _act(
        client,
        organ_a,
        case,
        "request_correction",
        "clerk",
        items_to_correct="not a list",
        surprise=1,
    )
    assert r.status_code == 422
    assert sorted(e["loc"][-1] for e in r.json()["errors"]) == ["items_to_correct", "surprise"]


def test_a_workflow_naming_a_guard_the_code_lacks_is_refused(tmp_path: Path) -> None:
    from app.workflow.definition import WorkflowDefinitionError, load_workflows

    src = Path(__file__).resolve().parents[2] / "workflows"
    for f in src.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "foi_application.yaml"
    text = path.read_text(encoding="utf-8")
    assert "reply_approved" in text
    path.write_text(text.replace("reply_approved", "reply_approvd"), encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError, match="unknown guard 'reply_approvd'"):
        load_workflows(tmp_path)


def test_declared_but_unimplemented_action_is_refused_cleanly(
    client: TestClient, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.workflow.rules import GUARDS

    monkeypatch.delitem(GUARDS, "consultation_limit")
    case = _received(client)
    r = _act(
        client,
        organ_a,
        case,
        "start_consultation",
        "clerk",
        kind="third_party",
        party="某公司",
        question="是否同意公开",
        dispatch_method="post",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "action-unavailable"
    detail = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert "start_consultation" not in detail["allowed_actions"]


def test_correction_suspends_then_restarts_reply_clock_from_corrected_receipt(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _received(client)  # received Mon 2026-03-02, e-service consented
    clock.set("2026-03-04T10:00+08:00")
    r = _act(
        client,
        organ_a,
        case,
        "request_correction",
        "clerk",
        items_to_correct=["请明确所需信息的年份"],
    )
    assert r.status_code == 200, r.text
    suspended = r.json()
    assert _deadline(suspended, "reply")["status"] == "suspended"
    # Sent electronically, not yet received: the applicant's window has not started (RULES §4).
    assert _deadline(suspended, "correction")["status"] == "not_started"

    clock.set("2026-03-10T10:00+08:00")
    number, code = case["number"], case["query_code"]
    r = client.post(
        f"/api/v1/applications/{number}/actions/record_correction",
        json={
            "corrected_receipt_date": "2026-03-10",
            "content": "所需为2025年度信息",
            "version": suspended["version"],
        },
        headers={"X-Query-Code": code},
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["state"] == "received"
    reply = _deadline(view, "reply")
    assert reply["start_date"] == "2026-03-10"
    assert reply["due_date"] == "2026-04-08"  # 20 WD from 03-10, skipping 清明 04-04..06

    again = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
    r = _act(client, organ_a, again, "request_correction", "clerk", items_to_correct=["再补"])
    assert r.status_code == 409
    assert r.json()["guard"] == "correction_notice_not_sent_before"


def test_correction_notice_after_seven_working_days_fails_its_guard(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _received(client)
    clock.set("2026-03-12T10:00+08:00")  # 8th working day after 03-02
    r = _act(client, organ_a, case, "request_correction", "clerk", items_to_correct=["x"])
    assert r.status_code == 409
    assert r.json()["guard"] == "within_correction_notice_window"


def test_close_uncorrected_only_after_the_correction_period(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _received(client)
    r = _act(client, organ_a, case, "request_correction", "clerk", items_to_correct=["x"])
    case = r.json()
    r = _act(
        client,
        organ_a,
        case,
        "record_notice_receipt",
        "front_desk",
        received_on="2026-03-02",
        evidence="短信回执",
    )
    case = r.json()
    early = _act(client, organ_a, case, "close_uncorrected", "clerk")
    assert early.status_code == 409
    assert early.json()["guard"] == "correction_period_elapsed"
    clock.set("2026-03-24T10:00+08:00")  # the day after the 15th working day (03-23)
    closed = _act(client, organ_a, case, "close_uncorrected", "clerk")
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "replied"
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["payload"]["outcome"] == "other.no_correction"


def test_extension_by_approver_adds_days_once_and_within_the_limit(
    client: TestClient, organ_a: Staff
) -> None:
    case = _received(client)
    too_long = _act(client, organ_a, case, "extend", "approver", days=21, reason="复杂")
    assert too_long.status_code == 409
    assert too_long.json()["guard"] == "extension_within_limit"
    r = _act(client, organ_a, case, "extend", "approver", days=20, reason="需要检索多个部门档案")
    assert r.status_code == 200, r.text
    extended = r.json()
    assert extended["state"] == "extended"
    assert _deadline(extended, "reply")["due_date"] == "2026-04-28"  # 40 WD from 03-02
    again = _act(client, organ_a, extended, "extend", "approver", days=5, reason="x")
    assert again.status_code == 409


def test_extension_after_the_deadline_fails_its_guard(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _received(client)
    clock.set("2026-03-31T10:00+08:00")
    r = _act(client, organ_a, case, "extend", "approver", days=10, reason="x")
    assert r.status_code == 409
    assert r.json()["guard"] == "before_reply_deadline"


def test_applicant_withdraws_own_case_and_the_chain_verifies(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = _received(client)
    other = _received(client)
    wrong_code = client.post(
        f"/api/v1/applications/{case['number']}/actions/withdraw",
        json={"withdrawn_on": "2026-03-02", "version": 1},
        headers={"X-Query-Code": other["query_code"]},
    )
    assert wrong_code.status_code == 404
    r = client.post(
        f"/api/v1/applications/{case['number']}/actions/withdraw",
        json={"withdrawn_on": "2026-03-02", "reason": "已通过其他途径获得", "version": 1},
        headers={"X-Query-Code": case["query_code"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn"
    assert _deadline(r.json(), "reply")["status"] == "ended"  # withdrawn: neither met nor missed
    cannot = client.post(
        f"/api/v1/applications/{case['number']}/actions/extend",
        json={"days": 3, "reason": "x", "version": 2},
        headers={"X-Query-Code": case["query_code"]},
    )
    assert cannot.status_code == 403
    with runtime.sessions.read() as session:
        checked, problems = verify_chains(session, audit_key(runtime.settings))
    assert problems == []
    assert checked == 3


def test_every_action_outside_the_yaml_is_refused_and_changes_nothing(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    wf = runtime.workflow
    received = _received(client)
    mail = _mail_case(client, organ_a)
    all_roles = ("clerk", "front_desk", "approver", "legal")
    for case in (received, mail):
        for code, action in wf.actions.items():
            if case["state"] in action.from_states:
                continue
            r = _act(client, organ_a, case, code, "+".join(all_roles))
            assert r.status_code == 409, (case["state"], code, r.text)
            assert r.json()["code"] == "invalid-transition"
        now = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
        assert now["version"] == case["version"]
        assert now["state"] == case["state"]


def test_concurrent_actions_on_one_case_exactly_one_wins(
    app: FastAPI, client: TestClient, organ_a: Staff
) -> None:
    case = _received(client)
    headers = organ_a.headers("clerk", "approver")
    results: list[int] = []

    def go(action: str, body: dict[str, Any]) -> None:
        with TestClient(app) as c:
            r = c.post(
                f"{CASES}/{case['id']}/actions/{action}",
                json={**body, "version": case["version"]},
                headers=headers,
            )
            results.append(r.status_code)

    threads = [
        threading.Thread(target=go, args=("request_correction", {"items_to_correct": ["x"]})),
        threading.Thread(target=go, args=("extend", {"days": 5, "reason": "y"})),
        threading.Thread(target=go, args=("request_correction", {"items_to_correct": ["z"]})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409]


@pytest.mark.parametrize(("due_within", "expected"), [(3, 0), (20, 1)])
def test_worklist_due_within_working_days(
    client: TestClient, organ_a: Staff, due_within: int, expected: int
) -> None:
    _received(client)
    r = client.get(f"{CASES}?due_within={due_within}", headers=organ_a.headers("clerk"))
    assert r.status_code == 200
    assert r.json()["total"] == expected


def test_deadlines_endpoint_explains_each_deadline(client: TestClient, organ_a: Staff) -> None:
    case = _received(client)
    r = client.get(f"{CASES}/{case['id']}/deadlines", headers=organ_a.headers("clerk"))
    assert r.status_code == 200
    names = [d["name"] for d in r.json()]
    assert names == ["reply", "correction_notice"]
    assert "第三十三条" in r.json()[0]["explanation"]


def test_posted_correction_notice_period_starts_when_the_applicant_signs_for_it(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    r = client.post(
        CASES,
        json=staff_case(
            "in_person", e_service_consent=False, delivery={"form": "paper", "method": "post"}
        ),
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    case = r.json()
    case = _act(client, organ_a, case, "request_correction", "clerk", items_to_correct=["x"]).json()
    assert _deadline(case, "correction")["status"] == "not_started"
    blocked = _act(client, organ_a, case, "close_uncorrected", "clerk")
    assert blocked.json()["guard"] == "correction_period_elapsed"
    clock.set("2026-03-05T10:00+08:00")
    signed = _act(
        client, organ_a, case, "record_notice_receipt", "front_desk", received_on="2026-03-04"
    )
    assert signed.status_code == 200, signed.text
    assert _deadline(signed.json(), "correction")["due_date"] == "2026-03-25"
    clock.set("2026-03-26T10:00+08:00")
    closed = _act(client, organ_a, signed.json(), "close_uncorrected", "clerk")
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "replied"
