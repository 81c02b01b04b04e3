"""When no pooled connection comes free in time the service answers 503, never 500."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.config import Settings
from app.db import create_db_engine, is_sqlite
from app.errors import PROBLEM_JSON
from app.main import create_app
from app.runtime import build_runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock


@pytest.fixture
def small_pool(settings: Settings) -> Settings:
    return settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout_s": 0.2})


def test_engines_wait_for_a_connection_only_as_long_as_the_settings_say(
    small_pool: Settings,
) -> None:
    engine = create_db_engine(small_pool)
    try:
        assert engine.pool.timeout() == 0.2  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_exhausted_pool_answers_503_problem_with_retry_after(
    small_pool: Settings, clock: Clock, organ_a: Staff
) -> None:
    rt = build_runtime(small_pool)
    rt.clock = clock
    headers = Staff(rt, "org-a").headers("clerk")
    try:
        with TestClient(create_app(runtime=rt)) as client, ExitStack() as held:
            assert client.get("/api/v1/cases", headers=headers).status_code == 200
            # Every connection of the read pool is busy elsewhere (SQLite's read pool has no
            # overflow; PostgreSQL's pool overflows by its size).
            while True:
                try:
                    held.enter_context(rt.engine.connect())
                except PoolTimeout:
                    break
            r = client.get("/api/v1/cases", headers=headers)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"] == PROBLEM_JSON
            assert r.headers["retry-after"] == "2"
            problem = r.json()
            assert problem["code"] == "service-busy"
            assert problem["status"] == 503
            assert problem["instance"] == "/api/v1/cases"
        with TestClient(create_app(runtime=rt)) as client:
            # The connections are back: the service answers again.
            assert client.get("/api/v1/cases", headers=headers).status_code == 200
    finally:
        rt.close()


def test_pool_timeout_defaults_to_fail_fast_on_postgresql_and_a_writer_queue_on_sqlite(
    settings: Settings,
) -> None:
    engine = create_db_engine(settings)
    try:
        expected = 30.0 if is_sqlite(settings.database_url) else 5.0
        assert engine.pool.timeout() == expected  # type: ignore[attr-defined]
    finally:
        engine.dispose()
