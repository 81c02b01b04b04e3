"""Throwaway databases for the benchmarks: a SQLite file, or a fresh PostgreSQL database."""

from __future__ import annotations

import os
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
def postgres_database(admin_url: str, keep: str | None = None) -> Iterator[Database | None]:
    """A fresh database on the server at admin_url, dropped at the end; None if unreachable.
    With `keep`, the database of that name, created if missing and kept at the end (to
    measure again without loading again)."""
    admin = create_engine(
        admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = keep or f"gongkai_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
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
        if keep is None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def backends_cpu_s(url: str) -> float | None:
    """CPU seconds used so far by the client backends connected to the database at url, read
    from /proc (None unless the server is local and Linux): the server's share of a timed
    step, which a loaded machine's wall time hides."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pids = conn.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ).scalars()
            ticks = 0
            for pid in pids:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except OSError:
        return None
    finally:
        engine.dispose()
    return ticks / os.sysconf("SC_CLK_TCK")
