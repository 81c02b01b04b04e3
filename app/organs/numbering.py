"""Number patterns (pure): registration numbers such as `{code}依申〔{year}〕{seq:04d}号` and
letter (文书) numbers such as `{code}依申{mark}〔{year}〕{seq}号`, where {mark} is the letter
kind's short mark (补, 延, 答, ...)."""

from __future__ import annotations

from string import Formatter

ALLOWED_FIELDS = frozenset({"code", "year", "seq"})
LETTER_FIELDS = frozenset({"code", "year", "seq", "mark"})
DEFAULT_PATTERN = "{code}依申〔{year}〕{seq:04d}号"
DEFAULT_LETTER_PATTERN = "{code}依申{mark}〔{year}〕{seq}号"


def validate_letter_pattern(pattern: str) -> str:
    """Check a letter-number pattern: like a registration pattern, and {mark} may be used."""
    return validate_pattern(pattern, allowed=LETTER_FIELDS)


def validate_pattern(pattern: str, allowed: frozenset[str] = ALLOWED_FIELDS) -> str:
    """Check a pattern uses only {code}, {year}, {seq} (seq and year required) and formats."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValueError(f"编号格式无法解析 / the pattern cannot be parsed: {exc}") from exc
    unknown = fields - allowed
    if unknown or "" in fields:
        names = "、".join(f"{{{n}}}" for n in sorted(allowed))
        raise ValueError(
            f"编号格式只能使用 {names} / the pattern may only use {names}; "
            f"found {sorted(unknown or {''})}"
        )
    if not {"seq", "year"} <= fields:
        raise ValueError(
            "编号格式必须包含 {year} 和 {seq} / the pattern must contain {year} and {seq}, "
            "otherwise numbers repeat"
        )
    try:
        format_number(pattern, code="X", year=2026, seq=1, mark="答")
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"编号格式无效 / the pattern does not format: {exc}") from exc
    return pattern


def format_number(pattern: str, *, code: str, year: int, seq: int, mark: str = "") -> str:
    """The number for one sequence value."""
    return pattern.format(code=code, year=year, seq=seq, mark=mark)
