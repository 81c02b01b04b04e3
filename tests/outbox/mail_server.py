"""A real SMTP server for the mail tests (aiosmtpd on a loopback port), and a real HTTP SMS
gateway (http.server in a thread)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

# RFC 3461 parameters aiosmtpd does not know: taken here where the server advertises DSN.
_DSN_PARAMS = ("RET", "ENVID", "NOTIFY", "ORCPT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DsnSMTP(SMTP):
    """aiosmtpd's server, taking the DSN parameters of MAIL and RCPT when it offers DSN."""

    def __init__(self, handler: Inbox, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.inbox = handler

    def _getparams(self, params: Any) -> Any:
        found = super()._getparams(params)
        if found is not None and self.inbox.dsn:
            for name in _DSN_PARAMS:
                found.pop(name, None)
        return found


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    mail_options: list[str]
    rcpt_options: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    def attachments(self) -> list[tuple[str, bytes]]:
        out = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.append((part.get_filename() or "", payload))
        return out


@dataclass
class Inbox:
    """The server's handler: what it received, and how it answers (set per test)."""

    dsn: bool = False
    mail_reply: str | None = None  # e.g. "553 5.7.1 sender not allowed"
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user"
    data_reply: str = "250 2.0.0 Ok: queued as GK123"
    received: list[Received] = field(default_factory=list)

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.dsn:
            responses.insert(len(responses) - 1, "250-DSN")
        return responses

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply.startswith("250"):
            assert envelope.mail_from is not None
            content = envelope.original_content or b""
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    list(envelope.mail_options),
                    list(envelope.rcpt_options),
                    bytes(content),
                )
            )
        return self.data_reply


class DsnController(Controller):
    def factory(self) -> SMTP:
        return DsnSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class MailServer:
    inbox: Inbox
    port: int


def mail_server() -> Iterator[MailServer]:
    """Start a server for one test (a generator for a pytest fixture)."""
    inbox = Inbox()
    port = free_port()
    controller = DsnController(
        inbox, hostname="127.0.0.1", port=port, server_hostname="mx.example.com"
    )
    controller.start()
    try:
        yield MailServer(inbox, port)
    finally:
        controller.stop()


# -- the SMS gateway -------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"code": "OK", "message_id": "m-1"})


def sms_gateway() -> Iterator[Gateway]:
    """Start an HTTP gateway for one test (a generator for a pytest fixture)."""
    port = free_port()
    gateway = Gateway(f"http://127.0.0.1:{port}/sms/send")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length))
            gateway.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            out = json.dumps(gateway.answer).encode()
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
