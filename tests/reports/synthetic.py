"""Synthetic case rows for counting tests and the report benchmark: inserted straight into the
tables (no workflow), with receipt and conclusion dates spread across year boundaries, every
category and every outcome. Only what the annual report counts by is realistic here."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.models import Case, RemedyRecord
from app.outcomes import OUTCOMES
from app.vocabulary import ApplicantCategory

CATEGORIES = [c.value for c in ApplicantCategory]
# Natural persons file most applications, as in published reports.
CATEGORY_WEIGHTS = [70, 15, 2, 3, 6, 4]
OUTCOME_CODES = list(OUTCOMES)
REMEDY_KINDS = ["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
REMEDY_RESULTS = ["upheld", "corrected", "other", "pending"]


def case_row(rng: random.Random, organ_id: int, seq: int, first: date, days: int) -> dict[str, Any]:
    """One case received within `days` days of `first`; 85% concluded within 0–60 days, the
    rest open; 2% never had their receipt confirmed (withdrawn, or still awaiting it)."""
    received: date | None = first + timedelta(days=rng.randrange(days))
    assert received is not None
    arrived = datetime(received.year, received.month, received.day, 2, tzinfo=UTC)
    concluded: date | None = None
    outcome: str | None = None
    state = "received"
    if rng.random() < 0.85:
        concluded = received + timedelta(days=rng.randrange(61))
        outcome = rng.choice(OUTCOME_CODES)
        state = "withdrawn" if outcome == "other.other" and rng.random() < 0.5 else "served"
    if rng.random() < 0.02:
        received = None
        state = "withdrawn" if concluded else "awaiting_confirmation"
    return {
        "organ_id": organ_id,
        "number": f"B{organ_id}-{seq:08d}",
        "year": arrived.year,
        "seq": seq,
        "state": state,
        "version": 1,
        "source": "portal",
        "channel": "online",
        "arrived_at": arrived,
        "receipt_date": received,
        "filled_by_staff": False,
        "applicant_category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
        "applicant_name": "张三",
        "applicant_id_type": "resident_id",
        "applicant_id_number": f"1101011990{seq % 10**8:08d}",
        "applicant_phone": "13800000000",
        "delivery_form": "electronic",
        "delivery_method": "email",
        "e_service_consent": True,
        "query_code_hash": "0" * 64,
        "reply_due_provisional": False,
        "legal_involved": False,
        "outcome": outcome,
        "concluded_on": concluded,
        "created_at": arrived,
        "updated_at": arrived,
    }


def remedy_row(rng: random.Random, case_id: int, filed: date) -> dict[str, Any]:
    result = rng.choice(REMEDY_RESULTS)
    return {
        "case_id": case_id,
        "kind": rng.choice(REMEDY_KINDS),
        "body": "示例区人民政府",
        "filed_on": filed,
        "result": result,
        "result_on": None if result == "pending" else filed + timedelta(days=rng.randrange(200)),
        "created_by": "bench",
        "created_at": datetime(filed.year, filed.month, filed.day, tzinfo=UTC),
        "updated_at": datetime(filed.year, filed.month, filed.day, tzinfo=UTC),
    }


def chunks(n: int, size: int) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def insert_cases(
    session: Session,
    organ_id: int,
    n: int,
    *,
    first: date,
    days: int,
    seed: int = 1,
    remedy_share: float = 0.03,
    batch: int = 5000,
) -> None:
    """Insert n synthetic cases (and a few remedy records) in batches."""
    rng = random.Random(seed)
    for part in chunks(n, batch):
        rows = [case_row(rng, organ_id, seq + 1, first, days) for seq in part]
        ids = session.execute(insert(Case).returning(Case.id), rows).scalars().all()
        remedies = [
            remedy_row(rng, case_id, row["concluded_on"] + timedelta(days=rng.randrange(1, 90)))
            for case_id, row in zip(ids, rows, strict=True)
            if row["concluded_on"] is not None and rng.random() < remedy_share
        ]
        if remedies:
            session.execute(insert(RemedyRecord), remedies)
