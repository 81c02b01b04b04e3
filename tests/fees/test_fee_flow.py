"""Fees and Art. 35 reasons through the real API: the notice, payment, deemed abandonment."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, person
from tests.fixtures.identity import resident_id
from tests.letters.helpers import act, counter_case, online, pdf_text
from tests.reply.helpers import deadline, issued, ok, pdf, problem

PAYMENT = "请于期限内通过政府非税收入缴款系统缴纳"


def _fee(client: TestClient, staff: Staff, case: dict[str, Any], **body: Any) -> Any:
    body.setdefault("payment", PAYMENT)
    return act(client, staff, case, "issue_fee_notice", "clerk", **body)


def _fee_text(client: TestClient, staff: Staff, case_id: int) -> str:
    [notice] = issued(client, staff, case_id, "fee_notice")
    return pdf_text(pdf(client, staff, notice["id"]))


def test_per_volume_worked_example_is_charged_83460_yuan(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    case = ok(_fee(client, organ_a, case, method="per_volume", quantity=2219))
    assert case["state"] == "awaiting_fee"
    text = _fee_text(client, organ_a, case["id"])
    for figure in ("83,460.00元", "700.00元", "2,000.00元", "80,760.00元", "2219"):
        assert figure in text, figure


def test_per_piece_worked_example_counts_the_applicants_month(
    client: TestClient, organ_a: Staff
) -> None:
    # 40 pieces in earlier applications this month, 5 now: positions 41–45 cost 300 yuan each.
    earlier = online(client, items=[{"description": f"第{i}项信息"} for i in range(1, 41)])
    assert earlier["state"] == "received"
    case = online(client)
    case = ok(_fee(client, organ_a, case, method="per_piece", quantity=5))
    text = _fee_text(client, organ_a, case["id"])
    assert "1,500.00元" in text
    assert "此前已向本机关提出的申请计40件" in text
    assert "合计45件" in text


def test_another_applicants_applications_do_not_count_towards_the_month(
    client: TestClient, organ_a: Staff
) -> None:
    other = person(id_number=resident_id(seq="456"))
    online(client, applicant=other, items=[{"description": f"第{i}项"} for i in range(1, 41)])
    case = online(client)
    r = _fee(client, organ_a, case, method="per_piece", quantity=5)
    # 5 pieces are within the 10 free ones: nothing to charge.
    assert problem(r, 422)["errors"][0]["loc"] == ["body", "quantity"]


@pytest.mark.parametrize(
    ("method", "quantity", "amount"),
    [
        ("per_piece", 11, "100.00元"),
        ("per_piece", 30, "2,000.00元"),
        ("per_piece", 31, "2,200.00元"),
        ("per_piece", 41, "4,300.00元"),
        ("per_volume", 31, "10.00元"),
        ("per_volume", 101, "720.00元"),
        ("per_volume", 201, "2,740.00元"),
    ],
)
def test_fee_notice_states_the_tier_amount(
    client: TestClient, organ_a: Staff, method: str, quantity: int, amount: str
) -> None:
    case = ok(_fee(client, organ_a, online(client), method=method, quantity=quantity))
    assert amount in _fee_text(client, organ_a, case["id"])


@pytest.mark.parametrize(("method", "quantity"), [("per_piece", 10), ("per_volume", 30)])
def test_a_fee_within_the_free_allowance_is_refused(
    client: TestClient, organ_a: Staff, method: str, quantity: int
) -> None:
    case = online(client)
    problem(_fee(client, organ_a, case, method=method, quantity=quantity), 422)
    assert (
        ok(client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")))["state"]
        == "received"
    )


def test_fee_pauses_the_reply_clock_until_payment(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)  # received Mon 03-02, due Mon 03-30
    clock.set("2026-03-04T10:00+08:00")
    case = ok(_fee(client, organ_a, case, method="per_volume", quantity=100))
    # Sent electronically: no payment window until its arrival is recorded (RULES §4).
    assert deadline(case, "fee_payment")["status"] == "not_started"
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_fee_notice_receipt",
            "front_desk",
            received_on="2026-03-04",
            evidence="短信回执",
        )
    )
    # Received the day it was sent; payment due 20 WD later (Wed 04-01).
    assert deadline(case, "fee_payment")["due_date"] == "2026-04-01"
    clock.set("2026-03-11T10:00+08:00")
    case = ok(act(client, organ_a, case, "record_payment", "front_desk", paid_on="2026-03-11"))
    assert case["state"] == "received"
    # Excluded: Thu 03-05 .. Wed 03-11 = 5 working days.
    assert deadline(case, "reply")["due_date"] == "2026-04-07"


def test_payment_returns_to_the_extended_state(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    case = ok(act(client, organ_a, case, "extend", "approver", days=10, reason="需检索档案"))
    case = ok(_fee(client, organ_a, case, method="per_volume", quantity=100))
    case = ok(act(client, organ_a, case, "record_payment", "clerk", paid_on="2026-03-02"))
    assert case["state"] == "extended"


def test_unpaid_fee_is_deemed_abandoned_only_after_the_window(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = counter_case(client, organ_a)  # paper by post: the notice's receipt is recorded later
    case = ok(_fee(client, organ_a, case, method="per_volume", quantity=100))
    r = problem(act(client, organ_a, case, "close_unpaid", "clerk"), 409)
    assert "未登记" in r["detail"]
    clock.set("2026-03-05T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_fee_notice_receipt",
            "front_desk",
            received_on="2026-03-04",
        )
    )
    # 20 WD from Wed 03-04: Wed 04-01 (04-04..04-06 are after it).
    assert deadline(case, "fee_payment")["due_date"] == "2026-04-01"
    clock.set("2026-04-01T18:00+08:00")
    problem(act(client, organ_a, case, "close_unpaid", "clerk"), 409)
    clock.set("2026-04-02T09:00+08:00")
    case = ok(act(client, organ_a, case, "close_unpaid", "clerk"))
    assert case["state"] == "replied"
    assert case["outcome"] == "other.fee_unpaid"
    assert case["concluded_on"] == "2026-04-02"
    [closure] = issued(client, organ_a, case["id"], "closure_notice")
    assert "缴纳" in pdf_text(pdf(client, organ_a, closure["id"]))


@pytest.mark.parametrize(
    "delivery",
    [
        {"form": "inspection", "method": "pickup"},  # 查阅、抄录 on site
        {"form": "electronic", "method": "online"},  # online download
    ],
)
def test_per_volume_is_refused_naming_the_method_when_nothing_is_copied_or_sent(
    delivery: dict[str, str], client: TestClient, organ_a: Staff
) -> None:
    case = online(client, delivery=delivery)
    r = problem(_fee(client, organ_a, case, method="per_volume", quantity=2219), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "method"]]
    assert "109" in r["errors"][0]["msg"]
    after = ok(client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers("clerk")))
    assert (after["state"], after["version"]) == ("received", case["version"])
    assert issued(client, organ_a, case["id"], "fee_notice") == []
    # Per piece stays open to the organ for the same application.
    assert (
        ok(_fee(client, organ_a, case, method="per_piece", quantity=11))["state"] == "awaiting_fee"
    )


def test_per_volume_is_charged_for_paper_copies_email_or_copied_data_only(
    client: TestClient, organ_a: Staff
) -> None:
    allowed = [
        {"form": "paper", "method": "pickup"},
        {"form": "paper", "method": "post"},
        {"form": "electronic", "method": "email"},
        {"form": "electronic", "method": "post"},  # electronic data copied onto a medium
    ]
    refused = [
        {"form": "inspection", "method": "pickup"},
        {"form": "electronic", "method": "online"},
    ]
    for delivery in allowed + refused:
        r = _fee(
            client, organ_a, online(client, delivery=delivery), method="per_volume", quantity=31
        )
        assert r.status_code == (200 if delivery in allowed else 422), (delivery, r.text)


def test_a_second_fee_notice_is_refused(client: TestClient, organ_a: Staff) -> None:
    case = ok(_fee(client, organ_a, online(client), method="per_volume", quantity=100))
    case = ok(act(client, organ_a, case, "record_payment", "clerk", paid_on="2026-03-02"))
    r = problem(_fee(client, organ_a, case, method="per_piece", quantity=20), 409)
    assert r["guard"] == "no_fee_notice_before"


def test_front_desk_cannot_issue_a_fee_notice(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = act(
        client,
        organ_a,
        case,
        "issue_fee_notice",
        "front_desk",
        method="per_volume",
        quantity=100,
        payment=PAYMENT,
    )
    assert r.status_code == 403


# --- Art. 35: reasons ---------------------------------------------------------------------


def _asked(client: TestClient, staff: Staff) -> dict[str, Any]:
    case = online(client)
    case = ok(act(client, staff, case, "request_reasons", "clerk", grounds="一个月内提出申请120件"))
    assert case["state"] == "awaiting_reasons"
    [letter] = issued(client, staff, case["id"], "reasons_request")
    assert "一个月内提出申请120件" in pdf_text(pdf(client, staff, letter["id"]))
    return case


def test_unreasonable_reasons_draft_the_reply_as_excessive(
    client: TestClient, organ_a: Staff
) -> None:
    case = _asked(client, organ_a)
    case = ok(act(client, organ_a, case, "record_reasons", "clerk", decision="unreasonable"))
    assert case["state"] == "received"
    [draft] = [
        x
        for x in client.get(
            f"/api/v1/cases/{case['id']}/letters", headers=organ_a.headers("clerk")
        ).json()
        if x["kind"] == "reply"
    ]
    assert draft["status"] == "draft"
    assert draft["fields"]["outcome"] == "not_processed.excessive"
    assert "理由" in draft["fields"]["reasons"]


def test_reasonable_but_late_sets_the_art35_date_with_the_approvers_consent(
    client: TestClient, organ_a: Staff
) -> None:
    case = _asked(client, organ_a)
    body = {"decision": "reasonable_late", "new_reply_date": "2026-05-29", "finding": FINDING}
    r = problem(act(client, organ_a, case, "record_reasons", "clerk", **body), 409)
    assert r["guard"] == "art35_date_approved"
    # The clerk's refused attempt issued nothing.
    assert issued(client, organ_a, case["id"], "delayed_reply_notice") == []
    case = ok(act(client, organ_a, case, "record_reasons", "approver", **body))
    assert deadline(case, "reply")["due_date"] == "2026-05-29"
    assert case["state"] == "received"


FINDING = "申请涉及2019年以来的全部项目档案，需逐件调取核查，无法在法定期限内完成"


def test_reasonable_but_late_tells_the_applicant_the_date_and_why(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    submitted = online(client)
    code = {"X-Query-Code": submitted["query_code"]}
    case = ok(
        act(client, organ_a, submitted, "request_reasons", "clerk", grounds="一个月内提出申请120件")
    )
    clock.set("2026-03-10T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_reasons",
            "approver",
            decision="reasonable_late",
            reasons="系撰写课题研究报告所需",
            finding=FINDING,
            new_reply_date="2026-05-29",
        )
    )
    [notice] = issued(client, organ_a, case["id"], "delayed_reply_notice")
    assert notice["number"].startswith("org-a依申迟〔2026〕")
    [request] = issued(client, organ_a, case["id"], "reasons_request")
    # The applicant downloads it with the query code.
    mine = client.get(f"/api/v1/applications/{case['number']}/letters", headers=code)
    assert mine.status_code == 200, mine.text
    [listed] = [x for x in mine.json() if x["kind"] == "delayed_reply_notice"]
    r = client.get(listed["download"], headers=code)
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    for phrase in (
        "政府信息公开申请延迟答复告知书",
        notice["number"],
        request["number"],
        "系撰写课题研究报告所需",
        FINDING,
        "申请理由合理，但是无法在",
        "第三十五条",
        "本机关将于2026年5月29日前作出答复",
    ):
        assert phrase in text, phrase
    events = client.get(
        f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk")
    ).json()
    last = events[-1] if isinstance(events, list) else events["events"][-1]
    assert last["action"] == "record_reasons"


def test_a_later_reply_date_needs_the_finding_the_applicant_is_told(
    client: TestClient, organ_a: Staff
) -> None:
    case = _asked(client, organ_a)
    body = {"decision": "reasonable_late", "new_reply_date": "2026-05-29"}
    r = problem(act(client, organ_a, case, "record_reasons", "approver", **body), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "finding"]]
    assert issued(client, organ_a, case["id"], "delayed_reply_notice") == []
    assert deadline(ok(client.get(f"/api/v1/cases/{case['id']}", headers=organ_a.headers(
        "clerk"))), "reply")["due_date"] == "2026-03-30"  # fmt: skip
    # Reasons found reasonable within the normal deadline: no notice.
    case = ok(act(client, organ_a, case, "record_reasons", "approver", decision="reasonable"))
    assert issued(client, organ_a, case["id"], "delayed_reply_notice") == []


def test_an_art35_date_must_be_later_than_the_current_deadline(
    client: TestClient, organ_a: Staff
) -> None:
    case = _asked(client, organ_a)
    r = act(
        client,
        organ_a,
        case,
        "record_reasons",
        "approver",
        decision="reasonable_late",
        new_reply_date="2026-03-27",
        finding=FINDING,
    )
    assert problem(r, 422)["errors"][0]["loc"] == ["body", "new_reply_date"]


def test_reasonable_reasons_keep_the_deadline(client: TestClient, organ_a: Staff) -> None:
    case = _asked(client, organ_a)
    case = ok(act(client, organ_a, case, "record_reasons", "clerk", decision="reasonable"))
    assert deadline(case, "reply")["due_date"] == "2026-03-30"
