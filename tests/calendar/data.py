"""A 2027 holiday notice for tests only.

TEST DATA, NOT OFFICIAL: the State Council had not published the 2027 arrangement when these
tests were written. The dates are invented in the usual shape of a notice (元旦 over a weekend
with no make-up day, a nine-day Spring Festival block with two make-up weekend days).
"""

from __future__ import annotations

from typing import Any

NOTICE_2027: dict[str, Any] = {
    "year": 2027,
    "reference": "测试数据〔2026〕1号（非官方）",
    "title": "TEST DATA 国务院办公厅关于2027年部分节假日安排的通知（测试用，非官方）",
    "published": "2026-11-05",
    "days_off": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-13"},
    ],
    "makeup_days": [
        {"date": "2027-01-31", "for": "春节"},
        {"date": "2027-02-20", "for": "春节"},
    ],
}

NOTICE_2027_YAML = """\
# TEST DATA, NOT OFFICIAL: invented 2027 arrangement for tests.
year: 2027
reference: 测试数据〔2026〕1号（非官方）
title: TEST DATA 国务院办公厅关于2027年部分节假日安排的通知（测试用，非官方）
published: 2026-11-05
days_off:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-13}
makeup_days:
  - {date: 2027-01-31, for: 春节}
  - {date: 2027-02-20, for: 春节}
"""


def notice_2027(**overrides: Any) -> dict[str, Any]:
    """The test notice with some top-level keys replaced."""
    return {**NOTICE_2027, **overrides}
