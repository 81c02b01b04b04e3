"""GET /api/v1/cases?q= through the search index: items, document numbers, ID numbers and
letters found; the applicant's personal data never found through letters; ranked; the total
capped; the index rows written with what they index."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.cases import repository as cases_repo
from app.models import CaseSearch
from app.runtime import Runtime
from app.search import repository as search_repo
from app.search.text import BUCKET_ROWS
from tests.conftest import Staff
from tests.dashboard.helpers import reply
from tests.fixtures.factories import person, staff_case
from tests.fixtures.identity import resident_id

CASES = "/api/v1/cases"
ID_NUMBER = resident_id(seq="777")


def _register(client: TestClient, staff: Staff, **overrides: Any) -> dict[str, Any]:
    r = client.post(CASES, json=staff_case(**overrides), headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _page(client: TestClient, staff: Staff, q: str, role: str = "clerk", **params: Any) -> Any:
    r = client.get(CASES, params={"q": q, **params}, headers=staff.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


def _found(client: TestClient, staff: Staff, q: str, role: str = "clerk") -> list[int]:
    return [i["id"] for i in _page(client, staff, q, role)["items"]]


def _items(*descriptions: str, number: str | None = None) -> list[dict[str, Any]]:
    return [{"description": d, "document_number": number} for d in descriptions]


def test_items_and_document_numbers_are_found_by_every_reading_role(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    land = _register(
        client, organ_a, items=_items("本村土地征收补偿方案", number="沪府办〔2024〕12号")
    )
    _register(client, organ_a, items=_items("道路拓宽工程的环评报告"))
    _register(client, organ_b, items=_items("本村土地征收补偿方案"))
    for role in ("clerk", "supervisor", "legal_and_clerk"):
        roles = role.split("_and_")
        r = client.get(CASES, params={"q": "土地"}, headers=organ_a.headers(*roles))
        assert [i["id"] for i in r.json()["items"]] == [land["id"]], role
    assert _found(client, organ_a, "沪府办2024") == [land["id"]]
    assert _found(client, organ_a, "〔2024〕12") == [land["id"]]
    assert _found(client, organ_a, "２０２４１２号") == [land["id"]]
    assert _found(client, organ_a, "征收补偿") == [land["id"]]
    assert _found(client, organ_a, "土地征地") == []


def test_a_whole_id_number_finds_the_case_for_name_searchers_only(
    client: TestClient, organ_a: Staff
) -> None:
    case = _register(client, organ_a, applicant=person(name="钱七", id_number=ID_NUMBER))
    _register(client, organ_a)
    assert _found(client, organ_a, ID_NUMBER) == [case["id"]]
    assert _found(client, organ_a, ID_NUMBER.lower()) == [case["id"]]
    # Exact only: part of an ID number is no way to probe who applied.
    assert _found(client, organ_a, ID_NUMBER[:14]) == []
    assert _found(client, organ_a, ID_NUMBER, "supervisor") == []


def test_issued_letters_are_found_by_their_text_but_never_by_the_applicants_data(
    client: TestClient, organ_a: Staff
) -> None:
    applicant = person(name="欧阳锋", phone="13912345678", address="白驼山庄一号院")
    case = _register(client, organ_a, applicant=applicant)
    clerk, approver = organ_a.headers("clerk"), organ_a.headers("approver")
    assert _found(client, organ_a, "所申请信息见附件") == []
    reply(client, case, author=clerk, approver=approver, issuer=clerk)
    assert _found(client, organ_a, "所申请信息见附件") == [case["id"]]
    assert _found(client, organ_a, "所申请信息见附件", "supervisor") == [case["id"]]
    # The letters are addressed to 欧阳锋: a supervisor, who may not search names, does not
    # find the case by the name, phone or address through them.
    for probe in ("欧阳锋", "欧阳", "13912345678", "白驼山庄"):
        assert _found(client, organ_a, probe, "supervisor") == [], probe
    assert _found(client, organ_a, "欧阳锋") == [case["id"]]  # a clerk, by the name itself


def test_letters_are_indexed_in_the_transaction_that_issues_them(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    case = _register(client, organ_a)
    clerk, approver = organ_a.headers("clerk"), organ_a.headers("approver")

    def kinds() -> dict[str, int]:
        with runtime.sessions.read() as session:
            stmt = select(CaseSearch.kind, func.count()).where(CaseSearch.case_id == case["id"])
            return dict(session.execute(stmt.group_by(CaseSearch.kind)).all())

    before = kinds()
    assert {k: before[k] for k in ("number", "name", "item")} == {"number": 1, "name": 1, "item": 1}
    reply(client, case, author=clerk, approver=approver, issuer=clerk)
    after = kinds()
    assert after["letter"] > before.get("letter", 0)
    assert {k: after[k] for k in ("number", "name", "item")} == {"number": 1, "name": 1, "item": 1}


def test_number_matches_come_first_then_newest_first(client: TestClient, organ_a: Staff) -> None:
    first = _register(client, organ_a)
    digits = "".join(c for c in first["number"] if c.isdigit())
    older = _register(client, organ_a, items=_items(f"关于第{digits}号申请的补充"))
    newer = _register(client, organ_a, items=_items(f"关于第{digits}号申请的再补充"))
    assert _found(client, organ_a, digits) == [first["id"], newer["id"], older["id"]]
    # The name ranks above the item: 补充 is newer's and older's item and the name of a third.
    named = _register(client, organ_a, applicant=person(name="补充"))
    assert _found(client, organ_a, "补充") == [named["id"], newer["id"], older["id"]]
    assert _found(client, organ_a, "补充", "supervisor") == [newer["id"], older["id"]]


def test_the_total_counts_up_to_the_cap_and_says_when_more_match(
    client: TestClient, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [_register(client, organ_a)["id"] for _ in range(4)]
    monkeypatch.setattr(cases_repo, "SEARCH_COUNT_CAP", 2)
    body = _page(client, organ_a, "老旧小区", page_size=3)
    assert (body["total"], body["total_capped"]) == (2, True)
    # The pages go as far as the count.
    assert [i["id"] for i in body["items"]] == ids[::-1][:2]
    assert _page(client, organ_a, "老旧小区", page_size=3, page=2)["items"] == []
    monkeypatch.setattr(cases_repo, "SEARCH_COUNT_CAP", 4)
    body = _page(client, organ_a, "老旧小区")
    assert (body["total"], body["total_capped"]) == (4, False)
    assert _page(client, organ_a, "老旧小区", state="closed")["total"] == 0


def test_results_are_masked_as_the_list_is(client: TestClient, organ_a: Staff) -> None:
    _register(client, organ_a, applicant=person(name="孙悟空", id_number=ID_NUMBER))
    for q in ("孙悟空", ID_NUMBER):
        (item,) = _page(client, organ_a, q)["items"]
        assert item["applicant_name"] == "孙**"
        assert ID_NUMBER not in str(item)


def test_a_common_word_reads_the_page_in_rank_order_and_counts_no_further(
    client: TestClient, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [_register(client, organ_a)["id"] for _ in range(5)]
    named = _register(client, organ_a, applicant=person(name="老旧小区"))["id"]
    # More hits than the search reads unordered: the page is read rank by rank.
    monkeypatch.setattr(search_repo, "_ROWS_PER_CASE", 0)
    monkeypatch.setattr(cases_repo, "SEARCH_COUNT_CAP", 4)
    body = _page(client, organ_a, "老旧小区", page_size=3)
    assert (body["total"], body["total_capped"]) == (4, True)
    assert [i["id"] for i in body["items"]] == [named, ids[4], ids[3]]
    assert [i["id"] for i in _page(client, organ_a, "老旧小区", page_size=3, page=2)["items"]] == [
        ids[2]
    ]
    assert _page(client, organ_a, "老旧小区", page_size=3, page=3)["items"] == []


def test_postgresql_reads_a_common_word_block_by_block_newest_first(
    client: TestClient, runtime: Runtime, organ_a: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the blocks of ids are PostgreSQL's (a trigger adds their terms)")
    # Each case's index rows in a block of ids of their own, some blocks apart, so the search
    # reads several windows of blocks (and past _MAX_WINDOW, the sorted rest).
    monkeypatch.setattr(search_repo, "_MAX_WINDOW", 2)
    ids = []
    for gap in (0, 3, 1, 5, 0, 2):
        with runtime.sessions.write.begin() as session:
            top = session.scalar(select(func.max(CaseSearch.id))) or 0
            block = top // BUCKET_ROWS + gap
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('case_search', 'id'), :v)"),
                {"v": max(top, block * BUCKET_ROWS + 10)},
            )
        ids.append(_register(client, organ_a, items=_items("老旧小区改造资金"))["id"])
    for dense in (32, 1):  # windows 4x wider each time, or sized from the density seen
        monkeypatch.setattr(search_repo, "_DENSE_ENOUGH", dense)
        for cap, expected in ((3, ids[::-1][:3]), (100, ids[::-1])):
            monkeypatch.setattr(cases_repo, "SEARCH_COUNT_CAP", cap)
            body = _page(client, organ_a, "小区改造", page_size=10)
            assert [i["id"] for i in body["items"]] == expected
            assert body["total_capped"] is (cap < len(ids))
