"""form_payload: an HTML form's text as the JSON payload an action declares (pure)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from app.workflow.definition import ActionDef
from app.workflow.payload import PayloadErrors, check_payload, form_payload

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTION = ActionDef.model_validate(
    {
        "code": "sample",
        "label": "示例",
        "label_en": "Sample",
        "from_states": ["a"],
        "to": "b",
        "roles": ["clerk"],
        "payload": [
            {"name": "items", "type": "list", "required": True, "label": "事项"},
            {"name": "days", "type": "int", "label": "天数"},
            {"name": "on", "type": "date", "label": "日期"},
            {"name": "at", "type": "datetime", "label": "时间"},
            {"name": "flag", "type": "bool", "label": "是否"},
            {"name": "basis", "type": "str", "label": "依据", "choices": ["x", "y"]},
            {"name": "parts", "type": "objects", "label": "部分"},
        ],
    }
)


def test_each_type_is_read_from_its_form_text() -> None:
    form = {
        "items": ["  身份证明 \r\n\r\n文号  "],
        "days": ["5"],
        "on": ["2026-03-03"],
        "at": ["2026-03-03T08:30"],
        "flag": ["false"],
        "basis": ["y"],
        "parts": ['[{"item": 1}]'],
        "not_declared": ["ignored"],
    }
    raw = form_payload(ACTION, form, SHANGHAI)
    assert raw == {
        "items": ["身份证明", "文号"],
        "days": 5,
        "on": "2026-03-03",
        "at": "2026-03-03T08:30:00+08:00",
        "flag": False,
        "basis": "y",
        "parts": [{"item": 1}],
    }
    # It is exactly what the JSON API would have been sent: the engine types it the same way.
    assert check_payload(ACTION, raw)["days"] == 5


def test_blank_fields_are_absent_and_required_ones_are_named() -> None:
    with pytest.raises(PayloadErrors) as caught:
        form_payload(ACTION, {"items": ["  \n "], "days": [""]}, SHANGHAI)
    assert [e["loc"] for e in caught.value.errors] == [["body", "items"]]


def test_every_bad_value_is_named_at_once() -> None:
    form = {
        "items": ["a"],
        "days": ["five"],
        "on": ["2026-02-30"],
        "at": ["soon"],
        "flag": ["maybe"],
        "basis": ["z"],
        "parts": ["{not json"],
    }
    with pytest.raises(PayloadErrors) as caught:
        form_payload(ACTION, form, SHANGHAI)
    named = sorted(e["loc"][1] for e in caught.value.errors)
    assert named == ["at", "basis", "days", "flag", "on", "parts"]
