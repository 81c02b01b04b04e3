"""Run and inspect the Alembic migrations from code (CLI, start-up checks, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.config import PROJECT_ROOT
from app.models.search import FTS_TABLE, GIN_INDEX

# Made by a migration for one dialect only, so no model declares them: SQLite's FTS5 table with
# its shadow tables (case_search_fts_data, …) and PostgreSQL's GIN index (app.models.search).
_DIALECT_ONLY = (FTS_TABLE, GIN_INDEX)


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the project's migrations and this database."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(database_url), "head")


def head_revision() -> str | None:
    """The newest revision in the migrations folder."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Whether Alembic's comparison of models and database considers this object."""
    return not (reflected and name is not None and name.startswith(_DIALECT_ONLY))
