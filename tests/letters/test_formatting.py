"""Dates, amounts and counts as the letters print them (app/letters/formatting.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.letters.formatting import BLANK_DATE, cn_count, cn_date, cn_datetime, yuan, yuan_capital

_DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def parse_capital(text: str) -> int:
    """Capital numerals back to fen: an independent reading of what yuan_capital writes."""
    assert text.startswith("人民币")
    body = text.removeprefix("人民币").removesuffix("整")
    whole_text, _, cents_text = body.rpartition("元") if "元" in body else ("", "", body)
    total = section = number = 0
    for ch in whole_text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _SMALL:
            section += number * _SMALL[ch]
            number = 0
        elif ch == "万":
            section = (section + number) * 10**4
            number = 0
        elif ch == "亿":
            total += (section + number) * 10**8
            section = number = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    fen = (total + section + number) * 100
    digit = 0
    for ch in cents_text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "角":
            fen += digit * 10
        elif ch == "分":
            fen += digit
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    return fen


def test_dates_are_written_in_arabic_numerals_without_leading_zeros() -> None:
    assert cn_date(date(2026, 3, 20)) == "2026年3月20日"
    assert cn_date(date(2026, 10, 1)) == "2026年10月1日"
    assert cn_date(datetime(2026, 1, 5, 23, 59)) == "2026年1月5日"


def test_a_missing_date_is_a_blank_that_keeps_its_width_in_html() -> None:
    assert cn_date(None) == BLANK_DATE
    assert " " not in BLANK_DATE  # ASCII spaces would collapse to one in HTML
    assert BLANK_DATE.replace("\u3000", "") == "年月日"
    assert cn_date(None, blank="待确认") == "待确认"


def test_datetime_has_hour_and_two_digit_minutes() -> None:
    assert cn_datetime(datetime(2026, 3, 20, 14, 5)) == "2026年3月20日 14时05分"
    assert cn_datetime(datetime(2026, 3, 20, 9, 30)) == "2026年3月20日 9时30分"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00元"),
        (1, "0.01元"),
        (99, "0.99元"),
        (100, "1.00元"),
        (550000, "5,500.00元"),
        (8346000, "83,460.00元"),
        (123456789, "1,234,567.89元"),
        (-250, "-2.50元"),
    ],
)
def test_yuan_has_thousands_separators_and_two_decimals(fen: int, text: str) -> None:
    assert yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "人民币零元整"),
        (5, "人民币伍分"),
        (50, "人民币伍角"),
        (100, "人民币壹元整"),
        (105, "人民币壹元零伍分"),
        (1050, "人民币壹拾元伍角"),
        (1000, "人民币壹拾元整"),
        (100100, "人民币壹仟零壹元整"),
        (101000, "人民币壹仟零壹拾元整"),
        # RULES §6: 45 pieces cost 5,500 yuan; 2,219 pages cost 83,460 yuan.
        (550000, "人民币伍仟伍佰元整"),
        (550005, "人民币伍仟伍佰元零伍分"),
        (8346000, "人民币捌万叁仟肆佰陆拾元整"),
        (10000500, "人民币壹拾万零伍元整"),
        (10000000500, "人民币壹亿零伍元整"),
        (100010000000, "人民币壹拾亿零壹拾万元整"),
        (11000000000, "人民币壹亿壹仟万元整"),
        (500030000000000, "人民币伍万零叁亿元整"),
    ],
)
def test_yuan_capital_writes_financial_capitals(fen: int, text: str) -> None:
    assert yuan_capital(fen) == text


@given(st.integers(min_value=0, max_value=10**16))
def test_yuan_capital_reads_back_as_the_same_amount(fen: int) -> None:
    text = yuan_capital(fen)
    assert parse_capital(text) == fen
    assert "零零" not in text
    assert text.endswith("整") == (fen % 100 == 0)


def test_yuan_capital_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError, match="negative"):
        yuan_capital(-1)


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "零"), (1, "一"), (9, "九"), (10, "十"), (15, "十五"), (20, "二十"), (21, "二十一")],
)
def test_cn_count_writes_small_counts_in_chinese(n: int, text: str) -> None:
    assert cn_count(n) == text


@pytest.mark.parametrize("n", [100, 1000, -1])
def test_cn_count_keeps_larger_or_negative_counts_in_arabic(n: int) -> None:
    assert cn_count(n) == str(n)
