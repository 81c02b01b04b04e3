"""GET /api/v1/reports/proactive-disclosure: Art. 44 groups across the organ, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from app.models import Case
from app.runtime import Runtime
from app.suggestions import proactive_service
from tests.conftest import Staff
from tests.fixtures.factories import company, person
from tests.fixtures.identity import resident_id
from tests.suggestions.helpers import register

CASES = "/api/v1/cases"
REPORT = "/api/v1/reports/proactive-disclosure"

PLAN = "2025年某某区旧城改造项目征收补偿方案"
PLAN_AGAIN = "申请公开2025年某某区旧城改造项目的征收补偿方案。"
PLAN_THIRD = "《2025年 某某区旧城改造项目征收补偿方案》（全文）"
BUDGET = "某某街道2024年度部门预算及决算说明"

ZHANG = resident_id(seq="011")
LI = resident_id(seq="021")
WANG = resident_id(seq="031")
ZHAO = resident_id(seq="041")


def applicant(name: str, id_number: str) -> dict[str, Any]:
    return person(name=name, id_number=id_number)


def three_asking_for_the_plan(client: TestClient, staff: Staff) -> list[dict[str, Any]]:
    return [
        register(
            client,
            staff,
            PLAN,
            applicant=applicant("张三", ZHANG),
            arrived="2025-06-10T10:00+08:00",
        ),
        register(
            client,
            staff,
            BUDGET,
            PLAN_AGAIN,
            applicant=applicant("李四", LI),
            arrived="2025-09-01T10:00+08:00",
        ),
        register(
            client,
            staff,
            PLAN_THIRD,
            applicant=applicant("王五", WANG),
            arrived="2026-02-27T15:00+08:00",
        ),
    ]


def report(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get(REPORT, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


# --- grouping ----------------------------------------------------------------------------------


def test_three_applicants_asking_for_the_same_information_in_other_words_form_one_group(
    client: TestClient, organ_a: Staff
) -> None:
    first, second, third = three_asking_for_the_plan(client, organ_a)
    register(
        client, organ_a, BUDGET, applicant=applicant("赵六", ZHAO), arrived="2025-10-01T10:00+08:00"
    )

    body = report(client, organ_a.headers("clerk"))

    assert body["organ_code"] == "org-a"
    assert (body["since"], body["until"]) == ("2025-03-02", "2026-03-02")
    assert (body["threshold"], body["min_applicants"]) == (0.6, 3)
    assert (body["items_considered"], body["truncated"]) == (5, False)
    assert (body["total"], body["page"], body["page_size"]) == (1, 1, 20)
    [group] = body["groups"]
    assert group["representative"] in (PLAN, PLAN_AGAIN, PLAN_THIRD)
    assert (group["applicants"], group["case_count"], group["item_count"]) == (3, 3, 3)
    assert (group["first_received_on"], group["last_received_on"]) == ("2025-06-10", "2026-02-27")
    assert group["document_number"] is None
    assert group["any_disclosed"] is False
    # The most recent first, each with its own wording; the budget item of the second is not
    # in the group (two applicants asked for it: not enough).
    assert [c["case_id"] for c in group["cases"]] == [third["id"], second["id"], first["id"]]
    assert group["cases"][1] == {
        "case_id": second["id"],
        "number": second["number"],
        "received_on": "2025-09-01",
        "receipt_date": "2025-09-01",
        "state": "received",
        "state_label": group["cases"][1]["state_label"],
        "outcome": None,
        "outcome_label": None,
        "items": [{"position": 2, "description": PLAN_AGAIN, "document_number": None}],
    }
    assert group["cases"][1]["state_label"]


def test_one_applicant_asking_three_times_is_no_group(client: TestClient, organ_a: Staff) -> None:
    for arrived in ("2025-05-10T10:00+08:00", "2025-08-10T10:00+08:00", "2026-01-10T10:00+08:00"):
        register(client, organ_a, PLAN, applicant=applicant("张三", ZHANG), arrived=arrived)

    assert report(client, organ_a.headers("clerk"))["groups"] == []
    assert report(client, organ_a.headers("clerk"), min_applicants=2)["groups"] == []

    register(
        client,
        organ_a,
        PLAN_AGAIN,
        applicant=applicant("李四", LI),
        arrived="2026-02-10T10:00+08:00",
    )

    assert report(client, organ_a.headers("clerk"))["groups"] == []
    [group] = report(client, organ_a.headers("clerk"), min_applicants=2)["groups"]
    assert (group["applicants"], group["case_count"]) == (2, 4)


def test_an_equal_document_number_groups_whatever_the_wording(
    client: TestClient, organ_a: Staff
) -> None:
    register(
        client,
        organ_a,
        ("关于加强城市管理工作的通知", "示政办〔2025〕12号"),
        applicant=applicant("张三", ZHANG),
        arrived="2025-09-01T10:00+08:00",
    )
    register(
        client,
        organ_a,
        ("请提供区政府办公室去年发布的那份通知全文", "示政办[2025]12号"),
        applicant=applicant("李四", LI),
        arrived="2025-10-01T10:00+08:00",
    )
    register(
        client,
        organ_a,
        ("城市管理的那份文件", "示政办〔2025〕12号"),
        applicant=company(name="示例置业有限公司"),
        arrived="2025-11-01T10:00+08:00",
    )

    [group] = report(client, organ_a.headers("approver"))["groups"]

    assert group["applicants"] == 3
    assert group["document_number"] == "示政办〔2025〕12号"


def test_groups_come_most_applicants_first_and_page(client: TestClient, organ_a: Staff) -> None:
    people = [applicant(n, resident_id(seq=f"{k:03d}")) for k, n in enumerate("甲乙丙丁戊", 100)]
    for who in people[:3]:
        register(client, organ_a, BUDGET, applicant=who, arrived="2025-12-01T10:00+08:00")
    for who in people:
        register(client, organ_a, PLAN, applicant=who, arrived="2025-11-01T10:00+08:00")
    h = organ_a.headers("supervisor")

    body = report(client, h)
    second_page = report(client, h, page=2, page_size=1)
    beyond = report(client, h, page=3, page_size=1)

    assert [g["applicants"] for g in body["groups"]] == [5, 3]
    assert body["groups"][0]["representative"] == PLAN
    assert second_page["total"] == 2
    assert [g["representative"] for g in second_page["groups"]] == [BUDGET]
    assert (beyond["total"], beyond["groups"]) == (2, [])


def test_an_answer_disclosing_the_information_is_flagged(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    cases = three_asking_for_the_plan(client, organ_a)
    h = organ_a.headers("clerk")
    assert report(client, h)["groups"][0]["any_disclosed"] is False
    # The reply workflow is tested elsewhere; here only the recorded outcome matters.
    for outcome, disclosing in (
        ("withheld.state_secret", False),
        ("partially_disclosed", True),
        ("already_public", True),
        ("disclosed", True),
    ):
        with runtime.sessions.write.begin() as session:
            session.execute(update(Case).where(Case.id == cases[0]["id"]).values(outcome=outcome))

        [group] = report(client, h)["groups"]

        assert group["any_disclosed"] is disclosing, outcome
        [answered] = [c for c in group["cases"] if c["case_id"] == cases[0]["id"]]
        assert answered["outcome"] == outcome
        assert answered["outcome_label"]


# --- the window --------------------------------------------------------------------------------


def test_by_default_the_last_365_days_count_like_the_per_case_view(
    client: TestClient, organ_a: Staff
) -> None:
    # Today is 2026-03-02 (the test clock): the window opens at 2025-03-02.
    register(
        client, organ_a, PLAN, applicant=applicant("张三", ZHANG), arrived="2025-03-01T23:59+08:00"
    )
    register(
        client, organ_a, PLAN, applicant=applicant("李四", LI), arrived="2025-03-02T00:00+08:00"
    )
    register(
        client, organ_a, PLAN, applicant=applicant("王五", WANG), arrived="2026-03-02T09:00+08:00"
    )
    h = organ_a.headers("clerk")

    assert report(client, h)["groups"] == []
    [group] = report(client, h, min_applicants=2)["groups"]
    assert (group["first_received_on"], group["last_received_on"]) == ("2025-03-02", "2026-03-02")

    [group] = report(client, h, since="2025-03-01")["groups"]
    assert group["applicants"] == 3


def test_an_explicit_window_leaves_out_what_was_received_outside_it(
    client: TestClient, organ_a: Staff
) -> None:
    three_asking_for_the_plan(client, organ_a)  # 2025-06-10, 2025-09-01, 2026-02-27
    h = organ_a.headers("clerk")

    assert report(client, h, since="2025-06-11")["groups"] == []
    assert report(client, h, until="2026-02-26")["groups"] == []
    body = report(client, h, since="2025-06-10", until="2026-02-27")
    assert body["groups"][0]["applicants"] == 3
    # Only `until`: the window is the 365 days before it.
    assert report(client, h, until="2026-06-10")["since"] == "2025-06-10"


def test_a_case_counts_by_its_receipt_date_or_while_unconfirmed_by_its_arrival(
    client: TestClient, organ_a: Staff
) -> None:
    register(
        client, organ_a, PLAN, applicant=applicant("张三", ZHANG), arrived="2025-09-01T10:00+08:00"
    )
    # Arrived before the window, signed for inside it: received inside.
    register(
        client,
        organ_a,
        PLAN_AGAIN,
        applicant=applicant("李四", LI),
        arrived="2025-06-30T18:00+08:00",
        channel="registered_mail",
        receipt_date="2025-07-01",
        receipt_basis="signed_for",
        receipt_evidence="EMS 1234567890123，收发室签收",
    )
    # A letter by ordinary mail not confirmed yet: counted by the day it arrived.
    waiting = register(
        client,
        organ_a,
        PLAN_THIRD,
        applicant=applicant("王五", WANG),
        arrived="2025-12-01T10:00+08:00",
        channel="ordinary_mail",
    )
    h = organ_a.headers("clerk")

    [group] = report(client, h, since="2025-07-01")["groups"]
    assert group["first_received_on"] == "2025-07-01"
    [unconfirmed] = [c for c in group["cases"] if c["case_id"] == waiting["id"]]
    assert (unconfirmed["receipt_date"], unconfirmed["received_on"]) == (None, "2025-12-01")
    assert unconfirmed["state"] == "awaiting_confirmation"
    assert report(client, h, since="2025-07-02")["groups"] == []
    assert report(client, h, until="2025-11-30", since="2025-01-01")["groups"] == []


def test_too_many_items_group_the_most_recent_whole_cases_and_say_so(
    client: TestClient, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, second, third = three_asking_for_the_plan(client, organ_a)  # 1, 2 and 1 items
    h = organ_a.headers("clerk")

    monkeypatch.setattr(proactive_service, "MAX_ITEMS", 2)
    cut = report(client, h, min_applicants=2)
    monkeypatch.setattr(proactive_service, "MAX_ITEMS", 3)
    fits = report(client, h, min_applicants=2)
    monkeypatch.setattr(proactive_service, "MAX_ITEMS", 4)
    whole = report(client, h, min_applicants=2)

    # The limit of 2 cuts through the second case: it is left out whole, not half grouped.
    assert (cut["items_considered"], cut["truncated"], cut["groups"]) == (1, True, [])
    assert (fits["items_considered"], fits["truncated"]) == (3, True)
    [group] = fits["groups"]
    assert [c["case_id"] for c in group["cases"]] == [third["id"], second["id"]]
    assert (whole["items_considered"], whole["truncated"]) == (4, False)
    assert whole["groups"][0]["applicants"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-03-02", "until": "2026-03-01"}, "since"),
        ({"min_applicants": 1}, "min_applicants"),
        ({"page_size": 101}, "page_size"),
        ({"since": "0001-01-01"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        # The default window is derived from `until` only after its bounds are checked.
        ({"until": "0001-01-01"}, "until"),
        ({"until": "1900-01-03"}, None),
        ({"since": "not-a-date"}, "since"),
        ({"organ": "org a"}, "organ"),
    ],
)
def test_a_bad_query_is_refused_and_names_the_parameter(
    client: TestClient, organ_a: Staff, params: dict[str, Any], field: str | None
) -> None:
    r = client.get(REPORT, params=params, headers=organ_a.headers("clerk"))

    if field is None:  # an edge that is in range answers
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in r.json()["errors"]] == [["query", field]]


QUERY_VALUES = st.one_of(
    st.sampled_from(
        ["", "0", "-1", "2", "1000", "1001", "2026-03-02", "2026-02-30", "0001-01-01",
         "1900-01-01", "9998-12-31", "9999-12-31", "org-a", "org-b", "org a", "\x00", "😀"]
    ),
    st.dates().map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
)  # fmt: skip
PARAMS = st.dictionaries(
    st.sampled_from(["organ", "since", "until", "min_applicants", "page", "page_size"]),
    QUERY_VALUES,
    max_size=4,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS, as_admin=st.booleans())
def test_no_query_makes_the_report_fail(
    app: Any, organ_a: Staff, admin: dict[str, str], params: dict[str, str], as_admin: bool
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get(
            REPORT, params=params, headers=admin if as_admin else organ_a.headers("clerk")
        )

    assert r.status_code in (200, 400, 404, 422), r.text
    if r.status_code != 200:
        assert r.headers["content-type"] == "application/problem+json"


# --- scope, roles, privacy ---------------------------------------------------------------------


def test_another_organs_applications_never_appear(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    three_asking_for_the_plan(client, organ_b)
    register(
        client, organ_a, PLAN, applicant=applicant("赵六", ZHAO), arrived="2025-10-01T10:00+08:00"
    )

    assert report(client, organ_a.headers("clerk"))["groups"] == []
    assert report(client, organ_a.headers("clerk"), min_applicants=2)["groups"] == []
    [theirs] = report(client, organ_b.headers("clerk"))["groups"]
    assert theirs["applicants"] == 3


def test_staff_naming_another_organ_get_not_found(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    three_asking_for_the_plan(client, organ_b)
    h = organ_a.headers("clerk")

    other = client.get(REPORT, params={"organ": "org-b"}, headers=h)
    missing = client.get(REPORT, params={"organ": "no-such-organ"}, headers=h)

    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == "not-found"
    assert PLAN not in other.text
    assert report(client, h, organ="org-a")["organ_code"] == "org-a"


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor"])
def test_those_who_answer_sign_off_or_oversee_may_read_the_report(
    client: TestClient, organ_a: Staff, role: str
) -> None:
    three_asking_for_the_plan(client, organ_a)
    assert report(client, organ_a.headers(role))["total"] == 1


@pytest.mark.parametrize("role", ["front_desk", "legal"])
def test_the_front_desk_and_the_legal_office_alone_may_not(
    client: TestClient, organ_a: Staff, role: str
) -> None:
    r = client.get(REPORT, headers=organ_a.headers(role))

    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_no_credentials_no_report(client: TestClient, organ_a: Staff) -> None:
    assert client.get(REPORT).status_code == 401


def test_an_administrator_names_the_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str]
) -> None:
    three_asking_for_the_plan(client, organ_a)

    unnamed = client.get(REPORT, headers=admin)
    unknown = client.get(REPORT, params={"organ": "no-such-organ"}, headers=admin)

    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["loc"] == ["query", "organ"]
    assert unknown.status_code == 404
    assert report(client, admin, organ="org-a")["groups"][0]["applicants"] == 3
    assert report(client, admin, organ="org-b")["groups"] == []


def test_the_report_shows_no_applicant_and_changes_nothing(
    client: TestClient, organ_a: Staff
) -> None:
    cases = three_asking_for_the_plan(client, organ_a)
    h = organ_a.headers("clerk")
    before = [client.get(f"{CASES}/{c['id']}", headers=h).json() for c in cases]

    r = client.get(REPORT, headers=h)

    assert r.status_code == 200, r.text
    for id_number in (ZHANG, LI, WANG):
        assert id_number not in r.text
        assert id_number[-6:] not in r.text
    for name in ("张三", "李四", "王五", "张*", "李*"):
        assert name not in r.text
    assert "13800138000" not in r.text
    after = [client.get(f"{CASES}/{c['id']}", headers=h).json() for c in cases]
    assert after == before
