"""Tests for app.fees: the two worked examples, every band boundary, positions carried over
from earlier in the month, the tier arithmetic, and validation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app.fees
from app.fees import (
    MAX_QUANTITY,
    FeeCalculation,
    Tier,
    calculate,
    per_piece,
    per_volume,
)
from app.vocabulary import DeliveryForm, DeliveryMethod

YUAN = 100  # fen

# --- an independent oracle: the price of one position, written from the rules' text ----------


def piece_price(position: int) -> int:
    """Per piece: 1–10 free, 11–30 100 yuan, then +100 yuan per further band of 10."""
    if position <= 10:
        return 0
    if position <= 30:
        return 100 * YUAN
    return (200 + 100 * ((position - 31) // 10)) * YUAN


def page_price(position: int) -> int:
    if position <= 30:
        return 0
    if position <= 100:
        return 10 * YUAN
    if position <= 200:
        return 20 * YUAN
    return 40 * YUAN


def month_total(n: int) -> int:
    """Closed form of the per-piece cost of positions 1 … n, for sizes too big to brute-force."""
    if n <= 10:
        return 0
    if n <= 30:
        return (n - 10) * 100 * YUAN
    full, rest = divmod(n - 30, 10)
    # band k (k = 1 … full) costs 10 pieces × (k + 1) × 100 yuan
    return (
        20 * 100 * YUAN
        + 10 * 100 * YUAN * (full * (full + 1) // 2 + full)
        + rest * (full + 2) * 100 * YUAN
    )


def shape(calc: FeeCalculation) -> list[tuple[str, int, int]]:
    return [(t.label, t.count, t.unit_fen) for t in calc.tiers]


def check_invariants(calc: FeeCalculation) -> None:
    assert calc.tiers
    assert sum(t.count for t in calc.tiers) == calc.quantity
    assert sum(t.subtotal_fen for t in calc.tiers) == calc.amount_fen
    assert calc.tiers[0].first == calc.earlier_in_month + 1
    assert calc.tiers[-1].last == calc.earlier_in_month + calc.quantity
    for t in calc.tiers:
        assert t.count > 0
        assert t.count == t.last - t.first + 1
        assert t.subtotal_fen == t.count * t.unit_fen
        assert t.label.endswith("（免费）") == (t.unit_fen == 0)
    for before, after in zip(calc.tiers, calc.tiers[1:], strict=False):
        assert after.first == before.last + 1
        assert after.unit_fen > before.unit_fen  # one tier per band, bands strictly dearer


# --- the worked examples -------------------------------------------------------------------


def test_forty_five_pieces_cost_5500_yuan() -> None:
    calc = per_piece(45)
    assert calc.amount_fen == 550000
    assert calc.method == "per_piece"
    assert calc.quantity == 45
    assert calc.earlier_in_month == 0
    assert calc.tiers == (
        Tier("第1–10件（免费）", 1, 10, 10, 0, 0),
        Tier("第11–30件", 11, 30, 20, 10000, 200000),
        Tier("第31–40件", 31, 40, 10, 20000, 200000),
        Tier("第41–45件", 41, 45, 5, 30000, 150000),
    )


def test_2219_pages_cost_83460_yuan() -> None:
    calc = per_volume(2219)
    assert calc.amount_fen == 8346000
    assert calc.method == "per_volume"
    assert calc.quantity == 2219
    assert calc.earlier_in_month == 0
    assert calc.tiers == (
        Tier("第1–30页（免费）", 1, 30, 30, 0, 0),
        Tier("第31–100页", 31, 100, 70, 1000, 70000),
        Tier("第101–200页", 101, 200, 100, 2000, 200000),
        Tier("第201–2219页", 201, 2219, 2019, 4000, 8076000),
    )


# --- every boundary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pieces", "fen"),
    [
        (1, 0),
        (10, 0),
        (11, 10000),
        (30, 200000),
        (31, 220000),
        (40, 400000),
        (41, 430000),
        (50, 700000),
        (51, 740000),
        (60, 1100000),
        (61, 1150000),
    ],
)
def test_per_piece_amount_at_each_band_boundary(pieces: int, fen: int) -> None:
    assert per_piece(pieces).amount_fen == fen


@pytest.mark.parametrize(
    ("pages", "fen"),
    [
        (1, 0),
        (30, 0),
        (31, 1000),
        (100, 70000),
        (101, 72000),
        (200, 270000),
        (201, 274000),
    ],
)
def test_per_volume_amount_at_each_band_boundary(pages: int, fen: int) -> None:
    assert per_volume(pages).amount_fen == fen


def test_ten_pieces_are_one_free_tier() -> None:
    assert shape(per_piece(10)) == [("第1–10件（免费）", 10, 0)]


def test_eleventh_piece_opens_the_100_yuan_tier() -> None:
    assert shape(per_piece(11)) == [("第1–10件（免费）", 10, 0), ("第11件", 1, 10000)]


def test_31st_and_41st_pieces_open_new_tiers() -> None:
    assert shape(per_piece(31))[-1] == ("第31件", 1, 20000)
    assert shape(per_piece(40))[-1] == ("第31–40件", 10, 20000)
    assert shape(per_piece(41))[-1] == ("第41件", 1, 30000)
    assert shape(per_piece(51))[-1] == ("第51件", 1, 40000)


def test_page_tiers_at_their_boundaries() -> None:
    assert shape(per_volume(30)) == [("第1–30页（免费）", 30, 0)]
    assert shape(per_volume(31)) == [("第1–30页（免费）", 30, 0), ("第31页", 1, 1000)]
    assert shape(per_volume(101))[-1] == ("第101页", 1, 2000)
    assert shape(per_volume(201))[-1] == ("第201页", 1, 4000)


# --- positions carried over from earlier in the month -----------------------------------------


def test_earlier_pieces_shift_this_applications_positions() -> None:
    calc = per_piece(5, earlier_in_month=8)
    assert calc.amount_fen == 30000
    assert calc.earlier_in_month == 8
    assert calc.quantity == 5
    assert calc.tiers == (
        Tier("第9–10件（免费）", 9, 10, 2, 0, 0),
        Tier("第11–13件", 11, 13, 3, 10000, 30000),
    )


def test_free_tier_left_out_when_the_month_has_used_it() -> None:
    calc = per_piece(3, earlier_in_month=10)
    assert shape(calc) == [("第11–13件", 3, 10000)]
    assert calc.amount_fen == 30000


def test_charge_straddling_several_bands() -> None:
    calc = per_piece(30, earlier_in_month=25)  # positions 26 … 55
    assert shape(calc) == [
        ("第26–30件", 5, 10000),
        ("第31–40件", 10, 20000),
        ("第41–50件", 10, 30000),
        ("第51–55件", 5, 40000),
    ]
    assert calc.amount_fen == (5 * 100 + 10 * 200 + 10 * 300 + 5 * 400) * YUAN


def test_charge_inside_one_late_band() -> None:
    calc = per_piece(2, earlier_in_month=1003)  # positions 1004, 1005: band 1001–1010
    assert shape(calc) == [("第1004–1005件", 2, (200 + 100 * 97) * YUAN)]


def test_maximum_quantity_computes_one_tier_per_band() -> None:
    calc = per_piece(MAX_QUANTITY, earlier_in_month=MAX_QUANTITY)
    assert calc.amount_fen == month_total(2 * MAX_QUANTITY) - month_total(MAX_QUANTITY)
    assert len(calc.tiers) == MAX_QUANTITY // 10
    assert per_piece(MAX_QUANTITY).amount_fen == month_total(MAX_QUANTITY)
    assert per_volume(MAX_QUANTITY).amount_fen == 270000 + (MAX_QUANTITY - 200) * 4000
    assert len(per_volume(MAX_QUANTITY).tiers) == 4


# --- properties ---------------------------------------------------------------------------

counts = st.integers(min_value=1, max_value=MAX_QUANTITY)
small = st.integers(min_value=1, max_value=400)


medium = st.integers(min_value=1, max_value=20_000)


@given(a=medium, b=medium)
def test_month_split_into_applications_costs_the_same_as_at_once(a: int, b: int) -> None:
    assert (
        per_piece(a, earlier_in_month=b).amount_fen + per_piece(b).amount_fen
        == per_piece(a + b).amount_fen
    )


@given(a=st.integers(min_value=1, max_value=3000), b=st.integers(0, MAX_QUANTITY))
def test_far_positions_cost_what_the_closed_form_says(a: int, b: int) -> None:
    assert per_piece(a, earlier_in_month=b).amount_fen == month_total(a + b) - month_total(b)


@given(n=medium)
def test_closed_form_oracle_agrees_with_per_piece(n: int) -> None:
    assert per_piece(n).amount_fen == month_total(n)


@given(a=small, b=st.integers(min_value=0, max_value=400))
def test_per_piece_matches_the_per_position_prices(a: int, b: int) -> None:
    expected = sum(piece_price(p) for p in range(b + 1, b + a + 1))
    assert per_piece(a, earlier_in_month=b).amount_fen == expected


@given(n=st.integers(min_value=1, max_value=3000))
def test_per_volume_matches_the_per_page_prices(n: int) -> None:
    assert per_volume(n).amount_fen == sum(page_price(p) for p in range(1, n + 1))


@given(a=counts, b=st.integers(min_value=0, max_value=MAX_QUANTITY))
def test_per_piece_tiers_add_up_and_are_contiguous(a: int, b: int) -> None:
    # Large positions make many tiers; keep the walk bounded while still reaching far bands.
    calc = per_piece(min(a, 5000), earlier_in_month=b)
    check_invariants(calc)


@given(n=counts)
def test_per_volume_tiers_add_up_and_are_contiguous(n: int) -> None:
    check_invariants(per_volume(n))


@given(n=st.integers(min_value=1, max_value=MAX_QUANTITY - 1), b=st.integers(0, 10_000))
def test_amounts_never_decrease_with_quantity(n: int, b: int) -> None:
    assert per_volume(n).amount_fen <= per_volume(n + 1).amount_fen
    assert month_total(n) <= month_total(n + 1)
    if n < 5000:
        assert per_piece(n).amount_fen <= per_piece(n + 1).amount_fen
        assert (
            per_piece(n, earlier_in_month=b).amount_fen
            <= per_piece(n + 1, earlier_in_month=b).amount_fen
        )


@given(n=counts, b=st.integers(min_value=0, max_value=MAX_QUANTITY))
def test_calculate_dispatches_by_method(n: int, b: int) -> None:
    assert calculate("per_volume", n) == per_volume(n)
    m = min(n, 2000)
    assert calculate("per_piece", m, earlier_in_month=b) == per_piece(m, earlier_in_month=b)


# --- validation --------------------------------------------------------------------------------

bad_quantities = [0, -1, True, False, MAX_QUANTITY + 1, 1.0, "3", None]


@pytest.mark.parametrize("quantity", bad_quantities)
def test_per_piece_refuses_bad_quantities(quantity: object) -> None:
    with pytest.raises(ValueError, match="quantity must be an integer from 1 to 1000000"):
        per_piece(quantity)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", bad_quantities)
def test_per_volume_refuses_bad_quantities(quantity: object) -> None:
    with pytest.raises(ValueError, match="收费数量须为 1–1000000 的整数"):
        per_volume(quantity)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", bad_quantities)
def test_calculate_refuses_bad_quantities(quantity: object) -> None:
    for method in ("per_piece", "per_volume"):
        with pytest.raises(ValueError, match="quantity must be"):
            calculate(method, quantity)  # type: ignore[arg-type]


@pytest.mark.parametrize("earlier", [-1, True, MAX_QUANTITY + 1, 2.0, None])
def test_per_piece_refuses_bad_earlier_counts(earlier: object) -> None:
    with pytest.raises(ValueError, match="earlier_in_month must be an integer from 0 to 1000000"):
        per_piece(1, earlier_in_month=earlier)  # type: ignore[arg-type]


def test_maximum_quantities_are_accepted() -> None:
    assert per_piece(1, earlier_in_month=MAX_QUANTITY).quantity == 1
    assert per_volume(MAX_QUANTITY).quantity == MAX_QUANTITY


@pytest.mark.parametrize("method", ["", "per_page", "PER_PIECE", "按件", "both"])
def test_calculate_refuses_unknown_methods(method: str) -> None:
    with pytest.raises(ValueError, match="method must be per_piece or per_volume"):
        calculate(method, 5)


def test_pages_do_not_carry_over_between_applications() -> None:
    with pytest.raises(ValueError, match="per_piece only"):
        calculate("per_volume", 5, earlier_in_month=3)
    assert calculate("per_volume", 5, earlier_in_month=0) == per_volume(5)


# --- the letter's view, and purity ------------------------------------------------------------


def test_letter_tiers_shape() -> None:
    rows = per_piece(45).letter_tiers()
    assert rows == [
        {"label": "第1–10件（免费）", "count": 10, "unit_fen": 0, "subtotal_fen": 0},
        {"label": "第11–30件", "count": 20, "unit_fen": 10000, "subtotal_fen": 200000},
        {"label": "第31–40件", "count": 10, "unit_fen": 20000, "subtotal_fen": 200000},
        {"label": "第41–45件", "count": 5, "unit_fen": 30000, "subtotal_fen": 150000},
    ]
    assert all(list(row) == ["label", "count", "unit_fen", "subtotal_fen"] for row in rows)


def test_calculation_is_immutable() -> None:
    calc = per_volume(50)
    with pytest.raises(AttributeError):
        calc.amount_fen = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        calc.tiers[0].count = 0  # type: ignore[misc]


def test_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(app.fees.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses", "typing"}


# --- which deliveries may be charged per volume (109号 Art. 5) --------------------------------

PER_VOLUME_OK = {
    ("paper", "pickup"),
    ("paper", "post"),
    ("paper", "email"),
    ("paper", "online"),
    ("electronic", "email"),
    ("electronic", "pickup"),  # data copied onto a medium and collected
    ("electronic", "post"),  # ... or posted
}


@pytest.mark.parametrize("form", [f.value for f in DeliveryForm])
@pytest.mark.parametrize("method", [m.value for m in DeliveryMethod])
def test_per_volume_only_for_paper_copies_email_or_copied_data(form: str, method: str) -> None:
    assert app.fees.per_volume_allowed(form, method) is ((form, method) in PER_VOLUME_OK)


def test_an_unknown_delivery_form_is_never_charged_per_volume() -> None:
    assert app.fees.per_volume_allowed("carrier_pigeon", "post") is False
