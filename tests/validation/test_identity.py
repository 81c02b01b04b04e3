"""Tests for app.validation.identity."""

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.validation.identity import (
    ID_TYPES,
    PROVINCE_CODES,
    USCC_ALPHABET,
    resident_id_check_char,
    uscc_check_char,
    validate_id_number,
    validate_phone,
    validate_postal_code,
    validate_residence_permit,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2025, 6, 30)

EXPECTED_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65", "71", "81", "82", "83",
}  # fmt: skip


# --- independent reference implementations ---------------------------------
# Written from the definitions rather than the lookup tables used in the module:
# ISO 7064 MOD 11-2 weights are 2^(n-1) mod 11 and the check value makes the
# weighted sum ≡ 1 (mod 11); GB 32100 weights are 3^(i-1) mod 31 and the check
# value makes the weighted sum ≡ 0 (mod 31).


def ref_resident_check(body: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    value = next(c for c in range(11) if (total + c) % 11 == 1)
    return "X" if value == 10 else str(value)


def ref_uscc_check(body: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(body))
    return next(USCC_ALPHABET[c] for c in range(31) if (total + c) % 31 == 0)


def make_resident_id(province: str = "11", region: str = "0105", birth: str = "19900101") -> str:
    body = province + region + birth + "123"
    return body + ref_resident_check(body)


def make_uscc(body: str) -> str:
    return body + ref_uscc_check(body)


def assert_bilingual(message: str) -> None:
    chinese, sep, english = message.partition(" / ")
    assert sep, message
    assert re.search(r"[\u4e00-\u9fff]", chinese), message
    assert re.match(r"[A-Za-z]", english), message


# --- reference implementations agree with published examples ------------------


def test_reference_implementations_agree_with_published_examples() -> None:
    # GB 11643-1999 appendix example and real, publicly listed credit codes.
    assert ref_resident_check("11010519491231002") == "X"
    assert ref_resident_check("44052418800101001") == "4"
    assert ref_uscc_check("91350100M000100Y4") == "3"


# --- resident ID -----------------------------------------------------------------


def test_resident_id_standard_example_is_accepted() -> None:
    assert validate_resident_id("11010519491231002X", today=TODAY) == "11010519491231002X"


def test_resident_id_lowercase_x_is_accepted_and_upper_cased() -> None:
    assert validate_resident_id("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_resident_id_surrounding_whitespace_is_stripped() -> None:
    assert validate_resident_id(" \t11010519491231002X\u3000\n", today=TODAY) == (
        "11010519491231002X"
    )


def test_resident_id_defaults_to_the_real_today() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"


def test_resident_id_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="校验位错误") as info:
        validate_resident_id("110105194912310021", today=TODAY)
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("length", [0, 15, 17, 19])
def test_resident_id_wrong_length_is_refused(length: int) -> None:
    value = ("11010519491231002X" * 2)[:length]
    with pytest.raises(ValueError, match="18 位"):
        validate_resident_id(value, today=TODAY)


def test_resident_id_old_fifteen_digit_number_is_refused() -> None:
    with pytest.raises(ValueError, match="18 位"):
        validate_resident_id("110105491231002", today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100XX",  # X only allowed last
        "11010519491231002A",
        "11010519491231002Y",
        "1101051949-231002X",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_resident_id_non_digit_body_or_bad_last_char_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="格式错误"):
        validate_resident_id(value, today=TODAY)


@pytest.mark.parametrize("province", sorted(EXPECTED_PROVINCES))
def test_resident_id_every_province_code_is_accepted(province: str) -> None:
    value = make_resident_id(province=province)
    assert validate_resident_id(value, today=TODAY) == value


@pytest.mark.parametrize(
    "province",
    ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "66", "72", "84", "91", "99"],
)
def test_resident_id_invalid_province_code_is_refused(province: str) -> None:
    with pytest.raises(ValueError, match="地址码无效") as info:
        validate_resident_id(make_resident_id(province=province), today=TODAY)
    assert_bilingual(str(info.value))


def test_province_code_set_is_exactly_the_specified_one() -> None:
    assert set(PROVINCE_CODES) == EXPECTED_PROVINCES


@pytest.mark.parametrize(
    "birth",
    [
        "19990230",
        "19990229",
        "19000229",
        "19901301",
        "19900001",
        "19900100",
        "19900431",
        "00000101",
    ],
)
def test_resident_id_impossible_birth_date_is_refused(birth: str) -> None:
    with pytest.raises(ValueError, match="出生日期无效") as info:
        validate_resident_id(make_resident_id(birth=birth), today=TODAY)
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("birth", ["20000229", "20040229", "19000101", "19991231"])
def test_resident_id_real_edge_dates_are_accepted(birth: str) -> None:
    value = make_resident_id(birth=birth)
    assert validate_resident_id(value, today=TODAY) == value


def test_resident_id_birth_date_before_1900_is_refused() -> None:
    # The GB 11643-1999 appendix example itself is born in 1880.
    with pytest.raises(ValueError, match="1900"):
        validate_resident_id("440524188001010014", today=TODAY)
    with pytest.raises(ValueError, match="1900"):
        validate_resident_id(make_resident_id(birth="18991231"), today=TODAY)


def test_resident_id_future_birth_date_is_refused() -> None:
    tomorrow = (TODAY + timedelta(days=1)).strftime("%Y%m%d")
    with pytest.raises(ValueError, match="晚于今天") as info:
        validate_resident_id(make_resident_id(birth=tomorrow), today=TODAY)
    assert_bilingual(str(info.value))


def test_resident_id_born_today_is_accepted() -> None:
    value = make_resident_id(birth=TODAY.strftime("%Y%m%d"))
    assert validate_resident_id(value, today=TODAY) == value


def test_resident_id_far_future_birth_date_is_refused_against_real_today() -> None:
    with pytest.raises(ValueError, match="晚于今天"):
        validate_resident_id(make_resident_id(birth="29991231"))


def test_resident_id_check_char_refuses_malformed_body() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1234")
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100A")


resident_bodies = st.builds(
    lambda province, region, birth, seq: province + region + birth.strftime("%Y%m%d") + seq,
    st.sampled_from(sorted(EXPECTED_PROVINCES)),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


@given(resident_bodies)
def test_resident_id_accepts_exactly_the_reference_check_char(body: str) -> None:
    good = ref_resident_check(body)
    assert resident_id_check_char(body) == good
    assert validate_resident_id(body + good, today=TODAY) == body + good
    for other in "0123456789X":
        if other != good:
            with pytest.raises(ValueError, match="校验位错误"):
                validate_resident_id(body + other, today=TODAY)


@given(resident_bodies, st.integers(0, 16), st.integers(1, 9))
def test_resident_id_any_single_digit_error_is_refused(body: str, pos: int, delta: int) -> None:
    value = body + ref_resident_check(body)
    wrong = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1 :]
    with pytest.raises(ValueError):
        validate_resident_id(wrong, today=TODAY)


@given(resident_bodies, st.integers(0, 16))
def test_resident_id_any_adjacent_transposition_is_refused(body: str, pos: int) -> None:
    value = body + ref_resident_check(body)
    assume(value[pos] != value[pos + 1])
    swapped = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2 :]
    with pytest.raises(ValueError):
        validate_resident_id(swapped, today=TODAY)


# --- residence permit --------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["81", "82", "83"])
def test_residence_permit_with_hk_macau_taiwan_prefix_is_accepted(prefix: str) -> None:
    value = make_resident_id(province=prefix, region="0000")
    assert validate_residence_permit(value, today=TODAY) == value
    assert validate_id_number("residence_permit", value, today=TODAY) == value
    # The same number is also acceptable where a resident ID is asked for.
    assert validate_resident_id(value, today=TODAY) == value


def test_residence_permit_with_mainland_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="81、82 或 83") as info:
        validate_residence_permit("11010519491231002X", today=TODAY)
    assert_bilingual(str(info.value))


def test_residence_permit_wrong_check_digit_is_refused() -> None:
    value = make_resident_id(province="81", region="0000")
    wrong = value[:17] + ("0" if value[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验位错误"):
        validate_residence_permit(wrong, today=TODAY)


# --- unified social credit code ------------------------------------------------------

PUBLISHED_USCC = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "91330100799655058B",
    "91110000100010433L",
]


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_uscc_published_codes_are_accepted(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]


def test_uscc_lowercase_and_whitespace_are_normalised() -> None:
    assert validate_uscc("  91350100m000100y43\n") == "91350100M000100Y43"


def test_uscc_wrong_check_char_is_refused() -> None:
    with pytest.raises(ValueError, match="校验位错误") as info:
        validate_uscc("91350100M000100Y44")
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "i", "o", "z", "s", "v"])
def test_uscc_forbidden_letters_are_refused_and_named(letter: str) -> None:
    value = "91350100M000100Y43"
    bad = value[:10] + letter + value[11:]
    with pytest.raises(ValueError, match="无效字符") as info:
        validate_uscc(bad)
    assert letter.upper() in str(info.value)
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("char", ["-", " ", "*", "Ａ", "０", "\x00"])
def test_uscc_other_invalid_characters_are_refused(char: str) -> None:
    value = "91350100M000100Y43"
    with pytest.raises(ValueError, match="无效字符"):
        validate_uscc(value[:9] + char + value[10:])


def test_uscc_invisible_invalid_character_is_named_by_code_point() -> None:
    with pytest.raises(ValueError, match="U\\+0000"):
        validate_uscc("91350100M\x0000100Y43")


def test_uscc_unicode_ligature_cannot_expand_into_a_valid_code() -> None:
    # "ﬀ".upper() == "FF": a 17-character input must not become a valid 18-character code.
    code = make_uscc("91350100MA0FF0000")
    assert validate_uscc(code) == code
    disguised = code.replace("FF", "ﬀ")
    assert len(disguised) == 17
    with pytest.raises(ValueError):
        validate_uscc(disguised)
    with pytest.raises(ValueError):
        validate_uscc(disguised.lower())


@pytest.mark.parametrize("length", [0, 15, 17, 19])
def test_uscc_wrong_length_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="18 位"):
        validate_uscc(("91350100M000100Y43" * 2)[:length])


@pytest.mark.parametrize("authority", list("123456789ANY"))
def test_uscc_every_registration_authority_is_accepted(authority: str) -> None:
    code = make_uscc(authority + "1350100M000100Y4")
    assert validate_uscc(code) == code


@pytest.mark.parametrize("authority", ["0", "B", "C", "G", "X"])
def test_uscc_unknown_registration_authority_is_refused(authority: str) -> None:
    with pytest.raises(ValueError, match="登记管理部门"):
        validate_uscc(make_uscc(authority + "1350100M000100Y4"))


@pytest.mark.parametrize("division", ["A50100", "35010B", "3501Y0"])
def test_uscc_non_numeric_division_code_is_refused(division: str) -> None:
    with pytest.raises(ValueError, match="行政区划"):
        validate_uscc(make_uscc("91" + division + "M000100Y4"))


def test_uscc_check_char_refuses_malformed_body() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("913501")
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100I4")


def test_uscc_alphabet_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(USCC_ALPHABET) == len(set(USCC_ALPHABET)) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


uscc_bodies = st.builds(
    lambda a, t, division, rest: a + t + division + rest,
    st.sampled_from("123456789ANY"),
    st.sampled_from(USCC_ALPHABET),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_uscc_accepts_exactly_the_reference_check_char(body: str) -> None:
    good = ref_uscc_check(body)
    assert uscc_check_char(body) == good
    assert validate_uscc(body + good) == body + good
    assert validate_uscc((body + good).lower()) == body + good
    for other in USCC_ALPHABET:
        if other != good:
            with pytest.raises(ValueError, match="校验位错误"):
                validate_uscc(body + other)


@given(uscc_bodies, st.integers(8, 16), st.sampled_from(USCC_ALPHABET))
def test_uscc_any_single_character_error_is_refused(body: str, pos: int, char: str) -> None:
    value = body + ref_uscc_check(body)
    assume(value[pos] != char)
    with pytest.raises(ValueError):
        validate_uscc(value[:pos] + char + value[pos + 1 :])


@given(uscc_bodies, st.integers(8, 16))
def test_uscc_any_adjacent_transposition_is_refused(body: str, pos: int) -> None:
    value = body + ref_uscc_check(body)
    assume(value[pos] != value[pos + 1])
    swapped = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2 :]
    with pytest.raises(ValueError):
        validate_uscc(swapped)


# --- phone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("138 1234 5678", "13812345678"),
        ("138\u30001234\u30005678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("86-13812345678", "13812345678"),
        (" 13812345678 ", "13812345678"),
    ],
)
def test_phone_mobile_forms_are_normalised_to_eleven_digits(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021-87654321", "021-87654321"),
        ("02987654321", "029-87654321"),
        ("0755-1234567", "0755-1234567"),
        ("0755-12345678", "0755-12345678"),
        ("075512345678", "0755-12345678"),
        ("0311 8765 4321", "0311-87654321"),
        ("010-12345678-123", "010-12345678-123"),
        ("010-12345678转123", "010-12345678-123"),
        ("010 1234 5678 转 8", "010-12345678-8"),
        ("0755-1234567-123456", "0755-1234567-123456"),
    ],
)
def test_phone_landline_forms_are_normalised(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345", "12345"),
        ("12315", "12315"),
        ("400-820-8820", "400-820-8820"),
        ("4008208820", "400-820-8820"),
        ("4008-208-820", "400-820-8820"),
        ("400 820 8820", "400-820-8820"),
        ("800-810-8888", "800-810-8888"),
    ],
)
def test_phone_service_numbers_are_accepted(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "12812345678",  # second digit 2 is not a mobile prefix
        "11012345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+8513812345678",
        "+86 1381234567",
        "-13812345678",
        "13812345678-1",
        "138-1234-5678",
        "１３８１２３４５６７８",  # full-width digits
        "010-123456",  # local part too short
        "010-123456789",  # local part too long
        "011-12345678",  # no such area code
        "0101-2345678",  # area code 010 has three digits only
        "10-12345678",
        "010--12345678",
        "010-12345678-",
        "010-12345678转",
        "010-12345678-1234567",  # extension too long
        "010-12345678#123",
        "(010)12345678",
        "123456",
        "1234",
        "10086",
        "400-820-882",
        "400-820-88200",
        "500-820-8820",
        "400--8208820",
        "-4008208820",
        "+1 202 555 0100",
        "110",
    ],
)
def test_phone_invalid_forms_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="电话号码格式无效") as info:
        validate_phone(raw)
    assert_bilingual(str(info.value))


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_every_mobile_number_round_trips(number: str) -> None:
    assert validate_phone(number) == number
    assert validate_phone("+86 " + number) == number


@given(st.text())
def test_phone_never_raises_anything_but_value_error(raw: str) -> None:
    try:
        result = validate_phone(raw)
    except ValueError:
        return
    assert validate_phone(result) == result


# --- postal code -----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("100000", "100000"), (" 518000\n", "518000")])
def test_postal_code_six_digits_are_accepted(raw: str, expected: str) -> None:
    assert validate_postal_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "10000", "1000000", "10000a", "100 000", "１０００００"])
def test_postal_code_anything_else_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="邮政编码") as info:
        validate_postal_code(raw)
    assert_bilingual(str(info.value))


# --- ID types and dispatch ---------------------------------------------------------------

GOOD_ID_EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "resident_id": [("11010519491231002x", "11010519491231002X")],
    "passport": [("E12345678", "E12345678"), ("g1234", "G1234"), ("A" * 20, "A" * 20)],
    "hk_macau_permit": [
        ("H12345678", "H12345678"),
        ("m123456789", "M123456789"),
        ("H1234567890", "H1234567890"),
    ],
    "taiwan_permit": [("12345678", "12345678"), ("1234567890", "1234567890")],
    "residence_permit": [(make_resident_id("81", "0000"), make_resident_id("81", "0000"))],
    "foreign_permanent_residence": [
        ("usa110078010001", "USA110078010001"),
        ("932156198503150015", "932156198503150015"),
    ],
    "uscc": [("91350100m000100y43", "91350100M000100Y43")],
    "other": [(" 军官证 第123号 ", "军官证 第123号"), ("x" * 50, "x" * 50)],
}

BAD_ID_EXAMPLES: dict[str, list[str]] = {
    "resident_id": ["110105194912310021", "99010519491231002X", ""],
    "passport": ["E123", "A" * 21, "E1234-5678", "E 12345678", "护照12345", ""],
    "hk_macau_permit": ["H1234567", "H12345678901", "C12345678", "12345678", "HK1234567"],
    "taiwan_permit": ["1234567", "123456789", "12345678901", "T1234567", "１２３４５６７８"],
    "residence_permit": ["11010519491231002X", make_resident_id("82", "0000")[:17] + "Y"],
    "foreign_permanent_residence": ["USA11007801000", "USA1100780100011", "USA-10078010001"],
    "uscc": ["91350100M000100Y44", "91350100I000100Y43"],
    "other": ["", "   ", "x" * 51, "abc\x00", "a\tb", "a\u202eb"],
}


def test_id_types_are_exactly_the_api_codes_with_chinese_labels() -> None:
    assert ID_TYPES == {
        "resident_id": "居民身份证",
        "passport": "护照",
        "hk_macau_permit": "港澳居民来往内地通行证",
        "taiwan_permit": "台湾居民来往大陆通行证",
        "residence_permit": "港澳台居民居住证",
        "foreign_permanent_residence": "外国人永久居留身份证",
        "uscc": "统一社会信用代码",
        "other": "其他",
    }


def test_every_id_type_has_good_and_bad_examples_under_test() -> None:
    assert GOOD_ID_EXAMPLES.keys() == ID_TYPES.keys() == BAD_ID_EXAMPLES.keys()


@pytest.mark.parametrize(
    ("id_type", "raw", "expected"),
    [(t, raw, exp) for t, cases in GOOD_ID_EXAMPLES.items() for raw, exp in cases],
)
def test_id_number_good_examples_are_accepted(id_type: str, raw: str, expected: str) -> None:
    assert validate_id_number(id_type, raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("id_type", "raw"), [(t, raw) for t, cases in BAD_ID_EXAMPLES.items() for raw in cases]
)
def test_id_number_bad_examples_are_refused(id_type: str, raw: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_id_number(id_type, raw, today=TODAY)
    assert_bilingual(str(info.value))


def test_id_number_dispatch_passes_today_to_resident_rules() -> None:
    value = make_resident_id(birth="20250701")
    with pytest.raises(ValueError, match="晚于今天"):
        validate_id_number("resident_id", value, today=TODAY)
    assert validate_id_number("resident_id", value, today=date(2025, 7, 1)) == value


@pytest.mark.parametrize("id_type", ["", "RESIDENT_ID", "driver_licence", "身份证"])
def test_id_number_unknown_type_is_refused(id_type: str) -> None:
    with pytest.raises(ValueError, match="不支持的证件类型") as info:
        validate_id_number(id_type, "11010519491231002X")
    assert_bilingual(str(info.value))
