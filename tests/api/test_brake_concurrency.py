"""Concurrent bursts of wrong guesses get no more evaluations than the brake allows: each attempt
is checked, compared and counted in one transaction holding the brake's rows, across threads,
engines and processes."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.errors import NotFound, TooManyAttempts
from app.intake.lookup import find_own_case
from app.runtime import Runtime, build_runtime
from tests.api.test_applicant_view import submit, wrong_code
from tests.conftest import Staff
from tests.fixtures.database import PG_URL_ENV

NUMBER_BOUND = 10
BURST = 40


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"lookup_number_failures": NUMBER_BOUND})


@pytest.fixture
def target(client: Any, organ_a: Staff) -> tuple[str, str]:
    receipt = submit(client)
    return receipt["number"], receipt["query_code"]


def guess(rt: Runtime, number: str, code: str, client: str) -> str:
    """One lookup through the service: 'evaluated' (the code was compared), 'refused' or 'opened'."""
    with rt.sessions.read() as session:
        try:
            find_own_case(session, rt, number, code, client)
        except NotFound:
            return "evaluated"
        except TooManyAttempts:
            return "refused"
    return "opened"


def burst(count: int, work: Callable[[int], str]) -> list[str]:
    """Run `work(i)` in `count` threads released together; their answers."""
    barrier = threading.Barrier(count)
    answers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            answer = work(i)
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported to the test, which fails on it
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a guessing thread hung"
    assert errors == []
    return answers


@pytest.fixture
def second_runtime(settings: Settings, runtime: Runtime) -> Iterator[Runtime]:
    """Another engine and pool on the same database, as a second worker process has."""
    rt = build_runtime(settings)
    rt.clock = runtime.clock
    yield rt
    rt.close()


def test_a_burst_from_many_addresses_at_one_number_evaluates_at_most_the_bound(
    runtime: Runtime, target: tuple[str, str]
) -> None:
    number, code = target

    answers = burst(BURST, lambda i: guess(runtime, number, wrong_code(code), f"192.0.2.{i}"))

    assert answers.count("evaluated") == NUMBER_BOUND
    assert answers.count("refused") == BURST - NUMBER_BOUND


def test_a_burst_from_one_address_evaluates_only_its_free_failures(
    runtime: Runtime, target: tuple[str, str]
) -> None:
    number, code = target
    free = runtime.settings.lookup_free_failures

    # Each guess at a number of its own: only the per-client brake applies.
    answers = burst(
        BURST, lambda i: guess(runtime, f"{number}-{i}", wrong_code(code), "203.0.113.5")
    )

    assert answers.count("evaluated") == free
    assert answers.count("refused") == BURST - free


def test_a_burst_over_two_engines_evaluates_at_most_the_bound(
    runtime: Runtime, second_runtime: Runtime, target: tuple[str, str]
) -> None:
    number, code = target
    engines = (runtime, second_runtime)

    answers = burst(
        BURST, lambda i: guess(engines[i % 2], number, wrong_code(code), f"192.0.2.{i}")
    )

    assert answers.count("evaluated") == NUMBER_BOUND
    assert answers.count("refused") == BURST - NUMBER_BOUND


def test_the_right_code_inside_a_burst_of_wrong_ones_opens_the_case(
    runtime: Runtime, second_runtime: Runtime, target: tuple[str, str]
) -> None:
    number, code = target
    engines = (runtime, second_runtime)
    wrong = NUMBER_BOUND - 2  # below the bound: the applicant must get in whatever the order

    answers = burst(
        wrong + 1,
        lambda i: guess(
            engines[i % 2], number, code if i == 0 else wrong_code(code), f"192.0.2.{i}"
        ),
    )

    assert sorted(answers) == ["evaluated"] * wrong + ["opened"]


PROCESSES = 2
THREADS_PER_PROCESS = 20


def guess_in_process(
    url: str, storage: str, number: str, code: str, first: int, barrier: Any, out: Any
) -> None:
    """Worker (spawned process): its own engine and runtime, a burst of wrong guesses."""
    rt = build_runtime(
        Settings(
            database_url=url,
            secret_key="test-secret-key",  # type: ignore[arg-type]
            storage_dir=Path(storage),
            letter_render_workers=0,
            lookup_number_failures=NUMBER_BOUND,
        )
    )
    try:
        barrier.wait(timeout=60)
        answers = burst(
            THREADS_PER_PROCESS,
            lambda i: guess(rt, number, wrong_code(code), f"192.0.2.{first + i}"),
        )
        out.put(("ok", answers))
    except BaseException as exc:  # sent back to the test, which fails on it
        out.put(("error", repr(exc)))
    finally:
        rt.close()


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get(PG_URL_ENV),
    reason=f"needs PostgreSQL: set {PG_URL_ENV} to run the multi-process brake test",
)
def test_bursts_from_two_processes_evaluate_at_most_the_bound(
    database_url: str, target: tuple[str, str], tmp_path: Path
) -> None:
    number, code = target
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=guess_in_process,
            args=(
                database_url,
                str(tmp_path / "storage"),
                number,
                code,
                p * THREADS_PER_PROCESS,
                barrier,
                out,
            ),
        )
        for p in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)

    assert [r for r in results if r[0] != "ok"] == []
    answers = [a for _, batch in results for a in batch]
    assert answers.count("evaluated") == NUMBER_BOUND
    assert answers.count("refused") == PROCESSES * THREADS_PER_PROCESS - NUMBER_BOUND
