"""The worklist (/staff/): the organ's cases, most urgent first, through the JSON list's service.

The filters are a GET form whose parameters are the API's (`state`, `channel`, `received_from`,
`received_to`, `overdue`, `due_within`, `consultation_lapsed`, `mail_failed`, `queue`, `q`,
`actor`, `assignment`, `assignee`, `assistance`, `page`, `page_size`) plus `scope` (`open`, the default: cases not in a final state; `all`), so a
filtered list is a stable, readable URL the dashboard can link to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError

from app.cases import service
from app.cases.router import READ_ROLES
from app.cases.schemas import CasePage, CaseSummary
from app.cases.views import open_states
from app.db import CommittingRoute, ReadSession
from app.deadline.calendar import WorkCalendar
from app.fields import MAX_ROW_ID
from app.runtime import Runtime, RuntimeDep
from app.vocabulary import CHANNEL_LABELS, Channel
from app.web.forms import FieldErrors
from app.web.staff import nav
from app.web.staff.session import Workbench, page_roles, staff_page
from app.workflow.engine import allowed_actions

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)

PAGE_SIZE = 50
Reader = Annotated[Workbench, Depends(page_roles(*READ_ROLES))]
nav.link("/staff/", "工作台", 0, READ_ROLES, exact=True)


def _blank_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _blank_false(value: object) -> object:
    return False if isinstance(value, str) and not value.strip() else value


Optional = BeforeValidator(_blank_none)


def _between(low: int, high: int) -> AfterValidator:
    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            raise ValueError(f"请填写 {low}–{high} 的整数")
        return value

    return AfterValidator(check)


SEARCH_MAX = 50


def _search_text(value: str | None) -> str | None:
    # The API's `q`: trimmed, 1-50 characters (blank is no search).
    if value is None:
        return None
    text = value.strip()
    if len(text) > SEARCH_MAX:
        raise ValueError(f"搜索内容请不超过 {SEARCH_MAX} 个字")
    return text


class WorklistQuery(BaseModel):
    """The worklist's filters as the form sends them (blank fields are no filter)."""

    state: list[Annotated[str, Field(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")]] = []
    channel: list[Channel] = []
    received_from: Annotated[date | None, Optional] = None
    received_to: Annotated[date | None, Optional] = None
    overdue: Annotated[bool, BeforeValidator(_blank_false)] = False
    due_within: Annotated[int | None, Optional, _between(1, 60)] = None
    consultation_lapsed: Annotated[bool, BeforeValidator(_blank_false)] = False
    mail_failed: Annotated[bool, BeforeValidator(_blank_false)] = False
    queue: Annotated[Literal["legal"] | None, Optional] = None
    q: Annotated[str | None, Optional, AfterValidator(_search_text)] = None
    actor: Annotated[int | None, Optional, _between(1, MAX_ROW_ID)] = None
    assignment: Annotated[Literal["mine", "unassigned", "my_department"] | None, Optional] = None
    assignee: Annotated[int | None, Optional, _between(1, MAX_ROW_ID)] = None
    assistance: Annotated[Literal["overdue"] | None, Optional] = None
    scope: Literal["open", "all"] = "open"
    page: Annotated[int, _between(1, 100_000)] = 1
    page_size: Annotated[int, _between(1, 200)] = PAGE_SIZE

    def list_query(self) -> service.ListQuery:
        return service.ListQuery(
            states=tuple(s for s in self.state if s),
            channels=tuple(self.channel),
            received_from=self.received_from,
            received_to=self.received_to,
            overdue=self.overdue,
            due_within=self.due_within,
            consultation_lapsed=self.consultation_lapsed,
            mail_failed=self.mail_failed,
            queue=self.queue,
            open_only=self.scope == "open",
            q=self.q,
            actor=self.actor,
            assignment=self.assignment,
            assignee=self.assignee,
            assistance=self.assistance,
            page=self.page,
            page_size=self.page_size,
        )

    def url(self, **changes: object) -> str:
        """This list's URL with some parameters changed (pagination links)."""
        values = {**self.model_dump(mode="json"), **changes}
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if isinstance(value, list):
                pairs += [(key, str(v)) for v in value]
            elif value is True:
                pairs.append((key, "true"))
            elif value not in (None, False) and (key, value) not in (
                ("scope", "open"),
                ("page", 1),
            ):
                pairs.append((key, str(value)))
        return "/staff/" + ("?" + urlencode(pairs) if pairs else "")


_DEFAULTS = {("scope", "open"), ("page", 1), ("page_size", PAGE_SIZE)}


@dataclass(frozen=True)
class Due:
    """The next deadline as the row shows it: the day, the words and the tag's class."""

    day: date | None
    words: str
    tone: str  # overdue | due-3 | due-5 | later | none (a class, never the only signal)


def due_of(row: CaseSummary, counting: bool, today: date, calendar: WorkCalendar) -> Due:
    """How urgent the row's reply is, in words (working days, as the filters count them)."""
    day = row.reply_due
    if day is None:
        return Due(None, "未起算", "none")
    provisional = "（暂定）" if row.reply_due_provisional else ""
    if not counting:
        return Due(day, "期限不在计算中" + provisional, "none")
    if row.overdue:
        late = max(calendar.count_working_days(day, today), 1)
        return Due(day, f"已逾期 {late} 个工作日" + provisional, "overdue")
    left = calendar.count_working_days(today, day)
    words = ("今天到期" if left == 0 else f"剩 {left} 个工作日") + provisional
    tone = "due-3" if left <= 3 else "due-5" if left <= 5 else "later"
    return Due(day, words, tone)


def _actions(rt: Runtime, staff: Workbench, row: CaseSummary) -> list[tuple[str, str]]:
    """(code, label) of the actions the user may take on the row now: the case view's rule."""
    wf = rt.workflow_for(row)
    codes = allowed_actions(wf, row.state, staff.principal.roles)
    return [(code, wf.action(code).label) for code in codes]


def _options(rt: Runtime) -> dict[str, list[tuple[str, str]]]:
    states = {code: st.label for wf in rt.workflows.values() for code, st in wf.states.items()}
    return {
        "states": [("", "全部状态"), *states.items()],
        "channels": [("", "全部渠道"), *((c.value, CHANNEL_LABELS[c]) for c in Channel)],
        "scopes": [("open", "未办结的"), ("all", "全部（含已办结）")],
    }


# The worklist's tabs: every case of the organ, the caller's, the unassigned queue, the
# caller's departments' (the API's `assignment` values).
TABS = (
    (None, "全部"),
    ("mine", "我承办的"),
    ("unassigned", "待签收"),
    ("my_department", "本科室的"),
)


def _query_pairs(request: Request) -> dict[str, object]:
    params = request.query_params
    data: dict[str, object] = {}
    for key in WorklistQuery.model_fields:
        values = [v for v in params.getlist(key) if v.strip()]
        if key in ("state", "channel"):
            data[key] = values[:20]
        elif values:
            data[key] = values[-1][:100]
    return data


@router.get("/staff/", response_class=HTMLResponse)
def worklist(request: Request, rt: RuntimeDep, session: ReadSession, staff: Reader) -> Response:
    errors: FieldErrors | None = None
    raw = _query_pairs(request)
    try:
        query = WorklistQuery.model_validate(raw)
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
        query = WorklistQuery()
        listing = CasePage(items=[], total=0, page=1, page_size=PAGE_SIZE)
    else:
        listing = service.list_cases(session, rt, staff.principal, query.list_query())
    today = rt.clock().astimezone(rt.tz).date()
    counting = set(open_states(*rt.workflows.values()))
    rows = [
        (row, due_of(row, row.state in counting, today, rt.calendar), _actions(rt, staff, row))
        for row in listing.items
    ]
    pages = max(1, -(-listing.total // query.page_size))
    context = {
        "query": query,
        "raw": raw,
        "errors": errors,
        "rows": rows,
        "listing": listing,
        "pages": pages,
        "previous_url": query.url(page=query.page - 1) if query.page > 1 else None,
        "next_url": query.url(page=query.page + 1) if query.page < pages else None,
        "channel_labels": {c.value: label for c, label in CHANNEL_LABELS.items()},
        "names_searchable": service.may_search_names(staff.principal),
        "tabs": [(value, label, query.url(assignment=value, page=1)) for value, label in TABS],
        **_options(rt),
    }
    return staff_page(
        request, rt, staff, "staff/worklist.html", context, status_code=422 if errors else 200
    )
