"""The benchmark's reference service: one row inserted per request, nothing else.

It runs under the same uvicorn settings and the same engine, session factories and per-request
unit of work as the real service (app.db: BEGIN IMMEDIATE for SQLite writers, the same pool), so
the difference between its throughput and the intake endpoint's is the cost of intake itself.
Used only by bench/intake.py: `uvicorn bench.reference_app:create_reference_app --factory`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Body, FastAPI
from sqlalchemy import Column, Engine, Integer, MetaData, Table, Text, insert, text

from app.config import Settings
from app.db import SessionFactories, WriteSession, create_db_engine, create_session_factories

metadata = MetaData()
bench_reference = Table(
    "bench_reference",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("payload", Text, nullable=False),
)

# Any fixed number: serialises the workers' CREATE TABLE on PostgreSQL.
_PG_LOCK_KEY = 4_711_001


@dataclass(frozen=True)
class ReferenceRuntime:
    """What app.db.WriteSession reads from app.state.runtime."""

    engine: Engine
    sessions: SessionFactories


def create_reference_table(engine: Engine) -> None:
    """Create bench_reference once, even when several workers start at the same moment."""
    writer = engine.execution_options(sqlite_immediate=True)
    with writer.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        metadata.create_all(conn, checkfirst=True)


def create_reference_app(settings: Settings | None = None) -> FastAPI:
    """A FastAPI app with one sync POST route that inserts one row and commits."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings or Settings())
        create_reference_table(engine)
        app.state.runtime = ReferenceRuntime(engine, create_session_factories(engine))
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="gongkai benchmark reference", lifespan=lifespan)

    @app.post("/reference", status_code=201)
    def insert_one(
        payload: Annotated[dict[str, Any], Body()], session: WriteSession
    ) -> dict[str, int]:
        row_id = session.execute(
            insert(bench_reference)
            .values(payload=json.dumps(payload, ensure_ascii=False))
            .returning(bench_reference.c.id)
        ).scalar_one()
        return {"id": row_id}

    @app.get("/readyz")
    def readyz() -> dict[str, bool]:
        return {"ready": True}

    return app
