"""Every transition of the workflow diagram, driven over HTTP by a user holding the action's role.

Each edge (from-state, action, to-state) of workflows/foi_application.yaml — "@previous" actions
once per state they can return to — is reached from a fresh application by a recipe of valid
actions, taken, and checked; the test then asserts that no edge of the diagram was left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.workflow.definition import WorkflowDef, load_workflow
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, staff_case

CASES = "/api/v1/cases"
Step = tuple[str, dict[str, Any]]

CONSULT = {
    "kind": "third_party",
    "party": "某置业公司",
    "question": "是否同意公开",
    "dispatch_method": "in_person",
}
REPLY = {"outcome": "withheld.state_secret", "reasons": "经保密审查属于国家秘密"}
PAYLOADS: dict[str, dict[str, Any]] = {
    "confirm_receipt": {"receipt_date": "2026-03-02", "receipt_basis": "confirmed",
                        "receipt_evidence": "挂号信签收"},
    "request_correction": {"items_to_correct": ["请明确所需信息的年份"]},
    "record_notice_receipt": {"received_on": "2026-03-02", "evidence": "短信回执"},
    "record_correction": {"corrected_receipt_date": "2026-03-02"},
    "close_uncorrected": {},
    "extend": {"days": 10, "reason": "需调取档案"},
    "start_consultation": CONSULT,
    "record_consultation_receipt": {"consultation_id": "C2", "received_on": "2026-03-02"},
    "record_opinion": {"consultation_id": "C1", "received_on": "2026-03-02", "opinion": "同意",
                       "result": "consent"},
    "conclude_consultation": {},
    "request_reasons": {"grounds": "一个月内申请120件"},
    "record_reasons": {"decision": "reasonable"},
    "issue_fee_notice": {"method": "per_volume", "quantity": 100, "payment": "非税收入缴款系统"},
    "record_fee_notice_receipt": {"received_on": "2026-03-02", "evidence": "短信回执"},
    "record_payment": {"paid_on": "2026-03-02"},
    "close_unpaid": {},
    "submit_reply": REPLY,
    "legal_approve": {"comments": "合法"},
    "legal_return": {"comments": "理由不充分"},
    "approve_reply": {},
    "return_for_revision": {"comments": "请补充"},
    "issue_reply": {},
    "record_service": {"method": "in_person", "served_on": "2026-03-02", "signature": "张三"},
    "archive": {},
    "withdraw": {"withdrawn_on": "2026-03-02"},
    "confidentiality_review": {"result": "passed"},
    "reopen": {"reason": "复议决定责令重新答复", "decision_kind": "reconsideration",
               "decision_number": "示府复〔2026〕12号", "decision_received_on": "2026-03-02"},
    "record_inspection": {"took_place": True, "on": "2026-03-02"},
    "transfer": {"to_organ": "org-b", "reason": "申请的信息由乙机关制作"},
}  # fmt: skip
# Edges whose action needs other payloads than PAYLOADS: (action, to-state) -> payloads by step.
DISCLOSED = {"outcome": "disclosed", "provided": "全文", "provided_form": "electronic"}
INSPECTION = {"outcome": "disclosed", "provided": "执法检查记录", "provided_form": "inspection",
              "inspection_place": "档案查阅室", "inspection_from": "2026-03-10",
              "inspection_to": "2026-03-20", "inspection_contact": "李老师 0571-87000001"}  # fmt: skip
EDGE_PAYLOADS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    **{("record_inspection", s): {"submit_reply": INSPECTION} for s in ("replied", "served")},
    ("confidentiality_review", "under_review"): {"submit_reply": DISCLOSED},
    **{
        ("confidentiality_review", back): {
            "submit_reply": DISCLOSED,
            "confidentiality_review": {"result": "failed", "comments": "含涉密内容"},
        }
        for back in ("received", "extended")
    },
}

# How to bring a fresh application (received) to a state, with a given previous state.
_REVIEWED = ["submit_reply", "legal_approve", "approve_reply"]
# A reply that provides information: its confidentiality review instead of the legal one.
_PROVIDED = ["submit_reply", "confidentiality_review", "approve_reply"]
REACH: dict[tuple[str, str | None], list[str]] = {
    ("received", None): [],
    ("extended", None): ["extend"],
    ("awaiting_correction", None): ["request_correction"],
    ("replied", None): [*_REVIEWED, "issue_reply"],
    ("served", None): [*_REVIEWED, "issue_reply", "record_service"],
    ("archived", None): [*_REVIEWED, "issue_reply", "record_service", "archive"],
}
for _prev, _pre in (("received", []), ("extended", ["extend"])):
    REACH[("consulting", _prev)] = [*_pre, "start_consultation"]
    REACH[("awaiting_reasons", _prev)] = [*_pre, "request_reasons"]
    REACH[("awaiting_fee", _prev)] = [*_pre, "issue_fee_notice"]
    REACH[("under_review", _prev)] = [*_pre, "submit_reply"]
for _s, _steps in (("replied", ["issue_reply"]), ("served", ["issue_reply", "record_service"])):
    REACH[(_s, "record_inspection")] = [*_PROVIDED, *_steps]
# What an edge needs done in its from-state first (a guard's condition).
BEFORE: dict[str, list[str]] = {
    "conclude_consultation": ["record_opinion"],
    "record_consultation_receipt": ["start_consultation"],  # a posted letter: C2
    "approve_reply": ["legal_approve"],
    "issue_reply": ["legal_approve", "approve_reply"],
    # An electronic notice is received when its arrival is recorded, never assumed.
    "close_uncorrected": ["record_notice_receipt"],
    "close_unpaid": ["record_fee_notice_receipt"],
}
# Clock moves an edge needs (windows that must have ended).
LATER = {"close_uncorrected": "2026-03-24T09:00+08:00", "close_unpaid": "2026-03-31T09:00+08:00"}


def edges(wf: WorkflowDef) -> set[tuple[str, str, str]]:
    out = set()
    for action in wf.actions.values():
        for src in action.from_states:
            for target in action.targets_from(src):
                out.add((src, action.code, src if target == src else target))
    return out


def _role(wf: WorkflowDef, action: str) -> str:
    return next(r for r in wf.action(action).roles if r != "applicant")


def _post(
    client: TestClient,
    staff: Staff,
    wf: WorkflowDef,
    case: dict[str, Any],
    action: str,
    payloads: dict[str, dict[str, Any]] | None = None,
) -> Any:
    body = dict((payloads or {}).get(action, PAYLOADS[action]))
    if action == "start_consultation" and case["state"] == "consulting":
        body["dispatch_method"] = "post"  # the second one goes by post: its receipt is recorded
    r = client.post(
        f"{CASES}/{case['id']}/actions/{action}",
        json={**body, "version": case["version"]},
        headers=staff.headers(_role(wf, action)),
    )
    assert r.status_code == 200, f"{action} from {case['state']}: {r.text}"
    return r.json()


def _start(client: TestClient, staff: Staff, state: str, action: str) -> dict[str, Any]:
    if state == "awaiting_confirmation":
        r = client.post(CASES, json=staff_case("ordinary_mail"), headers=staff.headers("clerk"))
    elif action == "record_fee_notice_receipt":
        # Paper by post: the fee notice's receipt is known only later.
        body = staff_case("in_person", delivery={"form": "paper", "method": "post"})
        r = client.post(
            CASES, json={**body, "e_service_consent": False}, headers=staff.headers("front_desk")
        )
    else:
        r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    return dict(r.json())


WF = load_workflow(Path(__file__).resolve().parents[2] / "workflows" / "foi_application.yaml")


@pytest.mark.parametrize("edge", sorted(edges(WF)), ids="-".join)
def test_every_transition_of_the_diagram(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock, edge: tuple[str, str, str]
) -> None:
    src, action, dst = edge
    wf = WF
    case = _start(client, organ_a, src, action)
    via = wf.action(action)
    prev = dst if via.may_return and dst != src else None
    payloads = EDGE_PAYLOADS.get((action, dst), {})
    steps = (
        []
        if src == "awaiting_confirmation"
        else REACH.get((src, action), REACH.get((src, prev), REACH.get((src, None))))
    )
    if steps is None:
        steps = REACH[(src, "received")]
    for step in [*steps, *BEFORE.get(action, [])]:
        case = _post(client, organ_a, wf, case, step, payloads)
    assert case["state"] == src
    if action in LATER:
        clock.set(LATER[action])
    after = _post(client, organ_a, wf, case, action, payloads)
    assert after["state"] == dst
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert (events[-1]["action"], events[-1]["from_state"], events[-1]["to_state"]) == (
        action,
        src,
        dst,
    )


def test_the_recipes_cover_every_state_an_edge_starts_from() -> None:
    starts = {src for src, _, _ in edges(WF)}
    reachable = {state for state, _ in REACH} | {"awaiting_confirmation"}
    assert starts <= reachable
    assert set(PAYLOADS) == set(WF.actions)
