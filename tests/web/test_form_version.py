"""The case version a page's form was based on: ASCII digits only, or nothing."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from app.web.forms import form_version


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 12 ", 12), ("", None), ("²", None), ("١", None), ("-1", None), ("1.0", None),
     ("1234567890", None)],
)  # fmt: skip
def test_form_version(raw: str, expected: int | None) -> None:
    assert form_version(FormData({"version": raw})) == expected


def test_no_version_field() -> None:
    assert form_version(FormData({})) is None
