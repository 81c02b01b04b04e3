"""Helpers for the workbench tests: staff with passwords, signing in through the real form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.auth.passwords import PasswordSet, set_password
from app.config import Settings
from app.organs import service as organs_service
from app.organs.schemas import UserCreate
from app.runtime import Runtime

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The suite's settings with a cheap Argon2id cost (same algorithm, fewer KiB and passes),
    so the brake tests can fail dozens of times quickly."""
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",  # type: ignore[arg-type]
        storage_dir=tmp_path / "storage",
        letter_render_workers=0,
        audit_daily_checkpoint=False,
        audit_checkpoint_dir=tmp_path / "audit",
        password_argon2_time_cost=1,
        password_argon2_memory_kib=8 * 1024,
        password_argon2_parallelism=1,
    )


def make_staff(
    runtime: Runtime,
    organ_code: str | None,
    *roles: str,
    login: str,
    password: str = PASSWORD,
    name: str | None = None,
) -> int:
    """A staff user with a login name and password; returns the user id."""
    now = datetime.now(UTC)
    with runtime.sessions.write.begin() as session:
        user, _token = organs_service.create_user(
            session,
            runtime.token_key,
            UserCreate.model_validate(
                {"organ_code": organ_code, "name": name or f"{login} 用户", "roles": list(roles)}
            ),
            now=now,
        )
        data = PasswordSet(login_name=login, password=password, confirm=password)
        set_password(session, runtime.settings, user.id, data, now=now, by="test")
        return user.id


def csrf(client: TestClient, path: str = "/staff/login") -> str:
    page = client.get(path, follow_redirects=False)
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def login(
    client: TestClient, name: str, password: str = PASSWORD, next_path: str | None = None
) -> httpx.Response:
    data = {"csrf_token": csrf(client), "login_name": name, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/staff/login", data=data, follow_redirects=False)


def signed_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    r = login(client, name, password)
    assert r.status_code == 303, r.text[:2000]
    return client
