"""Service settings, read from environment variables prefixed GONGKAI_."""

from __future__ import annotations

import json
import os
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.auth.oidc.urls import is_secure_url, is_web_url
from app.intake.proxies import parse_networks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The most letter render processes a web worker starts by default (see letter_render_workers).
MAX_DEFAULT_RENDER_WORKERS = 4
# Where scripts/serve serves: the verification link's host when no public address is set.
DEMO_BASE_URL = "http://127.0.0.1:8000"


def default_render_workers() -> int:
    """The CPUs this process may run on, at most MAX_DEFAULT_RENDER_WORKERS."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_DEFAULT_RENDER_WORKERS))


class DatabaseSettings(BaseSettings):
    """What migrations need: only the database URL (no secrets)."""

    model_config = SettingsConfigDict(env_prefix="GONGKAI_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'gongkai.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... in production",
    )


class Settings(DatabaseSettings):
    """Every knob of the service in one place."""

    # No default: a keyed hash with a well-known key would let anyone forge token hashes.
    secret_key: SecretStr = Field(description="HMAC key for API tokens and query codes")
    storage_dir: Path = PROJECT_ROOT / "var" / "storage"
    # Every *.yaml here is a case type's workflow, keyed by its name (foi_application, ...).
    workflow_dir: Path = PROJECT_ROOT / "workflows"
    calendar_dir: Path = PROJECT_ROOT / "workflows" / "calendar"
    timezone: str = "Asia/Shanghai"
    # The workbench's address as staff reach it (https://gongkai.example.gov.cn), for the links in
    # notices sent by e-mail or SMS; empty: notices carry no link.
    notice_base_url: str = ""
    # The portal's address as the public reaches it (https://gongkai.example.gov.cn): every letter
    # prints its verification link, <public_base_url>/verify/<code>, as a QR code, frozen at
    # issue. Unset: notice_base_url; both unset: http://127.0.0.1:8000 (scripts/serve's).
    public_base_url: str = ""
    db_pool_size: int = 5
    sqlite_busy_timeout_ms: int = 15000
    # How long a request waits for a pooled connection before it answers 503 with Retry-After.
    # Unset: 5 s on PostgreSQL, where a request holds one connection for milliseconds, so a
    # longer wait means overload and failing fast beats holding every worker thread for 30 s;
    # 30 s on SQLite, whose pools are its writer queue (writers wait their turn there).
    db_pool_timeout_s: float | None = Field(default=None, gt=0)

    max_attachments: int = 10
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 60 * 1024 * 1024
    idempotency_ttl_hours: int = 24
    # Released documents (app/releases): the most one upload request may carry, whatever an
    # organ's own per-file limit (organ setting released_file_max_mb, default 100 MB) says; the
    # file is spooled to disk in chunks, never held in memory.
    release_upload_max_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    # A redaction of a document up to this many pages is made in the request that asks for it
    # (bench/redaction.py: a 300-page scan takes seconds); a longer one is a job for the outbox
    # worker, its progress shown on the case page.
    release_inline_max_pages: int = Field(default=30, ge=0)
    # The largest mail the outbox sends: a reply whose released files would make it larger
    # goes without them and tells the applicant to download them from the portal. The size is
    # the encoded message's (attachments grow by a third in base64).
    mail_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)

    # The portal (app/web): how long the signed cookie that holds one looked-up case lasts
    # after the lookup, in minutes; the applicant looks the case up again after it.
    portal_case_minutes: int = Field(default=30, ge=1, le=24 * 60)

    # Query-code guessing (README "The query-code brake"). Per client address: free attempts,
    # then an exponential wait, then a lock. Per registration number: only a bound on the
    # guesses evaluated, high enough that wrong guesses by others never lock the applicant out.
    lookup_window_minutes: int = Field(default=24 * 60, ge=1)
    lookup_free_failures: int = Field(default=5, ge=0)
    lookup_lock_failures: int = Field(default=20, ge=1)
    lookup_lock_minutes: int = Field(default=24 * 60, ge=1)
    lookup_number_failures: int = Field(default=300, ge=1)
    lookup_number_window_hours: int = Field(default=24, ge=1)
    # Staff sign-in at /staff/login (app/auth/signin.py). Failures are counted per login name
    # and per client address within the window: after the free ones each attempt waits
    # 2, 4, 8 ... s (at most 5 min), and at the lock count the subject is locked for the lock
    # time. Per login name the lock is short, so a guesser is stopped without keeping the
    # rightful user out for long; per client address there is more room (an office signs in
    # from behind one address) and a longer lock.
    signin_window_minutes: int = Field(default=60, ge=1)
    signin_account_free_failures: int = Field(default=5, ge=0)
    signin_account_lock_failures: int = Field(default=10, ge=1)
    signin_account_lock_minutes: int = Field(default=15, ge=1)
    signin_client_free_failures: int = Field(default=10, ge=0)
    signin_client_lock_failures: int = Field(default=50, ge=1)
    signin_client_lock_minutes: int = Field(default=60, ge=1)
    # A workbench session (the signed gk_staff cookie) ends after this long without a page
    # view (each view renews it) and, at the latest, this long after signing in.
    staff_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    staff_session_hours: int = Field(default=12, ge=1, le=7 * 24)
    # The province's unified identity login (OIDC, README "Signing in with the province's
    # identity provider"): a second way into the workbench, off unless the issuer, the client
    # id and the client secret are all set. Users are linked by an administrator (the provider's
    # subject stored on the user), never created at a first sign-in.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile"
    # The ID token's claim naming the user: `sub`, or e.g. `preferred_username`.
    oidc_subject_claim: str = Field(default="sub", min_length=1, max_length=100)
    # What the sign-in page's button calls the provider.
    oidc_provider_name: str = Field(default="统一身份认证", min_length=1, max_length=40)
    # The callback address registered at the provider; unset, it is this request's own
    # .../staff/login/oidc/callback (set it behind a proxy that changes host or scheme).
    oidc_redirect_uri: str | None = None
    # How long the provider's discovery document and signing keys are kept before refetching.
    oidc_cache_seconds: int = Field(default=3600, ge=0)
    oidc_timeout_s: float = Field(default=10.0, gt=0)
    # How long a started sign-in may take at the provider before its state expires.
    oidc_flow_minutes: int = Field(default=10, ge=1, le=60)

    # Argon2id cost of staff passwords; a hash made with other values is replaced by one with
    # these at the user's next sign-in.
    password_argon2_time_cost: int = Field(default=3, ge=1)
    password_argon2_memory_kib: int = Field(default=64 * 1024, ge=8 * 1024)
    password_argon2_parallelism: int = Field(default=4, ge=1)

    # The proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated or a JSON
    # list); none by default, so a client cannot choose the address the brake counts.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # Replaced by trusted_proxies; read only to refuse it (it trusted the header from anyone).
    trust_forwarded_for: str | None = Field(default=None, exclude=True)

    # Letters (RULES §7): title in a Song-style bold face, body in a FangSong-style face. An
    # organ's licensed faces go first; "Gongkai Serif SC" is the cut-down Noto Serif CJK SC
    # the service builds (fast to embed); the full system font covers any rarer character.
    letter_title_fonts: tuple[str, ...] = (
        "FZXiaoBiaoSong-B05S",
        "Gongkai Serif SC",
        "Noto Serif CJK SC",
    )
    letter_body_fonts: tuple[str, ...] = (
        "FangSong",
        "FZFangSong-Z02",
        "Gongkai Serif SC",
        "Noto Serif CJK SC",
    )
    # Processes that render letter PDFs next to each web worker; 0 renders in the request's
    # own thread (tests, tools). A print batch is split across all of them and rendered in
    # parallel (bench/letters.py, 100 letters on 2 workers: 0.52x one worker's time with a free
    # CPU for each worker; the PDF 1.4x as large, as each chunk embeds its own font subsets).
    # Each process keeps ~130 MB resident for the life of its web worker, so the default — the
    # usable CPUs, at most 4 — costs up to ~520 MB per web worker (times uvicorn's --workers);
    # set 1 where memory is tight and batches are small, more on a big machine that prints
    # big batches.
    letter_render_workers: int = Field(default_factory=default_render_workers, ge=0)
    letter_render_timeout_s: float = 60.0

    cjk_font_families: tuple[str, ...] = (
        "FangSong",
        "FZFangSong-Z02",
        "Noto Serif CJK SC",
        "Noto Sans CJK SC",
    )

    # The request head (app/http/limits.py), as nginx's large_client_header_buffers 4 × 8k
    # bounds it: what a browser or a proxy in front sends fits with room to spare.
    max_request_target_bytes: int = 8192
    max_header_count: int = 100
    max_header_bytes: int = 8192
    max_headers_total_bytes: int = 32768

    # The work one uploaded file may cost to check (app/validation/files.py, pdf.py): an OFD
    # archive's entries, expanded size and per-entry compression ratio; a PDF's objects
    # (dictionaries, arrays, streams) and pages.
    upload_ofd_max_entries: int = Field(default=5_000, gt=0)
    upload_ofd_max_expanded_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    upload_ofd_max_compression_ratio: int = Field(default=100, gt=0)
    upload_pdf_max_objects: int = Field(default=100_000, gt=0)
    upload_pdf_max_pages: int = Field(default=5_000, gt=0)

    # Public verification of letters (/verify, app/signing/verify.py): the largest PDF checked,
    # and a brake per client address on uploads and unknown codes, as the query-code brake's:
    # free attempts in the window, then an exponentially growing wait, then a lock.
    verify_max_pdf_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    verify_window_minutes: int = Field(default=10, ge=1)
    verify_free_attempts: int = Field(default=30, ge=0)
    verify_lock_attempts: int = Field(default=200, ge=1)
    verify_lock_minutes: int = Field(default=60, ge=1)

    # The tamper-evident record (README "The record cannot be rewritten quietly"). The audit key
    # keys every event's HMAC and signs the checkpoints; unset, it is derived from secret_key.
    # Set it explicitly before ever rotating secret_key, or the existing chains stop verifying.
    audit_key: SecretStr | None = None
    # Checkpoints are appended here as well as to the database: keep it off the database host.
    audit_checkpoint_dir: Path = PROJECT_ROOT / "var" / "audit"
    # The web process writes the day's checkpoint (one process per day, under a database lease).
    audit_daily_checkpoint: bool = True

    # Mail to applicants (app/outbox/transports.py, app/outbox/email.py). relay: hand every
    # message to the organ's relay at smtp_host (its acceptance is "sent"; the arrival comes by
    # a delivery status notification, README "E-mail and SMS"); direct: the service is the MTA
    # and talks to the recipient's mail exchanger (MX looked up with dnspython), whose 250 to
    # DATA is the arrival; in direct mode a set smtp_host is used as the exchanger of every
    # domain (an intranet's single mail host, tests).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_mode: Literal["relay", "direct"] = "relay"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    # The name this service gives in EHLO (direct mode: the name its address resolves back
    # to); unset, the host's fully qualified name, looked up once per process.
    smtp_helo_name: str | None = None
    # The envelope and header sender; an organ's own mail_from (organ settings) goes first.
    mail_from: str | None = None
    # The shared token of POST /api/v1/mail/dsn (header X-Mail-Token); unset, the route is off.
    mail_dsn_token: SecretStr | None = None

    # SMS through an HTTP gateway: POST {phone, sign, template_id, params} as JSON with the key
    # as a bearer token; template ids per notice (letter_issued, correction_needed, fee_due).
    sms_gateway_url: str | None = None
    sms_gateway_key: SecretStr | None = None
    sms_sign: str = ""
    sms_templates: dict[str, str] = Field(default_factory=dict)
    sms_timeout_s: float = Field(default=10.0, gt=0)
    # Do-not-disturb window in settings.timezone: a message due inside it waits for its end.
    sms_quiet_start: time = time(22, 0)
    sms_quiet_end: time = time(8, 0)

    # The outbox worker (app/outbox/worker.py). A delivery is leased for this long while it is
    # attempted; a worker killed mid-delivery leaves it to run out, then another worker (or the
    # restarted one) attempts it again. Longer than any channel's timeout.
    outbox_lease_seconds: int = Field(default=300, ge=1, le=24 * 3600)
    # Webhooks (app/webhooks/): how long a receiver has to answer one POST.
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(str(net) for net in parse_networks(value))

    @field_validator("oidc_scopes")
    @classmethod
    def _openid_scope(cls, value: str) -> str:
        scopes = value.split()
        if "openid" not in scopes:
            raise ValueError("GONGKAI_OIDC_SCOPES must include openid")
        return " ".join(scopes)

    @field_validator("oidc_issuer")
    @classmethod
    def _oidc_issuer(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        if not is_secure_url(url):
            raise ValueError(f"{url}: an https:// address (http:// only on this host)")
        return url

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        url = value.strip().rstrip("/")
        if url and not is_web_url(url):
            raise ValueError(f"{url}: an absolute http(s):// address")
        return url

    @property
    def verify_base_url(self) -> str:
        """Where letters send their readers to verify them (see public_base_url)."""
        return self.public_base_url or self.notice_base_url.rstrip("/") or DEMO_BASE_URL

    @field_validator("oidc_redirect_uri")
    @classmethod
    def _oidc_redirect_uri(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip()
        if not is_web_url(url):
            raise ValueError(f"{url}: an absolute http(s):// address of this service")
        return url

    @property
    def oidc_enabled(self) -> bool:
        """Whether the identity provider is configured (issuer, client id and secret set)."""
        return bool(
            self.oidc_issuer
            and self.oidc_client_id
            and self.oidc_client_secret
            and self.oidc_client_secret.get_secret_value()
        )

    @model_validator(mode="after")
    def _refuse_old_forwarded_setting(self) -> Settings:
        if self.trust_forwarded_for is not None:
            raise ValueError(
                "GONGKAI_TRUST_FORWARDED_FOR is no longer read (it let any client choose its "
                "address): set GONGKAI_TRUSTED_PROXIES to your proxies' addresses instead, "
                "e.g. GONGKAI_TRUSTED_PROXIES=127.0.0.1 behind a local nginx"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings instead)."""
    return Settings()
