"""Which address the brake counts: the peer, or what our own proxies say the peer was."""

from __future__ import annotations

import pytest

from app.intake.proxies import client_address, client_key, parse_networks

NGINX = ("127.0.0.1/32",)
CHAIN = ("10.0.0.0/8", "::1/128")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # No proxy trusted: the header is the client's own word and changes nothing.
        ("203.0.113.9", ["192.0.2.1"], (), "203.0.113.9"),
        ("127.0.0.1", ["192.0.2.1"], (), "127.0.0.1"),
        # An untrusted peer cannot borrow a trusted proxy's voice.
        ("203.0.113.9", ["192.0.2.1"], NGINX, "203.0.113.9"),
        # Behind nginx: the entry nginx appended, whatever the client put before it.
        ("127.0.0.1", ["192.0.2.1"], NGINX, "192.0.2.1"),
        ("127.0.0.1", ["6.6.6.6, 192.0.2.1"], NGINX, "192.0.2.1"),
        ("127.0.0.1", ["6.6.6.6", "192.0.2.1"], NGINX, "192.0.2.1"),
        # Through several trusted hops: the right-most entry that is not one of them.
        ("10.0.0.2", ["6.6.6.6, 198.51.100.4, 10.9.9.9"], CHAIN, "198.51.100.4"),
        ("::1", ["198.51.100.4"], CHAIN, "198.51.100.4"),
        # Every entry trusted: the left-most; no header: the proxy itself.
        ("10.0.0.2", ["10.0.0.7, 10.0.0.8"], CHAIN, "10.0.0.7"),
        ("127.0.0.1", [], NGINX, "127.0.0.1"),
        ("127.0.0.1", [" , "], NGINX, "127.0.0.1"),
        # Ports and brackets as some proxies write them; IPv4-mapped IPv6 is the IPv4 address.
        ("127.0.0.1", ["192.0.2.1:5123"], NGINX, "192.0.2.1"),
        ("::ffff:127.0.0.1", ["[2001:db8::1]:443"], NGINX, "2001:db8::/64"),
        # Not an address (TestClient's peer, a Unix socket): used as it is, never trusted.
        ("testclient", ["192.0.2.1"], NGINX, "testclient"),
        (None, ["192.0.2.1"], NGINX, "unknown"),
    ],
)
def test_client_address(
    peer: str | None, forwarded: list[str], trusted: tuple[str, ...], expected: str
) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_one_ipv6_subscriber_is_one_client() -> None:
    a = client_key("2001:db8:1:2:aaaa::1")
    b = client_key("2001:db8:1:2:ffff:ffff:ffff:ffff")

    assert a == b == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != a


def test_one_spelling_per_address() -> None:
    assert client_key("::ffff:192.0.2.1") == client_key("192.0.2.1") == "192.0.2.1"
    assert client_key("x" * 500) == "x" * 64


def test_bad_proxy_entries_are_named() -> None:
    assert [str(n) for n in parse_networks(["10.0.0.1", "10.0.0.0/8"])] == [
        "10.0.0.1/32",
        "10.0.0.0/8",
    ]
    with pytest.raises(ValueError, match="nginx"):
        parse_networks(["nginx"])
