"""Registration numbers stay unique and gapless when many writers register at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.config import Settings
from app.intake.schemas import ApplicationCreate
from app.intake.service import REGISTRATION_COUNTER, submit_online
from app.models import Case, Counter
from app.organs import repository as organs_repo
from app.runtime import Runtime, build_runtime
from tests.conftest import Staff
from tests.fixtures.database import PG_URL_ENV
from tests.fixtures.factories import application

THREADS = 8
PER_THREAD = 10


class Boom(Exception):
    """A failure after the number was allocated."""


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` in `count` threads started together; return every exception raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # reported to the test, which fails on it
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a registering thread hung"
    return errors


def _registered(runtime: Runtime) -> list[tuple[int, str]]:
    with runtime.sessions.read() as session:
        return [(r.seq, r.number) for r in session.execute(select(Case.seq, Case.number))]


def _number(seq: int) -> str:
    return f"org-a依申〔2026〕{seq:04d}号"


def _organ_id(runtime: Runtime, code: str = "org-a") -> int:
    with runtime.sessions.read() as session:
        organ = organs_repo.organ_by_code(session, code)
        assert organ is not None
        return organ.id


def _submit(runtime: Runtime) -> str:
    data = ApplicationCreate.model_validate(application())
    with runtime.sessions.write.begin() as session:
        result = submit_online(session, runtime, data, [], idempotency_key=None)
    number: str = result.body["number"]
    return number


def _allocate_then_fail(runtime: Runtime, organ_id: int) -> None:
    def transaction() -> None:
        with runtime.sessions.write.begin() as session:
            organs_repo.next_counter_value(
                session, organ_id=organ_id, year=2026, kind=REGISTRATION_COUNTER
            )
            raise Boom

    with pytest.raises(Boom):
        transaction()


def test_concurrent_http_submissions_get_gapless_unique_numbers(
    app: FastAPI, client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def work(_: int) -> None:
        own = TestClient(app)  # the app is already started by `client`
        for _ in range(PER_THREAD):
            r = own.post("/api/v1/applications", json=application())
            with lock:
                answers.append({"status": r.status_code, "body": r.json()})

    assert _run_threads(THREADS, work) == []
    assert [a for a in answers if a["status"] != 201] == []
    assert sorted(a["body"]["number"] for a in answers) == [
        _number(i) for i in range(1, THREADS * PER_THREAD + 1)
    ]
    assert sorted(_registered(runtime)) == [
        (i, _number(i)) for i in range(1, THREADS * PER_THREAD + 1)
    ]


def test_concurrent_service_submissions_get_gapless_unique_numbers(
    organ_a: Staff, runtime: Runtime
) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def work(_: int) -> None:
        for _ in range(PER_THREAD):
            number = _submit(runtime)
            with lock:
                numbers.append(number)

    assert _run_threads(THREADS, work) == []
    assert sorted(numbers) == [_number(i) for i in range(1, THREADS * PER_THREAD + 1)]
    assert sorted(_registered(runtime)) == [
        (i, _number(i)) for i in range(1, THREADS * PER_THREAD + 1)
    ]


def test_failed_transaction_among_concurrent_writers_burns_no_number(
    organ_a: Staff, runtime: Runtime
) -> None:
    organ_id = _organ_id(runtime)
    numbers: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(PER_THREAD):
            if i == THREADS:  # the extra thread: allocates a number, then its transaction fails
                _allocate_then_fail(runtime, organ_id)
                continue
            number = _submit(runtime)
            with lock:
                numbers.append(number)

    assert _run_threads(THREADS + 1, work) == []
    expected = [_number(i) for i in range(1, THREADS * PER_THREAD + 1)]
    assert sorted(numbers) == expected
    assert sorted(n for _, n in _registered(runtime)) == expected
    with runtime.sessions.read() as session:
        counter = session.get(Counter, (organ_id, 2026, REGISTRATION_COUNTER))
        assert counter is not None
        assert counter.value == THREADS * PER_THREAD


def test_rolled_back_allocation_is_handed_out_again(organ_a: Staff, runtime: Runtime) -> None:
    organ_id = _organ_id(runtime)
    _allocate_then_fail(runtime, organ_id)
    with runtime.sessions.write() as session:
        assert (
            organs_repo.next_counter_value(
                session, organ_id=organ_id, year=2026, kind=REGISTRATION_COUNTER
            )
            == 1
        )
        session.rollback()
    assert _submit(runtime) == _number(1)
    assert _submit(runtime) == _number(2)


PROCESSES = 4
PER_PROCESS = 15


def register_in_process(url: str, storage: str, count: int, barrier: Any, out: Any) -> None:
    """Worker (spawned process): its own engine and runtime, `count` online submissions."""
    rt = build_runtime(
        Settings(
            database_url=url,
            secret_key="x",
            storage_dir=Path(storage),
        )
    )
    numbers: list[str] = []
    try:
        barrier.wait(timeout=60)
        for _ in range(count):
            numbers.append(_submit(rt))
        out.put(("ok", numbers))
    except BaseException as exc:  # sent back to the test, which fails on it
        out.put(("error", repr(exc)))
    finally:
        rt.close()


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get(PG_URL_ENV),
    reason=f"needs PostgreSQL: set {PG_URL_ENV} to run the multi-process registration test",
)
def test_processes_with_own_engines_get_gapless_unique_numbers(
    database_url: str, organ_a: Staff, tmp_path: Path
) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=register_in_process,
            args=(database_url, str(tmp_path / "storage"), PER_PROCESS, barrier, out),
        )
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [r for r in results if r[0] != "ok"] == []
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    numbers = sorted(n for _, batch in results for n in batch)
    total = PROCESSES * PER_PROCESS
    seqs = sorted(int(n.split("〕")[1].removesuffix("号")) for n in numbers)
    assert seqs == list(range(1, total + 1))
    assert len(set(numbers)) == total
