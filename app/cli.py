"""Admin commands: `python -m app.cli --help`."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignment import repository as assignment_repo
from app.audit import verify as audit_verify
from app.audit.checkpoints import checkpoint_file, take_checkpoint
from app.audit.keys import audit_key
from app.auth import passwords
from app.auth import service as auth_service
from app.auth.oidc.link import SubjectLink, link_subject
from app.auth.passwords import PasswordSet
from app.auth.roles import Role
from app.calendar import service as calendar_service
from app.config import Settings, get_settings
from app.db import create_db_engine, create_session_factories
from app.errors import DomainError, NotFound
from app.migrate import upgrade_to_head
from app.models import Department, Organ, User
from app.organs import repository as organs_repo
from app.organs import service as organs_service
from app.organs.numbering import DEFAULT_PATTERN
from app.organs.schemas import OrganCreate, UserCreate
from app.runtime import build_runtime, utc_now
from app.signing import repository as signing_repo
from app.signing import service as signing_service
from app.signing.certificates import self_signed_pkcs12

cli = typer.Typer(help="gongkai administration", no_args_is_help=True, add_completion=False)


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = create_db_engine(settings)
    try:
        with create_session_factories(engine).write.begin() as session:
            yield session
    finally:
        engine.dispose()


def _key(settings: Settings) -> bytes:
    return settings.secret_key.get_secret_value().encode("utf-8")


def _fail(exc: DomainError) -> None:
    typer.echo(f"error: {exc.detail}", err=True)
    raise typer.Exit(1)


@cli.command()
def migrate() -> None:
    """Apply every pending database migration."""
    settings = get_settings()
    upgrade_to_head(settings.database_url)
    typer.echo("migrations at head")


@cli.command("create-admin")
def create_admin(name: Annotated[str, typer.Option(help="display name")] = "平台管理员") -> None:
    """Create a platform administrator; prints the token as the last line."""
    settings = get_settings()
    try:
        with _session(settings) as session:
            user, token = organs_service.create_user(
                session, _key(settings), UserCreate(name=name, roles=[Role.admin]), now=utc_now()
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"admin user {user.id} created; token (shown once):")
    typer.echo(token)


@cli.command("create-organ")
def create_organ(
    code: Annotated[str, typer.Option(help="organ code")],
    name: Annotated[str, typer.Option(help="机关名称")],
    reconsideration_body: Annotated[str, typer.Option(help="行政复议机关")],
    court: Annotated[str, typer.Option(help="管辖法院")],
    address: Annotated[str, typer.Option()] = "",
    phone: Annotated[str, typer.Option()] = "",
    number_pattern: Annotated[str, typer.Option()] = DEFAULT_PATTERN,
    settings_json: Annotated[str, typer.Option("--settings", help="JSON object")] = "{}",
) -> None:
    """Create an organ."""
    settings = get_settings()
    try:
        data = OrganCreate.model_validate(
            {
                "code": code,
                "name": name,
                "reconsideration_body": reconsideration_body,
                "court": court,
                "address": address or None,
                "phone": phone or None,
                "number_pattern": number_pattern,
                "settings": json.loads(settings_json),
            }
        )
    except ValueError as exc:  # pydantic's ValidationError, or --settings that is not JSON
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        with _session(settings) as session:
            organ = organs_service.create_organ(session, data, now=utc_now())
            typer.echo(f"organ {organ.code} created (id {organ.id})")
    except DomainError as exc:
        _fail(exc)


@cli.command("create-user")
def create_user(
    organ: Annotated[str, typer.Option(help="organ code")],
    name: Annotated[str, typer.Option()],
    role: Annotated[list[Role], typer.Option(help="repeat for several roles")],
) -> None:
    """Create a staff user; prints the token as the last line."""
    settings = get_settings()
    try:
        with _session(settings) as session:
            user, token = organs_service.create_user(
                session,
                _key(settings),
                UserCreate(organ_code=organ, name=name, roles=role),
                now=utc_now(),
            )
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"user {user.id} created; token (shown once):")
    typer.echo(token)


@cli.command("issue-token")
def issue_token(user_id: int) -> None:
    """Issue another token for a user; prints it as the last line."""
    settings = get_settings()
    try:
        with _session(settings) as session:
            token = auth_service.issue_token(session, _key(settings), user_id, now=utc_now())
    except DomainError as exc:
        _fail(exc)
    typer.echo(token)


@cli.command("revoke-token")
def revoke_token(token_or_prefix: str) -> None:
    """Revoke a token, given whole or by its first 11 characters."""
    settings = get_settings()
    with _session(settings) as session:
        count = auth_service.revoke_token(session, token_or_prefix, now=utc_now())
    typer.echo(f"revoked {count} token(s)")
    if count == 0:
        raise typer.Exit(1)


@cli.command("set-password")
def set_password(
    login_name: str,
    user_id: Annotated[
        int | None, typer.Option(help="give this user the login name (first time)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a staff user's workbench password (prompted twice, or read from stdin)."""
    settings = get_settings()
    if password_stdin:
        password = confirm = (sys.stdin.readline() or "").rstrip("\r\n")
    else:
        password = typer.prompt("new password", hide_input=True)
        confirm = typer.prompt("repeat it", hide_input=True)
    try:
        data = PasswordSet(login_name=login_name, password=password, confirm=confirm)
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"error: {err['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(1) from None
    with _session(settings) as session:
        target = user_id
        if target is None:
            target = session.scalar(select(User.id).where(User.login_name == data.login_name))
        if target is None:
            _fail(NotFound(f"没有登录名为 {data.login_name} 的用户 / no user with this login name"))
            return
        try:
            passwords.set_password(
                session, settings, target, data, now=utc_now(), by="the command line"
            )
        except DomainError as exc:
            _fail(exc)
    typer.echo(f"password set for user {target} (login {data.login_name})")


@cli.command("link-oidc")
def link_oidc(
    user_id: int,
    subject: Annotated[
        str | None,
        typer.Argument(help="the provider's subject (the configured ID token claim)"),
    ] = None,
    unlink: Annotated[bool, typer.Option("--unlink", help="remove the user's link")] = False,
) -> None:
    """Link a staff user to the province's identity provider (or --unlink)."""
    if (subject is None) == (not unlink):
        typer.echo("error: give a subject, or --unlink", err=True)
        raise typer.Exit(1)
    try:
        data = SubjectLink(subject=None if unlink else subject)
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"error: {err['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(1) from None
    settings = get_settings()
    with _session(settings) as session:
        try:
            link_subject(session, user_id, data, by="the command line")
        except DomainError as exc:
            _fail(exc)
    typer.echo(f"user {user_id} " + ("unlinked" if unlink else f"linked to subject {subject}"))


DEMO_ORGAN = "demo"
DEMO_STAFF = [
    ("窗口 王晓", [Role.front_desk]),
    ("承办人 李明", [Role.clerk]),
    ("法制机构 赵静", [Role.legal]),
    ("负责人 陈刚", [Role.approver]),
    ("督办 刘洋", [Role.supervisor]),
]


# (code, name, parent code): a city government with three of its departments, and a district
# government of its own, so the portal's organ chooser shows its groups.
DEMO_GOV = "demo-gov"
DEMO_DEPARTMENT = "政务公开科"
DEMO_ORGANS = [
    (DEMO_GOV, "示例市人民政府", None),
    (DEMO_ORGAN, "示例市人民政府办公室", DEMO_GOV),
    ("demo-zrzy", "示例市自然资源和规划局", DEMO_GOV),
    ("demo-zjj", "示例市住房和城乡建设局", DEMO_GOV),
    ("demo-qx", "示例市某某区人民政府", None),
]


def _demo_organs(session: Session, now: datetime) -> Organ:
    """Create the demo organs that are missing (an older demo organ gets its parent); return
    the demo organ the staff belong to."""
    for code, name, parent_code in DEMO_ORGANS:
        organ = organs_repo.organ_by_code(session, code)
        if organ is None:
            # The city government answers to the province; its departments and the district
            # government answer to the city (行政复议法 2023, Art. 24).
            city = code == DEMO_GOV
            organs_service.create_organ(
                session,
                OrganCreate(
                    code=code,
                    name=name,
                    reconsideration_body="示例省人民政府" if city else "示例市人民政府",
                    court="示例市中级人民法院",
                    address="示例市人民路1号",
                    phone="0571-12345678",
                    parent_code=parent_code,
                ),
                now=now,
            )
        elif parent_code is not None and organ.parent_id is None:
            parent = organs_repo.organ_by_code(session, parent_code)
            assert parent is not None  # created above: parents come first in DEMO_ORGANS
            organ.parent_id = parent.id
            session.flush()
    demo_organ = organs_repo.organ_by_code(session, DEMO_ORGAN)
    assert demo_organ is not None
    return demo_organ


def _demo_certificates(session: Session, key: bytes, now: datetime) -> int:
    """A self-signed signing certificate (EC P-256) for each demo organ without a valid one, so
    the demo's letters are signed; returns how many were made."""
    made = 0
    for code, name, _ in DEMO_ORGANS:
        organ = organs_repo.organ_by_code(session, code)
        assert organ is not None  # created by _demo_organs
        if signing_service.usable(signing_repo.current(session, organ.id), now):
            continue
        password = secrets.token_urlsafe(16)
        p12 = self_signed_pkcs12(name, password, now=now, organization=name)
        signing_service.add_certificate(
            session,
            key,
            organ,
            p12,
            password,
            by=signing_service.Uploader("demo 命令（自签名示例证书）"),
            now=now,
        )
        made += 1
    return made


@cli.command()
def demo() -> None:
    """Migrate, create a demo organ with one user per role, and print fresh tokens."""
    settings = get_settings()
    upgrade_to_head(settings.database_url)
    now = utc_now()
    key = _key(settings)
    lines = []
    with _session(settings) as session:
        organ = _demo_organs(session, now)
        certificates = _demo_certificates(session, key, now)
        wanted = [("平台管理员", [Role.admin], None), *((n, r, DEMO_ORGAN) for n, r in DEMO_STAFF)]
        sign_ins = []
        for name, roles, organ_code in wanted:
            existing = session.scalars(select(User).where(User.name == name)).first()
            if existing is None:
                user, token = organs_service.create_user(
                    session, key, UserCreate(organ_code=organ_code, name=name, roles=roles), now=now
                )
                user_id = user.id
            else:
                user_id = existing.id
                token = auth_service.issue_token(session, key, user_id, now=now, label="demo")
            lines.append(f"{'+'.join(roles):<12} {name:<12} {token}")
            sign_ins.append(_demo_password(session, settings, user_id, "-".join(roles), now))
            if Role.clerk in roles:
                _demo_department(session, organ.id, user_id, now)
    typer.echo(f"demo organ: {DEMO_ORGAN} ({organ.name})")
    typer.echo("role         user         token (shown once)")
    for line in lines:
        typer.echo(line)
    typer.echo("")
    typer.echo("workbench /staff/login: login       password (demo only, new each run)")
    for login_name, password in sign_ins:
        typer.echo(f"{login_name:<12} {password}")
    if certificates:
        typer.echo("")
        typer.echo(
            f"signing certificates: self-signed (demo only) for {certificates} demo organ(s)"
        )


def _demo_department(session: Session, organ_id: int, clerk_id: int, now: datetime) -> None:
    """The demo organ's disclosure office (政务公开科), its clerk a member: claims route there."""
    dept = assignment_repo.by_name(session, organ_id, DEMO_DEPARTMENT)
    if dept is None:
        dept = Department(organ_id=organ_id, name=DEMO_DEPARTMENT, active=True, created_at=now)
        session.add(dept)
        session.flush()
    if not assignment_repo.is_member(session, dept.id, clerk_id):
        members = [u for u, _ in assignment_repo.members(session, [dept.id])[dept.id]]
        assignment_repo.replace_members(session, dept.id, [*members, clerk_id])


def _demo_password(
    session: Session, settings: Settings, user_id: int, login_name: str, now: datetime
) -> tuple[str, str]:
    """A fresh random password for a demo user, under a login name named after the role."""
    password = secrets.token_urlsafe(12)
    data = PasswordSet(login_name=login_name, password=password, confirm=password)
    passwords.set_password(session, settings, user_id, data, now=now, by="the demo command")
    return login_name, password


@cli.command("verify-audit")
def verify_audit() -> None:
    """Check every timeline's HMAC chain, the chains against the newest checkpoint, the
    checkpoints against their file, and each case against its events; exit 1 on any finding."""
    rt = build_runtime(get_settings())
    try:
        with rt.sessions.read() as session:
            report = audit_verify.verify_audit(session, rt)
    finally:
        rt.close()
    for finding in report.findings:
        typer.echo(str(finding), err=True)
    against = f"checkpoint {report.checkpoint}" if report.checkpoint else "no checkpoint yet"
    verdict = "OK" if report.ok else f"{len(report.findings)} finding(s)"
    typer.echo(f"checked {report.events} events of {report.cases} cases ({against}): {verdict}")
    if not report.ok:
        raise typer.Exit(1)


@cli.command("audit-checkpoint")
def audit_checkpoint() -> None:
    """Write a signed checkpoint of every timeline's head to the database and the file."""
    rt = build_runtime(get_settings())
    try:
        with rt.sessions.write.begin() as session:
            row = take_checkpoint(
                session,
                audit_key(rt.settings),
                checkpoint_file(rt.settings),
                now=rt.clock(),
            )
            cases, events, root = row.cases, row.events, row.root
    finally:
        rt.close()
    typer.echo(
        f"checkpoint of {cases} timelines ({events} events), root {root}, "
        f"appended to {checkpoint_file(rt.settings)}"
    )


@cli.command("load-calendar")
def load_calendar(
    path: Annotated[
        Path,
        typer.Argument(
            help="YAML file shaped like workflows/calendar/<year>.yaml",
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Load or change one calendar year and recompute every open case's deadlines."""
    rt = build_runtime(get_settings())
    try:
        with rt.sessions.write.begin() as session:
            written = calendar_service.load_year_file(session, rt, path)
    except DomainError as exc:
        _fail(exc)
    except (ValueError, yaml.YAMLError) as exc:  # pydantic's ValidationError is a ValueError
        typer.echo(f"error: {path}: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        rt.close()
    if written.recompute is None:
        typer.echo(f"calendar {written.year} unchanged (version {written.version})")
        return
    r = written.recompute
    typer.echo(
        f"{r.reason} (version {written.version}): {r.cases_scanned} open case(s) scanned, "
        f"{r.cases_moved} moved, in {r.seconds:.2f} s"
    )


@cli.command("build-letter-fonts")
def build_letter_fonts(
    force: Annotated[bool, typer.Option(help="rebuild even if current")] = False,
) -> None:
    """Cut the letter faces down from the system's Noto Serif CJK SC (fast, small PDFs)."""
    from app.letters.fonts import FONTS_DIR, build_fonts, fonts_current

    if not force and fonts_current():
        typer.echo(f"letter fonts current in {FONTS_DIR}")
        return
    try:
        paths = build_fonts(force=True)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for p in paths:
        typer.echo(f"built {p} ({p.stat().st_size // 1024} KB)")


@cli.command("render-pending")
def render_pending() -> None:
    """Render the PDFs of issued letters that do not have one yet, then build the case files
    archiving ordered (the worker does both as it goes; a download renders on demand the letters
    it has not reached)."""
    from app.casefile.build import build_pending
    from app.letters.service import render_pending as render

    rt = build_runtime(get_settings())
    try:
        done = render(rt)
        files = build_pending(rt)
    finally:
        rt.close()
    typer.echo(f"rendered {done} letter(s), built {files} case file(s)")


@cli.command()
def worker(
    once: Annotated[bool, typer.Option(help="one pass, then exit")] = False,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="events/deliveries per pass")] = 100,
    idle: Annotated[float, typer.Option(min=0.05, help="seconds between idle passes")] = 1.0,
    scheduler: Annotated[
        bool, typer.Option(help="take part in the periodic jobs (one worker at a time runs them)")
    ] = True,
) -> None:
    """Deliver the outbox (webhooks, e-mail, SMS, notices), render letters, run the periodic
    jobs. Run one beside the service; on PostgreSQL, run as many as you like."""
    import logging
    import signal
    import threading

    from app.outbox.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # One line per webhook request is noise at hundreds a second; the delivery log keeps them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rt = build_runtime(get_settings())
    try:
        w = Worker(rt, batch=batch, scheduler=scheduler)
        if once:
            r = w.tick()
            typer.echo(
                f"dispatched {r.dispatched}, delivered {r.delivered}, failed {r.failed}, "
                f"dead {r.dead}, rendered {r.rendered}, scheduled {r.scheduled}"
            )
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        w.run(stop, idle=idle)
    finally:
        rt.close()


@cli.command("mail-dsn")
def mail_dsn() -> None:
    """Take one delivery status notification on standard input (a pipe from the MTA, e.g. a
    Postfix alias `gongkai-dsn: "|python -m app.cli mail-dsn"` for the bounce address):
    delivered records the letter's arrival, failed flags the case. Exit 0 also when the report
    names no mail of this service, so the MTA does not bounce the bounce; 65 (EX_DATAERR)
    when it is not a DSN."""
    import sys

    from app.errors import DomainError
    from app.outbox.applicant.service import record_dsn

    raw = sys.stdin.buffer.read()
    rt = build_runtime(get_settings())
    try:
        with rt.sessions.write.begin() as session:
            found = record_dsn(session, rt, raw)
    except DomainError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(65) from None
    finally:
        rt.close()
    typer.echo(found.model_dump_json())


if __name__ == "__main__":
    cli()
