"""The annual report in the workbench (/staff/reports/{year}): tables 三 and 四 with every number
linking to its cases, the identity check, the year's lock and overrides, the XLSX and PDF.

Every page calls the annual report's services (app.reports.service) with the JSON routes' roles
(READERS, PUBLISHERS, OVERRIDERS) and organ rule (staff see their own organ; an administrator of
the platform names one); the files come from the same export functions as
GET /api/v1/reports/annual/{year}?format=xlsx|pdf, served here so the browser's staff cookie
fetches them. Publishing goes through app.web.staff.report_lock, shared with the approver's page.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from app.db import CommittingRoute, ReadSession, WriteSession
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.fields import Code, Reason, Text40
from app.reports import layout, printed
from app.reports import service as reports
from app.reports.export import render as export
from app.reports.schemas import AnnualReport
from app.runtime import Runtime, RuntimeDep
from app.vocabulary import CATEGORY_LABELS
from app.web.forms import FieldErrors, read_form
from app.web.staff import nav, report_grid
from app.web.staff.report_lock import confirm_field, publish
from app.web.staff.session import Workbench, page_roles, staff_page

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

Reader = Annotated[Workbench, Depends(page_roles(*reports.READERS))]
nav.link("/staff/reports", "年度报告", 95, reports.READERS)
Publisher = Annotated[Workbench, Depends(page_roles(*reports.PUBLISHERS))]
Overrider = Annotated[Workbench, Depends(page_roles(*reports.OVERRIDERS))]
Year = Annotated[int, Path(ge=1900, le=9999)]
Key = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+(\.[0-9])?$")]
PAGE_SIZE = 100
SUBJECTS = {"reply": "答复", "failure_to_answer": "逾期不答复", "closure": "终止办理"}


class Options(BaseModel):
    """Which report: the organ (an administrator of the platform names it) and whether its
    departments are summed, as the JSON route's query."""

    model_config = ConfigDict(extra="ignore")

    organ: Code | None = None
    include_departments: bool = False

    def query(self, **more: str) -> str:
        params = {"organ": self.organ or "", **more}
        if self.include_departments:
            params["include_departments"] = "true"
        return urlencode({k: v for k, v in params.items() if v})


class OverrideForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    case_number: Text40
    reason: Reason


def _options(request: Request) -> Options | FieldErrors:
    """The query's options, or what is wrong with them by field."""
    q = request.query_params
    given = {k: q[k].strip()[:100] for k in ("organ", "include_departments") if q.get(k)}
    try:
        return Options.model_validate(given)
    except ValidationError as exc:
        return FieldErrors.of_validation(exc)


def _years(rt: Runtime) -> list[int]:
    return list(range(reports.today(rt).year, reports.FIRST_YEAR - 1, -1))


def _organ_errors(exc: DomainError) -> FieldErrors:
    """A refused organ beside the options' organ field (the service names it query.organ)."""
    found = FieldErrors.of_domain(exc, fallback="organ")
    return FieldErrors({"organ" if k == "query.organ" else k: v for k, v in found.items()})


def _report_page(
    request: Request,
    rt: Runtime,
    session: Session,
    staff: Workbench,
    year: int,
    opts: Options | FieldErrors,
    errors: FieldErrors | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    """The report with a form's errors, or the options and what stopped the report (bad
    options, an organ to name, an identity failing)."""
    report: AnnualReport | None = None
    problem: str | None = None
    if isinstance(opts, FieldErrors):
        errors, status_code, opts = opts, 422, Options()
    else:
        try:
            report = reports.annual_report(
                session, rt, staff.principal, year, opts.organ, opts.include_departments
            )
        except (InvalidInput, NotFound) as exc:
            errors, status_code = _organ_errors(exc), exc.status
            if opts.organ is None and errors.items() and errors.items()[0][0] == "organ":
                errors, status_code = None, 200  # the platform's administrator names it first
        except Conflict as exc:  # an identity fails: the report cannot be given
            problem, status_code = exc.detail.split(" / ")[0], exc.status
    if report is not None:  # links name the organ reported on, as the report's own links do
        opts = opts.model_copy(update={"organ": report.organ.code})
    query = opts.query()
    context: dict[str, Any] = {
        "year": year,
        "years": _years(rt),
        "options": opts,
        "suffix": f"?{query}" if query else "",
        "errors": errors,
        "values": values or {},
        "problem": problem,
        "report": report,
        "done": request.query_params.get("done", ""),
        "confirm_field": confirm_field(year),
        "may_publish": staff.principal.has_any(*reports.PUBLISHERS),
        "may_override": staff.principal.has_any(*reports.OVERRIDERS),
    }
    if report is not None:
        context.update(
            lines=printed.status_lines(report, rt.tz),
            table3=report_grid.table3(report.table3),
            table4=report_grid.table4(report.table4),
            changed=printed.changed_rows(report),
        )
    return staff_page(request, rt, staff, "staff/reports.html", context, status_code=status_code)


@router.get("/staff/reports")
def reports_home(rt: RuntimeDep, staff: Reader) -> Response:
    """The report year: the last complete one (published from January), or the first there is."""
    year = max(reports.today(rt).year - 1, reports.FIRST_YEAR)
    return RedirectResponse(f"/staff/reports/{year}", status_code=303)


@router.get("/staff/reports/{year}.{kind}")
def report_file(
    year: Year,
    kind: Literal["xlsx", "pdf"],
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    opts = _options(request)
    if isinstance(opts, FieldErrors):
        return _report_page(request, rt, session, staff, year, opts)
    report = reports.annual_report(
        session, rt, staff.principal, year, opts.organ, opts.include_departments
    )
    response = export(rt, report, kind)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/staff/reports/{year}", response_class=HTMLResponse)
def report_page(
    year: Year, request: Request, rt: RuntimeDep, session: ReadSession, staff: Reader
) -> Response:
    return _report_page(request, rt, session, staff, year, _options(request))


@router.get("/staff/reports/{year}/cells/{row}/{col}", response_class=HTMLResponse)
def cell_page(
    year: Year,
    row: Key,
    col: Key,
    request: Request,
    rt: RuntimeDep,
    session: ReadSession,
    staff: Reader,
) -> Response:
    opts = _options(request)
    if isinstance(opts, FieldErrors):
        return _report_page(request, rt, session, staff, year, opts)
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isdigit() and 1 <= int(raw) <= 100_000 else 1
    drill = reports.drill_down(
        session, rt, staff.principal, year, row, col, opts.organ, opts.include_departments,
        page, PAGE_SIZE,
    )  # fmt: skip
    pages = max(1, -(-drill.count // PAGE_SIZE))
    here = f"/staff/reports/{year}/cells/{row}/{col}"
    context = {
        "drill": drill,
        "report_href": f"/staff/reports/{year}" + (f"?{opts.query()}" if opts.query() else ""),
        "summed": opts.include_departments,
        "first": f"{here}?{opts.query()}",
        "previous": f"{here}?{opts.query(page=str(page - 1))}" if page > 1 else None,
        "next": f"{here}?{opts.query(page=str(page + 1))}" if page < pages else None,
        "pages": pages,
        "categories": {c.value: label for c, label in CATEGORY_LABELS.items()},
        "states": {
            code: st.label
            for wf in reversed(rt.workflows.values())
            for code, st in wf.states.items()
        },
        "kinds": {g.key: g.label for g in layout.TABLE4_GROUPS},
        "results": {c.key: c.label for c in layout.TABLE4_RESULTS},
        "subjects": SUBJECTS,
    }
    return staff_page(request, rt, staff, "staff/report_cell.html", context)


@router.post("/staff/reports/{year}/lock")
async def lock_year(
    year: Year, request: Request, rt: RuntimeDep, session: WriteSession, staff: Publisher
) -> Response:
    form = await read_form(request, rt)
    opts = _options(request)
    if isinstance(opts, FieldErrors):
        return _report_page(request, rt, session, staff, year, opts)
    refused = publish(session, rt, staff.principal, year, opts.organ, form)
    if refused is not None:
        return _report_page(request, rt, session, staff, year, opts, refused.errors, refused.status)
    return RedirectResponse(f"/staff/reports/{year}?{opts.query(done='locked')}", 303)


@router.post("/staff/reports/{year}/overrides")
async def grant_override(
    year: Year, request: Request, rt: RuntimeDep, session: WriteSession, staff: Overrider
) -> Response:
    form = await read_form(request, rt)
    opts = _options(request)
    if isinstance(opts, FieldErrors):
        return _report_page(request, rt, session, staff, year, opts)
    values = {k: v for k in ("case_number", "reason") if isinstance(v := form.get(k), str)}
    try:
        data = OverrideForm.model_validate(values)
        reports.grant_override_for_number(
            session, rt, staff.principal, year, opts.organ, data.case_number, data.reason
        )
    except ValidationError as exc:
        errors, status = FieldErrors.of_validation(exc), 422
    except (InvalidInput, NotFound, Conflict) as exc:
        session.rollback()
        errors, status = FieldErrors.of_domain(exc, fallback="case_number"), exc.status
    else:
        return RedirectResponse(f"/staff/reports/{year}?{opts.query(done='override')}", 303)
    return _report_page(request, rt, session, staff, year, opts, errors, status, values)
