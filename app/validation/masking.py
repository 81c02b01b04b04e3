"""Masking of personal data for list views and logs.

Masks keep just enough to let staff tell records apart; they are display aids,
not anonymisation.
"""

import re
from typing import Final

MASK: Final = "*"
_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}")


def mask_id_number(v: str) -> str:
    """Keep the first and last 4 characters of a document number ("1101**********123X")."""
    v = v.strip()
    if len(v) < 8:
        return MASK * (len(v) - 1) + v[-1:]
    # Shorter numbers (8-digit Taiwan permits, 9-character passports) would be almost
    # fully visible with 4 + 4, so each visible end is capped at a quarter of the length.
    keep = min(4, len(v) // 4)
    return v[:keep] + MASK * (len(v) - 2 * keep) + v[-keep:]


def mask_phone(v: str) -> str:
    """Mask a phone number: mobiles as "138****5678", others keep only their last 4 digits."""
    v = v.strip()
    if _MOBILE_RE.fullmatch(v):
        return v[:3] + MASK * 4 + v[-4:]
    digits_seen = 0
    masked: list[str] = []
    # Walk backwards so the last four digits stay visible and separators keep their place.
    for ch in reversed(v):
        if "0" <= ch <= "9":
            digits_seen += 1
            masked.append(ch if digits_seen <= 4 else MASK)
        else:
            masked.append(ch)
    return "".join(reversed(masked))


def mask_person_name(v: str) -> str:
    """Keep the first character of a personal name ("张**"); a one-character name becomes "*"."""
    v = v.strip()
    if len(v) <= 1:
        return MASK * len(v)
    return v[0] + MASK * (len(v) - 1)


def mask_name(v: str, *, is_person: bool) -> str:
    """Mask a personal name; organisation names are public and returned unchanged."""
    return mask_person_name(v) if is_person else v.strip()


def mask_email(v: str) -> str:
    """Keep the first character of the local part and the domain ("z***@example.com")."""
    v = v.strip()
    local, at, domain = v.rpartition("@")
    if not at:
        return v[:1] + MASK * 3 if v else ""
    return local[:1] + MASK * 3 + "@" + domain


def mask_address(v: str) -> str:
    """Keep the first 6 characters of an address (roughly province and city) then "****"."""
    v = v.strip()
    return v[:6] + MASK * 4 if v else ""
