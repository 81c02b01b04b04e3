"""Information-processing fees (信息处理费, 国办函〔2020〕109号, RULES §6). Pure: stdlib only.

An organ charges by ONE method per application, never both:

* per piece (按件计收, ``per_piece``): counted per applicant per natural month (自然月).
  Pieces 1–10 of the month are free; pieces 11–30 cost 100 yuan each; from piece 31 each
  further band of 10 pieces costs 100 yuan more per piece than the band before
  (31–40: 200 yuan, 41–50: 300, 51–60: 400, ...). The bands are unbounded.
  Example: 45 pieces in a month → 20×100 + 10×200 + 5×300 = 5,500 yuan.
* per volume (按量计收, ``per_volume``), per application: pages 1–30 free; 31–100: 10 yuan a
  page; 101–200: 20 yuan a page; 201 and up: 40 yuan a page.
  Example: 2,219 pages → 70×10 + 100×20 + 2,019×40 = 83,460 yuan.

[interpretation] Per piece, this application's pieces are charged at their positions in the
month: if the applicant already had ``earlier_in_month`` pieces this month (from other
applications to the same organ), this application's N pieces occupy positions
earlier+1 … earlier+N. So the fees of the month's applications add up to the fee the month's
total would cost at once, and no piece is free or charged twice. Pages never carry over
between applications, so ``earlier_in_month`` is always 0 per volume.

Money is in fen (1 yuan = 100 fen), as ints. The tier tables are the constants below and
nowhere else; each tier of a calculation is labelled with the positions actually charged to
this application, so the letter shows arithmetic the applicant can check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

FeeMethod = Literal["per_piece", "per_volume"]
METHODS: Final[tuple[FeeMethod, ...]] = ("per_piece", "per_volume")

MAX_QUANTITY: Final = 1_000_000

# --- the tier tables (国办函〔2020〕109号) -------------------------------------------------
# A band is (first position, last position or None for "and up", price per unit in fen);
# prices are written yuan_fen, so 100_00 is 100 yuan.
Band = tuple[int, int | None, int]

# Per piece: the fixed bands of a natural month, then bands of PIECE_STEP_WIDTH pieces each
# costing PIECE_STEP_FEN more per piece than the band before (31–40: 200 yuan, 41–50: 300 …).
PIECE_BANDS: Final[tuple[Band, ...]] = (
    (1, 10, 0),
    (11, 30, 100_00),
)
PIECE_STEP_WIDTH: Final = 10
PIECE_STEP_FEN: Final = 100_00

# Per volume, per application; the last band is open.
VOLUME_BANDS: Final[tuple[Band, ...]] = (
    (1, 30, 0),
    (31, 100, 10_00),
    (101, 200, 20_00),
    (201, None, 40_00),
)

UNITS: Final[dict[FeeMethod, str]] = {"per_piece": "件", "per_volume": "页"}
RANGE_DASH: Final = "–"
FREE_MARK: Final = "（免费）"


@dataclass(frozen=True)
class Tier:
    """One band of the calculation, as far as this application's units fall in it."""

    label: str  # e.g. "第1–10件（免费）", "第11–13件", "第201–2219页"
    first: int  # first position charged in this tier (1-based)
    last: int  # last position charged in this tier
    count: int  # last - first + 1 (> 0)
    unit_fen: int  # price per piece or page in fen (0 in a free tier)
    subtotal_fen: int  # count * unit_fen


@dataclass(frozen=True)
class FeeCalculation:
    method: FeeMethod
    quantity: int  # this application's pieces or pages
    earlier_in_month: int  # per_piece only; 0 per volume
    tiers: tuple[Tier, ...]  # in order; only tiers with count > 0, a touched free tier included
    amount_fen: int  # sum of the subtotals

    def letter_tiers(self) -> list[dict[str, int | str]]:
        """The tiers as the fee notice's parameters take them."""
        return [
            {
                "label": t.label,
                "count": t.count,
                "unit_fen": t.unit_fen,
                "subtotal_fen": t.subtotal_fen,
            }
            for t in self.tiers
        ]


def _check_count(value: object, low: int, zh: str, en: str) -> int:
    """An int (not a bool) from low to MAX_QUANTITY, or a bilingual ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_QUANTITY:
        raise ValueError(
            f"{zh}须为 {low}–{MAX_QUANTITY} 的整数 / {en} must be an integer from {low} to "
            f"{MAX_QUANTITY}, got {value!r}"
        )
    return value


def _check_quantity(quantity: object) -> int:
    return _check_count(quantity, 1, "收费数量", "quantity")


def _check_earlier(earlier: object) -> int:
    return _check_count(earlier, 0, "本月此前已计件数", "earlier_in_month")


def _band(fixed: tuple[Band, ...], step_width: int, step_fen: int, index: int) -> Band:
    """The index-th band: a fixed one, or one generated past the fixed table."""
    if index < len(fixed):
        return fixed[index]
    end = fixed[-1][1]
    assert end is not None  # only a bounded table is continued
    k = index - len(fixed)  # 0 for the first generated band
    first = end + 1 + k * step_width
    return (first, first + step_width - 1, fixed[-1][2] + (k + 1) * step_fen)


def _band_index(fixed: tuple[Band, ...], step_width: int, position: int) -> int:
    """The index of the band holding a position, without walking the generated bands."""
    for i, (_, last, _) in enumerate(fixed):
        if last is None or position <= last:
            return i
    end = fixed[-1][1]
    assert end is not None
    return len(fixed) + (position - end - 1) // step_width


def _label(first: int, last: int, unit: str, unit_fen: int) -> str:
    span = f"第{first}{unit}" if first == last else f"第{first}{RANGE_DASH}{last}{unit}"
    return span + (FREE_MARK if unit_fen == 0 else "")


def _tiers(
    fixed: tuple[Band, ...], step_width: int, step_fen: int, lo: int, hi: int, unit: str
) -> tuple[Tier, ...]:
    """Positions lo … hi split by band: one step per band touched, never one per unit."""
    out: list[Tier] = []
    index = _band_index(fixed, step_width, lo)
    position = lo
    while position <= hi:
        _, band_last, unit_fen = _band(fixed, step_width, step_fen, index)
        last = hi if band_last is None else min(band_last, hi)
        count = last - position + 1
        out.append(
            Tier(
                _label(position, last, unit, unit_fen),
                position,
                last,
                count,
                unit_fen,
                count * unit_fen,
            )
        )
        position = last + 1
        index += 1
    return tuple(out)


def per_piece(pieces: int, *, earlier_in_month: int = 0) -> FeeCalculation:
    """按件计收: this application's pieces at positions earlier_in_month+1 … +pieces."""
    n = _check_quantity(pieces)
    earlier = _check_earlier(earlier_in_month)
    tiers = _tiers(
        PIECE_BANDS, PIECE_STEP_WIDTH, PIECE_STEP_FEN, earlier + 1, earlier + n, UNITS["per_piece"]
    )
    return FeeCalculation("per_piece", n, earlier, tiers, sum(t.subtotal_fen for t in tiers))


def per_volume(pages: int) -> FeeCalculation:
    """按量计收: this application's pages 1 … pages."""
    n = _check_quantity(pages)
    tiers = _tiers(VOLUME_BANDS, 1, 0, 1, n, UNITS["per_volume"])
    return FeeCalculation("per_volume", n, 0, tiers, sum(t.subtotal_fen for t in tiers))


def calculate(method: str, quantity: int, *, earlier_in_month: int = 0) -> FeeCalculation:
    """Either method by name; earlier_in_month is for per_piece only (must be 0 per volume)."""
    if method == "per_piece":
        return per_piece(quantity, earlier_in_month=earlier_in_month)
    if method == "per_volume":
        earlier = _check_earlier(earlier_in_month)
        if earlier != 0:
            raise ValueError(
                "按量计收不累计本月此前的页数 / earlier_in_month applies to per_piece only, "
                f"got {earlier} for per_volume"
            )
        return per_volume(quantity)
    raise ValueError(
        f"计费方式须为 per_piece 或 per_volume / method must be per_piece or per_volume, "
        f"got {method!r}"
    )


# 109号 Art. 5: per volume is charged only where the applicant asks for paper copies, for
# e-mail, or for copies of electronic data (on a medium, collected or posted). Inspection on
# site and online download leave nothing to charge per page. Forms and methods are the codes
# of app.vocabulary (DeliveryForm, DeliveryMethod).
PER_VOLUME_DELIVERY: Final[dict[str, frozenset[str] | None]] = {
    "paper": None,  # any way of getting paper copies
    "electronic": frozenset({"email", "pickup", "post"}),
}


def per_volume_allowed(delivery_form: str, delivery_method: str) -> bool:
    """Whether the delivery the application asks for may be charged per volume (109号 Art. 5)."""
    if delivery_form not in PER_VOLUME_DELIVERY:
        return False
    methods = PER_VOLUME_DELIVERY[delivery_form]
    return methods is None or delivery_method in methods
