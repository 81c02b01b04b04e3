"""A busy, untampered record verifies: every writer of the timeline (intake, the workflow
engine, remedies, the calendar recompute) leaves cases that agree with their events."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.runtime import Runtime
from tests.audit.helpers import checkpoint, verify
from tests.calendar.data import notice_2027
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import ok, reply_through_review

CASES = "/api/v1/cases"


def _busy_record(
    client: TestClient, organ_a: Staff, admin: dict[str, str], runtime: Runtime, clock: Clock
) -> dict[str, Any]:
    replied = reply_through_review(
        client, organ_a, online(client), "withheld.state_secret", reasons="涉密"
    )
    disclosed = reply_through_review(
        client, organ_a, online(client), "disclosed", provided="见附件", provided_form="electronic"
    )
    clock.set("2026-03-23T10:00+08:00")
    disclosed = ok(
        act(
            client,
            organ_a,
            disclosed,
            "record_service",
            "front_desk",
            method="electronic",
            delivered_at="2026-03-20T15:00:00+08:00",
            evidence="邮件回执",
        )
    )
    ok(act(client, organ_a, disclosed, "archive", "clerk"))
    checkpoint(runtime)
    clock.set("2026-05-20T10:00+08:00")
    remedy = {"kind": "reconsideration", "body": "示例市人民政府", "filed_on": "2026-05-10"}
    r = client.post(
        f"{CASES}/{replied['id']}/remedies", json=remedy, headers=organ_a.headers("legal")
    )
    assert r.status_code == 201, r.text
    clock.set("2026-12-15T10:00+08:00")
    december = online(client)  # its reply is due in 2027, provisional until 2027 is loaded
    withdrawn = online(client)
    ok(act(client, organ_a, withdrawn, "withdraw", "clerk", withdrawn_on="2026-12-15"))
    r = client.put("/api/v1/calendar/2027", json=notice_2027(), headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["recompute"]["cases_moved"] == 1
    return december


def test_a_busy_untampered_record_verifies_ok(
    client: TestClient, organ_a: Staff, admin: dict[str, str], runtime: Runtime, clock: Clock
) -> None:
    december = _busy_record(client, organ_a, admin, runtime, clock)
    events = client.get(f"{CASES}/{december['id']}/events", headers=organ_a.headers("clerk"))
    assert events.json()[-1]["action"] == "deadlines_recomputed"
    report = verify(runtime)
    assert report.findings == []
    assert report.cases == 4
    assert report.checkpoint is not None
    checkpoint(runtime)
    assert verify(runtime).findings == []


def test_the_command_verifies_a_busy_record(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    runtime: Runtime,
    clock: Clock,
    cli_env: None,
) -> None:
    _busy_record(client, organ_a, admin, runtime, clock)
    result = CliRunner().invoke(cli, ["verify-audit"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(": OK")
