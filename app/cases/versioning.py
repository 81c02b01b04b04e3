"""The case version a state-changing call is based on: If-Match header or `version` field."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Header

from app.errors import InvalidInput

# ASCII digits only: str.isdigit() also accepts "²", "¹" or "١", which int() then refuses or reads
# as another number. At most 10 digits, as a version is a 32-bit INTEGER column.
_VERSION_TAG = re.compile(r"[0-9]{1,10}")

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description='案件版本号，如 "3" / the case version the change is based on',
    ),
]


def split_version(body: dict[str, Any], if_match: str | None) -> tuple[dict[str, Any], int | None]:
    """The action payload without `version`, and the version from the body or If-Match."""
    payload = dict(body)
    raw = payload.pop("version", None)
    if if_match is not None:
        tag = if_match.strip().removeprefix("W/").strip('"')
        if not _VERSION_TAG.fullmatch(tag):
            raise InvalidInput(("header", "If-Match"), "须为版本号 / must be the case version")
        header_version = int(tag)
        if raw is not None and raw != header_version:
            raise InvalidInput(
                ("body", "version"), "version 与 If-Match 不一致 / version and If-Match disagree"
            )
        return payload, header_version
    if raw is None:
        return payload, None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise InvalidInput(("body", "version"), "须为正整数 / must be a positive integer")
    return payload, raw
