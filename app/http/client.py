"""Who is calling: the client address a request came from, behind the configured proxies."""

from __future__ import annotations

from fastapi import Request

from app.intake.proxies import client_address
from app.runtime import Runtime


def client_of(request: Request, rt: Runtime) -> str:
    """The client's address: the socket's peer, or the forwarding chain's when a proxy is trusted.

    uvicorn runs with --forwarded-allow-ips '' and never rewrites the peer itself; only the
    proxies in settings.trusted_proxies may name the client (app.intake.proxies).
    """
    peer = request.client.host if request.client else None
    forwarded = request.headers.getlist("x-forwarded-for")
    return client_address(peer, forwarded, rt.settings.trusted_proxies)
