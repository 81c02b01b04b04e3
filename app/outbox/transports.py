"""How mail and SMS leave the service: an SMTP sender (relay or direct) and an HTTP SMS gateway.

Both are plain synchronous clients over the standard library (smtplib, email) and httpx, used
by the outbox channels from the worker (never from a request). Neither raises for what a
receiver does: a refusal, a timeout or a gateway error comes back in the result, with
``permanent`` telling a refusal that will not change (SMTP 5xx, a gateway's 4xx) from one worth
trying again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

import httpx

from app.config import Settings

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("gongkai.transports")

DSN_NOTIFY = "NOTIFY=SUCCESS,FAILURE,DELAY"
DSN_RET = "RET=HDRS"


# -- mail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


@dataclass(frozen=True)
class Mail:
    """One message to one recipient."""

    to: str
    subject: str
    text: str
    sender: str | None = None  # None: settings.mail_from
    attachments: tuple[Attachment, ...] = ()
    # The DSN envelope id (RFC 3461 ENVID): the outbox delivery's uid, so a DSN names it.
    envid: str | None = None
    message_id: str | None = None  # None: a fresh <...@sender's domain>


@dataclass(frozen=True)
class MailResult:
    """What became of a message.

    ``ok``: a server took it (250 to DATA). ``arrived``: that server is the recipient's own
    (direct mode), so the message reached the recipient's system; a relay's acceptance is ok
    but not arrived. ``dsn``: delivery status notifications were asked for (relay with DSN).
    """

    ok: bool
    message_id: str
    arrived: bool = False
    permanent: bool = False
    code: int | None = None
    detail: str = ""
    server: str | None = None
    dsn: bool = False
    mode: str = "relay"

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "mode": self.mode,
            "server": self.server,
            "code": self.code,
            "reply": self.detail[:500],
            "dsn": self.dsn,
            "arrived": self.arrived,
        }


def xtext(value: str) -> str:
    """RFC 3461 xtext: printable ASCII but '+' and '=' as is, everything else as +HH."""
    out = []
    for ch in value.encode("utf-8"):
        if 33 <= ch <= 126 and ch not in (ord("+"), ord("=")):
            out.append(chr(ch))
        else:
            out.append(f"+{ch:02X}")
    return "".join(out)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def build_message(mail: Mail, sender: str, *, now: datetime | None = None) -> EmailMessage:
    """The RFC 5322 message of a Mail."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = mail.message_id or make_msgid(domain=domain_of(sender) or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text)
    for att in mail.attachments:
        msg.add_attachment(
            att.content, maintype=att.maintype, subtype=att.subtype, filename=att.filename
        )
    return msg


def _reply_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


@dataclass(frozen=True)
class SmtpConfig:
    mode: str  # relay | direct
    host: str | None
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout_s: float
    mail_from: str

    @classmethod
    def of(cls, settings: Settings) -> SmtpConfig | None:
        """The deployment's SMTP set-up, or None where mail is not configured."""
        if not settings.mail_from:
            return None
        if settings.smtp_mode == "relay" and not settings.smtp_host:
            return None
        return cls(
            mode=settings.smtp_mode,
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            timeout_s=settings.smtp_timeout_s,
            mail_from=settings.mail_from,
        )


def mx_hosts(domain: str, *, timeout_s: float) -> list[str]:
    """The domain's mail exchangers by preference (RFC 5321 §5.1: none → the domain itself)."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(domain, "MX", lifetime=timeout_s)
    except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
        return [domain]
    except dns.exception.DNSException:
        return []
    records = sorted(answer, key=lambda r: r.preference)
    hosts = [str(r.exchange).rstrip(".") for r in records]
    if hosts == [""]:  # a null MX (RFC 7505): the domain takes no mail
        return []
    return hosts


@dataclass
class MailSender:
    """Sends one Mail over SMTP: to the relay, or straight to the recipient's exchanger."""

    config: SmtpConfig
    # Direct mode without a configured host: how the exchangers are found (tests may swap it).
    resolve: Callable[..., list[str]] = field(default=mx_hosts)

    def send(self, mail: Mail) -> MailResult:
        """Send; never raises for what a server or the network does."""
        sender = mail.sender or self.config.mail_from
        msg = build_message(mail, sender)
        message_id = str(msg["Message-ID"])
        mode = self.config.mode
        if mode == "direct" and not self.config.host:
            hosts = [(h, 25) for h in self.resolve(domain_of(mail.to), timeout_s=5.0)]
            if not hosts:
                return MailResult(
                    False,
                    message_id,
                    permanent=True,
                    detail=f"no mail exchanger for {domain_of(mail.to)}",
                    mode=mode,
                )
        else:
            hosts = [(self.config.host or "localhost", self.config.port)]
        last = MailResult(False, message_id, detail="no server tried", mode=mode)
        for host, port in hosts:
            try:
                return self._send_to(host, port, sender, mail, msg, message_id)
            except (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                # A server that cannot be reached: the next exchanger, or a retry later.
                last = MailResult(
                    False,
                    message_id,
                    detail=f"{host}:{port}: {type(exc).__name__}: {exc}"[:500],
                    server=host,
                    mode=mode,
                )
        return last

    def _send_to(
        self,
        host: str,
        port: int,
        sender: str,
        mail: Mail,
        msg: EmailMessage,
        message_id: str,
    ) -> MailResult:
        cfg = self.config
        relay = cfg.mode == "relay"
        with smtplib.SMTP(host, port, timeout=cfg.timeout_s) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls") and (cfg.starttls or not relay):
                # Relay: verified TLS when asked for. Direct: opportunistic, as MTAs do
                # (RFC 7435), since exchangers rarely present certificates for their MX name.
                ctx = ssl.create_default_context()
                if not relay:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                smtp.starttls(context=ctx)
                smtp.ehlo()
            elif cfg.starttls and relay:
                return MailResult(
                    False,
                    message_id,
                    detail=f"{host} does not offer STARTTLS",
                    server=host,
                    mode=cfg.mode,
                )
            if relay and cfg.username:
                try:
                    smtp.login(cfg.username, cfg.password or "")
                except smtplib.SMTPException as exc:
                    return _refused(exc, message_id, host, cfg.mode)
            dsn = relay and smtp.has_extn("dsn")
            mail_opts: list[str] = []
            rcpt_opts: list[str] = []
            if dsn:
                mail_opts.append(DSN_RET)
                if mail.envid:
                    mail_opts.append(f"ENVID={xtext(mail.envid)}")
                rcpt_opts += [DSN_NOTIFY, f"ORCPT=rfc822;{xtext(mail.to)}"]
            if smtp.has_extn("8bitmime"):
                mail_opts.append("BODY=8BITMIME")
            for step in ("MAIL", "RCPT"):
                if step == "MAIL":
                    code, reply = smtp.mail(sender, mail_opts)
                else:
                    code, reply = smtp.rcpt(mail.to, rcpt_opts)
                if code not in (250, 251):
                    smtp.rset()
                    return MailResult(
                        False,
                        message_id,
                        permanent=500 <= code < 600,
                        code=code,
                        detail=f"{step}: {code} {_reply_text(reply)}"[:500],
                        server=host,
                        dsn=dsn,
                        mode=cfg.mode,
                    )
            code, reply = smtp.data(msg.as_bytes())
            ok = code == 250
            return MailResult(
                ok,
                message_id,
                arrived=ok and not relay,
                permanent=500 <= code < 600,
                code=code,
                detail=f"{code} {_reply_text(reply)}"[:500]
                if ok
                else f"DATA: {code} {_reply_text(reply)}"[:500],
                server=host,
                dsn=dsn,
                mode=cfg.mode,
            )


def _refused(exc: smtplib.SMTPException, message_id: str, host: str, mode: str) -> MailResult:
    code = getattr(exc, "smtp_code", None)
    return MailResult(
        False,
        message_id,
        permanent=isinstance(code, int) and 500 <= code < 600,
        code=code if isinstance(code, int) else None,
        detail=f"{type(exc).__name__}: {exc}"[:500],
        server=host,
        mode=mode,
    )


def mail_sender(rt: Runtime) -> MailSender | None:
    """The deployment's mail sender, or None where SMTP is not configured."""
    config = SmtpConfig.of(rt.settings)
    return MailSender(config) if config else None


# -- SMS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sms:
    """One short message: the notice's key in settings.sms_templates and its parameters."""

    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    permanent: bool = False
    status: int | None = None
    detail: str = ""
    message_id: str | None = None  # the gateway's id, if it gives one

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message_id": self.message_id, "reply": self.detail[:500]}


@dataclass
class SmsSender:
    """Posts {phone, sign, template_id, params} as JSON to the gateway, key as bearer token."""

    url: str
    key: str
    sign: str
    templates: dict[str, str]
    timeout_s: float = 10.0
    transport: httpx.BaseTransport | None = None

    def send(self, sms: Sms) -> SmsResult:
        """Send; never raises for what the gateway or the network does."""
        template_id = self.templates.get(sms.template)
        if not template_id:
            return SmsResult(False, permanent=True, detail=f"no template id for {sms.template}")
        body = {
            "phone": sms.phone,
            "sign": self.sign,
            "template_id": template_id,
            "params": sms.params,
        }
        try:
            with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
                resp = client.post(
                    self.url,
                    json=body,
                    headers={"Authorization": f"Bearer {self.key}"},
                )
        except httpx.HTTPError as exc:
            return SmsResult(False, detail=f"{type(exc).__name__}: {exc}"[:500])
        text = resp.text[:500]
        message_id: str | None = None
        try:
            data = resp.json()
            if isinstance(data, dict):
                raw = data.get("message_id") or data.get("id") or data.get("biz_id")
                message_id = str(raw)[:100] if raw is not None else None
        except ValueError:
            pass
        if resp.is_success:
            return SmsResult(True, status=resp.status_code, detail=text, message_id=message_id)
        # 4xx but 408/429: the gateway refuses this message (bad number, template): final.
        permanent = 400 <= resp.status_code < 500 and resp.status_code not in (408, 429)
        return SmsResult(False, permanent=permanent, status=resp.status_code, detail=text)


def sms_sender(rt: Runtime) -> SmsSender | None:
    """The deployment's SMS gateway, or None where it is not configured."""
    s = rt.settings
    if not s.sms_gateway_url or not s.sms_gateway_key:
        return None
    return SmsSender(
        url=s.sms_gateway_url,
        key=s.sms_gateway_key.get_secret_value(),
        sign=s.sms_sign,
        templates=dict(s.sms_templates),
        timeout_s=s.sms_timeout_s,
    )


# -- quiet hours ----------------------------------------------------------------------------


def quiet_until(now: datetime, tz: tzinfo, start: time, end: time) -> datetime | None:
    """The end of the do-not-disturb window [start, end) in tz if `now` falls inside it
    (UTC-aware), else None. A window may run over midnight (22:00-08:00); start == end is none."""
    if start == end:
        return None
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        end_day = local.date()
    else:
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)
