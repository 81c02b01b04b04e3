"""Publishing a year of the annual report from a page: the confirmation box, then the annual
report's lock_year (as POST /api/v1/reports/annual/{year}/lock). Shared by the approver's year
locks (/staff/approvals/reports) and the report page (/staff/reports/{year})."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.principal import Principal
from app.errors import DomainError
from app.reports import service as reports
from app.runtime import Runtime
from app.web.forms import FieldErrors


def confirm_field(year: int) -> str:
    """The checkbox that confirms publishing the year (its value is "yes")."""
    return f"confirm-{year}"


@dataclass(frozen=True)
class Refused:
    errors: FieldErrors
    status: int


def publish(
    session: Session,
    rt: Runtime,
    principal: Principal,
    year: int,
    organ_code: str | None,
    form: FormData,
) -> Refused | None:
    """Lock the year once the form confirms it; what was refused and why, changing nothing."""
    field = confirm_field(year)
    errors = FieldErrors()
    if form.get(field) != "yes":
        errors.add(field, f"请勾选确认发布 {year} 年度报告：发布后数字即锁定")
        return Refused(errors, 422)
    try:
        reports.lock_year(session, rt, principal, year, organ_code)
    except DomainError as exc:
        session.rollback()  # nothing of a refused publication stays
        return Refused(FieldErrors.of_domain(exc, fallback=field), exc.status)
    return None
