"""Every field a write route accepts is typed with the shared hygiene (app.fields).

The request test (test_write_hygiene.py) sends bad values to the fields it names; this one walks
every model of every request body in the OpenAPI document, so a text field or a boolean added
later without the shared types fails here the day it is added.
"""

from __future__ import annotations

import enum
import functools
import types
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, Strict
from pydantic.fields import FieldInfo

import app.intake.schemas  # noqa: F401  (read by hand, documented in the components)
from app.config import Settings
from app.main import create_app
from app.validation.text import clean_text


def _models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("app."):
            found.setdefault(cls.__name__, cls)
    return found


def _body_models() -> list[type[BaseModel]]:
    settings = Settings(database_url="sqlite://", secret_key="openapi-only")  # type: ignore[arg-type]
    spec = create_app(settings=settings).openapi()
    by_name = _models()
    names = set()
    for item in spec["paths"].values():
        for op in item.values():
            for media in op.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return [by_name[n] for n in sorted(names)]


def _cleans(meta: tuple[Any, ...]) -> bool:
    for m in meta:
        func = getattr(m, "func", None)
        if isinstance(func, functools.partial) and func.func is clean_text:
            return True
        if isinstance(m, AfterValidator) and getattr(func, "__module__", "") == "app.fields":
            return True  # JsonObject: clean_json over the whole object
    return False


def _pattern(meta: tuple[Any, ...]) -> bool:
    # A Field() inside a union member's Annotated keeps its constraints in its own metadata.
    return any(
        getattr(m, "pattern", None) or (isinstance(m, FieldInfo) and _pattern(tuple(m.metadata)))
        for m in meta
    )


def _problems(tp: Any, where: str, meta: tuple[Any, ...], seen: set[type]) -> Iterator[str]:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *more = get_args(tp)
        yield from _problems(base, where, (*meta, *more), seen)
        return
    if _cleans(meta):
        return
    if origin in (Union, types.UnionType, list, tuple, dict):
        for arg in get_args(tp):
            if arg is not Ellipsis and arg is not type(None):
                yield from _problems(arg, where, meta if origin is not dict else (), seen)
        return
    if origin is Literal or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return
        seen.add(tp)
        for name, f in tp.model_fields.items():
            yield from _problems(f.annotation, f"{tp.__name__}.{name}", tuple(f.metadata), seen)
        return
    if tp is bool:
        if not any(isinstance(m, Strict) and m.strict for m in meta):
            yield f"{where}: a boolean that is not app.fields.Flag"
        return
    if tp is str:
        # Codes and choices with an ASCII pattern hold no hidden characters either; the intake
        # phone and postal-code validators take digits and a few separators only.
        if not (_pattern(meta) or any(getattr(m, "func", None).__module__ == "app.validation.identity"
                                      for m in meta if isinstance(m, AfterValidator))):  # fmt: skip
            yield f"{where}: text without the shared hygiene (app.fields)"
        return
    if tp in (int, float, date, datetime, Any) or getattr(tp, "__name__", "") == "EmailStr":
        return
    yield f"{where}: unexpected type {tp!r}"


def test_the_request_bodies_are_found() -> None:
    names = {m.__name__ for m in _body_models()}
    assert {"ApplicationCreate", "StaffCaseCreate", "RemedyWrite", "DraftCreate",
            "OrganSettings", "CalendarYearData", "OverrideCreate", "PrintBatchCreate",
            "OrganCreate", "UserCreate", "WebhookCreate", "WebhookUpdate"} <= names  # fmt: skip


def test_every_text_and_boolean_of_every_request_body_uses_the_shared_types() -> None:
    seen: set[type] = set()
    problems = [p for model in _body_models() for p in _problems(model, model.__name__, (), seen)]
    assert problems == []


def test_the_walk_finds_a_plain_string_and_a_lax_boolean() -> None:
    class Careless(BaseModel):
        note: str
        agreed: bool

    assert len(list(_problems(Careless, "Careless", (), set()))) == 2
