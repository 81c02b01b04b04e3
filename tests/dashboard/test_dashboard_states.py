"""Counts by state, lapsed consultations and what awaits service; one organ's cases only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.consultations.helpers import start
from tests.dashboard.helpers import act, dashboard, register, reply, total
from tests.fixtures.factories import Clock
from tests.reply.helpers import ok

# Every state of workflows/foi_application.yaml, in its order, with its label.
STATES = [
    ("awaiting_confirmation", "待确认收到", False),
    ("received", "办理中", False),
    ("awaiting_correction", "待补正", False),
    ("extended", "延期办理中", False),
    ("consulting", "征求意见/会商中", False),
    ("awaiting_fee", "待缴费", False),
    ("awaiting_reasons", "待说明理由", False),
    ("under_review", "审核签发中", False),
    ("replied", "已答复待送达", False),
    ("served", "已送达", False),
    ("archived", "已归档", True),
    ("withdrawn", "已撤回", True),
    ("transferred", "已转办", True),
]


def test_every_state_is_listed_with_its_label_zero_included(
    client: TestClient, organ_a: Staff
) -> None:
    body = dashboard(client, organ_a.headers("clerk"))
    assert [(s["state"], s["label"], s["final"]) for s in body["states"]] == STATES
    assert all(s["count"] == 0 for s in body["states"])
    assert body["total_cases"] == 0
    assert body["states"][1]["label_en"] == "In progress"
    assert body["states"][1]["href"] == "/api/v1/cases?state=received"
    labels = {
        "open_cases": ("在办案件", "Open cases"),
        "due_within_3": ("3个工作日内到期", "Due within 3 working days"),
        "due_within_5": ("5个工作日内到期", "Due within 5 working days"),
        "overdue": ("已逾期", "Overdue"),
        "consultation_lapsed": ("征求意见逾期未回复", "Consultations past their window"),
        "awaiting_service": ("已答复待送达", "Awaiting service"),
        "replies_this_year": ("本年答复", "Replies this year"),
        "late_replies_this_year": ("本年逾期答复", "Late replies this year"),
        "reply_times": ("答复用时（工作日）", "Working days to reply"),
    }
    for key, (zh, en) in labels.items():
        assert (body[key]["label"], body[key]["label_en"]) == (zh, en)
        assert "。/ " in body[key]["description"]  # Chinese, then English
        assert body[key].get("count", 0) == 0


def test_counts_by_state_match_the_case_list_and_leave_other_organs_out(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    clerk, approver = organ_a.headers("clerk"), organ_a.headers("approver")
    # Mon 3/02: three at the counter, one by post not yet confirmed.
    a = register(client, clerk, "2026-03-02")
    b = register(client, clerk, "2026-03-02")
    c = register(client, clerk, "2026-03-02")
    register(client, clerk, "2026-03-02")
    posted = {
        "channel": "ordinary_mail",
        "arrived_at": "2026-03-02T09:00:00+08:00",
        "applicant": {
            "category": "natural_person",
            "name": "李四",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "0571-88886666",
            "address": "示例市人民路100号",
            "postal_code": "310000",
        },
        "items": [{"description": "示例街道2025年拆迁补偿标准"}],
        "delivery": {"form": "paper", "method": "post"},
    }
    r = client.post("/api/v1/cases", json=posted, headers=clerk)
    assert r.status_code == 201, r.text
    act(client, approver, a, "extend", days=10, reason="需要检索多个年度档案")
    ok(start(client, organ_a, b, "legal_office"))
    act(client, clerk, c, "withdraw", withdrawn_on="2026-03-02")
    # Another organ: many cases, none of them counted for org-a.
    for _ in range(3):
        register(client, organ_b.headers("clerk"), "2026-03-02")

    body = dashboard(client, organ_a.headers("approver"))
    counts = {s["state"]: s["count"] for s in body["states"] if s["count"]}
    assert counts == {
        "awaiting_confirmation": 1,
        "received": 1,
        "extended": 1,
        "consulting": 1,
        "withdrawn": 1,
    }
    assert body["total_cases"] == 5
    assert body["open_cases"]["count"] == 3  # received, extended, consulting
    for s in body["states"]:
        assert total(client, clerk, s["href"]) == s["count"], s["state"]
    assert total(client, clerk, body["open_cases"]["href"]) == 3

    other = dashboard(client, organ_b.headers("clerk"))
    assert ({s["state"]: s["count"] for s in other["states"] if s["count"]}) == {"received": 3}


def test_consultations_past_their_window_with_no_reply(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock
) -> None:
    clerk = organ_a.headers("clerk")
    cases = [register(client, clerk, "2026-03-02") for _ in range(4)]
    other = register(client, organ_b.headers("clerk"), "2026-03-02")
    clock.set("2026-03-20T10:00+08:00")
    # Sent electronically on Fri 3/20: the window runs 15 WD through Mon 4/13 (Qingming off).
    lapsing = ok(start(client, organ_a, cases[0], "third_party"))
    ok(start(client, organ_a, cases[1], "other_organ"))
    answered = ok(start(client, organ_a, cases[2], "third_party"))
    ok(start(client, organ_a, cases[3], "legal_office"))  # no window at all
    ok(start(client, organ_b, other, "third_party"))

    clock.set("2026-04-13T18:00+08:00")  # the window's last day
    assert dashboard(client, clerk)["consultation_lapsed"]["count"] == 0

    clock.set("2026-04-14T09:00+08:00")
    act(
        client,
        clerk,
        answered,
        "record_opinion",
        consultation_id="C1",
        received_on="2026-04-10",
        opinion="同意公开",
        result="consent",
    )
    body = dashboard(client, clerk)
    figure = body["consultation_lapsed"]
    assert figure["count"] == 2  # the third party and the other organ, both silent
    assert figure["href"] == "/api/v1/cases?consultation_lapsed=true"
    assert total(client, clerk, figure["href"]) == 2

    # Concluding settles the silence: off the figure.
    lapsing = ok(client.get(f"/api/v1/cases/{lapsing['id']}", headers=clerk))
    act(client, clerk, lapsing, "conclude_consultation")
    assert dashboard(client, clerk)["consultation_lapsed"]["count"] == 1
    assert dashboard(client, organ_b.headers("clerk"))["consultation_lapsed"]["count"] == 1


def test_awaiting_service_counts_replies_and_closures_until_served(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clerk, approver = organ_a.headers("clerk"), organ_a.headers("approver")
    answered = register(client, clerk, "2026-03-02")
    served = register(client, clerk, "2026-03-02")
    uncorrected = register(client, clerk, "2026-03-02")
    # The applicant has the correction notice at once: 15 WD to correct, through Mon 3/23.
    uncorrected = act(
        client,
        clerk,
        uncorrected,
        "request_correction",
        items_to_correct=["请说明所需信息的年份"],
        notice_received_on="2026-03-02",
    )
    withdrawn = register(client, clerk, "2026-03-02")
    act(client, clerk, withdrawn, "withdraw", withdrawn_on="2026-03-02")

    clock.set("2026-03-24T10:00+08:00")
    reply(client, answered, author=clerk, approver=approver, issuer=clerk)
    served = reply(client, served, author=clerk, approver=approver, issuer=clerk)
    closed = act(client, clerk, uncorrected, "close_uncorrected")
    assert (closed["state"], closed["outcome"]) == ("replied", "other.no_correction")
    act(
        client,
        organ_a.headers("front_desk"),
        served,
        "record_service",
        method="electronic",
        delivered_at="2026-03-24T15:00:00+08:00",
        evidence="邮件回执",
    )

    body = dashboard(client, organ_a.headers("front_desk"))
    figure = body["awaiting_service"]
    assert (figure["count"], figure["replies"], figure["closures"]) == (2, 1, 1)
    assert figure["href"] == "/api/v1/cases?state=replied"
    assert total(client, clerk, figure["href"]) == 2
    # Closures and withdrawals are not replies.
    assert body["replies_this_year"]["count"] == 2
    assert body["reply_times"]["replies"] == 2
