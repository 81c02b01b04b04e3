"""Registration-number patterns such as `{code}依申〔{year}〕{seq:04d}号` (pure)."""

from __future__ import annotations

from string import Formatter

ALLOWED_FIELDS = frozenset({"code", "year", "seq"})
DEFAULT_PATTERN = "{code}依申〔{year}〕{seq:04d}号"


def validate_pattern(pattern: str) -> str:
    """Check a pattern uses only {code}, {year}, {seq} (seq and year required) and formats."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValueError(f"编号格式无法解析 / the pattern cannot be parsed: {exc}") from exc
    unknown = fields - ALLOWED_FIELDS
    if unknown or "" in fields:
        raise ValueError(
            "编号格式只能使用 {code}、{year}、{seq} / the pattern may only use "
            f"{{code}}, {{year}}, {{seq}}; found {sorted(unknown or {''})}"
        )
    if not {"seq", "year"} <= fields:
        raise ValueError(
            "编号格式必须包含 {year} 和 {seq} / the pattern must contain {year} and {seq}, "
            "otherwise numbers repeat"
        )
    try:
        format_number(pattern, code="X", year=2026, seq=1)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"编号格式无效 / the pattern does not format: {exc}") from exc
    return pattern


def format_number(pattern: str, *, code: str, year: int, seq: int) -> str:
    """The number for one sequence value."""
    return pattern.format(code=code, year=year, seq=seq)
