"""The resources a running service holds, built once in the lifespan (never at import time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import Engine

from app.audit.keys import audit_key
from app.auth.oidc.provider import OidcProvider
from app.calendar.service import CalendarSource, start_calendar_source
from app.case_types import FOI_APPLICATION
from app.config import Settings
from app.db import SessionFactories, create_db_engine, create_session_factories
from app.deadline.calendar import WorkCalendar
from app.intake.throttle import BrakePolicy, LookupBrake
from app.letters.press import LetterPress
from app.letters.render import FontStack, LetterTemplates
from app.organs.directory import OrganDirectory
from app.signing.signer import PadesSigner, Signer
from app.storage import AttachmentStore
from app.workflow.definition import WorkflowDef, load_workflows


class HasCaseType(Protocol):
    @property
    def case_type(self) -> str: ...


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: SessionFactories
    # Every case type's workflow by its name; a case runs on workflows[case.case_type].
    workflows: dict[str, WorkflowDef]
    calendars: CalendarSource
    store: AttachmentStore
    brake: LookupBrake
    organs: OrganDirectory
    tz: ZoneInfo
    letter_templates: LetterTemplates
    press: LetterPress
    # Signs every stored letter for its organ (app/signing/signer.py).
    signer: Signer
    # The province's identity provider, when configured (app/auth/oidc/): a second way in.
    oidc: OidcProvider | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def workflow(self) -> WorkflowDef:
        """The FOI application workflow: the default case type (/api/v1/workflow answers it)."""
        return self.workflows[FOI_APPLICATION]

    def workflow_for(self, case: HasCaseType) -> WorkflowDef:
        """The workflow the case runs on."""
        return self.workflows[case.case_type]

    def workflow_named(self, name: str) -> WorkflowDef | None:
        """The workflow of that name, or None."""
        return self.workflows.get(name)

    @property
    def calendar(self) -> WorkCalendar:
        """The official calendar now in force (rebuilt when the stored years change)."""
        return self.calendars.current()

    @property
    def token_key(self) -> bytes:
        return self.settings.secret_key.get_secret_value().encode("utf-8")

    def close(self) -> None:
        """Stop the letter renderers and release the database pools."""
        self.press.close()
        self.sessions.dispose()


def build_runtime(settings: Settings, *, engine: Engine | None = None) -> Runtime:
    """Build every resource from the settings."""
    engine = engine or create_db_engine(settings)
    sessions = create_session_factories(engine, settings)
    policy = BrakePolicy(
        window=timedelta(minutes=settings.lookup_window_minutes),
        free_failures=settings.lookup_free_failures,
        lock_failures=settings.lookup_lock_failures,
        lock_duration=timedelta(minutes=settings.lookup_lock_minutes),
        number_failures=settings.lookup_number_failures,
        number_window=timedelta(hours=settings.lookup_number_window_hours),
    )
    workflows = load_workflows(settings.workflow_dir)
    workflow = workflows[FOI_APPLICATION]
    tz = ZoneInfo(settings.timezone)
    calendars = start_calendar_source(
        sessions,
        settings.calendar_dir,
        workflow=workflow,
        tz=tz,
        now=utc_now(),
        key=audit_key(settings),
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        workflows=workflows,
        calendars=calendars,
        store=AttachmentStore(settings.storage_dir),
        brake=LookupBrake(sessions.write, policy),
        organs=OrganDirectory(),
        tz=tz,
        letter_templates=LetterTemplates(
            fonts=FontStack(title=settings.letter_title_fonts, body=settings.letter_body_fonts)
        ),
        press=LetterPress(
            workers=settings.letter_render_workers,
            timeout_s=settings.letter_render_timeout_s,
            storage_dir=settings.storage_dir,
        ),
        signer=PadesSigner(settings.secret_key.get_secret_value().encode("utf-8")),
        oidc=OidcProvider(settings) if settings.oidc_enabled else None,
    )


def get_runtime(request: Request) -> Runtime:
    """The app's runtime."""
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
