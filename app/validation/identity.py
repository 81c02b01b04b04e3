"""Validators for identity documents, organisation codes, phone numbers and postcodes.

Every validator returns the normalised value or raises ``ValueError`` with a short
bilingual message (Chinese first) that is safe to show to the applicant.
"""

import re
import string
from collections.abc import Callable
from datetime import date
from typing import Final

# GB/T 2260 province-level codes, plus 81/82/83 used by residence permits for
# Hong Kong, Macao and Taiwan residents (港澳台居民居住证).
PROVINCE_CODES: Final[frozenset[str]] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71",
        "81", "82", "83",
    }
)  # fmt: skip
RESIDENCE_PERMIT_PREFIXES: Final[frozenset[str]] = frozenset({"81", "82", "83"})

_RESIDENT_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK_CHARS: Final = "10X98765432"
_RESIDENT_ID_RE: Final = re.compile(r"[0-9]{17}[0-9Xx]")
_EARLIEST_BIRTH_YEAR: Final = 1900

# GB 32100-2015 alphabet: digits and capitals without I, O, Z, S, V.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_AUTHORITIES: Final = frozenset("123456789ANY")

# str.upper() is Unicode-aware: "ﬀ".upper() == "FF" would turn a 17-character
# string into a plausible 18-character code, so only ASCII letters are folded.
_ASCII_UPPER: Final = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)

_MOBILE_RE: Final = re.compile(r"(?:(?:\+86|0086|86)-?)?(1[3-9][0-9]{9})")
# Area codes are self-delimiting: 010 and 02X have three digits, every other
# (03XX-09XX) four, which lets "01012345678" be split without a hyphen.
_LANDLINE_RE: Final = re.compile(
    r"(0(?:10|2[0-9]|[3-9][0-9]{2}))-?([0-9]{7,8})(?:(?:-|转)([0-9]{1,6}))?"
)
_HOTLINE_RE: Final = re.compile(r"12[0-9]{3}")
_TOLL_FREE_RE: Final = re.compile(r"[48]00(?:-?[0-9]){7}")
_POSTAL_CODE_RE: Final = re.compile(r"[0-9]{6}")

_PASSPORT_RE: Final = re.compile(r"[A-Z0-9]{5,20}")
_HK_MACAU_PERMIT_RE: Final = re.compile(r"[HM][0-9]{8,10}")
_TAIWAN_PERMIT_RE: Final = re.compile(r"[0-9]{8}|[0-9]{10}")
_FOREIGN_PR_RE: Final = re.compile(r"[A-Z0-9]{15}|[A-Z0-9]{18}")
_OTHER_ID_MAX: Final = 50

ID_TYPES: Final[dict[str, str]] = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "residence_permit": "港澳台居民居住证",
    "foreign_permanent_residence": "外国人永久居留身份证",
    "uscc": "统一社会信用代码",
    "other": "其他",
}


def _describe_chars(chars: str) -> str:
    """Render offending characters readably, spelling out invisible ones."""
    shown = []
    for ch in dict.fromkeys(chars):
        shown.append(ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}")
    return ", ".join(shown)


def resident_id_check_char(body: str) -> str:
    """Return the GB 11643-1999 (ISO 7064 MOD 11-2) check character for a 17-digit body."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("身份证号码本体应为 17 位数字 / ID number body must be 17 digits")
    total = sum(int(d) * w for d, w in zip(body, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK_CHARS[total % 11]


def _validate_resident_like(
    value: str, *, today: date | None, prefixes: frozenset[str], region_error: str
) -> str:
    """Shared rules for the resident ID card and the HK/Macao/Taiwan residence permit."""
    v = value.strip()
    if len(v) != 18:
        raise ValueError("身份证号码应为 18 位 / ID number must be 18 characters")
    if not _RESIDENT_ID_RE.fullmatch(v):
        raise ValueError(
            "身份证号码格式错误，前 17 位应为数字，末位为数字或 X"
            " / ID number must be 17 digits followed by a digit or X"
        )
    v = v.upper()
    if v[:2] not in prefixes:
        raise ValueError(region_error)
    try:
        birth = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValueError(
            "身份证号码中的出生日期无效 / ID number contains an invalid birth date"
        ) from None
    if birth.year < _EARLIEST_BIRTH_YEAR:
        raise ValueError("身份证号码中的出生日期早于 1900 年 / ID number birth date is before 1900")
    if birth > (today if today is not None else date.today()):
        raise ValueError("身份证号码中的出生日期晚于今天 / ID number birth date is in the future")
    if resident_id_check_char(v[:17]) != v[17]:
        raise ValueError("身份证号码校验位错误 / ID number check digit is wrong")
    return v


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate a GB 11643-1999 resident identity card number and return it upper-cased."""
    return _validate_resident_like(
        value,
        today=today,
        prefixes=PROVINCE_CODES,
        region_error="身份证号码地址码无效 / ID number has an invalid region code",
    )


def validate_residence_permit(value: str, *, today: date | None = None) -> str:
    """Validate an HK/Macao/Taiwan residents' residence permit number (prefix 81/82/83)."""
    return _validate_resident_like(
        value,
        today=today,
        prefixes=RESIDENCE_PERMIT_PREFIXES,
        region_error=(
            "居住证号码应以 81、82 或 83 开头"
            " / residence permit number must start with 81, 82 or 83"
        ),
    )


def uscc_check_char(body: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a USCC."""
    if len(body) != 17 or any(ch not in _USCC_VALUES for ch in body):
        raise ValueError(
            "统一社会信用代码本体应为 17 位有效字符 / credit code body must be 17 valid characters"
        )
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    c = 31 - total % 31
    return USCC_ALPHABET[0 if c == 31 else c]


def validate_uscc(value: str) -> str:
    """Validate a GB 32100-2015 unified social credit code and return it upper-cased."""
    v = value.strip().translate(_ASCII_UPPER)
    if len(v) != 18:
        raise ValueError(
            "统一社会信用代码应为 18 位 / unified social credit code must be 18 characters"
        )
    invalid = "".join(ch for ch in v if ch not in _USCC_VALUES)
    if invalid:
        raise ValueError(
            f"统一社会信用代码含有无效字符：{_describe_chars(invalid)}"
            f" / unified social credit code contains invalid characters: "
            f"{_describe_chars(invalid)} (I, O, Z, S, V are never used)"
        )
    if v[0] not in _USCC_AUTHORITIES:
        raise ValueError(
            "统一社会信用代码登记管理部门代码无效"
            " / unified social credit code has an invalid registration authority code"
        )
    if not v[2:8].isdigit():
        raise ValueError(
            "统一社会信用代码第 3–8 位应为行政区划代码（数字）"
            " / unified social credit code positions 3-8 must be a numeric division code"
        )
    if uscc_check_char(v[:17]) != v[17]:
        raise ValueError(
            "统一社会信用代码校验位错误 / unified social credit code check character is wrong"
        )
    return v


def validate_phone(value: str) -> str:
    """Validate a mainland mobile, landline or service number and return it normalised."""
    # Applicants paste numbers with spaces of every kind (incl. U+3000); none carry meaning.
    v = "".join(value.split())
    if m := _MOBILE_RE.fullmatch(v):
        return m.group(1)
    if m := _LANDLINE_RE.fullmatch(v):
        area, local, ext = m.groups()
        return f"{area}-{local}" + (f"-{ext}" if ext else "")
    if _HOTLINE_RE.fullmatch(v):
        return v
    if _TOLL_FREE_RE.fullmatch(v):
        digits = v.replace("-", "")
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    raise ValueError(
        "电话号码格式无效，请填写手机号码或带区号的固定电话"
        " / invalid phone number: enter a mobile number or a landline with area code"
    )


def validate_postal_code(value: str) -> str:
    """Validate a six-digit mainland postal code."""
    v = value.strip()
    if not _POSTAL_CODE_RE.fullmatch(v):
        raise ValueError("邮政编码应为 6 位数字 / postal code must be 6 digits")
    return v


def _validate_passport(value: str) -> str:
    v = value.strip().translate(_ASCII_UPPER)
    if not _PASSPORT_RE.fullmatch(v):
        raise ValueError(
            "护照号码应为 5–20 位字母或数字 / passport number must be 5-20 letters or digits"
        )
    return v


def _validate_hk_macau_permit(value: str) -> str:
    v = value.strip().translate(_ASCII_UPPER)
    if not _HK_MACAU_PERMIT_RE.fullmatch(v):
        raise ValueError(
            "港澳居民来往内地通行证号码应为 H 或 M 加 8–10 位数字"
            " / Home Return Permit number must be H or M followed by 8-10 digits"
        )
    return v


def _validate_taiwan_permit(value: str) -> str:
    v = value.strip()
    if not _TAIWAN_PERMIT_RE.fullmatch(v):
        raise ValueError(
            "台湾居民来往大陆通行证号码应为 8 位或 10 位数字"
            " / Mainland Travel Permit number must be 8 or 10 digits"
        )
    return v


def _validate_foreign_permanent_residence(value: str) -> str:
    v = value.strip().translate(_ASCII_UPPER)
    if not _FOREIGN_PR_RE.fullmatch(v):
        raise ValueError(
            "外国人永久居留身份证号码应为 15 位或 18 位字母或数字"
            " / permanent residence ID number must be 15 or 18 letters or digits"
        )
    return v


def _validate_other_id(value: str) -> str:
    v = value.strip()
    if not v:
        raise ValueError("请填写证件号码 / ID number is required")
    if len(v) > _OTHER_ID_MAX:
        raise ValueError(
            f"证件号码不能超过 {_OTHER_ID_MAX} 个字符"
            f" / ID number must be at most {_OTHER_ID_MAX} characters"
        )
    if not v.isprintable():
        raise ValueError("证件号码含有不可打印字符 / ID number contains non-printable characters")
    return v


_ID_VALIDATORS: Final[dict[str, Callable[[str, date | None], str]]] = {
    "resident_id": lambda v, today: validate_resident_id(v, today=today),
    "passport": lambda v, _: _validate_passport(v),
    "hk_macau_permit": lambda v, _: _validate_hk_macau_permit(v),
    "taiwan_permit": lambda v, _: _validate_taiwan_permit(v),
    "residence_permit": lambda v, today: validate_residence_permit(v, today=today),
    "foreign_permanent_residence": lambda v, _: _validate_foreign_permanent_residence(v),
    "uscc": lambda v, _: validate_uscc(v),
    "other": lambda v, _: _validate_other_id(v),
}


def validate_id_number(id_type: str, value: str, *, today: date | None = None) -> str:
    """Validate ``value`` as a document number of ``id_type`` (a key of ``ID_TYPES``)."""
    validator = _ID_VALIDATORS.get(id_type)
    if validator is None:
        raise ValueError(f"不支持的证件类型 / unsupported ID type: {id_type!r}")
    return validator(value, today)
