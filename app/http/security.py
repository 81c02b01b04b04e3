"""Headers every response carries, and the one place that decides which responses may be cached.

The middleware wraps the whole stack, outside even Starlette's 500 handler, so problem+json
errors, downloads, /docs and its assets, and a 500 if one ever escaped, all carry them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS = b"frame-ancestors 'none'"
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # Older engines (the IE mode of browsers still common on government desktops) know only this.
    (b"x-frame-options", b"DENY"),
)
NO_STORE = b"no-store"

# Routes whose answers hold no personal data, so a browser or proxy may keep them. Everything
# else is no-store unless the route sets its own Cache-Control (letter PDFs revalidate by
# ETag): a new route that carries personal data is safe without anyone remembering this list.
PUBLIC_ROUTES = frozenset(
    {
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/docs",
        "/docs/assets",
        "/api/v1/organs",
        "/api/v1/workflow",
        "/api/v1/workflow/diagram",
        "/api/v1/calendar/{year}",
        "/api/v1/calendar/working-days",
    }
)


def route_path(scope: Scope) -> str | None:
    """The path template of the route that answered (set by the router while it handles)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else None


def secure_headers(headers: list[tuple[bytes, bytes]], public: bool) -> list[tuple[bytes, bytes]]:
    """The response headers with the security headers added and a route's own CSP kept."""
    own = {name.lower() for name, _ in headers}
    out: list[tuple[bytes, bytes]] = []
    framed = False
    for name, value in headers:
        lower = name.lower()
        if lower == b"server":
            continue
        if lower == b"content-security-policy" and not framed:
            # Merge into the route's policy (e.g. the sandbox on downloads), never replace it.
            if b"frame-ancestors" not in value:
                value = value.rstrip(b"; ") + b"; " + FRAME_ANCESTORS
            framed = True
        out.append((name, value))
    if not framed:
        out.append((b"content-security-policy", FRAME_ANCESTORS))
    out.extend(item for item in ALWAYS if item[0] not in own)
    if not public and b"cache-control" not in own:
        out.append((b"cache-control", NO_STORE))
    return out


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                public = route_path(scope) in PUBLIC_ROUTES
                message["headers"] = secure_headers(list(message.get("headers", [])), public)
            await send(message)

        await self.app(scope, receive, send_secured)
