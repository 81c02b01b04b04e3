"""app.db_insert: the rows of a new case, written in one statement on PostgreSQL, are the rows
the plain per-table inserts write; the ids reserved with the number are the ids the rows get."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.db import table_of
from app.db_insert import Rows, _insert_each, _insert_together
from app.models import Case, CaseEvent, CaseItem, ClockEntry, Letter, OutboxEvent
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application

TABLES = [table_of(m) for m in (Case, CaseItem, CaseEvent, Letter, OutboxEvent, ClockEntry)]
SHIFT = 1000
# Columns unique across cases, changed in the copies so they can sit beside the original.
UNIQUE = {
    "cases": ("number", "query_code_hash"),
    "outbox_events": ("uid",),
    "letters": ("number", "verify_code"),
}


def _submit(client: TestClient) -> int:
    response = client.post("/api/v1/applications", json=application("org-a"))
    assert response.status_code == 201, response.text
    case_id: int = response.json()["id"]
    return case_id


def _of_case(table: Table, case_id: int) -> Any:
    return table.c.id == case_id if table.name == "cases" else table.c.case_id == case_id


def _rows(session: Session, case_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
    out = []
    for table in TABLES:
        result = session.execute(select(table).where(_of_case(table, case_id)).order_by("id"))
        out.append((table.name, [dict(r._mapping) for r in result]))
    return out


def _copy(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row moved to the copy's ids, its unique columns made distinct."""
    new = {**row, "id": row["id"] + SHIFT}
    for key in ("case_id", "event_id"):
        if new.get(key) is not None:
            new[key] += SHIFT
    if table.name == "cases":
        new["seq"] += SHIFT
    for key in UNIQUE.get(table.name, ()):
        if new[key] is not None:
            new[key] = new[key][:-5] + "-copy"  # as long as before
    return new


def test_the_case_rows_get_the_reserved_ids(runtime: Runtime, client: TestClient, organ_a: Staff):
    first, second = _submit(client), _submit(client)
    assert second == first + 1
    with runtime.sessions.read() as session:
        rows = dict(_rows(session, second))
    (event,) = rows["case_events"]
    (letter,) = rows["letters"]
    assert (event["seq"], letter["event_id"]) == (1, event["id"])
    assert {
        r["case_id"] for name in ("case_items", "case_events", "letters") for r in rows[name]
    } == {second}
    assert [r["event_id"] for r in rows["clock_entries"]] == [event["id"]]
    letter_ids = [r["payload"]["letter"]["id"] for r in rows["outbox_events"][1:]]
    assert letter_ids == [letter["id"]]


def test_one_statement_writes_what_the_plain_inserts_write(
    runtime: Runtime, client: TestClient, organ_a: Staff
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the combined statement is PostgreSQL's (SQLite writes table by table)")
    case_id = _submit(client)
    with runtime.sessions.read() as session:
        original = _rows(session, case_id)
    by_name = {t.name: t for t in TABLES}
    parts = [
        Rows(by_name[name], [_copy(by_name[name], r) for r in rows]) for name, rows in original
    ]
    written = []
    for insert in (_insert_together, _insert_each):
        with runtime.sessions.write() as session:
            insert(session, parts)
            written.append(_rows(session, case_id + SHIFT))
            session.rollback()
    together, each = written
    assert together == each
    assert sum(len(rows) for _, rows in together) >= 7  # case, item, event, letter, 2 outbox, clock
