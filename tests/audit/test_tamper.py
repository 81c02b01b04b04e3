"""Issue 12 point 14: the three tamperings of a database administrator, each reported.

Each tampering is done directly in the database, past the append-only triggers, and must show
in verify-audit, both the service function and the command (exit 1, one line per finding).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from typer.testing import CliRunner

from app.audit.chain import AuditKey
from app.cli import cli
from app.models import Case, CaseEvent
from app.runtime import Runtime
from tests.audit.helpers import (
    checkpoint,
    checkpoint_name,
    delete_events,
    lines,
    rewrite_chain,
    tamper,
    verify,
    where_event,
)
from tests.conftest import Staff
from tests.letters.helpers import act, online
from tests.reply.helpers import ok


@dataclass(frozen=True)
class Record:
    received: int  # only its creation event: the cached deadlines come from its ledger
    replied: int  # submitted, reply submitted, approved, issued: four events
    withdrawn: int


@pytest.fixture
def record(client: TestClient, organ_a: Staff) -> Record:
    received = online(client)
    case = online(client)
    case = ok(
        act(
            client,
            organ_a,
            case,
            "submit_reply",
            "clerk",
            # Needs no confidentiality review: the chain keeps four events.
            outcome="already_public",
            where_published="本机关门户网站政府信息公开专栏",
        )
    )
    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert (case["state"], case["outcome"]) == ("replied", "already_public")
    withdrawn = online(client)
    withdrawn = ok(act(client, organ_a, withdrawn, "withdraw", "clerk", withdrawn_on="2026-03-02"))
    assert withdrawn["state"] == "withdrawn"
    return Record(received["id"], case["id"], withdrawn["id"])


EVENTS = 1 + 4 + 2


def run_verify() -> Any:
    return CliRunner().invoke(cli, ["verify-audit"])


# --- untampered ---------------------------------------------------------------------------


def test_an_untampered_record_verifies_ok(record: Record, runtime: Runtime) -> None:
    report = verify(runtime)
    assert (report.events, report.cases, report.checkpoint, report.findings) == (
        EVENTS,
        3,
        None,
        [],
    )
    row = checkpoint(runtime)
    report = verify(runtime)
    assert (report.checkpoint, report.findings) == (f"of {row.taken_at.isoformat()}", [])


def test_the_command_reports_ok_on_an_untampered_record(
    record: Record, runtime: Runtime, cli_env: None
) -> None:
    result = run_verify()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"checked {EVENTS} events of 3 cases (no checkpoint yet): OK")
    assert result.stderr == ""


def test_the_checkpoint_command_writes_one_the_verify_command_checks_against(
    record: Record, runtime: Runtime, cli_env: None
) -> None:
    result = CliRunner().invoke(cli, ["audit-checkpoint"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"checkpoint of 3 timelines ({EVENTS} events), root ")
    result = run_verify()
    assert result.exit_code == 0, result.output
    assert "(checkpoint of 2026-" in result.stdout
    assert result.stdout.strip().endswith(": OK")


# --- 1. an event edited and every later hash recomputed -----------------------------------


def _edit_submitted_reply(runtime: Runtime, case_id: int) -> None:
    """Make the submitted reply say it withheld what it disclosed."""
    with runtime.sessions.read() as session:
        event = session.scalars(select_event(case_id, 2)).one()
    payload = {**event.payload, "input": {**event.payload["input"], "outcome": "withheld"}}
    tamper(runtime.engine, update(CaseEvent).where(where_event(case_id, 2)).values(payload=payload))


def select_event(case_id: int, seq: int) -> Any:
    from sqlalchemy import select

    return select(CaseEvent).where(where_event(case_id, seq))


@pytest.mark.parametrize(
    "key",
    [None, AuditKey(b"test-secret-key"), AuditKey(b"guessed")],
    ids=["unkeyed", "secret", "guess"],
)
def test_an_event_edited_and_its_chain_rehashed_is_reported(
    record: Record, runtime: Runtime, key: AuditKey | None
) -> None:
    _edit_submitted_reply(runtime, record.replied)
    rewrite_chain(runtime, record.replied, 2, key=key)
    assert lines(runtime) == [
        f"case {record.replied} event {seq}: content does not match HMAC" for seq in (2, 3, 4)
    ]


def test_an_edited_chain_passed_off_as_unkeyed_is_reported_without_a_checkpoint(
    record: Record, runtime: Runtime
) -> None:
    _edit_submitted_reply(runtime, record.replied)
    rewrite_chain(runtime, record.replied, 2, key=None, keep_alg=False)
    assert lines(runtime) == [
        f"case {record.replied}: 3 unkeyed event(s) from seq 2 not covered by a checkpoint "
        "(no checkpoint yet: run audit-checkpoint)"
    ]


def test_an_edited_chain_passed_off_as_unkeyed_is_reported_against_the_checkpoint(
    record: Record, runtime: Runtime
) -> None:
    row = checkpoint(runtime)
    _edit_submitted_reply(runtime, record.replied)
    rewrite_chain(runtime, record.replied, 2, key=None, keep_alg=False)
    [finding] = lines(runtime)
    assert finding.startswith(
        f"case {record.replied} event 4: differs from {checkpoint_name(row)} (event id "
    )


def test_the_command_reports_an_edited_chain_and_fails(
    record: Record, runtime: Runtime, cli_env: None
) -> None:
    _edit_submitted_reply(runtime, record.replied)
    rewrite_chain(runtime, record.replied, 2, key=None)
    result = run_verify()
    assert result.exit_code == 1
    assert result.stdout.strip() == (
        f"checked {EVENTS} events of 3 cases (no checkpoint yet): 3 finding(s)"
    )
    assert result.stderr.splitlines() == [
        f"case {record.replied} event {seq}: content does not match HMAC" for seq in (2, 3, 4)
    ]


# --- 2. a case's last events deleted after a checkpoint ------------------------------------


def test_last_events_deleted_after_a_checkpoint_are_reported_as_truncation(
    record: Record, runtime: Runtime
) -> None:
    row = checkpoint(runtime)
    # The intruder also puts the case back where the remaining events leave it.
    delete_events(
        runtime,
        record.replied,
        3,
        update(Case)
        .where(Case.id == record.replied)
        .values(
            state="under_review",
            outcome=None,
            concluded_on=None,
            correction_notice_due=date(2026, 3, 11),
            reply_status="running",
        ),
    )
    assert lines(runtime) == [
        f"case {record.replied}: truncated: the timeline ends at event 2 but "
        f"{checkpoint_name(row)} recorded event 4"
    ]


def test_truncation_is_reported_when_the_checkpoint_is_deleted_too(
    record: Record, runtime: Runtime
) -> None:
    from app.models import AuditCheckpoint

    first = checkpoint(runtime)
    second = checkpoint(runtime)
    delete_events(
        runtime,
        record.withdrawn,
        2,
        delete(AuditCheckpoint).where(AuditCheckpoint.id == second.id),
        update(Case).where(Case.id == record.withdrawn).values(state="received", outcome=None),
    )
    found = lines(runtime)
    assert (
        f"checkpoint of {second.taken_at.isoformat()}: in the file (line 2) but missing from "
        "the database"
    ) in found
    assert (
        f"case {record.withdrawn}: truncated: the timeline ends at event 1 but "
        f"{checkpoint_name(first)} recorded event 2"
    ) in found


def test_the_command_reports_truncation_and_fails(
    record: Record, runtime: Runtime, cli_env: None
) -> None:
    row = checkpoint(runtime)
    delete_events(runtime, record.withdrawn, 2)
    result = run_verify()
    assert result.exit_code == 1
    assert (
        f"case {record.withdrawn}: truncated: the timeline ends at event 1 but "
        f"{checkpoint_name(row)} recorded event 2"
    ) in result.stderr.splitlines()


# --- 3. a case changed without an event ----------------------------------------------------


def test_a_state_changed_without_an_event_is_reported(record: Record, runtime: Runtime) -> None:
    tamper(runtime.engine, update(Case).where(Case.id == record.received).values(state="archived"))
    assert lines(runtime) == [
        f"case {record.received}: state is archived but its last event (seq 1, submit) left it "
        "received"
    ]


def test_an_outcome_changed_without_an_event_is_reported(record: Record, runtime: Runtime) -> None:
    tamper(
        runtime.engine,
        update(Case).where(Case.id == record.replied).values(outcome="withheld.state_secret"),
    )
    assert lines(runtime) == [
        f"case {record.replied}: outcome is withheld.state_secret but its events recorded already_public"
    ]


@pytest.mark.parametrize("which", ["received", "replied"])
def test_a_due_date_changed_without_an_event_is_reported(
    record: Record, runtime: Runtime, which: str
) -> None:
    case_id = getattr(record, which)
    tamper(
        runtime.engine,
        update(Case).where(Case.id == case_id).values(reply_due=date(2026, 6, 30)),
    )
    assert lines(runtime) == [
        f"case {case_id}: cached deadlines differ from its events: reply_due 2026-06-30 "
        "(events imply 2026-03-30)"
    ]


def test_the_command_reports_a_state_changed_without_an_event_and_fails(
    record: Record, runtime: Runtime, cli_env: None
) -> None:
    tamper(runtime.engine, update(Case).where(Case.id == record.received).values(state="archived"))
    result = run_verify()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"case {record.received}: state is archived but its last event (seq 1, submit) left it "
        "received"
    ]
