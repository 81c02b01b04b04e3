"""Hygiene for free text: applicants' names and requests, staff entries, letter fields, payloads.

Every text a write route accepts passes through `clean_text` (through the annotated types of
app.fields, or `clean_json` for free-form JSON), so what is stored displays as it reads, is the
same text wherever it is compared, and can be stored by PostgreSQL (which refuses NUL).
"""

import math
import re
import unicodedata
from typing import Any, Final

# Explicit directional formatting characters (UAX #9): they can make stored text
# display differently from its logical order ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS: Final[frozenset[str]] = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
BYTE_ORDER_MARK: Final = "\ufeff"
# LINE SEPARATOR and PARAGRAPH SEPARATOR break lines like "\n" does in browsers, PDFs and
# spreadsheets, but are not control characters: a one-line field would print on two lines.
LINE_SEPARATORS: Final[frozenset[str]] = frozenset("\u2028\u2029")
# Invisible characters that make two names look alike yet compare (and count) as different
# people: zero-width space, non-joiner, joiner, word joiner. Refused in names only, since
# joiners are part of emoji sequences and of some scripts in running text.
ZERO_WIDTH: Final[frozenset[str]] = frozenset("\u200b\u200c\u200d\u2060")
_MULTILINE_ALLOWED_CONTROLS: Final = frozenset("\n\t")

# Free-form JSON (draft-letter fields, object payloads): bounds on what one value may hold.
JSON_MAX_DEPTH: Final = 6
JSON_MAX_ITEMS: Final = 200
JSON_MAX_KEY = 100


def is_noncharacter(ch: str) -> bool:
    """Return whether ``ch`` is one of the 66 permanently reserved Unicode noncharacters."""
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE


# Every character disallowed_char_reason may refuse (and a few it allows in some fields: tab and
# newline, zero-width joiners outside names). Text without any of them, nearly all text, is
# accepted without asking about each character; otherwise each one is checked as before.
_SUSPECT: Final = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"  # category Cc
    + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS | ZERO_WIDTH | {BYTE_ORDER_MARK}))
    + "\ud800-\udfff"  # category Cs
    + "\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)


def disallowed_char_reason(ch: str, *, multiline: bool = False, name: bool = False) -> str | None:
    """Return a bilingual reason why ``ch`` may not appear in cleaned text, or None."""
    code = f"U+{ord(ch):04X}"
    category = unicodedata.category(ch)
    if category == "Cc":
        if multiline and ch in _MULTILINE_ALLOWED_CONTROLS:
            return None
        return f"含有不允许的控制字符 {code} / contains a disallowed control character {code}"
    if ch in BIDI_CONTROLS:
        return (
            f"含有不允许的文字方向控制字符 {code}"
            f" / contains a disallowed bidirectional control character {code}"
        )
    if ch in LINE_SEPARATORS and not multiline:
        return f"不能含有换行符 {code} / must be a single line, contains the line break {code}"
    if ch in ZERO_WIDTH and name:
        return (
            f"名称中含有不可见的零宽字符 {code}"
            f" / a name must not contain the invisible zero-width character {code}"
        )
    if ch == BYTE_ORDER_MARK:
        return f"含有不允许的字节序标记 {code} / contains a disallowed byte order mark {code}"
    if category == "Cs":
        return f"含有无效的代理码位 {code} / contains an unpaired surrogate {code}"
    if is_noncharacter(ch):
        return f"含有 Unicode 非字符 {code} / contains the Unicode noncharacter {code}"
    return None


def clean_text(
    value: str,
    *,
    field_max: int,
    multiline: bool = False,
    name: bool = False,
    field_min: int = 1,
) -> str:
    """Normalise (NFC) and strip ``value``, refusing hidden or invalid characters and overlength.

    ``field_min=0`` lets a value be empty after stripping (free-form JSON, where the field's own
    model decides); ``name`` also refuses zero-width characters.
    """
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = value.replace("\u2028", "\n").replace("\u2029", "\n")
    # NFC, not NFKC: NFKC would fold full-width Chinese punctuation (，：（）) to ASCII.
    text = unicodedata.normalize("NFC", value).strip()
    if _SUSPECT.search(text) is not None:
        for ch in text:
            reason = disallowed_char_reason(ch, multiline=multiline, name=name)
            if reason is not None:
                raise ValueError(reason)
    if len(text) < field_min:
        if not text:
            raise ValueError("内容不能为空 / must not be empty")
        raise ValueError(
            f"长度不能少于 {field_min} 个字符 / must be at least {field_min} characters"
        )
    if len(text) > field_max:
        raise ValueError(
            f"长度不能超过 {field_max} 个字符（当前 {len(text)} 个）"
            f" / must be at most {field_max} characters (got {len(text)})"
        )
    return text


class JsonValueError(ValueError):
    """A bad value inside free-form JSON, with where it is (keys and list positions)."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        super().__init__(f"{where.lstrip('.')}: {message}" if path else message)
        self.path = path
        self.message = message


def clean_json(value: Any, *, text_max: int) -> Any:
    """A copy of JSON ``value`` with every key and string cleaned; JsonValueError if one is bad.

    Strings are multi-line text of at most ``text_max`` characters and may be empty (what a
    field needs is its model's business); keys are one-line names. Depth and size are bounded,
    and numbers must be finite (JSON has no NaN, and PostgreSQL's jsonb refuses it).
    """
    return _clean_json(value, text_max, ())


def _clean_json(value: Any, text_max: int, path: tuple[str | int, ...]) -> Any:
    if len(path) > JSON_MAX_DEPTH:
        raise JsonValueError(
            path, f"嵌套不能超过 {JSON_MAX_DEPTH} 层 / nested deeper than {JSON_MAX_DEPTH} levels"
        )
    if isinstance(value, str):
        try:
            return clean_text(value, field_max=text_max, multiline=True, field_min=0)
        except ValueError as exc:
            raise JsonValueError(path, str(exc)) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise JsonValueError(path, "须为有限数值 / must be a finite number")
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        if len(value) > JSON_MAX_ITEMS:
            raise JsonValueError(path, f"至多 {JSON_MAX_ITEMS} 项 / at most {JSON_MAX_ITEMS} items")
        return [_clean_json(item, text_max, (*path, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        if len(value) > JSON_MAX_ITEMS:
            raise JsonValueError(
                path, f"至多 {JSON_MAX_ITEMS} 个字段 / at most {JSON_MAX_ITEMS} fields"
            )
        out: dict[str, Any] = {}
        for key, item in value.items():
            try:
                clean_key = clean_text(str(key), field_max=JSON_MAX_KEY)
            except ValueError as exc:
                raise JsonValueError(path, f"字段名 / field name: {exc}") from None
            if clean_key in out:
                raise JsonValueError(
                    (*path, clean_key), "字段名重复 / the field name is given twice"
                )
            out[clean_key] = _clean_json(item, text_max, (*path, clean_key))
        return out
    raise JsonValueError(path, "不是 JSON 值 / not a JSON value")
