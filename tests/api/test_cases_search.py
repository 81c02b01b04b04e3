"""GET /api/v1/cases?q=: by registration number (whole or its beginning, any case) or, for the
roles that deal with the applicant, by part of the applicant's name; organ-scoped; bounded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import company, person, staff_case

CASES = "/api/v1/cases"


def _register(client: TestClient, staff: Staff, applicant: dict[str, Any]) -> dict[str, Any]:
    r = client.post(CASES, json=staff_case(applicant=applicant), headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def cases(client: TestClient, organ_a: Staff, organ_b: Staff) -> dict[str, dict[str, Any]]:
    return {
        "zhang": _register(client, organ_a, person(name="张三丰")),
        "li": _register(client, organ_a, person(name="李四")),
        "percent": _register(client, organ_a, company(name="百分%_科技有限公司")),
        "plain": _register(client, organ_a, company(name="百分之百科技有限公司")),
        "other": _register(client, organ_b, person(name="张三丰")),
    }


def _found(client: TestClient, staff: Staff, q: str, role: str = "clerk") -> list[str]:
    r = client.get(CASES, params={"q": q}, headers=staff.headers(role))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return sorted(i["number"] for i in body["items"])


def _numbers(cases: dict[str, Any], *keys: str) -> list[str]:
    return sorted(cases[k]["number"] for k in keys)


def test_a_whole_registration_number_finds_its_case_only(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    number = cases["li"]["number"]
    assert _found(client, organ_a, number) == [number]
    assert _found(client, organ_a, f"  {number}  ") == [number]  # trimmed


def test_part_of_a_number_finds_every_case_numbered_so_in_any_case(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    number = cases["li"]["number"]
    ours = _numbers(cases, "zhang", "li", "percent", "plain")
    prefix = number[:3]
    assert prefix.lower() != prefix.upper(), number  # the organ code has letters
    assert _found(client, organ_a, prefix.upper()) == ours
    assert _found(client, organ_a, prefix.lower()) == ours
    # Any part, not only the beginning; punctuation and full-width forms do not matter.
    assert _found(client, organ_a, number[1:]) == [number]
    tail = number[-6:]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in tail)
    assert _found(client, organ_a, wide) == [number]


def test_part_of_the_applicants_name_finds_the_case(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    assert _found(client, organ_a, "三丰") == _numbers(cases, "zhang")
    assert _found(client, organ_a, "科技") == _numbers(cases, "percent", "plain")
    # The list still masks the name it found the case by.
    r = client.get(CASES, params={"q": "三丰"}, headers=organ_a.headers("clerk"))
    assert r.json()["items"][0]["applicant_name"] == "张**"


def test_punctuation_and_wildcards_are_not_searched(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    # Text is matched on its letters and digits: "%" and "_" are neither, and a query of
    # fewer than two characters after that only looks at the beginning of numbers.
    assert _found(client, organ_a, "%") == []
    assert _found(client, organ_a, "_") == []
    assert _found(client, organ_a, "\\") == []
    assert _found(client, organ_a, "百分%_") == _numbers(cases, "percent", "plain")
    assert _found(client, organ_a, "百分之") == _numbers(cases, "plain")


@pytest.mark.parametrize("role", ["clerk", "front_desk", "approver"])
def test_roles_dealing_with_the_applicant_search_names(
    client: TestClient, organ_a: Staff, cases: dict[str, Any], role: str
) -> None:
    assert _found(client, organ_a, "李四", role) == _numbers(cases, "li")


def test_a_supervisor_finds_by_number_but_cannot_probe_names(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    assert _found(client, organ_a, "李四", "supervisor") == []
    assert _found(client, organ_a, "科技", "supervisor") == []
    number = cases["li"]["number"]
    assert _found(client, organ_a, number, "supervisor") == [number]
    # With a name-searching role as well, the name is searched.
    assert _found(client, organ_a, "李四", "supervisor") == []
    r = client.get(CASES, params={"q": "李四"}, headers=organ_a.headers("supervisor", "clerk"))
    assert [i["number"] for i in r.json()["items"]] == [number]


def test_another_organs_case_is_never_found(
    client: TestClient, organ_a: Staff, organ_b: Staff, cases: dict[str, Any]
) -> None:
    assert _found(client, organ_a, cases["other"]["number"]) == []
    assert _found(client, organ_a, "张三丰") == _numbers(cases, "zhang")
    assert _found(client, organ_b, "张三丰") == _numbers(cases, "other")


def test_search_combines_with_the_other_filters(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    r = client.get(
        CASES, params={"q": "科技", "channel": "online"}, headers=organ_a.headers("clerk")
    )
    assert r.json()["total"] == 0
    r = client.get(
        CASES, params={"q": "科技", "channel": "in_person"}, headers=organ_a.headers("clerk")
    )
    assert r.json()["total"] == 2


@pytest.mark.parametrize(
    ("q", "kind"),
    [("x" * 51, "string_too_long"), ("   ", "string_too_short"), ("", "string_too_short")],
)
def test_a_search_text_out_of_bounds_is_a_clear_422(
    client: TestClient, organ_a: Staff, cases: dict[str, Any], q: str, kind: str
) -> None:
    r = client.get(CASES, params={"q": q}, headers=organ_a.headers("clerk"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in body["errors"]] == [["query", "q"]]
    assert body["errors"][0]["type"] == kind


def test_fifty_characters_are_allowed(
    client: TestClient, organ_a: Staff, cases: dict[str, Any]
) -> None:
    assert _found(client, organ_a, "张" * 50) == []


def test_the_parameter_is_described_in_chinese_and_english(client: TestClient) -> None:
    params = client.get("/openapi.json").json()["paths"][CASES]["get"]["parameters"]
    described = {p["name"]: p.get("description", "") for p in params}
    for name in ("q", "actor"):
        chinese, english = described[name].split("/ ", 1)
        assert any("\u4e00" <= c <= "\u9fff" for c in chinese)
        assert english.isascii()
        assert len(english.split()) > 5
