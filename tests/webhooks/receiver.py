"""A real HTTP receiver for webhook tests: http.server on 127.0.0.1:0 in a thread.

It records every request (headers and body) and answers with the status `answer` gives for
the request's number (200 by default); `hold` makes the first request wait until released.
Signatures are verified by the tests with the Standard Webhooks reference library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    answer: Callable[[int, Received], int] = lambda n, r: 200
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The first request waits here (holding the connection open) until `release` is set.
    hold_first: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    # Record only the ids (the 10,000-event tests).
    ids_only: bool = False
    ids: list[str] = field(default_factory=list)

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        got = Received(path, headers, body)
        with self.lock:
            if self.ids_only:
                self.ids.append(got.id)
                n = len(self.ids)
            else:
                self.requests.append(got)
                n = len(self.requests)
        if self.hold_first and n == 1:
            self.holding.set()
            self.release.wait(60)
        return self.answer(n, got)

    def received_ids(self) -> list[str]:
        with self.lock:
            return list(self.ids) if self.ids_only else [r.id for r in self.requests]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.handle(self.path, headers, body)
            payload = b"" if status < 300 else f"status {status}".encode()
            self.send_response(status)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(receiver: Receiver | None = None) -> Iterator[Receiver]:
    """Run a receiver until the block ends; its URL is receiver.url."""
    receiver = receiver or Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    receiver.url = f"http://{host}:{port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
