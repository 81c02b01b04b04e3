"""Canonical event content and its chained SHA-256 (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable in an event: {type(value).__name__}")


def canonical(content: Mapping[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    ).encode("utf-8")


def event_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    """The event's hash: SHA-256 over the previous hash and the canonical content."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(content))
    return digest.hexdigest()


def json_safe(value: Any) -> Any:
    """The value as stored in a JSON column (dates as ISO strings), so re-hashing agrees."""
    return json.loads(canonical({"v": value}))["v"]
