"""The worklist: consultations whose window ended unanswered, and the legal office's view."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.consultations.helpers import (
    CASES,
    case_list,
    conclude,
    consultation,
    listed,
    opinion,
    start,
)
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, ok


def lapsed_flag(client: TestClient, staff: Staff, case_id: int) -> bool:
    [row] = [c for c in case_list(client, staff, "clerk") if c["id"] == case_id]
    return bool(row["consultation_lapsed"])


def test_a_window_that_ended_unanswered_puts_the_case_on_the_lapsed_worklist(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    quiet = online(client)  # no consultation at all
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))  # window through Mon 4-13
    internal = ok(start(client, organ_a, online(client), "legal_office"))  # no window

    clock.set("2026-04-13T18:00+08:00")  # the window's last day
    assert listed(client, organ_a, "clerk", consultation_lapsed="true") == set()
    assert lapsed_flag(client, organ_a, case["id"]) is False

    clock.set("2026-04-14T09:00+08:00")
    rows = case_list(client, organ_a, "clerk", consultation_lapsed="true")
    assert [(r["id"], r["consultation_lapsed"]) for r in rows] == [(case["id"], True)]
    assert lapsed_flag(client, organ_a, case["id"]) is True
    assert lapsed_flag(client, organ_a, quiet["id"]) is False
    assert lapsed_flag(client, organ_a, internal["id"]) is False
    assert consultation(case_of(client, organ_a, case["id"]), "C1")["status"] == "lapsed"

    # A late opinion still counts as the party's answer: off the list.
    case = case_of(client, organ_a, case["id"])
    case = ok(opinion(client, organ_a, case, "C1", "2026-04-14", "consent"))
    assert consultation(case, "C1")["status"] == "answered"
    assert listed(client, organ_a, "clerk", consultation_lapsed="true") == set()
    assert lapsed_flag(client, organ_a, case["id"]) is False
    # The span stays capped at the window's end: (3-20, 4-13] = 15 WD, reply due 4-21.
    assert next(d for d in case["deadlines"] if d["name"] == "reply")["due_date"] == "2026-04-21"


def test_a_concluded_consultation_leaves_the_lapsed_worklist(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "other_organ"))
    clock.set("2026-04-14T09:00+08:00")
    assert listed(client, organ_a, "clerk", consultation_lapsed="true") == {case["id"]}
    case = ok(conclude(client, organ_a, case_of(client, organ_a, case["id"])))
    assert consultation(case, "C1")["result"] == "deemed_consent"
    assert listed(client, organ_a, "clerk", consultation_lapsed="true") == set()


def test_another_organs_lapsed_consultation_is_not_listed(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    ok(start(client, organ_a, case, "third_party"))
    clock.set("2026-04-14T09:00+08:00")
    assert listed(client, organ_a, "clerk", consultation_lapsed="true") == {case["id"]}
    assert listed(client, organ_b, "clerk", consultation_lapsed="true") == set()


def test_a_legal_only_user_sees_a_case_once_the_legal_office_is_consulted(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    case = online(client)
    other = online(client)
    legal = organ_a.headers("legal")

    def visible() -> int:
        return client.get(f"{CASES}/{case['id']}", headers=legal).status_code

    assert visible() == 404
    assert listed(client, organ_a, "legal") == set()
    # An external consultation does not involve the legal office.
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))
    assert visible() == 404
    assert listed(client, organ_a, "legal") == set()
    assert listed(client, organ_a, "legal", queue="legal") == set()

    case = ok(start(client, organ_a, case, "legal_office"))
    assert visible() == 200
    assert listed(client, organ_a, "legal") == {case["id"]}
    assert listed(client, organ_a, "legal", queue="legal") == {case["id"]}
    # Staff with a whole-organ role see every case; the legal queue is the same for them.
    assert listed(client, organ_a, "clerk") == {case["id"], other["id"]}
    assert listed(client, organ_a, "clerk", queue="legal") == {case["id"]}
    # Another organ's legal office never sees it.
    assert client.get(f"{CASES}/{case['id']}", headers=organ_b.headers("legal")).status_code == 404
    assert listed(client, organ_b, "legal") == set()
    assert listed(client, organ_b, "legal", queue="legal") == set()

    clock.set("2026-03-23T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C2", "2026-03-23", "advice", role="legal"))
    # Answered: off the legal queue, still among the cases the legal office was involved in.
    assert listed(client, organ_a, "legal", queue="legal") == set()
    assert listed(client, organ_a, "legal") == {case["id"]}
    assert visible() == 200
    assert client.get(f"{CASES}/{case['id']}", headers=organ_b.headers("legal")).status_code == 404


def test_a_joint_meeting_also_involves_the_legal_office(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "joint_meeting", meeting_on="2026-03-24"))
    assert listed(client, organ_a, "legal", queue="legal") == {case["id"]}
    clock.set("2026-03-24T16:00+08:00")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-24", "advice", role="clerk"))
    assert listed(client, organ_a, "legal", queue="legal") == set()
    assert listed(client, organ_a, "legal") == {case["id"]}


def test_a_withdrawn_case_leaves_the_legal_queue(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    """A legal consultation can only be answered while the case is consulting: once the
    application is withdrawn nothing awaits the legal office any more."""
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    assert listed(client, organ_a, "legal", queue="legal") == {case["id"]}
    case = ok(act(client, organ_a, case, "withdraw", "clerk", withdrawn_on="2026-03-20"))
    assert case["state"] == "withdrawn"
    assert listed(client, organ_a, "legal", queue="legal") == set()
    assert listed(client, organ_a, "legal") == {case["id"]}  # still involved, still readable


def test_a_withdrawal_ends_open_consultations_without_a_result(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    case = ok(start(client, organ_a, case, "third_party"))
    case = ok(act(client, organ_a, case, "withdraw", "clerk", withdrawn_on="2026-03-02"))
    [c1] = case["consultations"]
    assert (c1["status"], c1["result"], c1["settled_on"]) == ("settled", None, "2026-03-02")
    clock.set("2026-04-30T10:00+08:00")
    assert case_list(client, organ_a, "clerk", consultation_lapsed="true") == []
