"""What the browser tests stand on: the live server, Chromium, the off-origin recorder, axe.

Chromium is Debian's (`/usr/bin/chromium`, installed by `scripts/bootstrap dev`); Playwright
never downloads a browser here. Where it is missing, every browser test is skipped with one
reason (`needs_chromium`) — nowhere else.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


try:
    from playwright.sync_api import expect
except ImportError:  # no dev dependencies: every browser test is skipped (needs_chromium)
    expect = None


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"browser tests need Debian's Chromium at {CHROMIUM} "
            "(`scripts/bootstrap dev` installs it: apt-get install chromium)"
        )
    if expect is None:
        return "browser tests need the dev dependencies (`scripts/bootstrap dev`: playwright)"
    return None


WHY_NO_BROWSER = _why_no_browser()
needs_chromium = pytest.mark.skipif(WHY_NO_BROWSER is not None, reason=WHY_NO_BROWSER or "")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class LiveServer:
    """uvicorn serving the app in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            proxy_headers=False,
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@dataclass
class OffOrigin:
    """Every request a page makes to another origin (recorded, then refused)."""

    origin: str
    requests: list[str] = field(default_factory=list)

    def is_foreign(self, url: str) -> bool:
        if url.startswith(("data:", "blob:", "about:")):
            return False
        return origin_of(url) != self.origin

    def record(self, request: Any) -> None:
        if self.is_foreign(request.url):
            self.requests.append(f"{request.method} {request.url}")

    def attach(self, context: Any) -> None:
        context.on("request", self.record)
        # Nothing leaves this machine even when a page would try: refuse, after recording.
        context.route(self.is_foreign, lambda route: route.abort())


def axe_violations(page: Any, minimum: tuple[str, ...] = ("serious", "critical")) -> list[Any]:
    """axe-core's violations on the page at these impacts."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in minimum]


def describe_violations(violations: list[Any]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Zero serious or critical axe violations on the page as it is now."""
    found = axe_violations(page)
    assert not found, f"axe on {page.url}:\n{describe_violations(found)}"


def minimal_pdf(text: str = "ID copy") -> bytes:
    """A small, valid one-page PDF built by hand (correct xref offsets)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def no_sideways_scroll(page: Any) -> tuple[int, int]:
    """(scrollWidth, innerWidth) of the document: equal when nothing sticks out sideways."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    inner: int = page.evaluate("window.innerWidth")
    return width, inner


def focus_is_visible(page: Any) -> bool:
    """The focused element shows an outline or a box-shadow (the focus ring)."""
    return bool(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return false;
                const s = getComputedStyle(el);
                const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                const shadow = s.boxShadow && s.boxShadow !== 'none';
                return outline || shadow;
            }"""
        )
    )


def tab_to(page: Any, text: str, limit: int = 80, *, by_name: bool = False) -> None:
    """Press Tab until the focused element is the one labelled `text` (a link, field or button),
    or with `by_name`, the form control named `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """([text, byName]) => {
                const el = document.activeElement;
                if (!el) return false;
                if (byName) return el.name === text;
                const own = (el.innerText || el.value || '').trim();
                const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
                return own === text || label.startsWith(text);
            }""",
            [text, by_name],
        )
        if found:
            return
    raise AssertionError(f"Tab never reached {text!r}")
