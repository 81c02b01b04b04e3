"""Signed checkpoints: in the database and the file alike, once a day across processes, and
every disagreement between them (or with the key) reported by verify-audit."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from app.audit.chain import AuditKey, sign
from app.audit.checkpoints import (
    DailyCheckpoints,
    append_line,
    checkpoint_file,
    heads_root,
    write_daily,
)
from app.audit.keys import audit_key
from app.config import Settings
from app.main import create_app
from app.models import AuditCheckpoint, CaseEvent
from app.runtime import Runtime, build_runtime
from tests.audit.helpers import checkpoint, checkpoint_name, lines, rewrite_chain, tamper, verify
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import ok


@pytest.fixture
def cases(client: TestClient, organ_a: Staff) -> list[int]:
    first, second = online(client), online(client)
    ok(act(client, organ_a, second, "withdraw", "clerk", withdrawn_on="2026-03-02"))
    return [first["id"], second["id"]]


def _file_records(runtime: Runtime) -> list[dict[str, Any]]:
    text = checkpoint_file(runtime.settings).read_text()
    return [json.loads(line) for line in text.splitlines()]


def _rows(runtime: Runtime) -> list[AuditCheckpoint]:
    with runtime.sessions.read() as session:
        return list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))


def test_a_checkpoint_holds_every_chain_head_in_the_database_and_the_file(
    cases: list[int], runtime: Runtime
) -> None:
    row = checkpoint(runtime)
    with runtime.sessions.read() as session:
        last = {
            e.case_id: [e.case_id, e.id, e.seq, e.hash]
            for e in session.scalars(select(CaseEvent).order_by(CaseEvent.seq))
        }
    [stored] = _rows(runtime)
    assert stored.heads == [last[cases[0]], last[cases[1]]]
    assert (stored.cases, stored.events, stored.root) == (2, 3, heads_root(stored.heads))
    assert stored.key_id == audit_key(runtime.settings).id
    [record] = _file_records(runtime)
    assert record == {
        "v": 1,
        "taken_at": "2026-03-02T02:00:00+00:00",
        "daily_on": None,
        "nonce": stored.nonce,
        "key_id": stored.key_id,
        "cases": 2,
        "events": 3,
        "root": stored.root,
        "sig": stored.signature,
    }
    body = {k: v for k, v in record.items() if k != "sig"}
    assert sign(audit_key(runtime.settings), body) == record["sig"] == row.signature


def test_checkpoints_are_appended_and_earlier_lines_kept(
    cases: list[int], runtime: Runtime, client: TestClient
) -> None:
    checkpoint(runtime)
    before = checkpoint_file(runtime.settings).read_text()
    online(client)
    checkpoint(runtime)
    after = checkpoint_file(runtime.settings).read_text()
    assert after.startswith(before)
    assert [r["cases"] for r in _file_records(runtime)] == [2, 3]
    assert verify(runtime).findings == []


def test_the_file_is_opened_for_appending_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags: list[int] = []
    real_open = os.open

    def spy(path: Any, flag: int, *args: Any) -> int:
        flags.append(flag)
        return real_open(path, flag, *args)

    monkeypatch.setattr(os, "open", spy)
    path = tmp_path / "audit" / "checkpoints.jsonl"
    append_line(path, {"a": 1})
    append_line(path, {"b": "公开"})
    assert all(f & os.O_APPEND and f & os.O_WRONLY and not f & os.O_TRUNC for f in flags)
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"a": 1}, {"b": "公开"}]


def test_checkpoints_cannot_be_changed_or_deleted_through_the_database(
    cases: list[int], runtime: Runtime
) -> None:
    from sqlalchemy.exc import DBAPIError

    checkpoint(runtime)
    for statement in (
        update(AuditCheckpoint).values(root="0" * 64),
        delete(AuditCheckpoint),
    ):
        with (
            pytest.raises(DBAPIError, match="audit_checkpoints is append-only"),
            runtime.engine.begin() as conn,
        ):
            conn.execute(statement)
    assert len(_rows(runtime)) == 1


# --- the daily checkpoint -------------------------------------------------------------------


@pytest.fixture
def second_runtime(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    """Another process's runtime over the same database and checkpoint directory."""
    rt = build_runtime(settings)
    rt.clock = clock
    yield rt
    rt.close()


def test_the_daily_checkpoint_is_written_once_a_day_across_runtimes(
    cases: list[int], runtime: Runtime, second_runtime: Runtime, clock: Clock
) -> None:
    first = write_daily(runtime)
    assert first is not None
    assert write_daily(second_runtime) is None
    assert write_daily(runtime) is None
    clock.set("2026-03-02T23:59+08:00")  # still Monday in Beijing
    assert write_daily(second_runtime) is None
    clock.set("2026-03-03T00:01+08:00")
    second = write_daily(second_runtime)
    assert second is not None
    assert write_daily(runtime) is None
    days = [(r.daily_on.isoformat() if r.daily_on else None) for r in _rows(runtime)]
    assert days == ["2026-03-02", "2026-03-03"]
    assert [r["daily_on"] for r in _file_records(runtime)] == days
    assert verify(runtime).findings == []


def test_two_runtimes_racing_for_the_day_write_one_checkpoint(
    cases: list[int], runtime: Runtime, second_runtime: Runtime
) -> None:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def race(rt: Runtime) -> None:
        barrier.wait(timeout=30)
        try:
            results.append(write_daily(rt))
        except Exception as exc:  # the assertion below shows it
            results.append(exc)

    threads = [threading.Thread(target=race, args=(rt,)) for rt in (runtime, second_runtime)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["AuditCheckpoint", "NoneType"]
    assert len(_rows(runtime)) == 1
    assert len(_file_records(runtime)) == 1
    assert verify(runtime).findings == []


def _wait_for_checkpoints(runtime: Runtime, count: int) -> int:
    done = threading.Event()
    for _ in range(600):
        with runtime.sessions.read() as session:
            n = session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0
        if n >= count:
            return n
        done.wait(0.05)
    return n


def test_the_daily_thread_writes_at_start_and_stops(cases: list[int], runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"audit_daily_checkpoint": True})
    daily = DailyCheckpoints(runtime, interval_s=3600)
    try:
        assert _wait_for_checkpoints(runtime, 1) == 1
    finally:
        daily.stop()
    assert not daily.running


def test_the_daily_thread_is_off_when_disabled(runtime: Runtime) -> None:
    daily = DailyCheckpoints(runtime)
    assert not daily.running
    daily.stop()


def test_the_app_runs_the_daily_checkpoint_while_it_serves(
    cases: list[int], runtime: Runtime
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"audit_daily_checkpoint": True})
    threads_before = {t.name for t in threading.enumerate()}
    assert "audit-checkpoint" not in threads_before
    with TestClient(create_app(runtime=runtime)):
        assert _wait_for_checkpoints(runtime, 1) == 1
        assert "audit-checkpoint" in {t.name for t in threading.enumerate()}
    assert "audit-checkpoint" not in {t.name for t in threading.enumerate()}
    assert [r.daily_on.isoformat() for r in _rows(runtime) if r.daily_on] == ["2026-03-02"]


# --- the file and the database disagree ------------------------------------------------------


def test_a_checkpoint_deleted_from_the_database_is_reported(
    cases: list[int], runtime: Runtime
) -> None:
    row = checkpoint(runtime)
    tamper(runtime.engine, delete(AuditCheckpoint))
    assert lines(runtime) == [
        f"checkpoint of {row.taken_at.isoformat()}: in the file (line 1) but missing from the "
        "database"
    ]


def test_a_checkpoint_changed_in_the_database_is_reported(
    cases: list[int], runtime: Runtime
) -> None:
    row = checkpoint(runtime)
    # The intruder moves the checkpoint's record of the withdrawn case back by one event.
    heads = [list(h) for h in row.heads]
    heads[1][2] -= 1
    tamper(
        runtime.engine,
        update(AuditCheckpoint).values(heads=heads, root=heads_root(heads), events=2),
    )
    assert lines(runtime) == [
        f"{checkpoint_name(row)}: signature does not verify in the database",
        f"{checkpoint_name(row)}: differs between the file and the database",
    ]


def test_heads_changed_under_a_checkpoint_are_reported(cases: list[int], runtime: Runtime) -> None:
    row = checkpoint(runtime)
    heads = [list(h) for h in row.heads]
    heads[1][2] -= 1
    tamper(runtime.engine, update(AuditCheckpoint).values(heads=heads))
    assert lines(runtime) == [
        f"{checkpoint_name(row)}: its heads in the database do not match its root"
    ]


def test_a_line_removed_from_the_file_is_reported(cases: list[int], runtime: Runtime) -> None:
    row = checkpoint(runtime)
    checkpoint_file(runtime.settings).write_text("")
    assert lines(runtime) == [f"{checkpoint_name(row)}: in the database but not in the file"]


def test_a_missing_file_is_reported(cases: list[int], runtime: Runtime) -> None:
    checkpoint(runtime)
    path = checkpoint_file(runtime.settings)
    path.unlink()
    assert lines(runtime) == [f"checkpoint file: {path} is missing; the database holds 1"]


def test_forged_and_garbled_file_lines_are_reported(cases: list[int], runtime: Runtime) -> None:
    checkpoint(runtime)
    path = checkpoint_file(runtime.settings)
    [record] = _file_records(runtime)
    forged = {**record, "root": "0" * 64}
    forged["sig"] = sign(AuditKey(b"guessed"), {k: v for k, v in forged.items() if k != "sig"})
    with path.open("a") as f:
        f.write(json.dumps(forged) + "\n")
        f.write("not json\n")
    assert lines(runtime) == [
        "checkpoint file line 2: signature does not verify",
        "checkpoint file line 3: not a checkpoint record",
    ]


def test_another_audit_key_is_named_as_the_cause(
    cases: list[int], runtime: Runtime, settings: Settings
) -> None:
    from pydantic import SecretStr

    checkpoint(runtime)
    runtime.settings = settings.model_copy(update={"audit_key": SecretStr("another key")})
    found = lines(runtime)
    assert found[1].startswith("audit key: checkpoints were signed with key ")
    assert found[1].endswith(": set GONGKAI_AUDIT_KEY to the key in use")
    assert "content does not match HMAC" in found[-1]


# --- events written before the chain was keyed ----------------------------------------------


def test_unkeyed_events_are_vouched_for_by_the_first_checkpoint(
    cases: list[int], runtime: Runtime
) -> None:
    # A database from before issue 12: every event hashed with plain SHA-256, hash_alg NULL.
    for case_id in cases:
        rewrite_chain(runtime, case_id, 1, key=None, keep_alg=False)
    assert lines(runtime) == [
        f"case {cases[0]}: 1 unkeyed event(s) from seq 1 not covered by a checkpoint "
        "(no checkpoint yet: run audit-checkpoint)",
        f"case {cases[1]}: 2 unkeyed event(s) from seq 1 not covered by a checkpoint "
        "(no checkpoint yet: run audit-checkpoint)",
    ]
    checkpoint(runtime)
    assert lines(runtime) == []


def test_an_unkeyed_event_edited_after_the_checkpoint_is_reported(
    cases: list[int], runtime: Runtime
) -> None:
    rewrite_chain(runtime, cases[1], 1, key=None, keep_alg=False)
    row = checkpoint(runtime)
    tamper(
        runtime.engine,
        update(CaseEvent)
        .where(CaseEvent.case_id == cases[1], CaseEvent.seq == 1)
        .values(actor_label="某人"),
    )
    rewrite_chain(runtime, cases[1], 1, key=None, keep_alg=False)
    [finding] = lines(runtime)
    assert finding.startswith(f"case {cases[1]} event 2: differs from {checkpoint_name(row)}")
