"""Service settings, read from environment variables prefixed GONGKAI_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseSettings(BaseSettings):
    """What migrations need: only the database URL (no secrets)."""

    model_config = SettingsConfigDict(env_prefix="GONGKAI_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'gongkai.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... in production",
    )


class Settings(DatabaseSettings):
    """Every knob of the service in one place."""

    # No default: a keyed hash with a well-known key would let anyone forge token hashes.
    secret_key: SecretStr = Field(description="HMAC key for API tokens and query codes")
    storage_dir: Path = PROJECT_ROOT / "var" / "storage"
    workflow_path: Path = PROJECT_ROOT / "workflows" / "foi_application.yaml"
    calendar_dir: Path = PROJECT_ROOT / "workflows" / "calendar"
    timezone: str = "Asia/Shanghai"
    db_pool_size: int = 5
    sqlite_busy_timeout_ms: int = 15000
    # How long a request waits for a pooled connection before it answers 503 with Retry-After.
    # Unset: 5 s on PostgreSQL, where a request holds one connection for milliseconds, so a
    # longer wait means overload and failing fast beats holding every worker thread for 30 s;
    # 30 s on SQLite, whose pools are its writer queue (writers wait their turn there).
    db_pool_timeout_s: float | None = Field(default=None, gt=0)

    max_attachments: int = 10
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 60 * 1024 * 1024
    idempotency_ttl_hours: int = 24

    # Query-code guessing: free attempts, then an exponential wait, then a lock.
    lookup_window_minutes: int = 15
    lookup_free_failures: int = 5
    lookup_lock_failures: int = 10
    lookup_lock_minutes: int = 15
    trust_forwarded_for: bool = False

    # Letters (RULES §7): title in a Song-style bold face, body in a FangSong-style face. An
    # organ's licensed faces go first; "Gongkai Serif SC" is the cut-down Noto Serif CJK SC
    # the service builds (fast to embed); the full system font covers any rarer character.
    letter_title_fonts: tuple[str, ...] = (
        "FZXiaoBiaoSong-B05S",
        "Gongkai Serif SC",
        "Noto Serif CJK SC",
    )
    letter_body_fonts: tuple[str, ...] = (
        "FangSong",
        "FZFangSong-Z02",
        "Gongkai Serif SC",
        "Noto Serif CJK SC",
    )
    # Processes that render letter PDFs next to each web worker; 0 renders in the request's
    # own thread (tests, tools).
    letter_render_workers: int = 1
    letter_render_timeout_s: float = 60.0

    cjk_font_families: tuple[str, ...] = (
        "FangSong",
        "FZFangSong-Z02",
        "Noto Serif CJK SC",
        "Noto Sans CJK SC",
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings instead)."""
    return Settings()
