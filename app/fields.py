"""Annotated field types shared by the schemas: format validation only."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import AfterValidator, Field

from app.validation.text import clean_text


def _text(max_length: int, *, multiline: bool = False) -> AfterValidator:
    # NFC-normalised, trimmed, control characters refused, length counted after normalising.
    return AfterValidator(partial(clean_text, field_max=max_length, multiline=multiline))


Text40 = Annotated[str, _text(40)]
Text50 = Annotated[str, _text(50)]
Text100 = Annotated[str, _text(100)]
Text200 = Annotated[str, _text(200)]
Text300 = Annotated[str, _text(300)]
LongText = Annotated[str, _text(4000, multiline=True)]

Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="代码（字母、数字、_.-）/ code (letters, digits, _.-)",
    ),
]

# Row ids are INTEGER columns (32-bit on PostgreSQL): a larger id in a URL is refused up front,
# because the database would fail on it ("integer out of range") instead of finding nothing.
MAX_ROW_ID = 2**31 - 1
