"""A small but real OpenID Connect provider for the tests, served over HTTP on 127.0.0.1.

Discovery, a JWKS from an RSA key generated here, an authorize endpoint that signs in whoever
the test names (`subject`) and redirects back with a code, and a token endpoint that checks the
client's secret (client_secret_basic), the code (once), the redirect URI and the PKCE verifier
against the S256 challenge before it issues an RS256-signed ID token. A test bends the next
ID token through `claims` (a value of None removes the claim), `signing_key`, `algorithm`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import unquote, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.auth.oidc.link import SubjectLink, link_subject
from app.organs import service as organs_service
from app.organs.schemas import UserCreate
from app.runtime import Runtime
from tests.web.browser.support import LiveServer

CLIENT_ID = "gongkai-workbench"
CLIENT_SECRET = "s3cret:with/odd&chars, long enough for HS256"
KID = "key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class _Grant:
    redirect_uri: str
    nonce: str
    challenge: str
    subject: str


@dataclass
class Provider:
    """The provider's state; `url` is its issuer once served."""

    clock: Callable[[], datetime]
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = KID
    url: str = ""
    subject: str = "zhang.san"
    deny: bool = False
    interactive: bool = False  # show a sign-in page (a form the person submits) first
    claims: dict[str, Any] = field(default_factory=dict)
    signing_key: Any = None
    algorithm: str = "RS256"
    grants: dict[str, _Grant] = field(default_factory=dict)
    token_requests: int = 0

    def reset(self) -> None:
        self.subject, self.deny, self.claims = "zhang.san", False, {}
        self.interactive = False
        self.kid = KID  # (a rotated key stays: every test's service fetches the set anew)
        self.signing_key, self.algorithm = None, "RS256"
        self.grants.clear()
        self.token_requests = 0

    def id_token(self, grant: _Grant) -> str:
        now = int(self.clock().timestamp())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": grant.subject,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "preferred_username": grant.subject + "@province",
        }
        for name, value in self.claims.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.signing_key if self.signing_key is not None else self.key
        return jwt.encode(claims, key, algorithm=self.algorithm, headers={"kid": self.kid})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client_ok(request: Request) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    user, _, password = base64.b64decode(value).decode().partition(":")
    return unquote(user) == CLIENT_ID and unquote(password) == CLIENT_SECRET


def provider_app(p: Provider) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return {
            "issuer": p.url,
            "authorization_endpoint": p.url + "/authorize",
            "token_endpoint": p.url + "/token",
            "jwks_uri": p.url + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(p.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": p.kid, "use": "sig", "alg": "RS256"}]}

    def _answer(q: Mapping[str, str]) -> Response:
        ok = (
            q.get("response_type") == "code"
            and q.get("client_id") == CLIENT_ID
            and q.get("code_challenge_method") == "S256"
            and "openid" in q.get("scope", "").split()
            and q.get("state")
            and q.get("nonce")
            and q.get("code_challenge")
        )
        if not ok:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        back = {"state": q["state"]}
        if p.deny:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            p.grants[code] = _Grant(q["redirect_uri"], q["nonce"], q["code_challenge"], p.subject)
            back["code"] = code
        return RedirectResponse(q["redirect_uri"] + "?" + urlencode(back), status_code=302)

    @app.get("/authorize")
    def authorize(request: Request) -> Response:
        if not p.interactive:  # signed in already: straight back
            return _answer(request.query_params)
        fields = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in request.query_params.items()
        )
        return HTMLResponse(
            '<!doctype html><html lang="zh-CN"><title>统一身份认证</title><main>'
            f'<h1>统一身份认证</h1><form method="post" action="/authorize">{fields}'
            '<button type="submit">确认登录</button></form></main></html>'
        )

    @app.post("/authorize")
    async def authorize_form(request: Request) -> Response:
        form = await request.form()
        return _answer({k: str(v) for k, v in form.items()})

    @app.post("/token")
    async def token(request: Request) -> Response:
        p.token_requests += 1
        form = await request.form()
        if not _client_ok(request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = p.grants.pop(str(form.get("code")), None)  # a code is good once
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or form.get("redirect_uri") != grant.redirect_uri
            or _challenge(str(form.get("code_verifier", ""))) != grant.challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse(
            {
                "access_token": "at-" + secrets.token_urlsafe(8),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": p.id_token(grant),
            }
        )

    return app


def serve(clock: Callable[[], datetime], host: str = "127.0.0.1") -> Iterator[Provider]:
    """The provider served on 127.0.0.1 (for a fixture to yield from), its issuer named with
    `host` ("localhost" makes it another site than an app at 127.0.0.1, as in production)."""
    p = Provider(clock=clock)
    server = LiveServer(provider_app(p))
    p.url = server.url.replace("127.0.0.1", host)
    server.start()
    try:
        yield p
    finally:
        server.stop()


def linked_clerk(
    runtime: Runtime, subject: str, *, organ: str = "org-a", active: bool = True
) -> int:
    """A clerk with no password, linked to the provider's subject; returns the user id."""
    with runtime.sessions.write.begin() as session:
        user, _ = organs_service.create_user(
            session,
            runtime.token_key,
            UserCreate.model_validate(
                {"organ_code": organ, "name": "承办人 张三", "roles": ["clerk"]}
            ),
            now=datetime.now(UTC),
        )
        linked = link_subject(session, user.id, SubjectLink(subject=subject), by="test")
        linked.active = active
        return linked.id
