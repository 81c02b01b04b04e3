"""Who starts consultations and records opinions, and what an opinion must say."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.consultations.helpers import conclude, consultation, opinion, start
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, ok, problem


def consulting(client: TestClient, staff: Staff, clock: Clock, *kinds: str) -> dict[str, Any]:
    """A case with a consultation of each kind, C1, C2, ... in this order, started 3-20."""
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    for kind in kinds:
        case = ok(start(client, staff, case, kind))
    return case


def test_the_legal_office_records_its_own_opinion_and_a_clerk_cannot(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = consulting(client, organ_a, clock, "legal_office")
    r = problem(opinion(client, organ_a, case, "C1", "2026-03-20", "advice", role="clerk"), 409)
    assert (r["code"], r["guard"]) == ("guard-failed", "may_record_opinion")
    assert "legal" in r["detail"]
    case = ok(
        opinion(
            client,
            organ_a,
            case,
            "C1",
            "2026-03-20",
            "advice",
            role="legal",
            opinion="报价明细属于商业秘密，建议不予公开",
        )
    )
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["result"], c1["recorded_by"]) == ("answered", "advice", "legal 用户")


def test_a_clerk_records_a_third_party_opinion_and_the_legal_office_cannot(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # The legal office sees the case only through its own consultation (C2).
    case = consulting(client, organ_a, clock, "third_party", "legal_office")
    r = opinion(client, organ_a, case, "C1", "2026-03-20", "consent", role="legal")
    assert problem(r, 409)["guard"] == "may_record_opinion"
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-20", "consent", role="clerk"))
    assert consultation(case, "C1")["recorded_by"] == "clerk 用户"


def test_an_other_organ_opinion_is_the_clerks_too(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = consulting(client, organ_a, clock, "other_organ", "legal_office")
    r = opinion(client, organ_a, case, "C1", "2026-03-20", "consent", role="legal")
    assert problem(r, 409)["guard"] == "may_record_opinion"
    ok(opinion(client, organ_a, case, "C1", "2026-03-20", "consent"))


@pytest.mark.parametrize("role", ["clerk", "legal"])
def test_a_joint_meeting_is_minuted_by_either(
    client: TestClient, organ_a: Staff, clock: Clock, role: str
) -> None:
    case = consulting(client, organ_a, clock, "joint_meeting")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-20", "advice", role=role))
    assert consultation(case, "C1")["recorded_by"] == f"{role} 用户"


@pytest.mark.parametrize(
    ("role", "status"),
    # A legal-office user does not even see a case the legal office is not involved in.
    [("front_desk", 403), ("approver", 403), ("supervisor", 403), ("legal", 404)],
)
def test_only_a_clerk_starts_a_consultation(
    client: TestClient, organ_a: Staff, clock: Clock, role: str, status: int
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    problem(start(client, organ_a, case, "third_party", role=role), status)
    assert case_of(client, organ_a, case["id"])["state"] == "received"


def test_only_a_clerk_concludes(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    case = consulting(client, organ_a, clock, "third_party")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-20", "consent"))
    for role in ("front_desk", "approver"):
        assert act(client, organ_a, case, "conclude_consultation", role).status_code == 403
    assert ok(conclude(client, organ_a, case))["state"] == "received"


@pytest.mark.parametrize(
    ("kinds", "code", "result"),
    [
        (("third_party",), "C1", "advice"),
        (("other_organ",), "C1", "advice"),
        (("legal_office",), "C1", "consent"),
        (("joint_meeting",), "C1", "objection"),
    ],
)
def test_a_result_the_kind_cannot_have_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock, kinds: tuple[str, ...], code: str, result: str
) -> None:
    case = consulting(client, organ_a, clock, *kinds)
    role = "legal" if kinds == ("legal_office",) else "clerk"
    r = problem(
        opinion(
            client, organ_a, case, code, "2026-03-20", result, role=role, objection_reasons="理由"
        ),
        422,
    )
    assert "result" in str(r)
    assert consultation(case_of(client, organ_a, case["id"]), code)["status"] == "open"


@pytest.mark.parametrize("result", ["no_reply", "deemed_consent", "maybe"])
def test_silence_results_cannot_be_recorded_as_an_opinion(
    client: TestClient, organ_a: Staff, clock: Clock, result: str
) -> None:
    case = consulting(client, organ_a, clock, "third_party")
    problem(opinion(client, organ_a, case, "C1", "2026-03-20", result), 422)


@pytest.mark.parametrize("result", ["objection", "partial"])
def test_an_objection_without_reasons_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock, result: str
) -> None:
    case = consulting(client, organ_a, clock, "third_party")
    r = problem(opinion(client, organ_a, case, "C1", "2026-03-20", result), 422)
    assert "objection_reasons" in str(r)
    case = ok(
        opinion(client, organ_a, case, "C1", "2026-03-20", result, objection_reasons="商业秘密")
    )
    assert consultation(case, "C1")["result"] == result


def test_an_unknown_or_answered_consultation_is_a_conflict(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = consulting(client, organ_a, clock, "third_party")
    r = problem(opinion(client, organ_a, case, "C7", "2026-03-20", "consent"), 409)
    assert (r["code"], r["guard"]) == ("guard-failed", "has_open_consultation")
    assert "C1" in r["detail"]  # names the open ones
    r = act(
        client,
        organ_a,
        case,
        "record_consultation_receipt",
        "clerk",
        consultation_id="C7",
        received_on="2026-03-20",
    )
    assert problem(r, 409)["guard"] == "has_open_consultation"
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-20", "consent"))
    r = problem(opinion(client, organ_a, case, "C1", "2026-03-20", "objection"), 409)
    assert r["guard"] == "has_open_consultation"


def test_the_case_leaves_consulting_only_by_conclusion(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = consulting(client, organ_a, clock, "third_party")
    assert "submit_reply" not in case["allowed_actions"]
    r = problem(act(client, organ_a, case, "submit_reply", "clerk", outcome="disclosed"), 409)
    assert r["code"] == "invalid-transition"
