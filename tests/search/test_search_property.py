"""The search's case set equals a brute-force scan of the normalised texts, on generated cases
(on SQLite, and on PostgreSQL when GONGKAI_TEST_DATABASE_URL names a server): for a name
searcher and for a role that may not search names."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.models import Case, CaseItem, Letter
from app.runtime import Runtime
from app.search import repository as search_repo
from app.search import sources
from app.search.text import id_number_of, normalise
from tests.conftest import Staff
from tests.fixtures.factories import person, staff_case

CASES = "/api/v1/cases"
# A few characters so that queries hit several cases, with look-alikes the normalisation folds.
CHARS = "土地拆迁补偿张王李三四一二〇0１2ＡaB-〔〕 "


def _text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(low, high)))


@pytest.fixture
def corpus(client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff) -> list[Any]:
    """Thirty cases in organ A (and a few in B, never to be found) with random names and items;
    what the brute force scans, read back from the database: (id, number, name, [item texts],
    [letter segments])."""
    rng = random.Random(17)
    for staff, n in ((organ_a, 30), (organ_b, 5)):
        for _ in range(n):
            name = _text(rng, 2, 6).strip() or "张三"
            items = [
                {"description": _text(rng, 3, 20), "document_number": _text(rng, 0, 8) or None}
                for _ in range(rng.randint(1, 3))
            ]
            body = staff_case(applicant=person(name=name), items=items)
            r = client.post(CASES, json=body, headers=staff.headers("clerk"))
            assert r.status_code == 201, r.text
    with runtime.sessions.read() as session:
        organ = session.scalar(select(Case.organ_id).where(Case.number.like("org-a%")))
        out = []
        for case in session.scalars(select(Case).where(Case.organ_id == organ)):
            items = session.scalars(select(CaseItem).where(CaseItem.case_id == case.id)).all()
            letters = session.scalars(select(Letter).where(Letter.case_id == case.id)).all()
            private = [getattr(case, c) for c in sources.PRIVATE_COLUMNS]
            out.append(
                (
                    case.id,
                    case.number,
                    case.applicant_name,
                    case.applicant_id_number,
                    [f"{i.description}" for i in items] + [i.document_number or "" for i in items],
                    [
                        s
                        for x in letters
                        if x.status == "issued"
                        for s in sources.letter_source(x.number, x.context or {}, private).segments
                    ],
                )
            )
    return out


def _brute_force(corpus: list[Any], query: str, *, names: bool) -> set[int]:
    q = normalise(query)
    found = set()
    for case_id, number, name, id_number, items, letter_segments in corpus:
        if len(q) < 2:
            hit = number.lower().startswith(query.lower())
        else:
            texts = [number, *items] + ([name] if names else [])
            hit = any(q in normalise(t) for t in texts) or any(q in s for s in letter_segments)
        if names and id_number_of(query) == id_number:
            hit = True
        if hit:
            found.add(case_id)
    return found


def _listed(client: TestClient, staff: Staff, query: str, role: str) -> Any:
    r = client.get(CASES, params={"q": query, "page_size": 200}, headers=staff.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


def _searched(client: TestClient, staff: Staff, query: str, role: str) -> set[int]:
    body = _listed(client, staff, query, role)
    assert body["total"] == len(body["items"])
    assert not body["total_capped"]
    ids = [i["id"] for i in body["items"]]
    # The other way to the same page — read rank by rank in the database's order, as for a
    # query with more hits than are counted — gives the same cases in the same order.
    with _always_ordered():
        again = _listed(client, staff, query, role)
    assert [i["id"] for i in again["items"]] == ids
    return set(ids)


@contextmanager
def _always_ordered() -> Iterator[None]:
    saved = search_repo._ROWS_PER_CASE
    search_repo._ROWS_PER_CASE = 0
    try:
        yield
    finally:
        search_repo._ROWS_PER_CASE = saved


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_search_equals_a_brute_force_scan(
    client: TestClient, organ_a: Staff, corpus: list[Any], data: st.DataObject
) -> None:
    # Half the queries are pieces of the generated texts (hits), half are random (mostly not).
    case = data.draw(st.sampled_from(corpus))
    texts = [case[1], case[2], *case[4]]
    source = data.draw(st.sampled_from([t for t in texts if t]))
    start = data.draw(st.integers(0, max(0, len(source) - 1)))
    piece = source[start : start + data.draw(st.integers(1, 6))]
    query = data.draw(st.one_of(st.just(piece), st.text(CHARS, min_size=1, max_size=6))).strip()
    if not query:
        return
    assert _searched(client, organ_a, query, "clerk") == _brute_force(corpus, query, names=True)
    assert _searched(client, organ_a, query, "supervisor") == _brute_force(
        corpus, query, names=False
    )
