"""Shared fixtures: a real migrated database, the real app, a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.config import Settings
from app.main import create_app
from app.runtime import Runtime, build_runtime
from tests.fixtures.certificates import give_certificate
from tests.fixtures.database import (
    postgres_base_url,
    postgres_session_database,
    sqlite_copy,
    sqlite_template,
    truncate_all,
)
from tests.fixtures.factories import Clock, bearer, make_organ, make_token

# Property tests check rules, not speed: no per-example deadline, which a loaded CI machine
# would turn into flaky failures (speed is measured by bench/).
hypothesis_settings.register_profile("gongkai", deadline=None)
hypothesis_settings.load_profile("gongkai")

# Monday 2 March 2026, 10:00 in Beijing.
DEFAULT_NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str | None]:
    base = postgres_base_url()
    if base is None:
        yield None
        return
    yield from postgres_session_database(base)


@pytest.fixture
def database_url(_postgres_url: str | None, _sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated database for this test."""
    if _postgres_url is not None:
        truncate_all(_postgres_url)
        return _postgres_url
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",  # type: ignore[arg-type]
        storage_dir=tmp_path / "storage",
        # Letters render in the test's own thread; tests/letters/test_press.py covers the pool.
        letter_render_workers=0,
        # The daily checkpoint thread runs only where a test starts it (tests/audit/).
        audit_daily_checkpoint=False,
        audit_checkpoint_dir=tmp_path / "audit",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(DEFAULT_NOW)


@pytest.fixture
def runtime(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    rt = build_runtime(settings)
    rt.clock = clock
    yield rt
    rt.close()


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


class Staff:
    """Tokens of one organ's staff, created on demand."""

    def __init__(self, runtime: Runtime, organ_code: str) -> None:
        self.runtime = runtime
        self.organ_code = organ_code
        self._tokens: dict[tuple[str, ...], str] = {}

    def headers(self, *roles: str) -> dict[str, str]:
        key = tuple(sorted(roles))
        if key not in self._tokens:
            with self.runtime.sessions.write.begin() as session:
                self._tokens[key] = make_token(
                    session, self.runtime.token_key, self.organ_code, *roles
                )
        return bearer(self._tokens[key])


# The fixture organs have a signing certificate, as organs in service do: every letter the tests
# store is signed (tests/fixtures/certificates.py; an organ made with make_organ alone signs
# nothing).
@pytest.fixture
def organ_a(runtime: Runtime) -> Staff:
    """Organ `org-a` with default settings and a signing certificate, and its staff."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-a")
        give_certificate(session, runtime, "org-a")
    return Staff(runtime, "org-a")


@pytest.fixture
def organ_b(runtime: Runtime) -> Staff:
    """A second organ, `org-b`, with a signing certificate, for scoping tests."""
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-b")
        give_certificate(session, runtime, "org-b")
    return Staff(runtime, "org-b")


@pytest.fixture
def admin(runtime: Runtime) -> dict[str, str]:
    """Headers of a platform administrator."""
    with runtime.sessions.write.begin() as session:
        return bearer(make_token(session, runtime.token_key, None, "admin"))
