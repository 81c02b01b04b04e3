"""Suggestions for the clerk drafting a reply: repeats (Art. 36(6)) and Art. 44 candidates.

Both are suggestions only: reading them changes nothing, and whether an application repeats an
earlier one, or information goes into proactive disclosure, stays the clerk's decision.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.cases.service import load_case
from app.models import Case
from app.runtime import Runtime
from app.suggestions import repository
from app.suggestions.proactive import (
    ART44_MIN_APPLICANTS,
    ART44_WINDOW_DAYS,
    art44_window,
    distinct_applicants,
)
from app.suggestions.repository import IssuedReply, PastCase
from app.suggestions.schemas import (
    Art44Case,
    Art44Group,
    EarlierReply,
    RepeatCandidate,
    SuggestionsRead,
)
from app.suggestions.similarity import (
    ART44_THRESHOLD,
    REPEAT_THRESHOLD,
    Item,
    Profile,
    best_match,
    best_per_item,
    profile,
)
from app.validation.masking import mask_name
from app.vocabulary import ApplicantCategory


def _items(past: PastCase) -> list[Item]:
    return [Item(i.description, i.document_number) for i in past.items]


def _earlier_reply(reply: IssuedReply | None) -> EarlierReply | None:
    if reply is None:
        return None
    outcome = (reply.context or {}).get("outcome")
    return EarlierReply(
        letter_id=reply.letter_id,
        number=reply.number,
        date=reply.letter_date,
        outcome=outcome if isinstance(outcome, str) else None,
    )


def _repeats(
    session: Session, rt: Runtime, case: Case, mine: list[Profile]
) -> list[RepeatCandidate]:
    earlier = repository.earlier_cases_of_applicant(
        session,
        organ_id=case.organ_id,
        id_number=case.applicant_id_number,
        case_id=case.id,
        arrived_at=case.arrived_at,
    )
    matches: list[tuple[PastCase, float, int, int]] = []
    for past in earlier:
        score, i, j = best_match(mine, _items(past))
        if i >= 0 and score >= REPEAT_THRESHOLD:
            matches.append((past, score, i, j))
    if not matches:
        return []
    replies = repository.issued_replies(session, case.organ_id, [m[0].id for m in matches])
    # Those with a reply to cite first, then the closest, then the most recent.
    matches.sort(
        key=lambda m: (m[0].id not in replies, -m[1], -m[0].arrived_at.timestamp(), -m[0].id)
    )
    return [
        RepeatCandidate(
            case_id=past.id,
            number=past.number,
            receipt_date=past.receipt_date,
            arrived_on=past.arrived_at.astimezone(rt.tz).date(),
            state=past.state,
            state_label=rt.workflow.label(past.state),
            score=round(score, 3),
            item_position=case.items[i].position,
            item=case.items[i].description,
            matched_position=past.items[j].position,
            matched_item=past.items[j].description,
            earlier_reply=_earlier_reply(replies.get(past.id)),
        )
        for past, score, i, j in matches
    ]


def _art44(session: Session, rt: Runtime, case: Case, mine: list[Profile]) -> list[Art44Group]:
    first_day, _ = art44_window(rt.clock().astimezone(rt.tz).date())
    # Arrived since the window's first day began, in Beijing; the organ-wide report
    # (proactive_service) counts the same days, by receipt date where there is one.
    since = datetime.combine(first_day, time.min, tzinfo=rt.tz)
    others = repository.recent_cases_of_others(
        session, organ_id=case.organ_id, id_number=case.applicant_id_number, since=since
    )
    # For each item of this case, the other applications asking for it: (case, score, their item).
    hits_by_item: list[list[tuple[PastCase, float, int]]] = [[] for _ in mine]
    for past in others:
        for hits, (score, j) in zip(hits_by_item, best_per_item(mine, _items(past)), strict=True):
            if j >= 0 and score >= ART44_THRESHOLD:
                hits.append((past, score, j))
    groups: list[Art44Group] = []
    for row, hits in zip(case.items, hits_by_item, strict=True):
        if not hits:
            continue
        hits.sort(key=lambda h: (-h[1], -h[0].arrived_at.timestamp(), -h[0].id))
        # The other applicants (this one's own applications are not among them), and this one.
        applicants = distinct_applicants(past.applicant_id_number for past, _, _ in hits) + 1
        groups.append(
            Art44Group(
                item_position=row.position,
                item=row.description,
                applicants=applicants,
                suggest=applicants >= ART44_MIN_APPLICANTS,
                cases=[
                    Art44Case(
                        case_id=past.id,
                        number=past.number,
                        arrived_on=past.arrived_at.astimezone(rt.tz).date(),
                        applicant_name=mask_name(
                            past.applicant_name,
                            is_person=past.applicant_category == ApplicantCategory.natural_person,
                        ),
                        score=round(score, 3),
                        matched_item=past.items[j].description,
                    )
                    for past, score, j in hits
                ],
            )
        )
    return groups


def suggestions(
    session: Session, rt: Runtime, principal: Principal, case_id: int, *, art44: bool = True
) -> SuggestionsRead:
    """Earlier applications of the same applicant, and others' applications for the same items
    (unless `art44` is false: comparing with up to 2,000 others' applications is the costly
    half, which the case page leaves to its own page)."""
    case = load_case(session, principal, case_id)
    mine = [profile(Item(i.description, i.document_number)) for i in case.items]
    return SuggestionsRead(
        case_id=case.id,
        repeat_threshold=REPEAT_THRESHOLD,
        art44_threshold=ART44_THRESHOLD,
        art44_window_days=ART44_WINDOW_DAYS,
        art44_min_applicants=ART44_MIN_APPLICANTS,
        repeat_candidates=_repeats(session, rt, case, mine),
        art44_groups=_art44(session, rt, case, mine) if art44 else [],
    )
