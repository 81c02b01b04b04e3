"""Standard Webhooks signing secrets: made, kept encrypted, and used to sign a request.

A secret is "whsec_" + base64 of 32 random bytes; the HMAC key is those bytes (the prefix
stripped, base64-decoded), as the specification and its reference libraries do. It is stored
encrypted (app.sealing: AES-GCM, key derived from the service's secret key) because the worker needs it
back to sign; no route ever shows it again after creation or rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from app import sealing

PREFIX = "whsec_"
SECRET_BYTES = 32
# Domain separation: the derived key is useless as a token or audit key and the other way round.
_LABEL = b"gongkai/webhook-secrets/v1"


def new_secret() -> str:
    """A signing secret, shown to the subscriber once."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def key_bytes(secret: str) -> bytes:
    """The HMAC key of a whsec_ secret."""
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header value: "v1," + base64(HMAC-SHA256(id.timestamp.body))."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def seal(service_key: bytes, secret: str) -> str:
    """The secret encrypted for storage (app.sealing: base64 of nonce + ciphertext)."""
    return sealing.seal(service_key, _LABEL, secret.encode("ascii"))


def unseal(service_key: bytes, stored: str) -> str:
    """The secret back from storage (raises if the service key has changed)."""
    return sealing.unseal(service_key, _LABEL, stored).decode("ascii")
