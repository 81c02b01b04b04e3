"""Service of the reply (送达) over HTTP: each method's proof, whether the reply was on time
(the signature day, the posting day, the arrival day — 国办公开办函〔2016〕235号), dates that
cannot be, the remedy periods that start with service, the proof-of-service letter, archive."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, counter_case, letters, online, pdf_text
from tests.reply.helpers import case_of, deadline, issued, ok, pdf, problem, reply_through_review

DISCLOSED = reply_params("disclosed")
DUE = "2026-03-30"  # the reply deadline of an application received Mon 2026-03-02


def replied(
    client: TestClient, staff: Staff, clock: Clock, on: str, *, paper: bool = True
) -> dict[str, Any]:
    """A case whose reply was issued on `on` (a counter case served on paper, or an online
    one whose applicant consented to electronic service)."""
    case = counter_case(client, staff) if paper else online(client)
    clock.set(f"{on}T10:00+08:00")
    case = reply_through_review(client, staff, case, **DISCLOSED)
    assert case["state"] == "replied"
    assert case["reply_late"] is (on > DUE)
    return case


def serve(client: TestClient, staff: Staff, case: dict[str, Any], **body: Any) -> Any:
    return act(client, staff, case, "record_service", "front_desk", **body)


def error_fields(r: dict[str, Any]) -> set[str]:
    return {str(e["loc"][-1]) for e in r["errors"]}


def assert_unserved(client: TestClient, staff: Staff, case: dict[str, Any]) -> None:
    after = case_of(client, staff, case["id"])
    assert after["state"] == "replied"
    assert after["version"] == case["version"]
    assert after["service"] is None
    assert not [x for x in letters(client, staff, case["id"]) if x["kind"] == "service_receipt"]


# --- proof of each method -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"method": "post", "served_on": "2026-03-24"}, {"tracking_number", "posted_on"}),
        (
            {"method": "post", "served_on": "2026-03-24", "posted_on": "2026-03-20"},
            {"tracking_number"},
        ),
        (
            {"method": "post", "served_on": "2026-03-24", "tracking_number": "1151234567890"},
            {"posted_on"},
        ),
        ({"method": "post", "tracking_number": "1151", "posted_on": "2026-03-20"}, {"served_on"}),
        ({"method": "in_person", "served_on": "2026-03-20"}, {"signature"}),
        (
            {"method": "in_person", "served_on": "2026-03-20", "refusal_reason": "拒绝签收"},
            {"signature"},
        ),
        ({"method": "in_person", "served_on": "2026-03-20", "witness": "赵六"}, {"signature"}),
        ({"method": "in_person", "signature": "张三"}, {"served_on"}),
        ({"method": "entrusted", "served_on": "2026-03-20"}, {"signature"}),
    ],
)
def test_service_without_its_proof_is_refused_naming_what_is_missing(
    body: dict[str, Any], missing: set[str], client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    clock.set("2026-03-24T10:00+08:00")
    r = problem(serve(client, organ_a, case, **body), 422)
    assert error_fields(r) == missing
    assert_unserved(client, organ_a, case)


def test_electronic_service_needs_the_applicants_consent(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")  # counter case: no consent
    r = problem(
        serve(
            client,
            organ_a,
            case,
            method="electronic",
            delivered_at="2026-03-20T15:00+08:00",
            evidence="邮件回执",
        ),
        422,
    )
    assert error_fields(r) == {"method"}
    assert_unserved(client, organ_a, case)


def test_electronic_service_needs_the_time_it_reached_the_applicant(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20", paper=False)
    r = problem(
        serve(client, organ_a, case, method="electronic", served_on="2026-03-20", evidence="回执"),
        422,
    )
    assert error_fields(r) == {"delivered_at"}
    r = problem(
        serve(
            client,
            organ_a,
            case,
            method="electronic",
            delivered_at="2026-03-20T15:00+08:00",
            served_on="2026-03-21",
            evidence="邮件回执",
        ),
        422,
    )
    assert error_fields(r) == {"served_on"}
    assert_unserved(client, organ_a, case)


def test_electronic_service_takes_the_arrival_day_in_beijing_time(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, DUE, paper=False)
    clock.set("2026-04-01T10:00+08:00")
    # 16:30 UTC on the 30th is 00:30 on the 31st in Beijing: past the due date.
    case = ok(
        serve(
            client,
            organ_a,
            case,
            method="electronic",
            delivered_at="2026-03-30T16:30Z",
            evidence="邮件回执",
        )
    )
    assert case["service"] == {"method": "electronic", "served_on": "2026-03-31", "on_time": False}


def test_a_refusal_before_a_witness_is_service(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    case = ok(
        serve(
            client,
            organ_a,
            case,
            method="in_person",
            served_on="2026-03-20",
            refusal_reason="受送达人拒绝签收",
            witness="社区工作人员赵六",
        )
    )
    assert case["state"] == "served"
    assert case["service"] == {"method": "in_person", "served_on": "2026-03-20", "on_time": True}
    [receipt] = issued(client, organ_a, case["id"], "service_receipt")
    text = pdf_text(pdf(client, organ_a, receipt["id"]))
    assert "受送达人拒绝签收" in text
    assert "社区工作人员赵六" in text


# --- on time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted_on", "on_time"), [("2026-03-27", True), (DUE, True), ("2026-03-31", False)]
)
def test_post_is_on_time_by_the_posting_day_whatever_day_it_arrives(
    posted_on: str, on_time: bool, client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-27")
    clock.set("2026-04-03T10:00+08:00")
    case = ok(
        serve(
            client,
            organ_a,
            case,
            method="post",
            tracking_number="1151234567890",
            posted_on=posted_on,
            served_on="2026-04-02",
        )
    )
    assert case["state"] == "served"
    assert case["service"] == {"method": "post", "served_on": "2026-04-02", "on_time": on_time}


@pytest.mark.parametrize(
    ("method", "served_on", "on_time"),
    [
        ("in_person", DUE, True),
        ("in_person", "2026-03-31", False),
        ("entrusted", DUE, True),
        ("entrusted", "2026-04-01", False),
    ],
)
def test_handing_over_is_on_time_by_the_signature_day(
    method: str,
    served_on: str,
    on_time: bool,
    client: TestClient,
    organ_a: Staff,
    clock: Clock,
) -> None:
    case = replied(client, organ_a, clock, "2026-03-27")
    clock.set("2026-04-03T10:00+08:00")
    case = ok(serve(client, organ_a, case, method=method, served_on=served_on, signature="张三"))
    assert case["service"] == {"method": method, "served_on": served_on, "on_time": on_time}


def test_a_reply_issued_late_is_served_late_even_if_handed_over_the_same_day(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-04-01")
    case = ok(
        serve(client, organ_a, case, method="in_person", served_on="2026-04-01", signature="张三")
    )
    assert case["service"]["on_time"] is False
    assert case["reply_late"] is True


# --- dates that cannot be -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"method": "in_person", "served_on": "2026-03-19", "signature": "张三"},
        {
            "method": "post",
            "served_on": "2026-03-23",
            "posted_on": "2026-03-19",
            "tracking_number": "1151234567890",
        },
    ],
)
def test_service_before_the_reply_was_issued_is_refused(
    body: dict[str, Any], client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    clock.set("2026-03-24T10:00+08:00")
    r = problem(serve(client, organ_a, case, **body), 422)
    assert "served_on" in error_fields(r)
    assert_unserved(client, organ_a, case)


def test_electronic_arrival_before_the_reply_was_issued_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20", paper=False)
    r = problem(
        serve(client, organ_a, case, method="electronic", delivered_at="2026-03-19T15:00+08:00"),
        422,
    )
    assert "served_on" in error_fields(r)


def test_service_in_the_future_or_posting_after_receipt_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    r = problem(
        serve(client, organ_a, case, method="in_person", served_on="2026-03-21", signature="张三"),
        422,
    )
    assert error_fields(r) == {"served_on"}
    clock.set("2026-03-25T10:00+08:00")
    r = problem(
        serve(
            client,
            organ_a,
            case,
            method="post",
            served_on="2026-03-23",
            posted_on="2026-03-24",
            tracking_number="1151234567890",
        ),
        422,
    )
    assert error_fields(r) == {"posted_on"}
    assert_unserved(client, organ_a, case)


# --- after service --------------------------------------------------------------------------


def test_remedy_periods_run_from_service_and_only_after_it(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    names = {d["name"] for d in case["deadlines"]}
    assert not names & {"reconsideration_until", "litigation_until"}
    clock.set("2026-04-03T10:00+08:00")
    case = ok(
        serve(
            client,
            organ_a,
            case,
            method="post",
            tracking_number="1151234567890",
            posted_on="2026-03-20",
            served_on="2026-04-02",
        )
    )
    # Counted from the applicant's receipt, not from posting.
    assert deadline(case, "reconsideration_until")["due_date"] == "2026-06-01"
    # Six months end on Fri 2 October, a National Day day off: the next working day.
    assert deadline(case, "litigation_until")["due_date"] == "2026-10-08"
    assert deadline(case, "reconsideration_until")["status"] == "running"


def test_the_proof_of_service_names_the_reply_and_the_posting(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    [reply] = issued(client, organ_a, case["id"], "reply")
    clock.set("2026-03-25T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_service",
            "clerk",
            method="post",
            tracking_number="1151234567890",
            posted_on="2026-03-20",
            served_on="2026-03-24",
            signature="张三",
        )
    )
    [receipt] = issued(client, organ_a, case["id"], "service_receipt")
    text = pdf_text(pdf(client, organ_a, receipt["id"]))
    assert reply["number"] in text
    assert "政府信息公开申请答复书" in text
    assert "1151234567890" in text
    assert "2026年3月20日" in text  # posted
    assert "2026年3月24日" in text  # received
    assert "张三" in text


def test_service_is_recorded_by_front_desk_or_clerk_only(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    body = {"method": "in_person", "served_on": "2026-03-20", "signature": "张三"}
    for role in ("approver", "legal+approver"):
        problem(act(client, organ_a, case, "record_service", role, **body), 403)
    ok(act(client, organ_a, case, "record_service", "clerk", **body))


def test_archive_only_after_service(client: TestClient, organ_a: Staff, clock: Clock) -> None:
    case = replied(client, organ_a, clock, "2026-03-20")
    r = problem(act(client, organ_a, case, "archive", "clerk"), 409)
    assert r["code"] == "invalid-transition"
    case = ok(
        serve(client, organ_a, case, method="in_person", served_on="2026-03-20", signature="张三")
    )
    problem(act(client, organ_a, case, "archive", "front_desk"), 403)
    r = problem(act(client, organ_a, case, "record_service", "clerk", method="post"), 409)
    assert r["code"] == "invalid-transition"  # served once
    case = ok(act(client, organ_a, case, "archive", "clerk"))
    assert case["state"] == "archived"
