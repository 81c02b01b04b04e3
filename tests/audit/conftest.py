"""Fixtures of the audit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import get_settings
from app.runtime import Runtime


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, runtime: Runtime) -> Iterator[None]:
    """The environment the admin commands read, pointing at the test's database and files."""
    s = runtime.settings
    monkeypatch.setenv("GONGKAI_DATABASE_URL", s.database_url)
    monkeypatch.setenv("GONGKAI_SECRET_KEY", s.secret_key.get_secret_value())
    monkeypatch.setenv("GONGKAI_STORAGE_DIR", str(s.storage_dir))
    monkeypatch.setenv("GONGKAI_AUDIT_CHECKPOINT_DIR", str(s.audit_checkpoint_dir))
    monkeypatch.setenv("GONGKAI_LETTER_RENDER_WORKERS", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
