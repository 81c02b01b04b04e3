"""Tests for app.validation.text."""

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.text import (
    BIDI_CONTROLS,
    BYTE_ORDER_MARK,
    clean_text,
    disallowed_char_reason,
    is_noncharacter,
)


def assert_bilingual(message: str) -> None:
    chinese, sep, english = message.partition(" / ")
    assert sep, message
    assert re.search(r"[\u4e00-\u9fff]", chinese), message
    assert re.match(r"[A-Za-z]", english), message


# --- normalisation ----------------------------------------------------------------


def test_plain_chinese_text_is_returned_unchanged() -> None:
    text = "请公开本区2024年老旧小区改造项目的招标文件。"
    assert clean_text(text, field_max=100) == text


def test_decomposed_characters_are_composed_nfc() -> None:
    assert clean_text("Cafe\u0301", field_max=10) == "Café"
    assert clean_text("Cafe\u0301", field_max=10) == unicodedata.normalize("NFC", "Café")


def test_full_width_punctuation_and_digits_survive() -> None:
    # NFKC would turn these into ASCII; NFC must not.
    text = "申请公开：２０２４年（第一批）文件，谢谢！“附件”见下；编号：Ａ－１"
    assert clean_text(text, field_max=100) == text


def test_compatibility_ideographs_are_mapped_to_unified_ones_by_nfc() -> None:
    # Documented NFC behaviour: U+F900 has a canonical singleton decomposition.
    assert clean_text("\uf900", field_max=5) == "\u8c48"


def test_surrounding_whitespace_is_stripped_including_ideographic_space() -> None:
    assert clean_text(" \u3000 张三\u00a0 ", field_max=10) == "张三"


def test_inner_whitespace_is_not_collapsed() -> None:
    assert clean_text("a  b\u3000\u3000c", field_max=20) == "a  b\u3000\u3000c"


def test_single_line_trailing_newline_is_stripped_rather_than_refused() -> None:
    assert clean_text("张三\r\n", field_max=10) == "张三"


# --- control characters -------------------------------------------------------------


@pytest.mark.parametrize(
    "ch", ["\x00", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\x0b", "\x0c"]
)
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_inside_text_are_refused(ch: str, multiline: bool) -> None:
    with pytest.raises(ValueError, match="控制字符") as info:
        clean_text(f"a{ch}b", field_max=10, multiline=multiline)
    assert f"U+{ord(ch):04X}" in str(info.value)
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("ch", ["\n", "\t", "\r"])
def test_single_line_refuses_newline_tab_and_carriage_return(ch: str) -> None:
    with pytest.raises(ValueError, match="控制字符"):
        clean_text(f"a{ch}b", field_max=10)


def test_multiline_keeps_newline_and_tab() -> None:
    assert clean_text("第一行\n\t第二行", field_max=20, multiline=True) == "第一行\n\t第二行"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb", "a\n\nb"), ("a\n\rb", "a\n\nb")],
)
def test_multiline_converts_carriage_returns_to_newlines(raw: str, expected: str) -> None:
    assert clean_text(raw, field_max=20, multiline=True) == expected


def test_multiline_strips_surrounding_blank_lines() -> None:
    assert clean_text("\r\n\n  正文\n\n", field_max=20, multiline=True) == "正文"


# --- invisible and invalid characters -------------------------------------------------


@pytest.mark.parametrize("ch", sorted(BIDI_CONTROLS))
@pytest.mark.parametrize("multiline", [False, True])
def test_bidi_control_characters_are_refused(ch: str, multiline: bool) -> None:
    with pytest.raises(ValueError, match="文字方向控制字符") as info:
        clean_text(f"abc{ch}def", field_max=20, multiline=multiline)
    assert f"U+{ord(ch):04X}" in str(info.value)
    assert_bilingual(str(info.value))


def test_bidi_control_set_covers_overrides_isolates_and_marks() -> None:
    expected = {chr(cp) for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    expected |= {"\u200e", "\u200f", "\u061c"}
    assert expected == BIDI_CONTROLS


@pytest.mark.parametrize("raw", ["\ufeff申请", "申\ufeff请", "申请\ufeff"])
def test_byte_order_mark_is_refused_anywhere(raw: str) -> None:
    with pytest.raises(ValueError, match="U\\+FEFF"):
        clean_text(raw, field_max=10)
    assert disallowed_char_reason(BYTE_ORDER_MARK) is not None


def test_zero_width_joiner_is_allowed() -> None:
    family = "👨\u200d👩\u200d👧"
    assert clean_text(f"家庭{family}", field_max=20) == f"家庭{family}"


@pytest.mark.parametrize("ch", [chr(cp) for cp in (0xD800, 0xDBFF, 0xDC00, 0xDFFF)])
def test_unpaired_surrogates_are_refused(ch: str) -> None:
    with pytest.raises(ValueError, match="代理码位") as info:
        clean_text(f"a{ch}b", field_max=10)
    assert_bilingual(str(info.value))


@pytest.mark.parametrize("ch", ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"])
def test_noncharacters_are_refused(ch: str) -> None:
    with pytest.raises(ValueError, match="非字符") as info:
        clean_text(f"a{ch}b", field_max=10)
    assert_bilingual(str(info.value))


def test_noncharacter_predicate_matches_the_66_code_points() -> None:
    found = [cp for cp in range(0x110000) if is_noncharacter(chr(cp))]
    assert len(found) == 66
    assert found[:2] == [0xFDD0, 0xFDD1]
    assert found[-2:] == [0x10FFFE, 0x10FFFF]


@pytest.mark.parametrize("ch", ["\ufffd", "\ue000", "\u00ad", "\u200b", "\u2060", "𠀀"])
def test_other_unusual_but_harmless_characters_are_allowed(ch: str) -> None:
    # Replacement char, private use (custom glyphs for rare name characters), soft hyphen,
    # zero-width space, word joiner and a CJK Extension B ideograph.
    assert clean_text(f"a{ch}b", field_max=10) == f"a{ch}b"


# --- emptiness and length ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", " ", "\u3000\u3000", "\n\t", "\r\n"])
@pytest.mark.parametrize("multiline", [False, True])
def test_empty_after_stripping_is_refused(raw: str, multiline: bool) -> None:
    with pytest.raises(ValueError, match="不能为空") as info:
        clean_text(raw, field_max=10, multiline=multiline)
    assert_bilingual(str(info.value))


def test_text_at_the_limit_is_accepted() -> None:
    assert clean_text("字" * 10, field_max=10) == "字" * 10


def test_text_over_the_limit_is_refused_with_the_limit_in_the_message() -> None:
    with pytest.raises(ValueError, match="10") as info:
        clean_text("字" * 11, field_max=10)
    message = str(info.value)
    assert "长度" in message
    assert "at most 10 characters" in message
    assert_bilingual(message)


def test_length_counts_code_points_after_normalisation() -> None:
    # Six code points before NFC, three after.
    assert clean_text("e\u0301" * 3, field_max=3) == "é" * 3


def test_length_counts_astral_characters_once() -> None:
    assert clean_text("𠀀𠀁", field_max=2) == "𠀀𠀁"


def test_length_is_measured_after_stripping() -> None:
    assert clean_text("   abc   ", field_max=3) == "abc"


# --- properties ---------------------------------------------------------------------------


# Plain random text rarely hits the interesting code points, so mix them in.
tricky_chars = st.sampled_from(
    [
        *"\r\n\t\x00\x85 \u3000\u0301\u200d\u2028\u2029\ufeff\ufffe\U0010ffff字e",
        *sorted(BIDI_CONTROLS),
        chr(0xD800),
        chr(0xDFFF),
    ]
)
any_text = st.text(st.one_of(st.characters(), tricky_chars))


def _is_disallowed(ch: str, multiline: bool) -> bool:
    category = unicodedata.category(ch)
    if category == "Cc":
        return not (multiline and ch in "\n\t")
    if ch in "\u2028\u2029":
        return True  # refused in one line, turned into "\n" in several
    return ch in BIDI_CONTROLS or ch == BYTE_ORDER_MARK or category == "Cs" or is_noncharacter(ch)


@given(any_text, st.booleans(), st.integers(1, 200))
def test_output_is_clean_bounded_and_idempotent(raw: str, multiline: bool, field_max: int) -> None:
    try:
        out = clean_text(raw, field_max=field_max, multiline=multiline)
    except ValueError as exc:
        assert_bilingual(str(exc))
        return
    assert out
    assert len(out) <= field_max
    assert not any(_is_disallowed(ch, multiline) for ch in out)
    assert "\r" not in out
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)
    assert clean_text(out, field_max=field_max, multiline=multiline) == out


@given(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1),
    st.booleans(),
)
def test_text_without_forbidden_characters_is_only_normalised_and_stripped(
    raw: str, multiline: bool
) -> None:
    expected = unicodedata.normalize("NFC", raw).strip()
    if not expected or any(_is_disallowed(ch, multiline) for ch in expected):
        return
    assert clean_text(raw, field_max=len(expected), multiline=multiline) == expected


@given(any_text)
def test_single_line_output_never_contains_any_control_character(raw: str) -> None:
    try:
        out = clean_text(raw, field_max=10_000)
    except ValueError:
        return
    assert not any(unicodedata.category(ch) == "Cc" for ch in out)


# --- line separators, names, minimum length -----------------------------------------------


@pytest.mark.parametrize("ch", ["\u2028", "\u2029"])
def test_single_line_refuses_unicode_line_and_paragraph_separators(ch: str) -> None:
    with pytest.raises(ValueError, match=f"U\\+{ord(ch):04X}") as info:
        clean_text(f"张{ch}三", field_max=10)
    assert_bilingual(str(info.value))
    assert disallowed_char_reason(ch) is not None


@pytest.mark.parametrize("ch", ["\u2028", "\u2029"])
def test_multiline_turns_unicode_line_separators_into_line_feeds(ch: str) -> None:
    assert clean_text(f"第一行{ch}第二行", field_max=20, multiline=True) == "第一行\n第二行"


@pytest.mark.parametrize("ch", ["\u200b", "\u200c", "\u200d", "\u2060"])
def test_names_refuse_zero_width_characters(ch: str) -> None:
    with pytest.raises(ValueError, match="零宽") as info:
        clean_text(f"张{ch}三", field_max=10, name=True)
    assert_bilingual(str(info.value))
    # The same characters in running text are left alone (emoji sequences, some scripts).
    assert clean_text(f"张{ch}三", field_max=10) == f"张{ch}三"


def test_a_minimum_length_is_counted_after_normalising_and_stripping() -> None:
    assert clean_text("  理由充分  ", field_max=10, field_min=4) == "理由充分"
    with pytest.raises(ValueError, match="at least 4") as info:
        clean_text("  理由  ", field_max=10, field_min=4)
    assert_bilingual(str(info.value))


def test_field_min_zero_lets_blank_text_be_empty() -> None:
    assert clean_text(" \u3000 ", field_max=10, field_min=0) == ""
