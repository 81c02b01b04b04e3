"""No action payload produces a 500: property-based payloads for the handling actions.

Each action gets objects built from its declared fields with values of every shape (right type,
wrong type, nested junk, edge dates); whatever comes back must be below 500, a problem document
when it is an error, and a refused action must leave the case as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.runtime import Runtime
from app.workflow.definition import load_workflow
from tests.conftest import Staff
from tests.fixtures.factories import application

CASES = "/api/v1/cases"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WF = load_workflow(Path(__file__).resolve().parents[2] / "workflows" / "foi_application.yaml")

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
    st.sampled_from(
        [
            "2026-03-02",
            "2026-02-30",
            "0001-01-01",
            "9999-12-31",
            "2026-03-02T15:00:00+08:00",
            "2026-03-02T15:00:00",
            "C1",
            "C99",
            "disclosed",
            "partially_disclosed",
            "withheld.state_secret",
            "not_processed.repeat",
            "unavailable.not_this_organ",
            "other.no_correction",
            "third_party",
            "legal_office",
            "objection",
            "per_piece",
            "per_volume",
            "post",
            "electronic",
            "in_person",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["part", "ground", "reasons", "name", "contact", "number", "date",
                             "position", "outcome", "note", "x"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)  # fmt: skip


def payloads(action: str) -> st.SearchStrategy[dict[str, Any]]:
    names = [f.name for f in WF.action(action).payload]
    return st.dictionaries(st.sampled_from([*names, "unknown"]), values, max_size=len(names) + 1)


# (action, role, actions that bring a fresh online application to a state it may be taken in)
SETUPS: dict[str, tuple[str, list[tuple[str, str, dict[str, Any]]]]] = {
    "start_consultation": ("clerk", []),
    "submit_reply": ("clerk", []),
    "issue_fee_notice": ("clerk", []),
    "request_reasons": ("clerk", []),
    "record_opinion": (
        "clerk+legal",
        [
            (
                "start_consultation",
                "clerk",
                {"kind": "third_party", "party": "某公司", "question": "是否同意", "dispatch_method": "post"},
            )
        ],
    ),
    "record_reasons": (
        "clerk+approver",
        [("request_reasons", "clerk", {"grounds": "数量明显超过合理范围"})],
    ),
    "record_service": (
        "front_desk",
        [
            ("submit_reply", "clerk", {"outcome": "disclosed", "provided": "见附件"}),
            ("confidentiality_review", "approver", {"result": "passed"}),
            ("approve_reply", "approver", {}),
            ("issue_reply", "clerk", {}),
        ],
    ),
    "confidentiality_review": (
        "approver",
        [("submit_reply", "clerk", {"outcome": "disclosed", "provided": "见附件"})],
    ),
    "reopen": (
        "approver",
        [
            ("submit_reply", "clerk", {"outcome": "withheld.state_secret", "reasons": "涉密"}),
            ("legal_approve", "legal", {}),
            ("approve_reply", "approver", {}),
            ("issue_reply", "clerk", {}),
        ],
    ),
    "record_inspection": (
        "clerk",
        [
            ("submit_reply", "clerk", {"outcome": "disclosed", "provided": "记录",
                                       "provided_form": "inspection", "inspection_place": "查阅室",
                                       "inspection_from": "2026-03-10",
                                       "inspection_to": "2026-03-20",
                                       "inspection_contact": "李老师"}),
            ("confidentiality_review", "approver", {"result": "passed"}),
            ("approve_reply", "approver", {}),
            ("issue_reply", "clerk", {}),
        ],
    ),
}  # fmt: skip


def _fresh(client: TestClient, staff: Staff, steps: list[tuple[str, str, dict[str, Any]]]) -> Any:
    r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    case = r.json()
    for action, role, body in steps:
        r = client.post(
            f"{CASES}/{case['id']}/actions/{action}",
            json={**body, "version": case["version"]},
            headers=staff.headers(role),
        )
        assert r.status_code == 200, r.text
        case = r.json()
    return case


@pytest.mark.parametrize("action", sorted(SETUPS))
def test_no_action_payload_produces_a_server_error(
    app: FastAPI, runtime: Runtime, organ_a: Staff, action: str
) -> None:
    role, steps = SETUPS[action]
    with TestClient(app, raise_server_exceptions=False) as client:
        current: dict[str, Any] = {"case": _fresh(client, organ_a, steps)}

        @FUZZ
        @given(payloads(action))
        def run(payload: dict[str, Any]) -> None:
            case = current["case"]
            r = client.post(
                f"{CASES}/{case['id']}/actions/{action}",
                json={**payload, "version": case["version"]},
                headers=organ_a.headers(*role.split("+")),
            )
            assert r.status_code < 500, r.text
            if r.status_code == 200:
                current["case"] = _fresh(client, organ_a, steps)
                return
            assert r.headers["content-type"].startswith("application/problem+json")
            after = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
            assert after["version"] == case["version"]
            assert after["state"] == case["state"]

        run()
