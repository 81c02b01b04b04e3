"""Secrets kept encrypted at rest with a key derived from the service's secret key.

AES-GCM with a 96-bit random nonce; the key is HMAC-SHA256(service key, label), and the label
is also the associated data, so a value sealed for one purpose (a webhook secret, an organ's
signing key) cannot be unsealed as another. Stored as base64 of nonce + ciphertext + tag.
Unsealing fails (cryptography's InvalidTag) when the service key has changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


def _aead(service_key: bytes, label: bytes) -> AESGCM:
    return AESGCM(hmac.new(service_key, label, hashlib.sha256).digest())


def seal(service_key: bytes, label: bytes, data: bytes) -> str:
    """The bytes encrypted for storage (base64 of nonce + ciphertext)."""
    nonce = secrets.token_bytes(_NONCE)
    return base64.b64encode(nonce + _aead(service_key, label).encrypt(nonce, data, label)).decode(
        "ascii"
    )


def unseal(service_key: bytes, label: bytes, stored: str) -> bytes:
    """The bytes back from storage (raises if the service key or the label differ)."""
    raw = base64.b64decode(stored)
    return _aead(service_key, label).decrypt(raw[:_NONCE], raw[_NONCE:], label)
