"""The Alembic migrations build the schema the models describe, both ways, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.db import Base
from app.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    include_object,
    upgrade_to_head,
)
from app.models.search import FTS_TABLE
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.database import postgres_base_url
from tests.fixtures.factories import application


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, migrated by the test itself (PostgreSQL only if set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip("GONGKAI_TEST_DATABASE_URL is not set: no PostgreSQL server to migrate")
    # An empty database of its own: these tests downgrade, which must not touch the shared one.
    name = f"gongkai_migr_{uuid.uuid4().hex[:10]}"
    server = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(fresh_url: str) -> Iterator[Engine]:
    eng = create_engine(fresh_url)
    yield eng
    eng.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_to_head_builds_every_model_table(fresh_url: str, engine: Engine) -> None:
    upgrade_to_head(fresh_url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    # SQLite's FTS5 search table and its shadow tables are made by the migration, not a model.
    tables = {t for t in tables if not t.startswith(FTS_TABLE)}
    assert tables == set(Base.metadata.tables)
    assert _append_only_triggers(engine) == APPEND_ONLY_TRIGGERS[engine.dialect.name]


def test_upgrade_to_head_twice_changes_nothing(fresh_url: str, engine: Engine) -> None:
    upgrade_to_head(fresh_url)
    upgrade_to_head(fresh_url)
    assert current_revision(engine) == head_revision()
    assert _differences(engine) == []


def test_models_and_migrations_agree(fresh_url: str, engine: Engine) -> None:
    upgrade_to_head(fresh_url)
    assert _differences(engine) == []


def test_database_is_at_head_revision_after_upgrade(fresh_url: str, engine: Engine) -> None:
    assert head_revision() is not None
    upgrade_to_head(fresh_url)
    assert current_revision(engine) == head_revision()


def test_unmigrated_database_has_no_revision(engine: Engine) -> None:
    assert current_revision(engine) is None


def test_newest_revision_downgrades_and_upgrades_again(fresh_url: str, engine: Engine) -> None:
    upgrade_to_head(fresh_url)
    head = head_revision()
    assert head is not None
    previous = ScriptDirectory.from_config(alembic_config(fresh_url)).get_revision(head)
    command.downgrade(alembic_config(fresh_url), "-1")
    assert current_revision(engine) == previous.down_revision
    command.upgrade(alembic_config(fresh_url), "head")
    assert current_revision(engine) == head
    assert _differences(engine) == []
    assert _append_only_triggers(engine) == APPEND_ONLY_TRIGGERS[engine.dialect.name]


APPEND_ONLY_TRIGGERS = {
    "sqlite": {"case_events_no_update", "case_events_no_delete"},
    "postgresql": {"case_events_no_change"},
}


def _append_only_triggers(engine: Engine) -> set[str]:
    sql = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case_events'",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgrelid = 'case_events'::regclass",
    }[engine.dialect.name]
    with engine.connect() as conn:
        return set(conn.execute(text(sql)).scalars())


def _first_event_id(runtime: Runtime, client: TestClient) -> int:
    r = client.post("/api/v1/applications", json=application())
    assert r.status_code == 201, r.text
    with runtime.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM case_events WHERE case_id = :c"), {"c": r.json()["id"]}
            ).scalar_one()
        )


def test_case_events_refuse_update(client: TestClient, organ_a: Staff, runtime: Runtime) -> None:
    event_id = _first_event_id(runtime, client)
    with (
        pytest.raises(DBAPIError, match="case_events is append-only"),
        runtime.engine.begin() as conn,
    ):
        conn.execute(
            text("UPDATE case_events SET action = 'forged' WHERE id = :id"), {"id": event_id}
        )
    with runtime.engine.connect() as conn:
        action = conn.execute(
            text("SELECT action FROM case_events WHERE id = :id"), {"id": event_id}
        ).scalar_one()
    assert action == "submit"


def test_case_events_refuse_delete(client: TestClient, organ_a: Staff, runtime: Runtime) -> None:
    event_id = _first_event_id(runtime, client)
    with (
        pytest.raises(DBAPIError, match="case_events is append-only"),
        runtime.engine.begin() as conn,
    ):
        conn.execute(text("DELETE FROM case_events WHERE id = :id"), {"id": event_id})
    with runtime.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM case_events")).scalar_one()
    assert count == 1
