"""The audit key from the settings."""

from __future__ import annotations

import functools
import hashlib
import hmac

from app.audit.chain import AuditKey
from app.config import Settings

# Domain separation: the derived key is useless as a token key and the other way round.
_LABEL = b"gongkai/audit-chain/v1"


def audit_key(settings: Settings) -> AuditKey:
    """GONGKAI_AUDIT_KEY when set, else a key derived from GONGKAI_SECRET_KEY."""
    if settings.audit_key is not None:
        return AuditKey(settings.audit_key.get_secret_value().encode("utf-8"))
    return _derived(settings.secret_key.get_secret_value())


@functools.lru_cache(maxsize=8)
def _derived(secret_key: str) -> AuditKey:
    """Derived once per secret key (every event of every request needs it)."""
    return AuditKey(hmac.new(secret_key.encode("utf-8"), _LABEL, hashlib.sha256).digest())
