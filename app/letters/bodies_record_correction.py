"""更正申请答复书 (Art. 41): the answer to a request to correct records about oneself (pure).

Corrected: what was corrected. Refused: the reasons, required. Forwarded: the organ that has
the power to correct, named, required. The remedy clause is "either" for every outcome.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from app.letters.bodies_common import Line, Text, citations
from app.letters.builders import REGULATION, Params, builder, common, params, remedy
from app.letters.context import LetterContext, LetterSource
from app.letters.kinds import LetterKind
from app.outcomes import Remedy

# The organ's own basis for a correction; a forward names the organ with the power (Art. 41).
ART41 = f"{REGULATION}第四十一条"
_REQUIRED = {"corrected": "correction", "refused": "reasons", "forwarded": "forwarded_to"}


class RecordCorrectionParams(Params):
    outcome: Literal["corrected", "refused", "forwarded"]
    correction: Text | None = None
    reasons: Text | None = None
    forwarded_to: Line | None = None
    forwarded_contact: Line | None = None

    @model_validator(mode="after")
    def _needs(self) -> RecordCorrectionParams:
        name = _REQUIRED[self.outcome]
        if getattr(self, name) is None:
            raise ValueError(f"{name} 必填 / {name} is required when the outcome is {self.outcome}")
        return self


class RecordCorrectionReplyContext(LetterContext):
    outcome: str
    correction: str | None
    reasons: str | None
    forwarded_to: str | None
    forwarded_contact: str | None


@builder(LetterKind.record_correction_reply)
def record_correction_reply(src: LetterSource) -> RecordCorrectionReplyContext:
    p = params(RecordCorrectionParams, src)
    return RecordCorrectionReplyContext(
        **common(
            src,
            legal_basis=citations(ART41),
            remedy_clause=remedy(src, Remedy.either, letter="本答复书"),
        ),
        outcome=p.outcome,
        correction=p.correction,
        reasons=p.reasons,
        forwarded_to=p.forwarded_to,
        forwarded_contact=p.forwarded_contact,
    )
