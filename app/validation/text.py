"""Hygiene for free text submitted by applicants (names, addresses, request descriptions)."""

import unicodedata
from typing import Final

# Explicit directional formatting characters (UAX #9): they can make stored text
# display differently from its logical order ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS: Final[frozenset[str]] = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
BYTE_ORDER_MARK: Final = "\ufeff"
_MULTILINE_ALLOWED_CONTROLS: Final = frozenset("\n\t")


def is_noncharacter(ch: str) -> bool:
    """Return whether ``ch`` is one of the 66 permanently reserved Unicode noncharacters."""
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE


def disallowed_char_reason(ch: str, *, multiline: bool = False) -> str | None:
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
    if ch == BYTE_ORDER_MARK:
        return f"含有不允许的字节序标记 {code} / contains a disallowed byte order mark {code}"
    if category == "Cs":
        return f"含有无效的代理码位 {code} / contains an unpaired surrogate {code}"
    if is_noncharacter(ch):
        return f"含有 Unicode 非字符 {code} / contains the Unicode noncharacter {code}"
    return None


def clean_text(value: str, *, field_max: int, multiline: bool = False) -> str:
    """Normalise (NFC) and strip ``value``, refusing hidden or invalid characters and overlength."""
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    # NFC, not NFKC: NFKC would fold full-width Chinese punctuation (，：（）) to ASCII.
    text = unicodedata.normalize("NFC", value).strip()
    for ch in text:
        reason = disallowed_char_reason(ch, multiline=multiline)
        if reason is not None:
            raise ValueError(reason)
    if not text:
        raise ValueError("内容不能为空 / must not be empty")
    if len(text) > field_max:
        raise ValueError(
            f"长度不能超过 {field_max} 个字符（当前 {len(text)} 个）"
            f" / must be at most {field_max} characters (got {len(text)})"
        )
    return text
