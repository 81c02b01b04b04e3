"""Which file format a ledger request asks for: `format=` if given, else the Accept header."""

from __future__ import annotations

from typing import Literal

from app.negotiation import choose

Format = Literal["xlsx", "csv"]

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# XLSX first: also the preference when the client likes both equally (e.g. `*/*`).
MEDIA_TYPES: dict[Format, str] = {"xlsx": XLSX, "csv": CSV}


def negotiate(explicit: Format | None, accept: str | None) -> Format | None:
    """The format to send; None when the Accept header admits neither."""
    return choose(MEDIA_TYPES, explicit, accept)
