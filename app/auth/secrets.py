"""Long random secrets (API tokens, query codes, letters' verification codes) and their keyed
hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford base32 without I, L, O, U: nothing an applicant can misread when typing a code.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUERY_CODE_LENGTH = 20  # 100 bits
# A letter's verification code: printed on it, so short; 50 bits are beyond guessing at the rate
# /verify allows. Issuing checks a new code against the letters' (a unique index holds the rest).
VERIFY_CODE_LENGTH = 10
_LOOKALIKES = str.maketrans("OIL", "011")


def keyed_hash(key: bytes, secret: str) -> str:
    """HMAC-SHA256 hex of a secret: fast to check, useless to whoever reads the database."""
    return hmac.new(key, secret.encode("utf-8"), hashlib.sha256).hexdigest()


def new_api_token() -> str:
    """A fresh bearer token (256 bits)."""
    return "gk_" + secrets.token_urlsafe(32)


def new_query_code() -> str:
    """A fresh query code, grouped in fours for reading aloud: XXXX-XXXX-XXXX-XXXX-XXXX."""
    # 32 symbols: the low 5 bits of each random byte pick one uniformly (256 = 8 × 32).
    raw = "".join(_CODE_ALPHABET[b & 31] for b in secrets.token_bytes(QUERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


def normalize_query_code(code: str) -> str:
    """Canonical form of a typed query code: no separators, upper case, O→0, I/L→1."""
    cleaned = code.replace("-", "").replace(" ", "").upper()
    return cleaned.translate(_LOOKALIKES)


def new_verify_code() -> str:
    """A fresh verification code for a letter: 10 Crockford base32 symbols (50 bits)."""
    return "".join(_CODE_ALPHABET[b & 31] for b in secrets.token_bytes(VERIFY_CODE_LENGTH))


def grouped_verify_code(code: str) -> str:
    """The code as printed, in two groups of five: 7KQ3M-X9PZ2."""
    return f"{code[:5]}-{code[5:]}"


def normalize_verify_code(code: str) -> str | None:
    """The canonical form of a typed verification code, or None if it cannot be one."""
    cleaned = normalize_query_code(code)
    if len(cleaned) != VERIFY_CODE_LENGTH or any(c not in _CODE_ALPHABET for c in cleaned):
        return None
    return cleaned
