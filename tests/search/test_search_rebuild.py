"""The migration that adds trigram terms on PostgreSQL (9c4e1f2a7b63) rebuilds the rows
written before it — deletes them and indexes every case again with app.search.backfill, as it
does here: a three-character query, which PostgreSQL asks as trigrams, finds a case indexed
with bigrams only once they are rebuilt (and the rows get their blocks of ids again)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.runtime import Runtime
from app.search import repository
from app.search.backfill import backfill
from app.search.text import plan
from tests.conftest import Staff
from tests.fixtures.factories import staff_case

CASES = "/api/v1/cases"
SETTINGS = text(
    "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
    "current_setting('max_parallel_workers_per_gather')"
)


def _found(client: TestClient, staff: Staff, query: str) -> list[int]:
    r = client.get(CASES, params={"q": query}, headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_rows_indexed_before_the_trigrams_are_rebuilt(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        # SQLite's FTS5 rows hold bigrams only, before and after: nothing to rebuild.
        return
    body = staff_case(items=[{"description": "关于江湾镇拆迁补偿标准的文件"}])
    r = client.post(CASES, json=body, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert _found(client, organ_a, "拆迁补偿") == [case_id]
    # The rows as the revision before wrote them: bigrams (and blocks), no trigram.
    with runtime.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE case_search SET grams = ts_delete(grams, ARRAY("
                "SELECT lexeme FROM unnest(grams) WHERE lexeme LIKE '%x%x%'))"
            )
        )
    assert _found(client, organ_a, "拆迁补偿") == []
    assert _found(client, organ_a, "拆迁") == [case_id]
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_search"))
        backfill(conn)
    assert _found(client, organ_a, "拆迁补偿") == [case_id]
    assert _found(client, organ_a, "镇拆迁") == [case_id]
    with runtime.engine.connect() as conn:
        blocks = conn.execute(
            text(
                "SELECT count(*) FROM case_search, unnest(grams) u "
                "WHERE case_id = :c AND u.lexeme LIKE 'z%'"
            ),
            {"c": case_id},
        ).scalar_one()
    assert blocks > 0


def test_a_search_leaves_the_planner_settings_as_they_were(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    """The index-only planner settings hold while the kinds' indexes are read, and the rest of
    the request's transaction (the page's own queries) plans as before."""
    r = client.post(CASES, json=staff_case(), headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    if runtime.engine.dialect.name != "postgresql":
        return
    with runtime.sessions.read() as session:
        before = session.execute(SETTINGS).one()
        organ_id = session.scalar(text("SELECT organ_id FROM cases LIMIT 1"))
        found = repository.search_page(
            session, organ_id, None, plan("申请", names=True), names=True,
            offset=0, limit=50, cap=1000,
        )  # fmt: skip
        assert found.ids
        after = session.execute(SETTINGS).one()
    assert tuple(after) == tuple(before)
    assert before[0] == "on"
