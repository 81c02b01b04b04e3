"""Dates, amounts and numbers as Chinese official documents write them (pure).

GB/T 9704 and RULES §7: dates in Arabic numerals without leading zeros (2026年3月20日);
amounts in yuan with two decimals, and in capital numerals (大写) where money is demanded.
"""

from __future__ import annotations

from datetime import date, datetime

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_CN_NUM = "〇一二三四五六七八九"


# Ideographic spaces: HTML collapses ASCII ones, and the blank must keep its width to write in.
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def cn_date(d: date | datetime | None, *, blank: str = BLANK_DATE) -> str:
    """2026年3月20日; a blank form date when None (for a signature line)."""
    if d is None:
        return blank
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(dt: datetime) -> str:
    """2026年3月20日 14时05分."""
    return f"{cn_date(dt)} {dt.hour}时{dt.minute:02d}分"


def yuan(fen: int) -> str:
    """An amount in fen as yuan: 5,500.00元."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}元"


def _four_digits(n: int) -> str:
    """Capital numerals for 0 < n < 10000, with inner zeros as 零."""
    out = ""
    zero = False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL_UNITS[i]
    return out


def _integer(n: int) -> str:
    """Capital numerals for n > 0: 亿 over 万 over four-digit groups, one 零 for each run of
    zeros between non-zero digits (伍万零叁亿, 壹拾万零伍)."""
    for unit, size in (("亿", 10**8), ("万", 10**4)):
        if n >= size:
            high, low = divmod(n, size)
            if not low:
                return _integer(high) + unit
            gap = "零" if low < size // 10 else ""
            return _integer(high) + unit + gap + _integer(low)
    return _four_digits(n)


def yuan_capital(fen: int) -> str:
    """An amount in capital numerals as on Chinese financial documents: 人民币伍仟伍佰元整."""
    if fen < 0:
        raise ValueError("amount must not be negative")
    whole, cents = divmod(fen, 100)
    jiao, fen_ = divmod(cents, 10)
    text = _integer(whole) + "元" if whole else ""
    if jiao == 0 and fen_ == 0:
        return f"人民币{text or '零元'}整"
    tail = ""
    if jiao:
        tail += _DIGITS[jiao] + "角"
    elif text and fen_:
        tail += "零"
    if fen_:
        tail += _DIGITS[fen_] + "分"
    return f"人民币{text}{tail}"


def cn_count(n: int) -> str:
    """Small counts in Chinese numerals as used in running text: 1 → 一, 15 → 十五, 20 → 二十."""
    if not 0 <= n < 100:
        return str(n)
    if n == 0:
        return "零"  # a count; 〇 is a digit (二〇二六年)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_NUM[ones]
    return ("" if tens == 1 else _CN_NUM[tens]) + "十" + (_CN_NUM[ones] if ones else "")
