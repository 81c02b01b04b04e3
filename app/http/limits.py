"""Bounds on the request head (target and header fields), checked before anything else runs.

uvicorn's parsers do not bound header fields (httptools accepts a 1 MB header or 2,000 of
them; h11 only bounds what arrives incomplete), so the app does, with nginx-like limits:
large_client_header_buffers 4 × 8k means at most 8 KiB per line and 32 KiB in all.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import problem


@dataclass(frozen=True)
class HeadLimits:
    max_target_bytes: int
    max_header_count: int
    max_header_bytes: int
    max_headers_total_bytes: int


def head_problem(scope: Scope, limits: HeadLimits) -> tuple[int, str, str] | None:
    """(status, code, detail) when the request head exceeds a limit, else None."""
    target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    if target > limits.max_target_bytes:
        return (
            414,
            "uri-too-long",
            f"请求地址超过 {limits.max_target_bytes} 字节 / "
            f"the request target exceeds {limits.max_target_bytes} bytes",
        )
    headers = scope.get("headers") or []
    if len(headers) > limits.max_header_count:
        return (
            431,
            "header-fields-too-large",
            f"请求头超过 {limits.max_header_count} 个 / "
            f"more than {limits.max_header_count} header fields",
        )
    total = 0
    for name, value in headers:
        # As on the wire: "name: value\r\n".
        size = len(name) + len(value) + 4
        if size > limits.max_header_bytes:
            return (
                431,
                "header-fields-too-large",
                f"请求头 {name.decode('latin-1')[:64]} 超过 {limits.max_header_bytes} 字节 / "
                f"a header field exceeds {limits.max_header_bytes} bytes",
            )
        total += size
    if total > limits.max_headers_total_bytes:
        return (
            431,
            "header-fields-too-large",
            f"请求头合计超过 {limits.max_headers_total_bytes} 字节 / "
            f"the header fields exceed {limits.max_headers_total_bytes} bytes in all",
        )
    return None


TITLES = {
    414: "请求地址过长 / URI too long",
    431: "请求头过大 / Request header fields too large",
}


class RequestHeadLimit:
    """Answers 414 or 431 problem+json before the request reaches routing or any body read."""

    def __init__(self, app: ASGIApp, limits: HeadLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = head_problem(scope, self.limits)
            if refused is not None:
                status, code, detail = refused
                # No instance: the path may be what is too long.
                response = problem(status, code, TITLES[status], detail)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
