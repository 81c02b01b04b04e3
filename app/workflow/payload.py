"""Checking an action's payload against the fields its definition declares (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from app.validation.text import JsonValueError, clean_json, clean_text
from app.workflow.definition import ActionDef, PayloadField

MAX_TEXT = 4000
MAX_LIST = 50
MAX_OBJECTS = 200


class PayloadErrors(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors


def _value(f: PayloadField, raw: Any) -> Any:
    if f.type == "str":
        if not isinstance(raw, str):
            raise ValueError("须为文本 / must be a string")
        # A choice is a one-line code; other text may run over several lines.
        value = clean_text(raw, field_max=MAX_TEXT, multiline=not f.choices)
        if f.choices and value not in f.choices:
            raise ValueError(f"须为以下之一 / must be one of: {', '.join(f.choices)}")
        return value
    if f.type == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("须为整数 / must be an integer")
        return raw
    if f.type == "bool":
        if not isinstance(raw, bool):
            raise ValueError("须为 true 或 false / must be a boolean")
        return raw
    if f.type == "date":
        if not isinstance(raw, str):
            raise ValueError("须为日期 YYYY-MM-DD / must be a date")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError("须为日期 YYYY-MM-DD / must be a date") from None
    if f.type == "datetime":
        if not isinstance(raw, str):
            raise ValueError("须为时间 / must be a date-time")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("须为 ISO 8601 时间 / must be an ISO 8601 date-time") from None
        if moment.tzinfo is None:
            raise ValueError("须带时区 / must carry a UTC offset")
        return moment
    if f.type == "list":
        if not isinstance(raw, list) or not raw or len(raw) > MAX_LIST:
            raise ValueError(f"须为 1–{MAX_LIST} 项的列表 / must be a list of 1–{MAX_LIST} items")
        if not all(isinstance(item, str) for item in raw):
            raise ValueError("列表各项须为文本 / list items must be strings")
        return [clean_text(item, field_max=MAX_TEXT, multiline=True) for item in raw]
    if f.type == "objects":
        if not isinstance(raw, list) or len(raw) > MAX_OBJECTS:
            raise ValueError(
                f"须为至多 {MAX_OBJECTS} 项的列表 / must be a list of at most {MAX_OBJECTS}"
            )
        if not all(isinstance(item, dict) for item in raw):
            raise ValueError("列表各项须为对象 / list items must be objects")
        # Nested strings go through the same hygiene as every other text (stored in the event
        # and in letters); what each object must hold is checked by the guards and builders.
        return clean_json(raw, text_max=MAX_TEXT)
    if not isinstance(raw, dict):
        raise ValueError("须为对象 / must be an object")
    return clean_json(raw, text_max=MAX_TEXT)


def check_payload(action: ActionDef, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The typed payload, or PayloadErrors naming every bad, missing or unknown field."""
    errors: list[dict[str, Any]] = []
    known = {f.name for f in action.payload}
    for name in raw:
        if name not in known:
            errors.append({"loc": ["body", name], "msg": "未知字段 / unknown field"})
    out: dict[str, Any] = {}
    for f in action.payload:
        if f.name not in raw or raw[f.name] is None:
            if f.required:
                errors.append({"loc": ["body", f.name], "msg": f"必填：{f.label} / required field"})
            continue
        try:
            out[f.name] = _value(f, raw[f.name])
        except JsonValueError as exc:
            errors.append({"loc": ["body", f.name, *exc.path], "msg": exc.message})
        except ValueError as exc:
            errors.append({"loc": ["body", f.name], "msg": str(exc)})
    if errors:
        raise PayloadErrors(errors)
    return out


def _form_value(f: PayloadField, texts: list[str], tz: tzinfo) -> Any:
    """One field's form text(s) as the JSON value check_payload expects (None: left blank)."""
    text = "\n".join(texts).strip()
    if not text:
        return None
    if f.type == "list":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if f.type == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError("须为整数 / must be an integer") from None
    if f.type == "bool":
        if text not in ("true", "false"):
            raise ValueError("请选择是或否 / must be yes or no")
        return text == "true"
    if f.type == "datetime":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("须为时间 年-月-日 时:分 / must be a date-time") from None
        # A browser's datetime-local carries no offset: it is the organ's local time.
        return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).isoformat()
    if f.type in ("object", "objects"):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("须为 JSON / must be JSON") from None
    return text


def form_payload(action: ActionDef, form: Mapping[str, list[str]], tz: tzinfo) -> dict[str, Any]:
    """The JSON payload an HTML form's fields (name -> every value posted) stand for, as the
    JSON API receives it (the engine types it with check_payload), already checked by it: a list is one entry per line, a bool is "true"/"false", a datetime
    without offset is local time, blank is absent. Fields not declared are ignored (the form
    carries its own). PayloadErrors names every bad or missing field."""
    raw: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for f in action.payload:
        try:
            value = _form_value(f, form.get(f.name, []), tz)
        except ValueError as exc:
            errors.append({"loc": ["body", f.name], "msg": str(exc)})
            continue
        if value is not None:
            raw[f.name] = value
    try:
        check_payload(action, raw)
    except PayloadErrors as exc:
        raise PayloadErrors(errors + exc.errors) from None
    if errors:
        raise PayloadErrors(errors)
    return raw
