"""Staff reads of cases: organ scoping, the full detail view, the masked worklist and its filters."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, person, staff_case
from tests.fixtures.identity import resident_id
from tests.validation.samples import make_pdf

CASES = "/api/v1/cases"
# Uploads are opened and checked (app/validation/pdf.py): a real PDF, not just a signature.
PDF = make_pdf()
CALL_NOTE = "电话确认，记录人李四"
MISSING_ID = 987654


def _register(client: TestClient, staff: Staff, payload: dict[str, Any]) -> dict[str, Any]:
    r = client.post(CASES, json=payload, headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _register_with_pdf(client: TestClient, staff: Staff) -> tuple[int, int]:
    r = client.post(
        CASES,
        data={"application": json.dumps(staff_case("in_person"))},
        files=[("attachments", ("身份证复印件.pdf", PDF, "application/pdf"))],
        headers=staff.headers("front_desk"),
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    case = client.get(f"{CASES}/{case_id}", headers=staff.headers("clerk")).json()
    return case_id, case["attachments"][0]["id"]


def _in_person(arrived: str) -> dict[str, Any]:
    return staff_case("in_person", arrived_at=f"{arrived}T09:00:00+08:00")


def _numbers(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [row["number"] for row in r.json()["items"]]


def _no(seq: int) -> str:
    return f"org-a依申〔2026〕{seq:04d}号"


# --- organ scoping -----------------------------------------------------------------------------


def _same_as_missing(foreign: Any, missing: Any, case_id: int) -> None:
    """The answer for another organ's case is the answer for a case that does not exist."""
    assert foreign.status_code == missing.status_code == 404
    assert foreign.headers["content-type"] == "application/problem+json"
    assert foreign.text == missing.text.replace(str(MISSING_ID), str(case_id))


def test_other_organs_case_answers_like_a_missing_one(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case_id, _ = _register_with_pdf(client, organ_a)
    h = organ_b.headers("clerk")

    foreign = client.get(f"{CASES}/{case_id}", headers=h)
    missing = client.get(f"{CASES}/{MISSING_ID}", headers=h)

    _same_as_missing(foreign, missing, case_id)
    assert foreign.json()["code"] == "not-found"
    assert foreign.json()["case_id"] == case_id


def test_other_organs_timeline_answers_like_a_missing_one(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case_id, _ = _register_with_pdf(client, organ_a)
    h = organ_b.headers("clerk")

    foreign = client.get(f"{CASES}/{case_id}/events", headers=h)
    missing = client.get(f"{CASES}/{MISSING_ID}/events", headers=h)

    _same_as_missing(foreign, missing, case_id)


def test_other_organs_attachment_answers_like_a_missing_case(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case_id, attachment_id = _register_with_pdf(client, organ_a)
    h = organ_b.headers("clerk")

    foreign = client.get(f"{CASES}/{case_id}/attachments/{attachment_id}", headers=h)
    missing = client.get(f"{CASES}/{MISSING_ID}/attachments/{attachment_id}", headers=h)

    _same_as_missing(foreign, missing, case_id)
    assert PDF not in foreign.content


def test_own_organ_downloads_the_attachment(client: TestClient, organ_a: Staff) -> None:
    case_id, attachment_id = _register_with_pdf(client, organ_a)

    r = client.get(
        f"{CASES}/{case_id}/attachments/{attachment_id}", headers=organ_a.headers("approver")
    )

    assert r.status_code == 200, r.text
    assert r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith(
        f'attachment; filename="attachment-{attachment_id}.pdf"'
    )


def test_attachment_of_another_case_of_the_same_organ_is_not_found(
    client: TestClient, organ_a: Staff
) -> None:
    _, attachment_id = _register_with_pdf(client, organ_a)
    other = _register(client, organ_a, staff_case("in_person"))

    r = client.get(
        f"{CASES}/{other['id']}/attachments/{attachment_id}", headers=organ_a.headers("clerk")
    )

    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


@pytest.mark.parametrize(
    "path",
    [f"{CASES}/{2**31}", f"{CASES}/{2**63}/events", f"{CASES}/1/attachments/{2**31}"],
)
def test_id_beyond_the_id_range_is_simply_not_found(
    client: TestClient, organ_a: Staff, path: str
) -> None:
    # Every id route and bound: tests/api/test_id_range.py.
    r = client.get(path, headers=organ_a.headers("clerk"))

    assert r.status_code == 404, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not-found"


def test_largest_id_is_simply_not_found(client: TestClient, organ_a: Staff) -> None:
    r = client.get(f"{CASES}/{2**31 - 1}", headers=organ_a.headers("clerk"))

    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


def test_list_shows_only_the_callers_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    _register(client, organ_a, staff_case("in_person"))
    _register(client, organ_a, staff_case("fax"))
    own = _register(client, organ_b, staff_case("in_person"))

    r = client.get(CASES, headers=organ_b.headers("clerk"))

    assert _numbers(r) == [own["number"]]
    assert r.json()["total"] == 1
    assert own["number"] == "org-b依申〔2026〕0001号"


def test_admin_token_sees_no_case(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    case = _register(client, organ_a, staff_case("in_person"))

    for path in (CASES, f"{CASES}/{case['id']}", f"{CASES}/{case['id']}/events"):
        r = client.get(path, headers=admin)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["code"] == "forbidden"
        assert case["number"] not in r.text


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_full_personal_data_items_delivery_and_explained_deadlines(
    client: TestClient, organ_a: Staff
) -> None:
    id_number = resident_id("330106", "19851224", "047")
    payload = staff_case(
        "in_person",
        applicant=person(id_number=id_number, phone="13912345678"),
        items=[
            {
                "description": "2025年本区老旧小区改造项目清单",
                "document_number": "示政发〔2025〕3号",
            },
            {"description": "上述项目的资金安排", "document_number": None},
        ],
        delivery={"form": "paper", "method": "post"},
    )
    created = _register(client, organ_a, payload)

    r = client.get(f"{CASES}/{created['id']}", headers=organ_a.headers("clerk"))

    assert r.status_code == 200, r.text
    case = r.json()
    assert case["number"] == created["number"]
    assert case["organ_code"] == "org-a"
    assert case["state"] == "received"
    assert case["channel"] == "in_person"
    assert case["channel_label"] == "当面提交"
    assert case["applicant"]["id_number"] == id_number
    assert case["applicant"]["phone"] == "13912345678"
    assert case["applicant"]["name"] == "张三"
    assert case["applicant"]["address"] == "示例市人民路100号"
    assert case["applicant"]["email"] == "zhangsan@example.com"
    assert case["items"] == [
        {
            "position": 1,
            "description": "2025年本区老旧小区改造项目清单",
            "document_number": "示政发〔2025〕3号",
        },
        {"position": 2, "description": "上述项目的资金安排", "document_number": None},
    ]
    assert case["delivery"] == {"form": "paper", "method": "post"}
    deadlines = {d["name"]: d for d in case["deadlines"]}
    assert set(deadlines) == {"reply", "correction_notice"}
    reply = deadlines["reply"]
    assert reply["start_date"] == "2026-03-02"
    assert reply["working_days"] == 20
    assert reply["due_date"] == "2026-03-30"
    assert reply["provisional"] is False
    assert reply["explanation"].startswith(
        "答复期限：2026-03-30。自2026-03-02（收到申请）起算，当日不计入"
    )
    assert reply["status"] == "running"
    assert deadlines["correction_notice"]["due_date"] == "2026-03-11"
    assert deadlines["correction_notice"]["working_days"] == 7
    assert case["version"] == created["version"]


def test_received_case_offers_the_clerk_its_actions_but_not_extension(
    client: TestClient, organ_a: Staff
) -> None:
    created = _register(client, organ_a, staff_case("in_person"))

    actions = client.get(f"{CASES}/{created['id']}", headers=organ_a.headers("clerk")).json()[
        "allowed_actions"
    ]

    assert "request_correction" in actions
    assert "submit_reply" in actions
    assert "extend" not in actions
    assert "confirm_receipt" not in actions


def test_received_case_offers_the_approver_extension(client: TestClient, organ_a: Staff) -> None:
    created = _register(client, organ_a, staff_case("in_person"))

    actions = client.get(f"{CASES}/{created['id']}", headers=organ_a.headers("approver")).json()[
        "allowed_actions"
    ]

    assert "extend" in actions
    assert "request_correction" not in actions


def test_supervisor_is_offered_no_action(client: TestClient, organ_a: Staff) -> None:
    created = _register(client, organ_a, staff_case("in_person"))

    r = client.get(f"{CASES}/{created['id']}", headers=organ_a.headers("supervisor"))

    assert r.status_code == 200, r.text
    assert r.json()["allowed_actions"] == []


def test_awaiting_case_offers_the_clerk_receipt_confirmation(
    client: TestClient, organ_a: Staff
) -> None:
    created = _register(client, organ_a, staff_case("ordinary_mail"))

    case = client.get(f"{CASES}/{created['id']}", headers=organ_a.headers("clerk")).json()

    assert case["state"] == "awaiting_confirmation"
    assert "confirm_receipt" in case["allowed_actions"]
    assert "request_correction" not in case["allowed_actions"]


# --- worklist ----------------------------------------------------------------------------------


def test_list_masks_personal_data(client: TestClient, organ_a: Staff) -> None:
    id_number = resident_id("330106", "19851224", "047")
    _register(
        client,
        organ_a,
        staff_case("in_person", applicant=person(id_number=id_number, phone="13912345678")),
    )

    r = client.get(CASES, headers=organ_a.headers("clerk"))

    assert r.status_code == 200, r.text
    assert id_number not in r.text
    assert "13912345678" not in r.text
    (row,) = r.json()["items"]
    assert row["applicant_id_number"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert row["applicant_phone"] == "139****5678"
    assert row["applicant_name"] == "张*"


def _worklist(client: TestClient, organ: Staff) -> dict[str, str]:
    """Four cases: received 03-02, 02-24, 02-26 (in that order), and one awaiting confirmation."""
    return {
        "mar02": _register(client, organ, _in_person("2026-03-02"))["number"],
        "feb24": _register(client, organ, _in_person("2026-02-24"))["number"],
        "awaiting": _register(client, organ, staff_case("ordinary_mail"))["number"],
        "feb26": _register(client, organ, _in_person("2026-02-26"))["number"],
    }


def test_list_is_sorted_by_reply_due_with_awaiting_cases_last(
    client: TestClient, organ_a: Staff
) -> None:
    n = _worklist(client, organ_a)

    r = client.get(CASES, headers=organ_a.headers("clerk"))

    assert _numbers(r) == [n["feb24"], n["feb26"], n["mar02"], n["awaiting"]]
    dues = [row["reply_due"] for row in r.json()["items"]]
    assert dues == ["2026-03-23", "2026-03-25", "2026-03-30", None]
    assert r.json()["total"] == 4


def test_list_filters_by_repeatable_state(client: TestClient, organ_a: Staff) -> None:
    n = _worklist(client, organ_a)
    h = organ_a.headers("clerk")

    assert _numbers(client.get(CASES, params={"state": "awaiting_confirmation"}, headers=h)) == [
        n["awaiting"]
    ]
    assert _numbers(client.get(CASES, params={"state": "received"}, headers=h)) == [
        n["feb24"],
        n["feb26"],
        n["mar02"],
    ]
    both = client.get(
        CASES, params=[("state", "received"), ("state", "awaiting_confirmation")], headers=h
    )
    assert both.json()["total"] == 4


def test_list_filters_by_channel(client: TestClient, organ_a: Staff) -> None:
    n = _worklist(client, organ_a)
    fax = _register(client, organ_a, staff_case("fax"))["number"]
    h = organ_a.headers("clerk")

    assert _numbers(client.get(CASES, params={"channel": "ordinary_mail"}, headers=h)) == [
        n["awaiting"]
    ]
    both = client.get(CASES, params=[("channel", "fax"), ("channel", "ordinary_mail")], headers=h)
    assert sorted(_numbers(both)) == sorted([n["awaiting"], fax])


def test_list_filters_by_receipt_date_range_inclusively(client: TestClient, organ_a: Staff) -> None:
    n = _worklist(client, organ_a)
    h = organ_a.headers("clerk")

    since = client.get(CASES, params={"received_from": "2026-02-26"}, headers=h)
    until = client.get(CASES, params={"received_to": "2026-02-26"}, headers=h)
    day = client.get(
        CASES, params={"received_from": "2026-02-26", "received_to": "2026-02-26"}, headers=h
    )

    assert _numbers(since) == [n["feb26"], n["mar02"]]
    assert _numbers(until) == [n["feb24"], n["feb26"]]
    assert _numbers(day) == [n["feb26"]]


def test_list_filters_by_reply_due_strictly_before(client: TestClient, organ_a: Staff) -> None:
    n = _worklist(client, organ_a)
    h = organ_a.headers("clerk")

    assert _numbers(client.get(CASES, params={"deadline_before": "2026-03-25"}, headers=h)) == [
        n["feb24"]
    ]
    assert _numbers(client.get(CASES, params={"deadline_before": "2026-03-26"}, headers=h)) == [
        n["feb24"],
        n["feb26"],
    ]


def test_overdue_lists_received_cases_past_due_but_never_awaiting_ones(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    n = _worklist(client, organ_a)
    clock.set("2026-05-06T10:00+08:00")
    fresh = _register(client, organ_a, _in_person("2026-05-06"))["number"]
    h = organ_a.headers("clerk")

    overdue = client.get(CASES, params={"overdue": "true"}, headers=h)
    everything = client.get(CASES, headers=h)

    assert _numbers(overdue) == [n["feb24"], n["feb26"], n["mar02"]]
    assert all(row["overdue"] for row in overdue.json()["items"])
    flags = {row["number"]: row["overdue"] for row in everything.json()["items"]}
    assert flags == {
        n["feb24"]: True,
        n["feb26"]: True,
        n["mar02"]: True,
        fresh: False,
        n["awaiting"]: False,
    }


def test_nothing_is_overdue_before_its_due_date(client: TestClient, organ_a: Staff) -> None:
    _worklist(client, organ_a)

    r = client.get(CASES, params={"overdue": "true"}, headers=organ_a.headers("clerk"))

    assert _numbers(r) == []
    assert r.json()["total"] == 0


def test_list_paginates_with_the_total(client: TestClient, organ_a: Staff) -> None:
    n = _worklist(client, organ_a)
    h = organ_a.headers("clerk")

    pages = [
        client.get(CASES, params={"page": p, "page_size": 3}, headers=h).json() for p in (1, 2, 3)
    ]

    assert [[row["number"] for row in p["items"]] for p in pages] == [
        [n["feb24"], n["feb26"], n["mar02"]],
        [n["awaiting"]],
        [],
    ]
    assert [(p["total"], p["page"], p["page_size"]) for p in pages] == [
        (4, 1, 3),
        (4, 2, 3),
        (4, 3, 3),
    ]


def test_list_defaults_to_page_one_of_fifty(client: TestClient, organ_a: Staff) -> None:
    _register(client, organ_a, staff_case("in_person"))

    body = client.get(CASES, headers=organ_a.headers("clerk")).json()

    assert (body["page"], body["page_size"], body["total"]) == (1, 50, 1)


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page": "0"}, ["query", "page"]),
        ({"page_size": "1000"}, ["query", "page_size"]),
        ({"page_size": "0"}, ["query", "page_size"]),
        ({"channel": "xyz"}, ["query", "channel", 0]),
        ({"received_from": "notadate"}, ["query", "received_from"]),
        ({"received_to": "2026-02-30"}, ["query", "received_to"]),
        ({"deadline_before": "soon"}, ["query", "deadline_before"]),
        ({"overdue": "perhaps"}, ["query", "overdue"]),
    ],
)
def test_bad_list_query_is_a_validation_problem(
    client: TestClient, organ_a: Staff, params: dict[str, str], loc: list[Any]
) -> None:
    r = client.get(CASES, params=params, headers=organ_a.headers("clerk"))

    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "validation-error"
    assert body["status"] == 422
    assert [e["loc"] for e in body["errors"]] == [loc]


# --- who may read ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["approver", "supervisor", "front_desk", "clerk", "legal+clerk"])
def test_every_organ_role_may_read(client: TestClient, organ_a: Staff, role: str) -> None:
    created = _register(client, organ_a, staff_case("in_person"))
    h = organ_a.headers(*role.split("+"))

    listed = client.get(CASES, headers=h)
    detail = client.get(f"{CASES}/{created['id']}", headers=h)
    events = client.get(f"{CASES}/{created['id']}/events", headers=h)

    assert _numbers(listed) == [created["number"]]
    assert detail.status_code == 200, detail.text
    assert detail.json()["number"] == created["number"]
    assert events.status_code == 200, events.text
    assert len(events.json()) == 1


def test_legal_office_alone_sees_only_cases_it_is_involved_in(
    client: TestClient, organ_a: Staff
) -> None:
    created = _register(client, organ_a, staff_case("in_person"))
    h = organ_a.headers("legal")

    assert _numbers(client.get(CASES, headers=h)) == []
    assert client.get(f"{CASES}/{created['id']}", headers=h).status_code == 404
    assert client.get(f"{CASES}/{created['id']}/events", headers=h).status_code == 404


def test_reading_without_token_is_unauthenticated(client: TestClient, organ_a: Staff) -> None:
    created = _register(client, organ_a, staff_case("in_person"))

    for path in (CASES, f"{CASES}/{created['id']}", f"{CASES}/{created['id']}/events"):
        r = client.get(path)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"


def test_confirmed_ordinary_mail_lists_with_its_receipt_date(
    client: TestClient, organ_a: Staff
) -> None:
    created = _register(
        client,
        organ_a,
        staff_case(
            "ordinary_mail",
            arrived_at="2026-02-27T09:00:00+08:00",
            receipt_date="2026-03-02",
            receipt_basis="confirmed",
            receipt_evidence=CALL_NOTE,
        ),
    )

    (row,) = client.get(CASES, headers=organ_a.headers("clerk")).json()["items"]

    assert row["number"] == created["number"]
    assert row["receipt_date"] == "2026-03-02"
    assert row["reply_due"] == "2026-03-30"
    assert row["state"] == "received"
    assert row["channel"] == "ordinary_mail"
