"""The audit key from the settings."""

from __future__ import annotations

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
    secret = settings.secret_key.get_secret_value().encode("utf-8")
    return AuditKey(hmac.new(secret, _LABEL, hashlib.sha256).digest())
