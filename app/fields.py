"""Annotated field types shared by the schemas and routes: format validation only.

Every write route takes its text through these types (or `JsonObject` for free-form JSON), its
booleans as `Flag` and its row ids as `RowId`: one place for the rules, not one per router.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from app.validation.text import clean_json, clean_text


def _text(
    max_length: int, *, multiline: bool = False, name: bool = False, min_length: int = 1
) -> AfterValidator:
    # NFC-normalised, trimmed, control characters refused, length counted after normalising.
    return AfterValidator(
        partial(
            clean_text,
            field_max=max_length,
            field_min=min_length,
            multiline=multiline,
            name=name,
        )
    )


Text40 = Annotated[str, _text(40)]
Text50 = Annotated[str, _text(50)]
Text100 = Annotated[str, _text(100)]
Text200 = Annotated[str, _text(200)]
Text300 = Annotated[str, _text(300)]
LongText = Annotated[str, _text(4000, multiline=True)]
# Names of people, organisations and bodies: zero-width characters refused as well, so two
# names that look the same are the same.
Name100 = Annotated[str, _text(100, name=True)]
Name200 = Annotated[str, _text(200, name=True)]
# A reason given for an exceptional step (an override of a published report): a few words at least.
Reason = Annotated[str, _text(2000, multiline=True, min_length=4)]


Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="代码（字母、数字、_.-）/ code (letters, digits, _.-)",
    ),
]

# true or false only: "yes", "true", 1 are refused rather than guessed at, so a consent is
# never recorded that the client did not send as a boolean.
Flag = StrictBool

# Free-form JSON objects (a draft letter's fields): every key and string inside goes through
# the same hygiene; the letter kind's own model then checks what the fields mean.
JSON_TEXT_MAX = 4000


def _clean_object(value: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = clean_json(value, text_max=JSON_TEXT_MAX)
    return cleaned


JsonObject = Annotated[dict[str, Any], AfterValidator(_clean_object)]

# Row ids are INTEGER columns (32-bit on PostgreSQL): an id outside 1..2^31-1 names no row, and
# the database would fail on it ("integer out of range") instead of finding nothing.
MAX_ROW_ID = 2**31 - 1
ROW_ID_OUT_OF_RANGE = "row_id_out_of_range"
_RANGE_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "int_parsing_size"})


def _row_id(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # A whole number out of range gets its own error type: in a path it answers 404 like an
    # unknown id (app.errors); anything else ("abc", "1.5") stays a 422.
    try:
        return handler(value)
    except ValidationError as exc:
        if all(e["type"] in _RANGE_ERRORS for e in exc.errors()):
            raise PydanticCustomError(
                ROW_ID_OUT_OF_RANGE,
                "编号超出范围，没有这条记录 / no record has this id (must be 1 to {max})",
                {"max": MAX_ROW_ID},
            ) from None
        raise


RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID), WrapValidator(_row_id)]
