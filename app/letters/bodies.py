"""Each letter kind's own context fields and builder (RULES §7)."""

from __future__ import annotations

from datetime import date

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
        **common(src, legal_basis=(f"{REGULATION}第三十一条", f"{REGULATION}第三十三条第一款")),
        reply_due=due.due_date if due else None,
        reply_due_provisional=due.provisional if due else False,
        reply_working_days=due.working_days if due else 20,
    )
