"""Which addresses of the identity provider are acceptable (pure: no I/O)."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_web_url(url: str) -> bool:
    """An absolute http(s):// URL with a host, no credentials and no fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.username or parts.password or parts.fragment:
        return False
    return parts.scheme in ("http", "https")


def is_secure_url(url: str) -> bool:
    """An absolute https:// URL, or http:// to this host (a provider on the same machine, the
    tests'); tokens and secrets never cross a network in the clear."""
    if not is_web_url(url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" or _is_loopback(parts.hostname or "")
