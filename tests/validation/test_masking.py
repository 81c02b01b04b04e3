"""Tests for app.validation.masking."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.masking import (
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_person_name,
    mask_phone,
)

# --- ID numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("110105194912311234", "1101**********1234"),
        ("11010519491231123X", "1101**********123X"),
        ("91350100M000100Y43", "9135**********0Y43"),
        ("USA110078010001", "USA*********001"),
        ("1234567890123456", "1234********3456"),
        ("H1234567890", "H1*******90"),
        ("E12345678", "E1*****78"),
        ("12345678", "12****78"),
        ("1234567", "******7"),
        ("AB", "*B"),
        ("A", "A"),
        ("", ""),
        ("  E12345678 ", "E1*****78"),
    ],
)
def test_mask_id_number(raw: str, expected: str) -> None:
    assert mask_id_number(raw) == expected


@given(st.text(st.characters(exclude_categories=("Z", "Cc")), min_size=16))
def test_mask_id_number_long_values_keep_exactly_four_chars_each_end(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:4] == value[:4]
    assert masked[-4:] == value[-4:]
    assert set(masked[4:-4]) == {"*"}


@given(st.text(st.characters(exclude_categories=("Z", "Cc"), exclude_characters="*")))
def test_mask_id_number_always_hides_at_least_half(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    visible = sum(ch != "*" for ch in masked)
    assert visible <= max(1, len(value) // 2)


# --- phone numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "138****5678"),
        ("19900001111", "199****1111"),
        ("010-12345678", "***-****5678"),
        ("0755-1234567", "****-***4567"),
        ("010-12345678-123", "***-*******8-123"),
        ("400-820-8820", "***-***-8820"),
        ("12345", "*2345"),
        ("1234", "1234"),
        ("", ""),
    ],
)
def test_mask_phone(raw: str, expected: str) -> None:
    assert mask_phone(raw) == expected


@given(st.from_regex(r"[0-9-]{1,20}", fullmatch=True))
def test_mask_phone_never_shows_more_than_seven_digits_and_keeps_layout(value: str) -> None:
    masked = mask_phone(value)
    assert len(masked) == len(value)
    assert [c == "-" for c in masked] == [c == "-" for c in value]
    visible = sum(c.isdigit() for c in masked)
    assert visible <= 7
    if len(value) != 11 or "-" in value:
        assert visible <= 4


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜拉·买买提", "阿*******"),
        ("李", "*"),
        ("John Smith", "J*********"),
        ("", ""),
        (" 王五 ", "王*"),
    ],
)
def test_mask_person_name(raw: str, expected: str) -> None:
    assert mask_person_name(raw) == expected


def test_mask_name_masks_persons() -> None:
    assert mask_name("张三丰", is_person=True) == "张**"


def test_mask_name_leaves_organisation_names_public() -> None:
    org = "北京市某某科技有限公司"
    assert mask_name(org, is_person=False) == org
    assert mask_name(" 某某律师事务所 ", is_person=False) == "某某律师事务所"


@given(st.text(st.characters(exclude_categories=("Z", "Cc")), min_size=2))
def test_mask_person_name_reveals_only_the_first_character(name: str) -> None:
    masked = mask_person_name(name)
    assert masked == name[0] + "*" * (len(name) - 1)


# --- e-mail -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("a@b.cn", "a***@b.cn"),
        ("张三@例子.中国", "张***@例子.中国"),
        ("odd@local@example.com", "o***@example.com"),
        ("@example.com", "***@example.com"),
        ("not-an-email", "n***"),
        ("", ""),
    ],
)
def test_mask_email(raw: str, expected: str) -> None:
    assert mask_email(raw) == expected


@given(st.emails())
def test_mask_email_keeps_domain_and_hides_local_part_length(email: str) -> None:
    local, _, domain = email.rpartition("@")
    assert mask_email(email) == f"{local[0]}***@{domain}"


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("北京市海淀区中关村大街1号", "北京市海淀区****"),
        ("广东省深圳市南山区科技园", "广东省深圳市****"),
        ("北京", "北京****"),
        ("  上海市黄浦区人民大道200号 ", "上海市黄浦区****"),
        ("", ""),
    ],
)
def test_mask_address(raw: str, expected: str) -> None:
    assert mask_address(raw) == expected
