"""The case timeline's hash chain: canonical form, verification, and tampering detected."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, delete, text, update

from app.audit.chain import (
    GENESIS,
    HMAC_SHA256,
    AuditKey,
    canonical,
    event_hash,
    json_safe,
    legacy_event_hash,
)
from app.audit.keys import audit_key
from app.audit.service import ChainProblem, append_event, events_of_case, verify_chains
from app.auth.principal import SYSTEM
from app.config import Settings
from app.models import CaseEvent
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application

KEY = AuditKey(b"test audit key")

# --- the pure chain -------------------------------------------------------------------------


def test_canonical_form_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": [True, None], "c": {"y": 2, "x": "公开"}}) == (
        '{"a":[true,null],"b":1,"c":{"x":"公开","y":2}}'.encode()
    )


def test_canonical_form_is_stable_across_calls() -> None:
    content = {"action": "submit", "payload": {"after": {"items": 2}}, "seq": 1}
    assert canonical(content) == canonical(content)
    assert event_hash(KEY, content, GENESIS) == event_hash(KEY, content, GENESIS)


def test_key_order_does_not_change_canonical_form_or_hash() -> None:
    one = {"seq": 1, "action": "submit", "payload": {"b": 2, "a": 1}}
    other = {"payload": {"a": 1, "b": 2}, "action": "submit", "seq": 1}
    assert canonical(one) == canonical(other)
    assert event_hash(KEY, one, GENESIS) == event_hash(KEY, other, GENESIS)


def test_non_ascii_is_kept_as_utf8_not_escaped() -> None:
    out = canonical({"name": "张三", "org": "示例区人民政府办公室"})
    assert "张三".encode() in out
    assert "示例区人民政府办公室".encode() in out
    assert b"\\u" not in out


def test_dates_and_datetimes_serialise_as_iso() -> None:
    content = {
        "day": date(2026, 3, 2),
        "at": datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=8))),
    }
    assert canonical(content) == b'{"at":"2026-03-02T10:00:00+08:00","day":"2026-03-02"}'


def test_json_safe_gives_the_stored_form_that_hashes_alike() -> None:
    value = {"due": date(2026, 3, 30), "items": [date(2026, 1, 1)], "n": 1}
    assert json_safe(value) == {"due": "2026-03-30", "items": ["2026-01-01"], "n": 1}
    assert canonical({"p": value}) == canonical({"p": json_safe(value)})


def test_values_json_cannot_hold_are_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        canonical({"fee": Decimal("1.50")})


def test_event_hash_is_hmac_sha256_of_previous_hash_then_canonical_content() -> None:
    content = {"seq": 1, "action": "submit"}
    message = GENESIS.encode() + b'{"action":"submit","seq":1}'
    assert event_hash(KEY, content, GENESIS) == hmac.new(KEY.secret, message, "sha256").hexdigest()


def test_event_hash_depends_on_the_key() -> None:
    content = {"seq": 1, "action": "submit"}
    assert event_hash(KEY, content, GENESIS) != event_hash(AuditKey(b"guess"), content, GENESIS)
    assert event_hash(KEY, content, GENESIS) != legacy_event_hash(content, GENESIS)


def test_legacy_hash_is_plain_sha256_of_previous_hash_then_canonical_content() -> None:
    content = {"seq": 1, "action": "submit"}
    expected = hashlib.sha256(GENESIS.encode() + b'{"action":"submit","seq":1}').hexdigest()
    assert legacy_event_hash(content, GENESIS) == expected


def test_the_audit_key_is_derived_from_the_secret_key_unless_set(settings: Settings) -> None:
    derived = audit_key(settings)
    secret = settings.secret_key.get_secret_value().encode()
    assert derived.secret not in (secret, b"")
    assert derived == audit_key(settings.model_copy())
    other = settings.model_copy(update={"secret_key": SecretStr("another secret")})
    assert audit_key(other) != derived
    pinned = settings.model_copy(update={"audit_key": SecretStr("pinned audit key")})
    assert audit_key(pinned) == AuditKey(b"pinned audit key")
    assert audit_key(pinned.model_copy(update={"secret_key": SecretStr("rotated")})) == (
        AuditKey(b"pinned audit key")
    )


def test_the_audit_key_never_shows_in_its_repr() -> None:
    key = AuditKey(b"very secret")
    assert "very secret" not in repr(key)
    assert repr(key) == f"AuditKey(id={key.id})"


def test_a_changed_character_changes_the_hash() -> None:
    content = {"seq": 1, "payload": {"number": "org-a依申〔2026〕0001号"}}
    changed = {"seq": 1, "payload": {"number": "org-a依申〔2026〕0002号"}}
    assert event_hash(KEY, content, GENESIS) != event_hash(KEY, changed, GENESIS)


def test_a_changed_previous_hash_changes_the_hash() -> None:
    content = {"seq": 2, "action": "confirm"}
    assert event_hash(KEY, content, GENESIS) != event_hash(KEY, content, "1" + GENESIS[1:])


# --- verification over the database ----------------------------------------------------------


@pytest.fixture
def timeline(client: TestClient, organ_a: Staff, runtime: Runtime) -> list[int]:
    """Three submitted cases; the first has two more events (three in its chain)."""
    case_ids = []
    for _ in range(3):
        r = client.post("/api/v1/applications", json=application())
        assert r.status_code == 201, r.text
        case_ids.append(r.json()["id"])
    with runtime.sessions.write.begin() as session:
        for seq, action in ((2, "note"), (3, "remind")):
            event = append_event(
                session,
                key=audit_key(runtime.settings),
                case_id=case_ids[0],
                action=action,
                from_state="received",
                to_state="received",
                actor=SYSTEM,
                now=datetime(2026, 3, 2, 2, seq, 0, 123456, tzinfo=UTC),
                payload={"说明": "测试事件", "due": date(2026, 3, 30), "n": seq},
                workflow_version=runtime.workflow.version,
            )
            assert event.seq == seq
    return case_ids


EVENTS = 5


def _verify(runtime: Runtime) -> tuple[int, list[ChainProblem]]:
    with runtime.sessions.read() as session:
        return verify_chains(session, audit_key(runtime.settings))


def _tamper(engine: Engine, statement: Any) -> None:
    """Run a forbidden change, bypassing the append-only triggers the way an intruder would."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Skips ordinary triggers for this transaction only; the shared database keeps them.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_delete"))
        conn.execute(statement)


def _event(case_id: int, seq: int) -> Any:
    return (CaseEvent.case_id == case_id) & (CaseEvent.seq == seq)


def test_untouched_chains_verify(timeline: list[int], runtime: Runtime) -> None:
    assert _verify(runtime) == (EVENTS, [])


def test_chain_links_each_event_to_the_previous_hash(timeline: list[int], runtime: Runtime) -> None:
    with runtime.sessions.read() as session:
        events = events_of_case(session, timeline[0])
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert events[1].payload == {"说明": "测试事件", "due": "2026-03-30", "n": 2}
    assert {e.hash_alg for e in events} == {HMAC_SHA256}


def test_changed_payload_is_reported_for_that_event(timeline: list[int], runtime: Runtime) -> None:
    _tamper(
        runtime.engine,
        update(CaseEvent).where(_event(timeline[0], 2)).values(payload={"说明": "篡改"}),
    )
    assert _verify(runtime) == (
        EVENTS,
        [ChainProblem(timeline[0], 2, "content does not match HMAC")],
    )


def test_changed_prev_hash_is_reported(timeline: list[int], runtime: Runtime) -> None:
    _tamper(
        runtime.engine, update(CaseEvent).where(_event(timeline[0], 3)).values(prev_hash=GENESIS)
    )
    assert _verify(runtime) == (
        EVENTS,
        [
            ChainProblem(timeline[0], 3, "prev_hash does not match"),
            ChainProblem(timeline[0], 3, "content does not match HMAC"),
        ],
    )


def test_rewritten_hash_breaks_the_next_link(timeline: list[int], runtime: Runtime) -> None:
    _tamper(runtime.engine, update(CaseEvent).where(_event(timeline[0], 2)).values(hash="f" * 64))
    assert _verify(runtime) == (
        EVENTS,
        [
            ChainProblem(timeline[0], 2, "content does not match HMAC"),
            ChainProblem(timeline[0], 3, "prev_hash does not match"),
        ],
    )


def test_deleted_event_is_reported_as_a_gap(timeline: list[int], runtime: Runtime) -> None:
    _tamper(runtime.engine, delete(CaseEvent).where(_event(timeline[0], 2)))
    assert _verify(runtime) == (
        EVENTS - 1,
        [
            ChainProblem(timeline[0], 3, "gap after seq 1"),
            ChainProblem(timeline[0], 3, "prev_hash does not match"),
        ],
    )


def test_tampering_in_one_case_leaves_the_others_clean(
    timeline: list[int], runtime: Runtime
) -> None:
    _tamper(
        runtime.engine,
        update(CaseEvent).where(_event(timeline[2], 1)).values(action="withdraw"),
    )
    checked, problems = _verify(runtime)
    assert checked == EVENTS
    assert {p.case_id for p in problems} == {timeline[2]}
