"""Consultations and the reply clock, over HTTP (RULES §4, Arts. 32–34).

Dates are worked out by hand with the 2026 calendar (days off 4/4–4/6 and 5/1–5/5, make-up
days 2/28 and 5/9). `online(client)` is received Mon 2026-03-02; with nothing excluded the
reply is due Mon 2026-03-30 (20 WD). An excluded span covers the working days in (letter sent,
opinion or end of the 15-WD window].
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.consultations.helpers import conclude, consultation, opinion, reply, start
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, ok, problem


def test_third_party_consultation_moves_the_reply_date_by_the_working_days_of_its_span(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    assert reply(case)["due_date"] == "2026-03-30"
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))
    assert case["state"] == "consulting"
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["excludes_time"], c1["party_received_on"]) == (
        "open",
        True,
        "2026-03-20",  # sent electronically: received the same day
    )
    # 15 WD from Fri 3-20: 3-23..27, 3-30..4-03, (4-04..4-06 Qingming) 4-07..10, Mon 4-13.
    assert c1["window_due"] == "2026-04-13"

    clock.set("2026-04-09T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C1", "2026-04-09", "consent"))
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["result"], c1["opinion_on"]) == ("answered", "consent", "2026-04-09")
    # Excluded (3-20, 4-09]: 3-23..27 (5) + 3-30..4-03 (5) + 4-07..09 (3) = 13 WD, Qingming
    # inside the span is no working day. 3-30 + 13 WD = 3-31, 4-01..03, 4-07..10, 4-13..17.
    due = reply(case)
    assert due["due_date"] == "2026-04-17"
    assert due["working_days"] == 20 + 13
    text = due["explanation"]
    assert "另有13个工作日不计入期限" in text
    assert "征求第三方意见（C1），2026-03-20之后至2026-04-09，13个工作日" in text
    assert "third-party consultation C1, after 2026-03-20 through 2026-04-09, 13 working days" in (
        text
    )
    # The reason the span does not count: Art. 33 para 3 (para 2 is the 20 days and extension).
    assert "第三十三条第三款" in text
    assert "Art. 33 para 3" in text
    assert "第三十三条第二款" not in text

    # Concluding changes nothing on the clock and returns the case to where it was.
    case = ok(conclude(client, organ_a, case))
    assert case["state"] == "received"
    assert reply(case)["due_date"] == "2026-04-17"
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["result"], c1["settled_on"]) == ("answered", "consent", "2026-04-09")


def test_an_early_opinion_ends_the_span_the_day_it_arrives(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="in_person"))
    # While awaited, the span runs through the window's end: (3-20, 4-13] = 15 WD,
    # so 3-30 + 15 WD = 4-21, and the clock is paused.
    due = reply(case)
    assert (due["due_date"], due["status"]) == ("2026-04-21", "paused")
    assert "2026-03-20之后至2026-04-13，15个工作日，尚未收到，暂计至期限届满" in due["explanation"]

    clock.set("2026-03-25T16:00+08:00")
    case = ok(
        opinion(
            client,
            organ_a,
            case,
            "C1",
            "2026-03-25",
            "objection",
            objection_reasons="报价明细属于商业秘密",
        )
    )
    # (3-20, 3-25] = Mon 3-23, Tue 3-24, Wed 3-25: 3 WD; 3-30 + 3 WD = Thu 4-02.
    due = reply(case)
    assert due["due_date"] == "2026-04-02"
    assert due["working_days"] == 23
    assert "征求第三方意见（C1），2026-03-20之后至2026-03-25，3个工作日" in due["explanation"]
    assert consultation(case, "C1")["objection_reasons"] == "报价明细属于商业秘密"


def test_two_overlapping_consultations_are_excluded_once(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-05T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))
    clock.set("2026-03-10T10:00+08:00")
    case = ok(start(client, organ_a, case, "other_organ"))
    assert [c["code"] for c in case["consultations"]] == ["C1", "C2"]
    assert case["state"] == "consulting"
    clock.set("2026-03-20T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-20", "consent"))
    clock.set("2026-03-25T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C2", "2026-03-25", "consent"))
    # C1 (3-05, 3-20] and C2 (3-10, 3-25] are 11 WD each; their union (3-05, 3-25] is 14 WD,
    # not 22. 3-30 + 14 WD = 3-31..4-03 (4), 4-07..10 (8), 4-13..17 (13), Mon 4-20.
    due = reply(case)
    assert due["due_date"] == "2026-04-20"
    assert due["working_days"] == 20 + 14
    text = due["explanation"]
    assert "另有14个工作日不计入期限" in text
    assert "征求第三方意见（C1），2026-03-05之后至2026-03-20，11个工作日" in text
    assert "征求其他机关意见（C2），2026-03-10之后至2026-03-25，11个工作日" in text
    assert "重叠部分只计一次" in text
    case = ok(conclude(client, organ_a, case))
    assert case["state"] == "received"


def test_legal_office_and_joint_meeting_do_not_move_the_reply_date(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    case = ok(start(client, organ_a, case, "joint_meeting", meeting_on="2026-03-24"))
    assert case["state"] == "consulting"
    for code in ("C1", "C2"):
        c = consultation(case, code)
        assert (c["excludes_time"], c["window_due"], c["dispatch_method"], c["letter_id"]) == (
            False,
            None,
            "internal",
            None,
        )
    assert consultation(case, "C2")["meeting_on"] == "2026-03-24"
    assert {d["name"] for d in case["deadlines"]} == {"reply"}  # no opinion window for them

    clock.set("2026-03-26T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-26", "advice", role="legal"))
    case = ok(opinion(client, organ_a, case, "C2", "2026-03-24", "advice", role="clerk"))
    due = reply(case)
    assert (due["due_date"], due["working_days"], due["status"]) == ("2026-03-30", 20, "running")
    text = due["explanation"]
    assert "不计入期限的期间" not in text
    assert "Excluded time" not in text
    assert "法制机构会商（C1）属于内部会商，不停止答复计时" in text
    assert "联席会商（C2）属于内部会商，不停止答复计时" in text
    assert "Internal consultation C1 does not stop the reply clock" in text
    assert "Internal consultation C2 does not stop the reply clock" in text
    case = ok(conclude(client, organ_a, case))
    assert case["state"] == "received"
    assert [c["result"] for c in case["consultations"]] == ["advice", "advice"]
    assert reply(case)["due_date"] == "2026-03-30"


def test_an_internal_consultation_with_no_letter_details_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    r = problem(start(client, organ_a, case, "legal_office", dispatch_method="post"), 422)
    assert "dispatch_method" in r["detail"] or "dispatch_method" in str(r)
    r = problem(start(client, organ_a, case, "legal_office", meeting_on="2026-03-24"), 422)
    assert "meeting_on" in str(r)
    # An external consultation needs to say how the letter goes.
    r = problem(
        act(
            client,
            organ_a,
            case,
            "start_consultation",
            "clerk",
            kind="third_party",
            party="某公司",
            question="是否同意公开",
        ),
        422,
    )
    assert "dispatch_method" in str(r)
    # A posted letter's receipt can be recorded now only if it is today.
    r = problem(
        start(
            client,
            organ_a,
            case,
            "third_party",
            dispatch_method="post",
            party_received_on="2026-03-23",
        ),
        422,
    )
    assert "party_received_on" in str(r)


# --- the end of a consultation --------------------------------------------------------------


def test_other_organ_silence_is_deemed_consent_after_its_window(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-04-15T10:00+08:00")
    case = online(client)
    # 20 WD from Wed 4-15: 4-16..17 (2), 4-20..24 (7), 4-27..30 (11), (5-01..05 off),
    # 5-06..08 (14), Sat 5-09 make-up (15), 5-11..15 (20).
    assert (case["receipt_date"], reply(case)["due_date"]) == ("2026-04-15", "2026-05-15")
    clock.set("2026-04-23T10:00+08:00")
    case = ok(start(client, organ_a, case, "other_organ"))
    # 15 WD from Thu 4-23: 4-24 (1), 4-27..30 (5), 5-06..08 (8), Sat 5-09 (9), 5-11..15 (14),
    # Mon 5-18 (15).
    assert consultation(case, "C1")["window_due"] == "2026-05-18"

    clock.set("2026-05-18T17:00+08:00")  # the window's last day: not over yet
    case = case_of(client, organ_a, case["id"])
    r = problem(conclude(client, organ_a, case), 409)
    assert r["code"] == "guard-failed"
    assert "2026-05-18" in r["detail"]
    assert consultation(case, "C1")["status"] == "open"

    clock.set("2026-05-19T09:00+08:00")
    case = case_of(client, organ_a, case["id"])
    assert consultation(case, "C1")["status"] == "lapsed"
    case = ok(conclude(client, organ_a, case))
    assert case["state"] == "received"
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["result"], c1["settled_on"], c1["opinion_on"]) == (
        "settled",
        "deemed_consent",
        "2026-05-19",
        None,
    )
    # The whole window is excluded: (4-23, 5-18] = 15 WD with 5-09 counted and 5-01..05 not.
    # 5-15 + 15 WD = 5-18..22 (5), 5-25..29 (10), 6-01..05 (15).
    due = reply(case)
    assert (due["due_date"], due["working_days"]) == ("2026-06-05", 35)
    assert (
        "征求其他机关意见（C1），2026-04-23之后至2026-05-18，15个工作日，未收到"
        in (due["explanation"])
    )


def test_third_party_silence_is_no_reply(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))
    clock.set("2026-04-13T18:00+08:00")
    case = case_of(client, organ_a, case["id"])
    assert problem(conclude(client, organ_a, case), 409)["code"] == "guard-failed"
    clock.set("2026-04-14T09:00+08:00")
    case = case_of(client, organ_a, case["id"])
    case = ok(conclude(client, organ_a, case))
    c1 = consultation(case, "C1")
    assert (c1["status"], c1["result"], c1["opinion"]) == ("settled", "no_reply", None)
    assert reply(case)["due_date"] == "2026-04-21"  # (3-20, 4-13] = 15 WD


def test_a_posted_letter_blocks_conclusion_until_its_receipt_is_recorded(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="post"))
    c1 = consultation(case, "C1")
    assert (c1["dispatch_method"], c1["party_received_on"]) == ("post", None)
    # Receipt unknown: assumed to be the dispatch day, the earliest it can be.
    assert c1["window_due"] == "2026-04-13"
    assert reply(case)["due_date"] == "2026-04-21"

    # Past the assumed window, but the party's receipt is not recorded: not concluded.
    clock.set("2026-04-14T10:00+08:00")
    case = case_of(client, organ_a, case["id"])
    r = problem(conclude(client, organ_a, case), 409)
    assert r["code"] == "guard-failed"
    assert "record when the party received the letter" in r["detail"]

    # The front desk records the signed-for date: the window counts from Tue 3-24.
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_consultation_receipt",
            "front_desk",
            consultation_id="C1",
            received_on="2026-03-24",
        )
    )
    c1 = consultation(case, "C1")
    # 15 WD from 3-24: 3-25..27 (3), 3-30..4-03 (8), 4-07..10 (12), 4-13..15 (15).
    assert (c1["party_received_on"], c1["window_due"], c1["status"]) == (
        "2026-03-24",
        "2026-04-15",
        "open",
    )
    # The span still starts after dispatch: (3-20, 4-15] = 17 WD; 3-30 + 17 WD = Thu 4-23.
    assert reply(case)["due_date"] == "2026-04-23"
    assert problem(conclude(client, organ_a, case), 409)["code"] == "guard-failed"
    # Recorded once only.
    r = problem(
        act(
            client,
            organ_a,
            case,
            "record_consultation_receipt",
            "clerk",
            consultation_id="C1",
            received_on="2026-03-25",
        ),
        422,
    )
    assert "already recorded" in str(r)

    clock.set("2026-04-16T10:00+08:00")
    case = case_of(client, organ_a, case["id"])
    case = ok(conclude(client, organ_a, case))
    assert (case["state"], consultation(case, "C1")["result"]) == ("received", "no_reply")
    assert reply(case)["due_date"] == "2026-04-23"


def test_a_receipt_date_outside_dispatch_and_today_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="post"))
    clock.set("2026-03-24T10:00+08:00")
    for when in ("2026-03-19", "2026-03-25"):
        r = act(
            client,
            organ_a,
            case,
            "record_consultation_receipt",
            "clerk",
            consultation_id="C1",
            received_on=when,
        )
        assert "received_on" in str(problem(r, 422))
    # An internal consultation has no letter to receive.
    case = ok(start(client, organ_a, case, "legal_office"))
    r = act(
        client,
        organ_a,
        case,
        "record_consultation_receipt",
        "clerk",
        consultation_id="C2",
        received_on="2026-03-24",
    )
    assert "consultation_id" in str(problem(r, 422))


def test_an_opinion_before_the_party_received_the_letter_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="post"))
    clock.set("2026-03-27T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_consultation_receipt",
            "clerk",
            consultation_id="C1",
            received_on="2026-03-24",
        )
    )
    for when in ("2026-03-23", "2026-03-30"):  # before the receipt; in the future
        r = opinion(client, organ_a, case, "C1", when, "consent")
        assert "received_on" in str(problem(r, 422))


def test_an_unanswered_internal_consultation_blocks_conclusion(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    clock.set("2026-06-01T10:00+08:00")  # no window ever ends for it
    case = case_of(client, organ_a, case["id"])
    r = problem(conclude(client, organ_a, case), 409)
    assert "no opinion yet" in r["detail"]


def test_conclusion_returns_to_extended_when_the_case_was_extended(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(act(client, organ_a, case, "extend", "approver", days=10, reason="需检索档案"))
    assert case["state"] == "extended"
    # 3-30 + 10 WD = 3-31..4-03 (4), 4-07..10 (8), 4-13..14 (10).
    assert reply(case)["due_date"] == "2026-04-14"
    case = ok(start(client, organ_a, case, "third_party"))
    case = ok(start(client, organ_a, case, "legal_office"))  # consulting -> consulting
    assert case["state"] == "consulting"
    clock.set("2026-03-25T10:00+08:00")
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-25", "consent"))
    case = ok(opinion(client, organ_a, case, "C2", "2026-03-25", "advice", role="legal"))
    case = ok(conclude(client, organ_a, case))
    assert case["state"] == "extended"
    # 4-14 + 3 WD for (3-20, 3-25]: 4-15, 4-16, 4-17.
    assert reply(case)["due_date"] == "2026-04-17"
    assert "extend" not in case["allowed_actions"]


def test_a_case_consulting_only_the_legal_office_still_falls_overdue(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    clock.set("2026-03-31T10:00+08:00")
    case = case_of(client, organ_a, case["id"])
    assert case["state"] == "consulting"
    assert (reply(case)["due_date"], reply(case)["status"]) == ("2026-03-30", "overdue")
    r = client.get("/api/v1/cases", params={"overdue": "true"}, headers=organ_a.headers("clerk"))
    assert [(c["id"], c["overdue"]) for c in ok(r)["items"]] == [(case["id"], True)]
