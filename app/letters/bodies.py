"""Each letter kind's own context fields and builder (RULES §7).

The receipt lives here; the other kinds live in the `bodies_*` modules imported at the end,
grouped by what they hold, so importing this module registers every builder.
"""

from __future__ import annotations

from datetime import date

from app.letters.bodies_common import citations
from app.letters.builders import REGULATION, builder, common
from app.letters.context import LetterContext, LetterSource
from app.letters.kinds import LetterKind

# --- receipt 登记回执 ------------------------------------------------------------------------


class ReceiptContext(LetterContext):
    reply_due: date | None
    reply_due_provisional: bool
    reply_working_days: int


@builder(LetterKind.receipt)
def receipt(src: LetterSource) -> ReceiptContext:
    due = src.deadlines.get("reply")
    return ReceiptContext(
        # Art. 31: the receipt date; Art. 33 para 2: the 20 working days to reply.
        **common(
            src, legal_basis=citations(f"{REGULATION}第三十一条", f"{REGULATION}第三十三条第二款")
        ),
        reply_due=due.due_date if due else None,
        reply_due_provisional=due.provisional if due else False,
        reply_working_days=due.working_days if due else 20,
    )


# Registering the other kinds' builders.
from app.letters import (  # noqa: E402
    bodies_fee,
    bodies_notices,
    bodies_parties,
    bodies_record_correction,
    bodies_reply,
    bodies_service,
)

__all__ = [
    "ReceiptContext",
    "bodies_fee",
    "bodies_notices",
    "bodies_parties",
    "bodies_record_correction",
    "bodies_reply",
    "bodies_service",
    "receipt",
]
