"""Free-form JSON (draft-letter fields, object payloads) gets the same text hygiene, nested."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.text import JSON_MAX_DEPTH, JsonValueError, clean_json, clean_text
from app.workflow.definition import load_workflow
from app.workflow.payload import PayloadErrors, check_payload

WF = load_workflow(Path(__file__).resolve().parents[2] / "workflows" / "foi_application.yaml")


def test_strings_are_cleaned_at_every_depth_and_the_rest_is_kept() -> None:
    raw = {
        " items ": ["Cafe\u0301", {"note": "第一行\u2028第二行 "}],
        "n": 3,
        "ok": True,
        "x": None,
    }
    assert clean_json(raw, text_max=100) == {
        "items": ["Café", {"note": "第一行\n第二行"}],
        "n": 3,
        "ok": True,
        "x": None,
    }


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"a": "x\x00y"}, ("a",)),
        ({"a": [{"b": "x\u202ey"}]}, ("a", 0, "b")),
        ({"a": ["ok", "x\ufeff"]}, ("a", 1)),
        ({"a": {"b\x00": 1}}, ("a",)),
        ({"a": {"b\u2028c": 1}}, ("a",)),
        ({"a": float("nan")}, ("a",)),
        ({"a": [math.inf]}, ("a", 0)),
        ({"a": "字" * 11}, ("a",)),
        ({"a": object()}, ("a",)),
    ],
)
def test_a_bad_value_anywhere_is_refused_with_its_place(raw: Any, path: tuple[Any, ...]) -> None:
    with pytest.raises(JsonValueError) as info:
        clean_json(raw, text_max=10)
    assert info.value.path == path


def test_keys_that_clean_to_the_same_name_are_refused() -> None:
    with pytest.raises(JsonValueError, match="twice"):
        clean_json({"a": 1, " a": 2}, text_max=10)


def test_nesting_and_size_are_bounded() -> None:
    deep: Any = "x"
    for _ in range(JSON_MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(JsonValueError, match="nested"):
        clean_json({"a": deep}, text_max=10)
    with pytest.raises(JsonValueError, match="items"):
        clean_json({"a": list(range(201))}, text_max=10)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_cleaned_json_holds_only_clean_text_and_is_stable(raw: Any) -> None:
    try:
        out = clean_json({"v": raw}, text_max=50)
    except JsonValueError:
        return

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        if isinstance(value, dict):
            return [*value, *(s for item in value.values() for s in strings(item))]
        return []

    for s in strings(out):
        assert s == "" or clean_text(s, field_max=100, multiline=True) == s
        assert "\x00" not in s
    assert clean_json(out, text_max=50) == out


def test_object_payload_fields_are_cleaned_nested_and_refused_with_their_place() -> None:
    action = WF.action("submit_reply")
    ok = check_payload(
        action,
        {"outcome": "withheld.state_secret",
         "withheld_parts": [{"part": "附件二 ", "ground": "withheld.state_secret"}]},
    )  # fmt: skip
    assert ok["withheld_parts"] == [{"part": "附件二", "ground": "withheld.state_secret"}]
    with pytest.raises(PayloadErrors) as info:
        check_payload(
            action,
            {"outcome": "withheld.state_secret",
             "withheld_parts": [{"part": "附件\x00二"}],
             "responsible_organ": {"name": "甲\u202e乙"}},
        )  # fmt: skip
    assert [e["loc"] for e in info.value.errors] == [
        ["body", "withheld_parts", 0, "part"],
        ["body", "responsible_organ", "name"],
    ]


def test_a_choice_is_one_line() -> None:
    with pytest.raises(PayloadErrors, match="U\\+2028"):
        check_payload(
            WF.action("submit_reply"),
            {"outcome": "disclosed", "provided_form": "pa\u2028per"},
        )
