"""Letters to others than the applicant: consulting a third party (Art. 32) or another organ
(Art. 34), and telling a third party that information will be disclosed in the public interest.

They name the applicant only as 申请人: a third party learns what is asked, not who asks.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from app.letters.bodies_common import (
    Due,
    EarlierLetter,
    Line,
    Text,
    citations,
    party,
)
from app.letters.builders import REGULATION, Params, builder, common, params, remedy
from app.letters.context import LetterContext, LetterSource
from app.letters.kinds import LetterKind, kind_info
from app.outcomes import Remedy

# Arts. 32 and 34: the consulted party has 15 working days from receipt.
STATUTORY_OPINION_PERIOD_WD = 15


class PartyParams(Params):
    party: Line
    party_address: Line | None = None


# --- third_party_consultation 征求第三方意见书 / organ_consultation 征求意见函 -----------------


class ConsultationParams(PartyParams):
    question: Text
    reply_period_wd: Annotated[int, Field(ge=1, le=60)] = STATUTORY_OPINION_PERIOD_WD
    reply_due: date | None = None


class ConsultationContext(LetterContext):
    question: str
    reply_period_wd: int
    reply_due: Due | None


def _consultation(src: LetterSource, article: str) -> ConsultationContext:
    p = params(ConsultationParams, src)
    return ConsultationContext(
        **common(
            src,
            legal_basis=citations(f"{REGULATION}{article}"),
            addressee=party(p.party, p.party_address),
        ),
        question=p.question,
        reply_period_wd=p.reply_period_wd,
        # Counted from the party's receipt, so only a date the action gives can be printed.
        reply_due=Due(date=p.reply_due, provisional=False) if p.reply_due else None,
    )


@builder(LetterKind.third_party_consultation)
def third_party_consultation(src: LetterSource) -> ConsultationContext:
    return _consultation(src, "第三十二条")


@builder(LetterKind.organ_consultation)
def organ_consultation(src: LetterSource) -> ConsultationContext:
    return _consultation(src, "第三十四条")


# --- third_party_disclosure_notice 第三方告知书 (Arts. 15, 32) --------------------------------


class DisclosureNoticeParams(PartyParams):
    content: Text
    reasons: Text
    disclosure_on: date | None = None


class DisclosureNoticeContext(LetterContext):
    content: str
    reasons: str
    disclosure_on: date | None
    # The consultation letter that asked this party, when there was one.
    consultation: EarlierLetter | None


def _only_consultation(src: LetterSource) -> EarlierLetter | None:
    """The case's consultation letter to a third party when there was exactly one: with
    several, the source does not say which went to this party, so none is cited."""
    found = src.earlier.get(LetterKind.third_party_consultation.value, ())
    if len(found) != 1:
        return None
    number, on = found[0]
    return EarlierLetter(
        title=kind_info(LetterKind.third_party_consultation).title, number=number, date=on
    )


@builder(LetterKind.third_party_disclosure_notice)
def third_party_disclosure_notice(src: LetterSource) -> DisclosureNoticeContext:
    p = params(DisclosureNoticeParams, src)
    return DisclosureNoticeContext(
        **common(
            src,
            legal_basis=citations(f"{REGULATION}第十五条", f"{REGULATION}第三十二条"),
            remedy_clause=remedy(src, Remedy.either, letter="本告知书"),
            addressee=party(p.party, p.party_address),
        ),
        content=p.content,
        reasons=p.reasons,
        disclosure_on=p.disclosure_on,
        consultation=_only_consultation(src),
    )
