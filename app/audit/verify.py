"""verify-audit: every chain's HMACs, every chain against the newest checkpoint, the checkpoints
in the database against the file, and every case's columns against what its events imply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.audit import repository
from app.audit.chain import AuditKey, json_safe, same_mac, sign
from app.audit.checkpoints import checkpoint_file, heads_root, read_lines, summary
from app.audit.keys import audit_key
from app.audit.service import ChainChecker, stream_events
from app.calendar.repository import organ_settings_by_id
from app.deadline.cache import CACHE_COLUMNS, cache_values
from app.deadline.codec import decode
from app.models import AuditCheckpoint, CaseEvent
from app.organs.settings import organ_settings
from app.runtime import Runtime


@dataclass(frozen=True)
class Finding:
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


@dataclass(frozen=True)
class AuditReport:
    events: int
    cases: int
    checkpoint: str | None  # when the checkpoint the chains were checked against was taken
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class _Last:
    """The last event so far, without its payload (a chain per case is held in memory)."""

    seq: int
    action: str
    to_state: str | None


@dataclass
class _Chain:
    """What a case's events say, gathered as they stream past."""

    first_at: datetime
    last: _Last
    outcome: str | None = None
    # The cached deadline columns as the last event that wrote them recorded them.
    cache: dict[str, Any] | None = None
    # Unkeyed events past the checkpointed head: nothing vouches for them.
    loose: int = 0
    loose_from: int = 0


def verify_audit(session: Session, rt: Runtime) -> AuditReport:
    """Check the whole record; every finding is one line of the report."""
    key = audit_key(rt.settings)
    anchor, findings = check_checkpoints(session, key, checkpoint_file(rt.settings))
    name = f"checkpoint {_name(anchor)}" if anchor else "no checkpoint"
    heads = {h[0]: h for h in anchor.heads} if anchor else {}
    checker = ChainChecker(key)
    chains: dict[int, _Chain] = {}
    for event in stream_events(session):
        findings += [
            Finding(f"case {p.case_id} event {p.seq}", p.problem) for p in checker.feed(event)
        ]
        chain = chains.get(event.case_id)
        if chain is None:
            chain = chains[event.case_id] = _Chain(event.occurred_at, _last(event))
        _follow(chain, event)
        head = heads.get(event.case_id, [event.case_id, None, 0, None])
        if event.hash_alg is None and event.seq > head[2]:
            chain.loose += 1
            chain.loose_from = chain.loose_from or event.seq
        if event.seq == head[2] and (event.id, event.hash) != (head[1], head[3]):
            findings.append(
                Finding(
                    f"case {event.case_id} event {event.seq}",
                    f"differs from {name} (event id {event.id}, hash {event.hash[:12]}… "
                    f"there: id {head[1]}, hash {head[3][:12]}…)",
                )
            )
    for case_id, head in heads.items():
        length = chains[case_id].last.seq if case_id in chains else 0
        if length < head[2]:
            findings.append(
                Finding(
                    f"case {case_id}",
                    f"truncated: the timeline ends at event {length} but {name} recorded "
                    f"event {head[2]}",
                )
            )
    hint = "" if anchor else " (no checkpoint yet: run audit-checkpoint)"
    findings += [
        Finding(
            f"case {case_id}",
            f"{chain.loose} unkeyed event(s) from seq {chain.loose_from} not covered by a "
            f"checkpoint{hint}",
        )
        for case_id, chain in chains.items()
        if chain.loose
    ]
    cases = _check_cases(session, rt, chains, findings)
    return AuditReport(checker.checked, cases, _name(anchor) if anchor else None, findings)


def _last(event: CaseEvent) -> _Last:
    return _Last(event.seq, event.action, event.to_state)


def _follow(chain: _Chain, event: CaseEvent) -> None:
    chain.last = _last(event)
    payload = event.payload if isinstance(event.payload, dict) else {}
    # The engine records a closing action's outcome, and the reply's in its case fields.
    if "outcome" in payload:
        chain.outcome = payload["outcome"]
    fields = payload.get("case_fields")
    if isinstance(fields, dict) and "outcome" in fields:
        chain.outcome = fields["outcome"]
    after = payload.get("after")
    if isinstance(after, dict) and all(c in after for c in CACHE_COLUMNS):
        chain.cache = {c: after[c] for c in CACHE_COLUMNS}


def _check_cases(
    session: Session, rt: Runtime, chains: dict[int, _Chain], findings: list[Finding]
) -> int:
    rows = list(repository.case_facts(session))
    implied = _implied_by_ledger(session, rt, rows, chains)
    for row in rows:
        subject = f"case {row.id}"
        chain = chains.get(row.id)
        if chain is None:
            findings.append(Finding(subject, "has no timeline events"))
            continue
        last = chain.last
        if row.state != last.to_state:
            findings.append(
                Finding(
                    subject,
                    f"state is {row.state} but its last event (seq {last.seq}, {last.action}) "
                    f"left it {last.to_state}",
                )
            )
        if row.outcome != chain.outcome:
            findings.append(
                Finding(
                    subject, f"outcome is {row.outcome} but its events recorded {chain.outcome}"
                )
            )
        expected = chain.cache if chain.cache is not None else implied.get(row.id)
        if isinstance(expected, str):
            findings.append(Finding(subject, f"its clock ledger cannot be computed: {expected}"))
            continue
        assert expected is not None
        actual = json_safe({c: getattr(row, c) for c in CACHE_COLUMNS})
        moved = [
            f"{c} {actual[c]} (events imply {expected[c]})"
            for c in CACHE_COLUMNS
            if actual[c] != expected[c]
        ]
        if moved:
            findings.append(
                Finding(subject, "cached deadlines differ from its events: " + "; ".join(moved))
            )
    return len(rows)


def _implied_by_ledger(
    session: Session, rt: Runtime, rows: list[Any], chains: dict[int, _Chain]
) -> dict[int, dict[str, Any] | str]:
    """For cases whose events never recorded their cached deadlines (only the creation event so
    far): the columns their ledger gives on their creation day, computed as intake computed
    them; a string says why a ledger cannot be computed."""
    pending = {row.id: row for row in rows if row.id in chains and chains[row.id].cache is None}
    if not pending:
        return {}
    fee_pauses = {
        oid: organ_settings(raw).fee_pauses_clock
        for oid, raw in organ_settings_by_id(session).items()
    }
    entries = repository.ledgers(session, pending.keys())
    memo: dict[tuple[bool, Any, date], dict[str, Any] | str] = {}
    out: dict[int, dict[str, Any] | str] = {}
    for case_id, row in pending.items():
        key = (
            fee_pauses.get(row.organ_id, True),
            entries.get(case_id, ()),
            chains[case_id].first_at.astimezone(rt.tz).date(),
        )
        if key not in memo:
            memo[key] = _cache_of(rt, *key)
        out[case_id] = memo[key]
    return out


def _cache_of(
    rt: Runtime, fee_pauses_clock: bool, entries: tuple[tuple[str, str], ...], today: date
) -> dict[str, Any] | str:
    try:
        ledger = [decode(kind, json.loads(data)) for kind, data in entries]
        values = cache_values(ledger, rt.calendar, fee_pauses_clock=fee_pauses_clock, today=today)
    except (ValueError, TypeError, KeyError) as exc:
        return str(exc)
    result: dict[str, Any] = json_safe(values)
    return result


def _name(row: AuditCheckpoint) -> str:
    return f"of {row.taken_at.isoformat()}"


def check_checkpoints(
    session: Session, key: AuditKey, path: Path
) -> tuple[AuditCheckpoint | None, list[Finding]]:
    """The newest sound checkpoint, and what is wrong with the checkpoints and the file."""
    findings: list[Finding] = []
    rows = repository.checkpoints(session)
    anchor = None
    for row in rows:
        subject = f"checkpoint {_name(row)}"
        if not same_mac(sign(key, summary(row)), row.signature):
            findings.append(Finding(subject, "signature does not verify in the database"))
        elif heads_root(row.heads) != row.root:
            findings.append(Finding(subject, "its heads in the database do not match its root"))
        else:
            anchor = row
    if rows and rows[-1].key_id != key.id:
        findings.append(
            Finding(
                "audit key",
                f"checkpoints were signed with key {rows[-1].key_id}, this process holds "
                f"{key.id}: set GONGKAI_AUDIT_KEY to the key in use",
            )
        )
    lines = read_lines(path)
    if lines is None:
        if rows:
            findings.append(
                Finding("checkpoint file", f"{path} is missing; the database holds {len(rows)}")
            )
        return anchor, findings
    by_signature = {row.signature: row for row in rows}
    in_file: set[str] = set()
    for line in lines:
        subject = f"checkpoint file line {line.number}"
        record = line.record
        if record is None or not isinstance(record.get("sig"), str):
            findings.append(Finding(subject, "not a checkpoint record"))
            continue
        body = {k: v for k, v in record.items() if k != "sig"}
        if not same_mac(sign(key, body), record["sig"]):
            findings.append(Finding(subject, "signature does not verify"))
            continue
        in_file.add(record["sig"])
        stored = by_signature.get(record["sig"])
        if stored is None:
            findings.append(
                Finding(
                    f"checkpoint of {body.get('taken_at')}",
                    f"in the file (line {line.number}) but missing from the database",
                )
            )
        elif summary(stored) != body:
            findings.append(
                Finding(f"checkpoint {_name(stored)}", "differs between the file and the database")
            )
    for row in rows:
        if row.signature not in in_file:
            findings.append(
                Finding(f"checkpoint {_name(row)}", "in the database but not in the file")
            )
    return anchor, findings
