"""Which address a request comes from, for the guessing brake: X-Forwarded-For counts only when
the peer is one of our own proxies (GONGKAI_TRUSTED_PROXIES). Pure: no FastAPI, no database.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# One subscriber usually holds a whole IPv6 /64 (SLAAC, privacy addresses): braking single
# addresses in it would hand one client 2^64 fresh identities.
IPV6_CLIENT_PREFIX = 64
# Longer than any address; what a trusted proxy forwards is cut to this before it is a key.
MAX_CLIENT_CHARS = 64


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """IP addresses or CIDR networks; a bad entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        text = entry.strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {text!r}") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str) -> Address | None:
    """The IP address in one X-Forwarded-For entry or peer (a port or brackets allowed)."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else text
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in net for net in networks)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: tuple[str, ...]) -> str:
    """The address the brake counts against.

    The peer itself unless it is a trusted proxy; then the right-most X-Forwarded-For entry that
    is not a trusted proxy (each proxy appends the address it saw, so entries left of the last
    untrusted one were written by the client and prove nothing). All entries trusted: the
    left-most. `forwarded_for` holds the header's values in the order they arrived.
    """
    networks = _networks(trusted)
    if not peer or not _trusted(_address(peer), networks):
        return client_key(peer or "unknown")
    entries = [e.strip() for value in forwarded_for for e in value.split(",") if e.strip()]
    if not entries:
        return client_key(peer)
    for entry in reversed(entries):
        if not _trusted(_address(entry), networks):
            return client_key(entry)
    return client_key(entries[0])


def client_key(address: str) -> str:
    """The brake's key for an address: one spelling per IPv4 address, one per IPv6 /64."""
    parsed = _address(address)
    if parsed is None:
        return address.strip()[:MAX_CLIENT_CHARS] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        net = ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False)
        return str(net)
    return str(parsed)
