"""Forms in, field errors out: dotted field names on the page, nested models in the services.

A field is named by its path in the service's model (`applicant.name`, `items.0.description`),
so a pydantic or InvalidInput error's `loc` names the field it concerns, and the page puts the
message beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from app.errors import DomainError
from app.intake.body import read_uploads
from app.intake.uploads import Upload
from app.runtime import Runtime
from app.web.security import CSRF_FIELD, check_csrf

MAX_FORM_FIELDS = 400


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def nest(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """{"a.b": v, "items.0.x": w} → {"a": {"b": v}, "items": [{"x": w}]}; blanks are left out.

    List indices are positions on the page, which may skip numbers after a row was removed:
    rows are kept in index order, gaps closed.
    """
    tree: dict[str, Any] = {}
    for name, raw in pairs:
        value = raw.strip()
        if not value or name == CSRF_FIELD or name.startswith("_"):
            continue
        node: dict[Any, Any] = tree
        parts = [_key(p) for p in name.split(".")]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    nested: dict[str, Any] = _lists(tree)
    return nested


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_lists(node[k]) for k in sorted(node)]
    return {k: _lists(v) for k, v in node.items()}


def field_name(loc: Iterable[str | int]) -> str:
    """A pydantic loc as the page's field name (the leading "body" of an API error dropped)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def plain(message: str) -> str:
    """The Chinese half of a bilingual message, without pydantic's "Value error, " prefix."""
    text = message.removeprefix("Value error, ")
    return text.split(" / ")[0]


@dataclass
class FieldErrors:
    """Messages by field name, in the order the page shows them in its summary."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, plain(message))

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, name: str) -> str | None:
        return self.by_field.get(name)

    def items(self) -> list[tuple[str, str]]:
        return list(self.by_field.items())

    @classmethod
    def of_validation(cls, exc: ValidationError) -> FieldErrors:
        errors = cls()
        for err in exc.errors():
            errors.add(field_name(err.get("loc", ())), _pydantic_message(err))
        return errors

    @classmethod
    def of_domain(cls, exc: DomainError, fallback: str = "") -> FieldErrors:
        errors = cls()
        listed = exc.extra.get("errors")
        if isinstance(listed, list) and listed:
            for err in listed:
                errors.add(field_name(err.get("loc", ())), str(err.get("msg", exc.detail)))
        else:
            errors.add(fallback, exc.detail)
        return errors


# pydantic's own messages are English; the ones an applicant meets most often, in Chinese.
_PYDANTIC_CN = {
    "missing": "请填写此项",
    "string_too_long": "内容过长",
    "string_too_short": "请填写此项",
    "too_short": "请至少填写一项",
    "too_long": "项目过多",
    "literal_error": "请选择一项",
    "enum": "请选择一项",
    "value_error": "",
    "int_parsing": "请填写整数",
    "date_from_datetime_parsing": "请按 年-月-日 填写日期",
    "date_parsing": "请按 年-月-日 填写日期",
    "bool_parsing": "请选择是或否",
    "string_pattern_mismatch": "格式不正确",
}


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    message = str(err.get("msg", ""))
    cn = _PYDANTIC_CN.get(kind)
    if kind == "value_error" or cn is None:
        if "email" in message.lower() and not any("\u4e00" <= c <= "\u9fff" for c in message):
            return "电子邮箱格式不正确"
        return message
    return cn


async def read_form(request: Request, rt: Runtime) -> FormData:
    """The posted form, after its CSRF token is checked (raises CsrfFailed)."""
    form = await request.form(max_files=rt.settings.max_attachments, max_fields=MAX_FORM_FIELDS)
    check_csrf(request, rt, form.get(CSRF_FIELD))
    return form


def form_version(form: FormData) -> int | None:
    """The case version a form was based on (its hidden `version` field): ASCII digits only
    ("²".isdigit() is true and int() refuses it), at most 9 of them; otherwise None."""
    raw = form.get("version")
    if isinstance(raw, str):
        raw = raw.strip()
        if raw.isascii() and raw.isdigit() and len(raw) < 10:
            return int(raw)
    return None


def text_pairs(form: FormData) -> list[tuple[str, str]]:
    """The form's text fields (files left out)."""
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]


def files(form: FormData, name: str) -> list[UploadFile]:
    """The files posted under a name, leaving out the empty part a browser sends for none."""
    return [f for f in form.getlist(name) if isinstance(f, UploadFile) and (f.filename or f.size)]


async def uploads(form: FormData, name: str, rt: Runtime) -> list[Upload]:
    """The files posted under a name, read as the JSON API reads its attachments."""
    s = rt.settings
    return await read_uploads(
        files(form, name), max_files=s.max_attachments, max_file_bytes=s.max_attachment_bytes
    )
