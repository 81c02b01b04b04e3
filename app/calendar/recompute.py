"""Recomputing every open case's cached deadlines after the calendar changed, in bulk.

One query reads the open cases and their cached columns, one streaming query their ledgers;
identical ledgers (same entries, same organ setting) are computed once; only the cases whose
deadlines the calendar moved are written, with one executemany UPDATE and one multi-row INSERT
of their timeline events, chained onto each case's last event fetched in one query.

A case counts as moved when its deadlines under the new calendar differ both from the cached
columns and from what the old calendar gives today: a cached value that differs only because
time has passed (a correction-notice window that lapsed) is not the calendar's doing, and is left
for the case's next change.

`cases.version` is not bumped: the columns are a cache derived from the ledger and the calendar,
not a change a client made, so a client holding the case's version can still act on it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.audit.chain import AuditKey, json_safe
from app.calendar import repository
from app.deadline.cache import CACHE_COLUMNS, cache_values
from app.deadline.calendar import WorkCalendar
from app.deadline.codec import decode
from app.organs.settings import organ_settings
from app.workflow.bulk import Recomputed, record_recomputed
from app.workflow.definition import WorkflowDef

log = logging.getLogger("gongkai.calendar")


Cached = tuple[Any, ...]  # the CACHE_COLUMNS values, in that order
LedgerKey = tuple[tuple[str, str], ...]  # (kind, data as JSON text) per entry, in order

_LABELS = {
    "reply_due": ("答复期限", "reply due"),
    "correction_notice_due": ("补正告知期限", "correction notice due"),
    "correction_due": ("补正期限", "correction due"),
}


@dataclass(frozen=True)
class CalendarChange:
    """What changed in the calendar: the years newly loaded and the years changed."""

    old: WorkCalendar
    new: WorkCalendar
    loaded: tuple[int, ...] = ()
    changed: tuple[int, ...] = ()

    @property
    def reason(self) -> str:
        parts = [f"calendar {y} loaded" for y in self.loaded]
        parts += [f"calendar {y} changed" for y in self.changed]
        return ", ".join(parts) or "calendar recomputed"

    @property
    def reason_zh(self) -> str:
        parts = [f"{y}年放假安排已载入" for y in self.loaded]
        parts += [f"{y}年放假安排已修改" for y in self.changed]
        return "，".join(parts) or "重新计算期限"


@dataclass(frozen=True)
class RecomputeReport:
    scanned: int
    moved: int
    failed: int
    distinct_ledgers: int
    read_s: float
    compute_s: float
    write_s: float

    @property
    def total_s(self) -> float:
        return self.read_s + self.compute_s + self.write_s


def recompute_open_cases(
    session: Session,
    change: CalendarChange,
    *,
    final_states: Collection[str],
    today: date,
    now: datetime,
    workflow_version: int,
    audit_key: AuditKey,
) -> RecomputeReport:
    """Rewrite the cached deadlines the calendar change moved, each with a timeline event.

    The caller holds the write lock (repository.lock_for_recompute) and commits.
    """
    t0 = perf_counter()
    fee_by_organ = {
        oid: organ_settings(raw).fee_pauses_clock
        for oid, raw in repository.organ_settings_by_id(session).items()
    }
    cases = repository.open_cases(session, final_states)
    ledgers: dict[int, LedgerKey] = {}
    current_id: int | None = None
    current: list[tuple[str, str]] = []
    for case_id, kind, data in repository.open_case_entries(session, final_states):
        if case_id != current_id:
            if current_id is not None:
                ledgers[current_id] = tuple(current)
            current_id, current = case_id, []
        current.append((kind, data))
    if current_id is not None:
        ledgers[current_id] = tuple(current)
    t1 = perf_counter()

    new_memo: dict[tuple[bool, LedgerKey], Cached | None] = {}
    old_memo: dict[tuple[bool, LedgerKey], Cached | None] = {}
    moved: list[tuple[repository.OpenCase, Cached, Cached | None]] = []
    failed = 0
    for case in cases:
        key = (fee_by_organ.get(case.organ_id, True), ledgers.get(case.id, ()))
        new = _memoised(new_memo, key, change.new, today)
        if new is None:
            failed += 1
            continue
        if new == case.cached:
            continue
        old = _memoised(old_memo, key, change.old, today)
        if old == new:
            continue
        moved.append((case, new, old))
    if failed:
        log.error("deadline recompute: %d case ledger(s) could not be computed", failed)
    t2 = perf_counter()

    if moved:
        # Many cases move the same way: build (and JSON-normalise) each distinct payload once.
        payloads: dict[tuple[Cached, Cached, Cached | None], dict[str, Any]] = {}
        writes: list[Recomputed] = []
        for case, new, old in moved:
            payload = payloads.get((case.cached, new, old))
            if payload is None:
                payload = json_safe(event_payload(change, case.cached, new, old))
                payloads[(case.cached, new, old)] = payload
            writes.append(Recomputed(case.id, case.state, new, payload))
        record_recomputed(
            session, writes, key=audit_key, now=now, workflow_version=workflow_version
        )
    t3 = perf_counter()
    return RecomputeReport(
        scanned=len(cases),
        moved=len(moved),
        failed=failed,
        distinct_ledgers=len(new_memo),
        read_s=t1 - t0,
        compute_s=t2 - t1,
        write_s=t3 - t2,
    )


def final_states(workflow: WorkflowDef) -> tuple[str, ...]:
    """States no action leaves: cases in them have no running deadlines to recompute."""
    return tuple(code for code, st in workflow.states.items() if st.final)


def recompute_after(
    session: Session,
    change: CalendarChange,
    *,
    workflow: WorkflowDef,
    tz: ZoneInfo,
    now: datetime,
    key: AuditKey,
) -> RecomputeReport:
    """recompute_open_cases for the workflow's open states, today being `now` in `tz`."""
    return recompute_open_cases(
        session,
        change,
        final_states=final_states(workflow),
        today=now.astimezone(tz).date(),
        now=now,
        workflow_version=workflow.version,
        audit_key=key,
    )


def _memoised(
    memo: dict[tuple[bool, LedgerKey], Cached | None],
    key: tuple[bool, LedgerKey],
    calendar: WorkCalendar,
    today: date,
) -> Cached | None:
    if key in memo:
        return memo[key]
    fee_pauses_clock, entries = key
    try:
        ledger = [decode(kind, json.loads(data)) for kind, data in entries]
        values = cache_values(ledger, calendar, fee_pauses_clock=fee_pauses_clock, today=today)
        result: Cached | None = tuple(values[c] for c in CACHE_COLUMNS)
    except (ValueError, TypeError, KeyError) as exc:
        # One corrupt ledger must not stop every other case from being recomputed.
        log.warning("cannot compute deadlines for a stored ledger: %s", exc)
        result = None
    memo[key] = result
    return result


def event_payload(
    change: CalendarChange, before: Cached, after: Cached, old: Cached | None
) -> dict[str, Any]:
    """The timeline payload: why, the calendar version, the columns before and after."""
    named_before, named_after = _named(before), _named(after)
    parts_en, parts_zh = describe(_named(old) if old is not None else named_before, named_after)
    return {
        "reason": change.reason,
        "calendar_version": change.new.version,
        "before": named_before,
        "after": named_after,
        "message": "; ".join(parts_en) + f": {change.reason}",
        "message_zh": "；".join(parts_zh) + f"（{change.reason_zh}）",
    }


def describe(b: dict[str, Any], a: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What moved between two sets of named cached values, in English and Chinese."""
    en: list[str] = []
    zh: list[str] = []
    for column, (label_zh, label_en) in _LABELS.items():
        if b[column] != a[column]:
            en.append(f"{label_en} moved from {b[column] or 'none'} to {a[column] or 'none'}")
            zh.append(f"{label_zh}由{b[column] or '无'}调整为{a[column] or '无'}")
    if b["reply_due_provisional"] != a["reply_due_provisional"]:
        if a["reply_due_provisional"]:
            en.append("reply due is now provisional")
            zh.append("答复期限改为暂定")
        else:
            en.append("reply due is no longer provisional")
            zh.append("答复期限不再是暂定")
    if b["reply_status"] != a["reply_status"]:
        en.append(f"reply status changed from {b['reply_status']} to {a['reply_status']}")
        zh.append(f"答复期限状态由{b['reply_status']}变为{a['reply_status']}")
    return en, zh


def _named(values: Cached) -> dict[str, Any]:
    return {
        c: v.isoformat() if isinstance(v, date) else v
        for c, v in zip(CACHE_COLUMNS, values, strict=True)
    }
