"""GET /api/v1/cases/{id}/suggestions: repeat applications (Art. 36(6)) and Art. 44 candidates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.fields import MAX_ROW_ID
from app.models import Case, Letter
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import company, person
from tests.fixtures.identity import resident_id
from tests.suggestions.helpers import register

CASES = "/api/v1/cases"

PLAN = "2025年某某区旧城改造项目征收补偿方案"
PLAN_AGAIN = "申请公开2025年某某区旧城改造项目的征收补偿方案"
BUDGET = "某某街道2024年度部门预算及决算说明"

ZHANG = resident_id(seq="011")
LI = resident_id(seq="021")
WANG = resident_id(seq="031")
ZHAO = resident_id(seq="041")


def zhang(**overrides: Any) -> dict[str, Any]:
    return person(name="张三", id_number=ZHANG, **overrides)


def other(name: str, id_number: str) -> dict[str, Any]:
    return person(name=name, id_number=id_number)


def insert_letter(
    runtime: Runtime,
    case: dict[str, Any],
    *,
    number: str | None,
    on: date | None,
    status: str = "issued",
    outcome: str = "disclosed",
) -> int:
    """A reply letter written straight into the table (the reply workflow is not built yet)."""
    issued = status == "issued"
    with runtime.sessions.write.begin() as session:
        organ_id = session.scalar(select(Case.organ_id).where(Case.id == case["id"]))
        assert organ_id is not None
        letter = Letter(
            case_id=case["id"],
            organ_id=organ_id,
            kind="reply",
            status=status,
            fields={},
            number=number,
            year=on.year if on else None,
            seq=int(number.split("〕")[1].removesuffix("号")) if number else None,
            letter_date=on,
            action="issue_reply" if issued else None,
            issued_at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC) if on else None,
            issued_by="测试 审批人" if issued else None,
            context={"outcome": outcome} if issued else None,
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
        session.add(letter)
        session.flush()
        return letter.id


def suggestions(
    client: TestClient, staff: Staff, case: dict[str, Any], role: str = "clerk"
) -> dict[str, Any]:
    r = client.get(f"{CASES}/{case['id']}/suggestions", headers=staff.headers(role))
    assert r.status_code == 200, r.text
    return dict(r.json())


# --- repeat applications -----------------------------------------------------------------------


def test_an_earlier_similar_application_of_the_same_applicant_is_offered_with_its_reply(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    earlier = register(
        client, organ_a, BUDGET, PLAN, applicant=zhang(), arrived="2025-06-10T10:00:00+08:00"
    )
    letter_id = insert_letter(
        runtime, earlier, number="org-a依申答〔2025〕7号", on=date(2025, 7, 1)
    )
    case = register(
        client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00"
    )

    body = suggestions(client, organ_a, case)

    assert body["case_id"] == case["id"]
    [candidate] = body["repeat_candidates"]
    assert candidate == {
        "case_id": earlier["id"],
        "number": earlier["number"],
        "receipt_date": "2025-06-10",
        "arrived_on": "2025-06-10",
        "state": "received",
        "state_label": candidate["state_label"],
        "score": candidate["score"],
        "item_position": 1,
        "item": PLAN_AGAIN,
        "matched_position": 2,
        "matched_item": PLAN,
        "earlier_reply": {
            "letter_id": letter_id,
            "number": "org-a依申答〔2025〕7号",
            "date": "2025-07-01",
            "outcome": "disclosed",
        },
    }
    assert 0.9 <= candidate["score"] < 1.0
    assert candidate["score"] == round(candidate["score"], 3)
    assert candidate["state_label"]
    assert body["art44_groups"] == []


def test_candidates_with_a_reply_come_first_then_the_closest(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    replied = register(client, organ_a, PLAN, applicant=zhang(), arrived="2025-06-10T10:00+08:00")
    insert_letter(runtime, replied, number="org-a依申答〔2025〕7号", on=date(2025, 7, 1))
    # Word for word the same request, but not answered yet: only a draft reply exists.
    unanswered = register(
        client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2025-12-01T10:00+08:00"
    )
    insert_letter(runtime, unanswered, number=None, on=None, status="draft")
    also_unanswered = register(
        client, organ_a, PLAN_AGAIN + "。", applicant=zhang(), arrived="2025-11-01T10:00+08:00"
    )
    case = register(
        client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00"
    )

    candidates = suggestions(client, organ_a, case)["repeat_candidates"]

    assert [c["case_id"] for c in candidates] == [
        replied["id"],
        unanswered["id"],  # same score as the next one, and more recent
        also_unanswered["id"],
    ]
    assert [c["score"] for c in candidates] == [candidates[0]["score"], 1.0, 1.0]
    assert candidates[0]["score"] < 1.0
    assert candidates[0]["earlier_reply"]["number"] == "org-a依申答〔2025〕7号"
    assert candidates[1]["earlier_reply"] is None
    assert candidates[2]["earlier_reply"] is None


def test_later_applications_are_never_offered_as_earlier_ones(
    client: TestClient, organ_a: Staff
) -> None:
    first = register(client, organ_a, PLAN, applicant=zhang(), arrived="2025-06-10T10:00+08:00")
    same_instant = register(
        client, organ_a, PLAN, applicant=zhang(), arrived="2025-06-10T10:00+08:00"
    )
    register(client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    assert suggestions(client, organ_a, first)["repeat_candidates"] == []
    # Of two arriving at the same instant, the one registered first is the earlier.
    [candidate] = suggestions(client, organ_a, same_instant)["repeat_candidates"]
    assert candidate["case_id"] == first["id"]


def test_an_equal_document_number_makes_a_repeat_whatever_the_wording(
    client: TestClient, organ_a: Staff
) -> None:
    earlier = register(
        client,
        organ_a,
        ("关于加强城市管理工作的通知", "某府办〔2025〕12号"),
        applicant=zhang(),
        arrived="2025-09-01T10:00+08:00",
    )
    case = register(
        client,
        organ_a,
        ("请提供区政府办公室去年发布的那份通知全文", "某府办[2025]12号"),
        applicant=zhang(),
        arrived="2026-03-02T09:00+08:00",
    )

    [candidate] = suggestions(client, organ_a, case)["repeat_candidates"]

    assert candidate["case_id"] == earlier["id"]
    assert candidate["score"] == 1.0


def test_dissimilar_items_suggest_nothing(client: TestClient, organ_a: Staff) -> None:
    register(client, organ_a, BUDGET, applicant=zhang(), arrived="2025-06-10T10:00+08:00")
    register(client, organ_a, BUDGET, applicant=other("李四", LI), arrived="2025-12-10T10:00+08:00")
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    body = suggestions(client, organ_a, case)

    assert body["repeat_candidates"] == []
    assert body["art44_groups"] == []


# --- Art. 44 -----------------------------------------------------------------------------------


def test_another_applicants_request_is_no_repeat_but_counts_for_art44(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    theirs = register(
        client, organ_a, PLAN, applicant=other("李四", LI), arrived="2025-12-10T10:00+08:00"
    )
    insert_letter(runtime, theirs, number="org-a依申答〔2025〕9号", on=date(2025, 12, 20))
    case = register(
        client, organ_a, BUDGET, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00"
    )

    body = suggestions(client, organ_a, case)

    assert body["repeat_candidates"] == []
    [group] = body["art44_groups"]
    assert group["item_position"] == 2
    assert group["item"] == PLAN_AGAIN
    assert group["applicants"] == 2
    assert group["suggest"] is False
    [seen] = group["cases"]
    assert seen == {
        "case_id": theirs["id"],
        "number": theirs["number"],
        "arrived_on": "2025-12-10",
        "applicant_name": "李*",
        "score": seen["score"],
        "matched_item": PLAN,
    }
    assert seen["score"] >= body["art44_threshold"]


def test_three_distinct_applicants_make_an_art44_suggestion(
    client: TestClient, organ_a: Staff
) -> None:
    register(client, organ_a, PLAN, applicant=other("李四", LI), arrived="2025-05-10T10:00+08:00")
    # The same other applicant twice counts once.
    register(
        client, organ_a, PLAN_AGAIN, applicant=other("李四", LI), arrived="2025-08-10T10:00+08:00"
    )
    case = register(
        client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00"
    )

    [group] = suggestions(client, organ_a, case)["art44_groups"]
    assert (group["applicants"], group["suggest"]) == (2, False)
    assert len(group["cases"]) == 2

    firm = company(name="示例置业有限公司")
    register(client, organ_a, PLAN, applicant=firm, arrived="2026-01-05T10:00+08:00")

    body = suggestions(client, organ_a, case)
    [group] = body["art44_groups"]
    assert body["art44_min_applicants"] == 3
    assert (group["applicants"], group["suggest"]) == (3, True)
    # Closest first; an organisation's name is public and shown as is.
    assert group["cases"][0]["score"] == 1.0
    assert {c["applicant_name"] for c in group["cases"]} == {"李*", "示例置业有限公司"}
    assert [c["score"] for c in group["cases"]] == sorted(
        (c["score"] for c in group["cases"]), reverse=True
    )


def test_art44_looks_back_365_days_from_today(client: TestClient, organ_a: Staff) -> None:
    # Today is 2026-03-02 (the test clock): the window opens at 2025-03-02 00:00 in Beijing.
    register(client, organ_a, PLAN, applicant=other("李四", LI), arrived="2025-03-01T23:59+08:00")
    inside = register(
        client, organ_a, PLAN, applicant=other("王五", WANG), arrived="2025-03-02T00:00+08:00"
    )
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    body = suggestions(client, organ_a, case)

    assert body["art44_window_days"] == 365
    [group] = body["art44_groups"]
    assert [c["case_id"] for c in group["cases"]] == [inside["id"]]
    assert group["applicants"] == 2


# --- scope, roles, privacy ---------------------------------------------------------------------


def test_another_organs_applications_are_never_seen(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    register(client, organ_b, PLAN, applicant=zhang(), arrived="2025-06-10T10:00+08:00")
    register(client, organ_b, PLAN, applicant=other("李四", LI), arrived="2025-07-10T10:00+08:00")
    register(client, organ_b, PLAN, applicant=other("王五", WANG), arrived="2025-08-10T10:00+08:00")
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    body = suggestions(client, organ_a, case)

    assert body["repeat_candidates"] == []
    assert body["art44_groups"] == []


def test_another_organs_case_answers_like_a_missing_one(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    r = client.get(f"{CASES}/{case['id']}/suggestions", headers=organ_b.headers("clerk"))
    missing = client.get(f"{CASES}/999999/suggestions", headers=organ_b.headers("clerk"))

    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == missing.json()["code"] == "not-found"
    assert case["number"] not in r.text


def test_a_case_id_beyond_the_row_id_range_is_not_found(client: TestClient, organ_a: Staff) -> None:
    r = client.get(f"{CASES}/{MAX_ROW_ID + 1}/suggestions", headers=organ_a.headers("clerk"))
    assert r.status_code == 404


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor"])
def test_those_who_draft_sign_or_supervise_replies_may_read_suggestions(
    client: TestClient, organ_a: Staff, role: str
) -> None:
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")
    suggestions(client, organ_a, case, role)


def test_the_legal_office_reads_suggestions_of_the_cases_it_may_read(
    client: TestClient, organ_a: Staff
) -> None:
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")
    legal = organ_a.headers("legal")

    r = client.get(f"{CASES}/{case['id']}/suggestions", headers=legal)

    # The role is admitted; which cases a legal-office user sees is the cases service's rule.
    assert r.status_code != 403, r.text
    assert r.status_code == client.get(f"{CASES}/{case['id']}", headers=legal).status_code


def test_the_front_desk_may_not(client: TestClient, organ_a: Staff) -> None:
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")

    r = client.get(f"{CASES}/{case['id']}/suggestions", headers=organ_a.headers("front_desk"))

    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_no_credentials_no_suggestions(client: TestClient, organ_a: Staff) -> None:
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")
    assert client.get(f"{CASES}/{case['id']}/suggestions").status_code == 401


def test_suggestions_never_show_an_id_number_and_change_nothing(
    client: TestClient, organ_a: Staff
) -> None:
    register(client, organ_a, PLAN, applicant=zhang(), arrived="2025-06-10T10:00+08:00")
    register(client, organ_a, PLAN, applicant=other("李四", LI), arrived="2025-07-10T10:00+08:00")
    register(client, organ_a, PLAN, applicant=other("王五", WANG), arrived="2025-08-10T10:00+08:00")
    register(client, organ_a, PLAN, applicant=other("赵六", ZHAO), arrived="2025-09-10T10:00+08:00")
    case = register(client, organ_a, PLAN, applicant=zhang(), arrived="2026-03-02T09:00+08:00")
    before = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()

    r = client.get(f"{CASES}/{case['id']}/suggestions", headers=organ_a.headers("clerk"))

    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["repeat_candidates"]) == 1
    assert body["art44_groups"][0]["applicants"] == 4
    for id_number in (ZHANG, LI, WANG, ZHAO):
        assert id_number not in r.text
        assert id_number[-6:] not in r.text
    for name in ("李四", "王五", "赵六"):
        assert name not in r.text
    after = client.get(f"{CASES}/{case['id']}", headers=organ_a.headers("clerk")).json()
    assert after == before


def test_a_request_to_correct_records_is_neither_a_repeat_nor_in_an_art44_group(
    client: TestClient, organ_a: Staff
) -> None:
    # Art. 41 requests are their own case type: Art. 36(6) repeats and Art. 44 groups concern
    # FOI applications only.
    register(
        client,
        organ_a,
        PLAN,
        applicant=zhang(),
        arrived="2026-02-10T10:00:00+08:00",
        case_type="record_correction",
        staff_note="申请人提交了身份证明及更正依据",
    )
    for who, name in ((LI, "李四"), (WANG, "王五")):
        register(
            client,
            organ_a,
            PLAN,
            applicant=other(name, who),
            arrived="2026-02-20T10:00:00+08:00",
            case_type="record_correction",
            staff_note="申请人提交了更正依据",
        )
    case = register(
        client, organ_a, PLAN_AGAIN, applicant=zhang(), arrived="2026-03-02T09:00+08:00"
    )

    body = suggestions(client, organ_a, case)

    assert body["repeat_candidates"] == []
    assert body["art44_groups"] == []
