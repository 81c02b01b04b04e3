"""Canonical event content and its chained, keyed hash (pure)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

GENESIS = "0" * 64
# The value of case_events.hash_alg for keyed events. Events written before the chain was keyed
# (issue 12) have NULL there and a plain SHA-256 hash; a checkpoint vouches for them.
HMAC_SHA256 = "hmac-sha256"


@dataclass(frozen=True, repr=False)
class AuditKey:
    """The key of the event HMACs and checkpoint signatures; never stored in the database."""

    secret: bytes

    @property
    def id(self) -> str:
        """A fingerprint that names the key without revealing it (stored with checkpoints)."""
        return hmac.new(self.secret, b"gongkai audit key id", hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"AuditKey(id={self.id})"


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable in an event: {type(value).__name__}")


def canonical(content: Mapping[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no whitespace, UTF-8."""
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    ).encode("utf-8")


def legacy_event_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    """The unkeyed hash of events written before issue 12: SHA-256(prev_hash || content)."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(content))
    return digest.hexdigest()


def event_hash(key: AuditKey, content: Mapping[str, Any], prev_hash: str) -> str:
    """The event's hash: HMAC-SHA256 under the audit key over the previous hash and the content.

    Without the key nobody, the database's administrator included, can recompute a chain after
    changing an event.
    """
    mac = hmac.new(key.secret, prev_hash.encode("ascii"), hashlib.sha256)
    mac.update(canonical(content))
    return mac.hexdigest()


def hash_of(alg: str | None, key: AuditKey, content: Mapping[str, Any], prev_hash: str) -> str:
    """The hash an event of this algorithm should carry (None: the legacy unkeyed one)."""
    if alg is None:
        return legacy_event_hash(content, prev_hash)
    if alg == HMAC_SHA256:
        return event_hash(key, content, prev_hash)
    raise ValueError(f"unknown event hash algorithm {alg!r}")


def sign(key: AuditKey, record: Mapping[str, Any]) -> str:
    """The HMAC-SHA256 signature of a record's canonical form."""
    return hmac.new(key.secret, canonical(record), hashlib.sha256).hexdigest()


def same_mac(a: str, b: str) -> bool:
    """Constant-time comparison of two hex MACs."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def json_safe(value: Any) -> Any:
    """The value as stored in a JSON column (dates as ISO strings), so re-hashing agrees."""
    return json.loads(canonical({"v": value}))["v"]
