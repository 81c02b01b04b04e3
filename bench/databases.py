"""Throwaway databases for the benchmarks: a SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class Database:
    kind: str
    url: str
    version: str


@contextmanager
def postgres_database(admin_url: str) -> Iterator[Database | None]:
    """A fresh database on the server at admin_url, dropped at the end; None if unreachable."""
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"gongkai_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        print(f"\nPostgreSQL at {admin_url} is not reachable ({type(exc).__name__}): skipped.")
        admin.dispose()
        yield None
        return
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database("postgresql", url, version)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
