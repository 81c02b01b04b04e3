"""What a case's remedy windows depend on (RULES §4, §5): the remedy clause of the decision the
applicant was served — decided by `app.outcomes.reply_remedy` from the issued reply's outcome,
items and withheld parts, as the letter itself is — and the applicant's receipt of a
reconsideration decision. Every view of the deadlines (case detail, applicant view, ledger
export) reads them here, so they all say what the letter says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.deadline.ledger import RemedyFacts
from app.outcomes import Remedy, reply_remedy
from app.remedies import repository


def _codes(rows: object, key: str) -> list[object]:
    if not isinstance(rows, list):
        return []
    return [row.get(key) for row in rows if isinstance(row, dict)]


def clause_of(outcome: str | None, reply: Mapping[str, Any] | None) -> Remedy:
    """The remedy clause of a case that ended with `outcome`, given its issued reply's fields
    (None for a closure, which has no reply); none while the case has no outcome."""
    if outcome is None:
        return Remedy.none
    if reply is None or reply.get("outcome") != outcome:
        return reply_remedy(outcome)
    # The letter prints withheld parts only for a partial disclosure (bodies_reply._USED_BY).
    grounds = _codes(reply.get("withheld_parts"), "ground")
    return reply_remedy(
        outcome,
        _codes(reply.get("item_outcomes"), "outcome"),
        grounds if outcome == "partially_disclosed" else (),
    )


def remedy_facts_of(
    session: Session, cases: Iterable[tuple[int, str | None]]
) -> dict[int, RemedyFacts]:
    """RemedyFacts for each (case id, outcome), two queries for all of them."""
    outcomes = dict(cases)
    ids = list(outcomes)
    if not ids:
        return {}
    replies = repository.reply_fields_of(session, ids)
    received = repository.decisions_received_of(session, ids)
    return {
        case_id: RemedyFacts(clause_of(outcome, replies.get(case_id)), received.get(case_id))
        for case_id, outcome in outcomes.items()
    }


def remedy_facts(session: Session, case_id: int, outcome: str | None) -> RemedyFacts:
    """RemedyFacts of one case."""
    return remedy_facts_of(session, [(case_id, outcome)])[case_id]
