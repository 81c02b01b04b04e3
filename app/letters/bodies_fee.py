"""The fee notice (收费通知书, Art. 42 and 国办函〔2020〕109号, RULES §6).

The service computes the tiers; the letter checks that its own arithmetic adds up, because a
notice demanding money must show a calculation the applicant can verify.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from app.letters.bodies_common import Due, Line, Text, citations, due, field_error, raise_all
from app.letters.builders import REGULATION, Params, builder, common, params, remedy
from app.letters.context import Frozen, LetterContext, LetterSource
from app.letters.kinds import LetterKind
from app.outcomes import OUTCOMES, Remedy

FEE_MEASURES = OUTCOMES["other.fee_unpaid"].basis
FeeMethod = Literal["per_piece", "per_volume"]
METHOD_LABELS = {"per_piece": "按件计收", "per_volume": "按量计收"}
METHOD_UNITS = {"per_piece": "件", "per_volume": "页"}
# 109号: the applicant pays within 20 working days from the day after receiving the notice.
PAYMENT_PERIOD_WD = 20


class FeeTier(Frozen):
    # The service may send more about a tier (its range); the letter keeps what it prints.
    model_config = ConfigDict(frozen=True, extra="ignore")

    label: Line
    count: Annotated[int, Field(ge=0)]
    unit_fen: Annotated[int, Field(ge=0)]
    subtotal_fen: Annotated[int, Field(ge=0)]


class FeeParams(Params):
    method: FeeMethod
    quantity: Annotated[int, Field(ge=1)]
    # Per piece: the pieces of the applicant's earlier applications this month (RULES §6).
    earlier_in_month: Annotated[int, Field(ge=0)] = 0
    tiers: Annotated[list[FeeTier], Field(min_length=1, max_length=100)]
    amount_fen: Annotated[int, Field(ge=1)]
    payment: Text
    basis: Line | None = None


class FeeNoticeContext(LetterContext):
    method: str
    method_label: str
    unit: str
    quantity: int
    earlier_in_month: int
    tiers: tuple[FeeTier, ...]
    amount_fen: int
    payment: str
    payment_period_wd: int
    fee_due: Due | None


def check_arithmetic(p: FeeParams) -> None:
    """Each subtotal is count × unit price and the subtotals add up to the amount (422)."""
    errors = [
        field_error(
            ("tiers", i, "subtotal_fen"),
            f"小计应为 {t.count} × {t.unit_fen} = {t.count * t.unit_fen} 分 / "
            "subtotal must be count × unit price",
        )
        for i, t in enumerate(p.tiers)
        if t.subtotal_fen != t.count * t.unit_fen
    ]
    total = sum(t.subtotal_fen for t in p.tiers)
    if total != p.amount_fen:
        errors.append(
            field_error(
                "amount_fen",
                f"收费金额应等于各档小计之和 {total} 分 / amount must equal the sum of the subtotals",
            )
        )
    raise_all(errors)


@builder(LetterKind.fee_notice)
def fee_notice(src: LetterSource) -> FeeNoticeContext:
    p = params(FeeParams, src)
    check_arithmetic(p)
    bases = (f"{REGULATION}第四十二条", FEE_MEASURES, *((p.basis,) if p.basis else ()))
    return FeeNoticeContext(
        **common(
            src,
            legal_basis=citations(*bases),
            remedy_clause=remedy(src, Remedy.either, letter="本通知书"),
        ),
        method=p.method,
        method_label=METHOD_LABELS[p.method],
        unit=METHOD_UNITS[p.method],
        quantity=p.quantity,
        earlier_in_month=p.earlier_in_month if p.method == "per_piece" else 0,
        tiers=tuple(p.tiers),
        amount_fen=p.amount_fen,
        payment=p.payment,
        payment_period_wd=PAYMENT_PERIOD_WD,
        fee_due=due(src, "fee"),
    )
