"""Declarative base, engine and session factories, and the per-request unit of work."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for table-level statements that skip the ORM's bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def is_sqlite(url: str) -> bool:
    """True when the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


POSTGRES_POOL_TIMEOUT_S = 5.0
SQLITE_POOL_TIMEOUT_S = 30.0


def create_db_engine(settings: Settings, *, pool_size: int | None = None) -> Engine:
    """Build the engine; for SQLite, WAL + foreign keys + explicit BEGIN (IMMEDIATE for writers)."""
    url = settings.database_url
    size = pool_size or settings.db_pool_size
    if not is_sqlite(url):
        return create_engine(
            url,
            pool_size=size,
            max_overflow=size,
            pool_pre_ping=True,
            pool_timeout=settings.db_pool_timeout_s or POSTGRES_POOL_TIMEOUT_S,
        )
    database = make_url(url).database
    if database and database != ":memory:":
        from pathlib import Path

        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=size,
        max_overflow=0,
        # The pool is SQLite's writer queue: writers wait their turn there.
        pool_timeout=settings.db_pool_timeout_s or SQLITE_POOL_TIMEOUT_S,
        connect_args={
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
        },
    )
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not pysqlite) emit BEGIN so we can choose IMMEDIATE for writers.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails with "database is locked"
        # under concurrent writers even with a busy timeout; IMMEDIATE takes the write lock first.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass(frozen=True)
class SessionFactories:
    """Readers and writers get different sessions so SQLite writers can BEGIN IMMEDIATE."""

    read: sessionmaker[Session]
    write: sessionmaker[Session]
    engines: tuple[Engine, ...]

    def dispose(self) -> None:
        """Close every pooled connection."""
        for engine in self.engines:
            engine.dispose()


def create_session_factories(engine: Engine, settings: Settings | None = None) -> SessionFactories:
    """Session factories for read-only and writing units of work.

    On SQLite, with settings given, writers get a pool of their own with one connection: SQLite
    has one writer anyway, and writers queued in the pool are served in order, whereas writers
    racing in SQLite's busy handler are not (newcomers overtake long waiters: a p99 of seconds).
    A request holds one connection at a time: never open a session while holding another
    (end_read() ends a read session first; caches read through the caller's session).
    """
    write_engine = engine
    if settings is not None and is_sqlite(settings.database_url):
        write_engine = create_db_engine(settings, pool_size=1)
    writer = write_engine.execution_options(sqlite_immediate=True)
    return SessionFactories(
        read=sessionmaker(bind=engine, expire_on_commit=False, info={READ_ONLY: True}),
        write=sessionmaker(bind=writer, expire_on_commit=False),
        engines=(engine,) if write_engine is engine else (engine, write_engine),
    )


READ_ONLY = "gongkai_read_only"


def end_read(session: Session) -> None:
    """End a read session's transaction, keeping what it loaded, so its connection is back in
    the pool before the caller opens a write transaction of its own: a request never holds
    two connections (with every pooled connection held by a request waiting for a second one,
    the pool deadlocks until it times out). Using the session again starts a new transaction."""
    if not session.info.get(READ_ONLY) or session.new or session.dirty or session.deleted:
        raise RuntimeError("end_read() ends read sessions only")
    # A read session has nothing to write: ending it is a commit only by name, and unlike a
    # rollback it does not expire what was loaded (expire_on_commit=False).
    session.commit()


def _unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _write_session(request: Request) -> Iterator[Session]:
    yield from _unit_of_work(request.app.state.runtime.sessions.write)


def _read_session(request: Request) -> Iterator[Session]:
    yield from _unit_of_work(request.app.state.runtime.sessions.read)


class CommittingRoute(APIRoute):
    """Ends the request's sessions in the endpoint's own thread, right after it returns.

    Commit (or roll back) and close there, so the connection is back in the pool before the
    endpoint's thread is handed back. The session dependencies end them too (scope="function",
    before the response is sent), but their teardown needs another threadpool thread: under a
    burst every thread can be waiting for a connection that only such a teardown would return,
    and the requests stall until the pool times out.

    The endpoint itself is wrapped, before APIRoute builds anything from it: FastAPI builds
    the handler of an included route from `route.endpoint` into a dependant of its own
    (0.16x), so wrapping `self.dependant.call` in get_route_handler was silently bypassed.
    tests/db/test_pool_release.py pins the behaviour against the framework in use.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def call(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, Session)]
        try:
            result = endpoint(*args, **kwargs)
            for session in sessions:
                session.commit()
        except BaseException:
            for session in sessions:
                session.rollback()
            raise
        finally:
            for session in sessions:
                session.close()
        return result

    return call


# scope="function": the commit happens before the response is sent, so a client never sees
# a success for work that then fails to commit.
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
