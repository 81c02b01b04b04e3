"""Ordering a case file: a new version when a case is archived. Only `record` (the one write
path) calls this, with the archiving event, in the case's transaction; the worker builds it
after the commit (app.casefile.build)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.casefile import repository
from app.models import Case, CaseFile
from app.organs.directory import OrganInfo
from app.runtime import Runtime


def retention_end(archived_on: date, years: int) -> date:
    """The day the retention period ends: the same day `years` later (29 Feb: the 28th)."""
    try:
        return archived_on.replace(year=archived_on.year + years)
    except ValueError:
        return archived_on.replace(year=archived_on.year + years, day=28)


def order_file(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    *,
    event_id: int,
    event_seq: int,
    actor: Actor,
    now: datetime,
) -> CaseFile:
    """A new version of the case's file, to be built after the commit (only `record` calls
    this, with the archiving event); its retention comes from the organ's setting."""
    archived_on = now.astimezone(rt.tz).date()
    years = organ.settings.archive_retention_years
    row = CaseFile(
        case_id=case.id,
        organ_id=case.organ_id,
        version=repository.next_version(session, case.id),
        event_id=event_id,
        event_seq=event_seq,
        archived_on=archived_on,
        retention_years=years,
        retention_until=retention_end(archived_on, years),
        status="building",
        attempts=0,
        created_at=now,
        created_by=actor.label,
    )
    repository.add(session, row)
    return row
