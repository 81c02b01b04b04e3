"""The migrations that change PostgreSQL's rows (9c4e1f2a7b63: trigrams; 3b8e5d1f6a27:
characters, bigrams without positions, lz4) rebuild the rows written before them — delete them
and index every case again with app.search.backfill, as they do here: a case indexed in the
format of before is found again once its rows are rebuilt (with their blocks of ids), and going
back writes the format of before."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.runtime import Runtime
from app.search import repository
from app.search.backfill import backfill
from app.search.text import plan
from tests.conftest import Staff
from tests.fixtures.factories import staff_case

MIGRATION = (
    Path(__file__).parents[2] / "migrations/versions/2026-12-04-0900_search_rows_as_characters.py"
)


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("search_rows_as_characters", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = "/api/v1/cases"
SETTINGS = text(
    "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
    "current_setting('max_parallel_workers_per_gather')"
)


def _found(client: TestClient, staff: Staff, query: str) -> list[int]:
    r = client.get(CASES, params={"q": query}, headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_rows_indexed_in_the_format_of_before_are_rebuilt(
    client: TestClient, runtime: Runtime, organ_a: Staff
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        # SQLite's FTS5 rows hold hex bigrams, before and after: nothing to rebuild.
        return
    body = staff_case(items=[{"description": "关于江湾镇拆迁补偿标准的文件"}])
    r = client.post(CASES, json=body, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert _found(client, organ_a, "拆迁补偿") == [case_id]
    assert _found(client, organ_a, "拆迁") == [case_id]
    with runtime.engine.connect() as conn:
        compression = conn.execute(
            text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'case_search'::regclass AND attname = 'grams'"
            )
        ).scalar_one()
        lexemes = dict(
            conn.execute(
                text(
                    "SELECT u.lexeme, u.positions FROM case_search, unnest(grams) u "
                    "WHERE case_id = :c AND kind = 'item'"
                ),
                {"c": case_id},
            ).all()
        )
    assert compression == "l"  # lz4
    assert lexemes["拆迁"] is None  # a bigram, without positions
    assert lexemes["拆迁补"] == [6]  # a trigram, with its position
    # The rows as the revision before wrote them (what its downgrade writes): hex terms.
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_search"))
        backfill(conn, _migration()._hex_literal)
        old = conn.execute(
            text(
                "SELECT u.positions FROM case_search, unnest(grams) u "
                "WHERE case_id = :c AND kind = 'item' AND u.lexeme = '62c6x8fc1'"  # 拆迁
            ),
            {"c": case_id},
        ).scalar_one()
    assert old == [6]
    assert _found(client, organ_a, "拆迁补偿") == []
    assert _found(client, organ_a, "拆迁") == []
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_search"))
        backfill(conn)
    assert _found(client, organ_a, "拆迁补偿") == [case_id]
    assert _found(client, organ_a, "镇拆迁") == [case_id]
    assert _found(client, organ_a, "拆迁") == [case_id]
    with runtime.engine.connect() as conn:
        blocks = conn.execute(
            text(
                "SELECT count(*) FROM case_search, unnest(grams) u "
                "WHERE case_id = :c AND u.lexeme LIKE 'z%\\_%'"
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
