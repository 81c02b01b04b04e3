"""The identity provider as an OpenID Connect client sees it: discovery, signing keys, the
authorization request, the code exchange and the ID token's verification.

Discovery ({issuer}/.well-known/openid-configuration) and the JWKS are fetched with httpx and
kept for `oidc_cache_seconds`; a token signed with a key not in the cached set refetches the set
once (the provider rotated its keys). The ID token is verified with PyJWT: the signature with the
provider's key and an asymmetric algorithm the provider declares (never `none`, never HMAC), the
issuer, the audience (and `azp` when there are several), and then, against the runtime's clock
(the one sessions use, so tests drive it), the expiry and issue time, and the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import jwt

from app.auth.oidc.urls import is_secure_url
from app.config import Settings

log = logging.getLogger("gongkai.auth")

# Asymmetric algorithms only: an HMAC "signature" keyed with the client secret, or none at
# all, would let anyone who learns the secret (or nobody) vouch for a user.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
LEEWAY_SECONDS = 60
MAX_SUBJECT_LENGTH = 255
_JWKS_REFETCH_AFTER_S = 30.0


class OidcError(Exception):
    """The sign-in through the provider failed. `reason` names what failed for the page:
    `provider` (unreachable or answered wrongly) or `token` (the ID token was refused);
    the message (English, for the log) says exactly why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FlowSecrets:
    """One sign-in's random values: the state (ties the callback to this browser), the nonce
    (ties the ID token to this sign-in) and the PKCE verifier (ties the code to this client)."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> FlowSecrets:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64))

    @property
    def challenge(self) -> str:
        """The S256 code challenge of the verifier (RFC 7636 §4.2)."""
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: frozenset[str]
    basic_auth: bool  # client_secret_basic, else client_secret_post

    @classmethod
    def parse(cls, data: Any, issuer: str) -> Discovery:
        if not isinstance(data, dict):
            raise OidcError("provider", "discovery document is not a JSON object")
        named = data.get("issuer")
        if not isinstance(named, str) or named.rstrip("/") != issuer:
            raise OidcError("provider", f"discovery names issuer {named!r}")
        urls = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            url = data.get(name)
            if not isinstance(url, str) or not is_secure_url(url):
                raise OidcError("provider", f"discovery: {name} missing or not https")
            urls[name] = url
        declared = data.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = frozenset(a for a in declared if a in SIGNING_ALGORITHMS)
        if not algorithms:
            raise OidcError("provider", f"no acceptable ID token algorithm in {declared!r}")
        methods = data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if "client_secret_basic" not in methods and "client_secret_post" not in methods:
            raise OidcError("provider", f"token endpoint takes neither secret method: {methods!r}")
        return cls(
            issuer=named,  # exactly as the provider writes it: the tokens' iss is compared to it
            algorithms=algorithms,
            basic_auth="client_secret_basic" in methods,
            **urls,
        )


class _Cached:
    """A value fetched with httpx and kept for a while (thread-safe)."""

    def __init__(self, ttl_s: float, fetch: Callable[[], Any]) -> None:
        self._ttl, self._fetch = ttl_s, fetch
        self._lock = threading.Lock()
        self._value: Any = None
        self._at = 0.0

    def get(self, *, fresher_than: float | None = None) -> Any:
        with self._lock:
            age = time.monotonic() - self._at
            limit = self._ttl if fresher_than is None else min(self._ttl, fresher_than)
            if self._value is None or age >= limit:
                self._value, self._at = self._fetch(), time.monotonic()
            return self._value


class OidcProvider:
    """The configured provider; one per runtime, its discovery and keys cached."""

    def __init__(self, settings: Settings) -> None:
        issuer, client_id = settings.oidc_issuer, settings.oidc_client_id
        secret = settings.oidc_client_secret
        if not (issuer and client_id and secret):
            raise ValueError("the identity provider is not configured (issuer, client id, secret)")
        self.issuer = issuer
        self.client_id = client_id
        self._secret = secret.get_secret_value()
        self.scopes = settings.oidc_scopes
        self.subject_claim = settings.oidc_subject_claim
        self.name = settings.oidc_provider_name
        self._timeout = settings.oidc_timeout_s
        self._discovery = _Cached(settings.oidc_cache_seconds, self._fetch_discovery)
        self._jwks = _Cached(settings.oidc_cache_seconds, self._fetch_jwks)

    # --- fetching -----------------------------------------------------------------------------

    def _get_json(self, url: str) -> Any:
        try:
            r = httpx.get(url, timeout=self._timeout, follow_redirects=False)
            r.raise_for_status()
            return r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError("provider", f"GET {url}: {exc}") from exc

    def _fetch_discovery(self) -> Discovery:
        url = self.issuer + "/.well-known/openid-configuration"
        return Discovery.parse(self._get_json(url), self.issuer)

    def _fetch_jwks(self) -> jwt.PyJWKSet:
        data = self._get_json(self.discovery().jwks_uri)
        try:
            return jwt.PyJWKSet.from_dict(data)
        except (jwt.PyJWTError, TypeError, AttributeError) as exc:
            raise OidcError("provider", f"JWKS unusable: {exc}") from exc

    def discovery(self) -> Discovery:
        found: Discovery = self._discovery.get()
        return found

    # --- the flow -----------------------------------------------------------------------------

    def authorization_url(self, flow: FlowSecrets, redirect_uri: str) -> str:
        """Where the browser goes to sign in at the provider."""
        endpoint = self.discovery().authorization_endpoint
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.scopes,
                "state": flow.state,
                "nonce": flow.nonce,
                "code_challenge": flow.challenge,
                "code_challenge_method": "S256",
            }
        )
        return endpoint + ("&" if "?" in endpoint else "?") + query

    def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> str:
        """The ID token the token endpoint gives for the code (not yet verified)."""
        found = self.discovery()
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        auth: tuple[str, str] | None = None
        if found.basic_auth:  # RFC 6749 §2.3.1: each part form-encoded first
            auth = (quote(self.client_id, safe=""), quote(self._secret, safe=""))
        else:
            data |= {"client_id": self.client_id, "client_secret": self._secret}
        try:
            r = httpx.post(
                found.token_endpoint,
                data=data,
                auth=auth,
                timeout=self._timeout,
                follow_redirects=False,
                headers={"Accept": "application/json"},
            )
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError("provider", f"token endpoint: {exc}") from exc
        if r.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise OidcError("provider", f"token endpoint answered {r.status_code} {error!r}")
        token = body.get("id_token")
        if not isinstance(token, str) or not token:
            raise OidcError("provider", "token endpoint gave no id_token")
        return token

    def _key_for(self, header: dict[str, Any]) -> Any:
        kid = header.get("kid")
        for attempt in range(2):
            # A kid not in the set: the provider may have rotated its keys; refetch once.
            keys: jwt.PyJWKSet = self._jwks.get(
                fresher_than=_JWKS_REFETCH_AFTER_S if attempt else None
            )
            usable = [k for k in keys.keys if k.public_key_use in (None, "sig")]
            if kid is not None:
                usable = [k for k in usable if k.key_id == kid]
            if len(usable) == 1:
                return usable[0].key
            if len(usable) > 1:
                raise OidcError("token", "ID token names no key and the set has several")
        raise OidcError("token", f"no signing key {kid!r} in the provider's JWKS")

    def verify_id_token(self, token: str, nonce: str, now: datetime) -> str:
        """The user's subject (the configured claim) from a verified ID token."""
        found = self.discovery()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise OidcError("token", f"ID token unreadable: {exc}") from exc
        alg = header.get("alg")
        if alg not in found.algorithms:
            raise OidcError("token", f"ID token algorithm {alg!r} not accepted")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key_for(header),
                algorithms=[alg],
                audience=self.client_id,
                issuer=found.issuer,
                options={
                    "require": ["iss", "aud", "exp", "iat", "sub"],
                    # Times are checked below against the runtime's clock.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise OidcError("token", f"ID token refused: {exc}") from exc
        _check_claims(claims, self.client_id, nonce, int(now.timestamp()))
        subject = claims.get(self.subject_claim)
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_LENGTH:
            raise OidcError("token", f"ID token has no usable {self.subject_claim!r} claim")
        return subject


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OidcError("token", f"ID token claim {name} is not a number")
    return float(value)


def _check_claims(claims: dict[str, Any], client_id: str, nonce: str, now: int) -> None:
    """The checks after the signature: several audiences need azp; times; the nonce."""
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise OidcError("token", "ID token for several audiences without azp = this client")
    if _number(claims, "exp") + LEEWAY_SECONDS < now:
        raise OidcError("token", "ID token expired")
    if _number(claims, "iat") - LEEWAY_SECONDS > now:
        raise OidcError("token", "ID token issued in the future")
    if "nbf" in claims and _number(claims, "nbf") - LEEWAY_SECONDS > now:
        raise OidcError("token", "ID token not valid yet")
    got = claims.get("nonce")
    if not isinstance(got, str) or not secrets.compare_digest(got.encode(), nonce.encode()):
        raise OidcError("token", "ID token nonce does not match this sign-in")
