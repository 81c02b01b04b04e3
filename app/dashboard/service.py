"""The dashboard: an organ's worklist figures today and its replies this year.

Every count is a grouped query or the worklist's own filter (`app.cases.repository.CaseFilter`),
so a figure with an `href` is the `total` of that case-list query; only this year's replies are
loaded, three columns each, for their working days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.cases import repository as cases_repo
from app.cases.views import open_states
from app.consultations import service as consultations
from app.dashboard import repository
from app.dashboard.repository import Period
from app.dashboard.schemas import (
    DashboardRead,
    Figure,
    ReplyTimes,
    ServiceFigure,
    StaffFigures,
    StateFigure,
)
from app.dashboard.stats import mean_one_decimal, nearest_rank, working_days_to_reply
from app.deadline import repository as clock_repo
from app.deadline.pending import pending_receipt
from app.errors import InvalidInput, NotFound
from app.organs.directory import OrganInfo
from app.runtime import Runtime
from app.workflow.definition import WorkflowDef, receipt_waits

CASES = "/api/v1/cases"
DUE_SOON = (3, 5)
PERCENTILE = 90

# The workflow's effects name what an action does; the dashboard finds its actions and states
# through them rather than by action or state code.
SUBMIT_EFFECT = "record_reply_submission"  # submit_reply
ISSUE_EFFECT = "conclude_reply"  # issue_reply
SERVICE_EFFECT = "start_remedy_periods"  # record_service


def _href(**params: str | int | list[str]) -> str:
    return f"{CASES}?{urlencode(params, doseq=True)}"


def _states_href(states: tuple[str, ...]) -> str | None:
    # No state at all would be the unfiltered list: no link rather than a wrong one.
    return _href(state=list(states)) if states else None


def actions_with_effect(wf: WorkflowDef, effect: str) -> tuple[str, ...]:
    """Codes of the workflow's actions that have this effect."""
    return tuple(code for code, a in wf.actions.items() if effect in a.effects)


def states_awaiting_service(wf: WorkflowDef) -> tuple[str, ...]:
    """States from which service of the reply or closure notice is recorded."""
    found = {
        s for code in actions_with_effect(wf, SERVICE_EFFECT) for s in wf.actions[code].from_states
    }
    return tuple(s for s in wf.states if s in found)


def resolve_organ(
    session: Session, rt: Runtime, principal: Principal, organ_code: str | None
) -> OrganInfo:
    """The organ whose dashboard is asked for: the caller's own; an administrator names one.

    Naming another organ answers like naming none that exists (404), as a case of another
    organ does.
    """
    if organ_code is None:
        if principal.organ_id is None:
            raise InvalidInput(
                ("query", "organ"),
                "平台管理员须用 ?organ= 指定机关代码 / a platform administrator must name the "
                "organ: ?organ=CODE",
            )
        info = rt.organs.by_id(session, principal.organ_id)
    else:
        info = rt.organs.by_code(session, organ_code)
        if info is not None and not principal.is_admin and info.id != principal.organ_id:
            info = None
    if info is None:
        raise NotFound(f"机关 {organ_code} 不存在 / organ {organ_code} not found", organ=organ_code)
    return info


def _state_figures(wf: WorkflowDef, counts: dict[str, int]) -> list[StateFigure]:
    rows = [
        StateFigure(
            state=code,
            label=st.label,
            label_en=st.label_en,
            final=st.final,
            clock=st.clock,
            count=counts.get(code, 0),
            href=_href(state=code),
        )
        for code, st in wf.states.items()
    ]
    # A state no longer in the workflow still holds its cases: shown, so the counts add up.
    rows += [
        StateFigure(
            state=code,
            label=code,
            label_en=code,
            final=False,
            clock="unknown",
            count=n,
            href=_href(state=code),
        )
        for code, n in sorted(counts.items())
        if code not in wf.states
    ]
    return rows


def _deadline_figures(
    session: Session, rt: Runtime, organ_id: int, today: date, open_: tuple[str, ...]
) -> dict[str, Figure]:
    """Open cases, due soon and overdue: the worklist's own filters, counted."""

    def count(
        *,
        overdue_on: date | None = None,
        reply_due_by: date | None = None,
        reply_due_from: date | None = None,
    ) -> int:
        f = cases_repo.CaseFilter(
            organ_id=organ_id,
            open_states=open_,
            overdue_on=overdue_on,
            reply_due_by=reply_due_by,
            reply_due_from=reply_due_from,
        )
        return cases_repo.count_cases(session, f)

    known = {c: s.label for wf in reversed(rt.workflows.values()) for c, s in wf.states.items()}
    labels = "、".join(known[s] for s in open_)
    overdue = count(overdue_on=today)
    open_filter = cases_repo.CaseFilter(organ_id=organ_id, states=open_)
    figures = {
        "open_cases": Figure(
            # An empty state filter would select every case.
            count=cases_repo.count_cases(session, open_filter) if open_ else 0,
            label="在办案件",
            label_en="Open cases",
            description=f"答复期限正在计算或暂停计算的案件（{labels}）。/ Cases whose reply "
            "clock is running or paused.",
            href=_states_href(open_),
        ),
        "overdue": Figure(
            count=overdue,
            label="已逾期",
            label_en="Overdue",
            description="在办案件中答复期限早于今日的。/ Open cases whose reply was due "
            "before today.",
            href=_href(overdue="true"),
        ),
    }
    for n in DUE_SOON:
        # The worklist's due_within=N: due from today through the N-th working day after it.
        figures[f"due_within_{n}"] = Figure(
            count=count(reply_due_by=rt.calendar.add_working_days(today, n), reply_due_from=today),
            label=f"{n}个工作日内到期",
            label_en=f"Due within {n} working days",
            description=f"在办案件中答复期限在今日至其后第{n}个工作日（含）之间、尚未逾期的。"
            f"/ Open cases due today or within the next {n} working days, not yet overdue.",
            href=_href(due_within=n),
        )
    return figures


def _lapsed_figure(
    session: Session, rt: Runtime, organ_id: int, today: date, open_: tuple[str, ...]
) -> Figure:
    lapsed = consultations.lapsed_case_ids(session, organ_id, open_, rt.calendar, today)
    return Figure(
        count=len(lapsed),
        label="征求意见逾期未回复",
        label_en="Consultations past their window",
        description="在办案件中，征求第三方或其他机关意见的15个工作日期限已届满、未收到意见也未"
        "结束征求的。/ Open cases with a third-party or other-organ consultation whose 15-WD "
        "window ended with no opinion and that was not concluded.",
        href=_href(consultation_lapsed="true"),
    )


def _pending_receipt_figure(session: Session, rt: Runtime, organ_id: int) -> Figure:
    waits = receipt_waits(*rt.workflows.values())
    states = repository.states_of_cases(session, organ_id, sorted(waits))
    ledgers = clock_repo.ledgers_of(session, list(states))
    count = sum(
        1 for cid, ledger in ledgers.items() if pending_receipt(waits.get(states[cid]), ledger)
    )
    return Figure(
        count=count,
        label="通知已发出，未确认送达",
        label_en="Notices sent, not yet received",
        description="补正告知书或收费通知书已发出、尚未登记申请人收到（电子送达以申请人下载或登记的"
        "送达凭证为准），申请人的补正或缴费期限尚未起算的。/ Correction or fee notices sent whose "
        "arrival is not yet recorded (for electronic service: the applicant's download or a "
        "delivery record with its evidence), so the applicant's window has not started.",
        href=None,
    )


def _service_figure(session: Session, wf: WorkflowDef, organ_id: int) -> ServiceFigure:
    states = states_awaiting_service(wf)
    total, replies = repository.awaiting_service(session, organ_id, states)
    return ServiceFigure(
        count=total,
        replies=replies,
        closures=total - replies,
        label="已答复待送达",
        label_en="Awaiting service",
        description="已出具答复或终止办理告知书（逾期未补正、逾期未缴费）、尚未登记送达的。/ "
        "Replies and closure notices (no correction, fee unpaid) issued and not yet served.",
        href=_states_href(states),
    )


def _reply_figures(totals: tuple[int, int]) -> tuple[Figure, Figure]:
    replies, late = totals
    return (
        Figure(
            count=replies,
            label="本年答复",
            label_en="Replies this year",
            description="本年出具的答复（以出具日为准；终止办理、撤回不计）。/ Replies issued "
            "this year, by the issue date; closures and withdrawals are not replies.",
            href=None,
        ),
        Figure(
            count=late,
            label="本年逾期答复",
            label_en="Late replies this year",
            description="本年出具的答复中出具日晚于答复期限的。/ Replies issued this year after "
            "their due date.",
            href=None,
        ),
    )


REPLY_TIMES_DESCRIPTION = (
    "本年出具的答复，自收到申请之日起算的工作日数：收到之日不计，其后第一个工作日为第1日，出具之日"
    "为工作日的计入；收到之日为原收到日，补正、征求意见、缴费等期间均计入。平均值四舍五入保留一位"
    "小数；第90百分位用最近秩法，即升序排列的第⌈0.9×n⌉个值。/ Working days from receipt to the "
    "issue of each reply issued this year: the receipt day is not counted, day 1 is the first "
    "working day after it, the issue day counts if it is a working day; the receipt is the "
    "original one, so correction, consultation and fee periods are included. Mean rounded half "
    "up to one decimal; p90 by nearest rank, the ⌈0.9 × n⌉-th smallest value."
)


def _reply_times(days: list[int]) -> ReplyTimes:
    return ReplyTimes(
        label="答复用时（工作日）",
        label_en="Working days to reply",
        description=REPLY_TIMES_DESCRIPTION,
        replies=len(days),
        average_working_days=mean_one_decimal(days),
        p90_working_days=nearest_rank(days, PERCENTILE),
    )


def _staff(
    session: Session,
    period: Period,
    days_by_author: dict[int, list[int]],
    *,
    submit_actions: tuple[str, ...],
    issue_actions: tuple[str, ...],
    open_: tuple[str, ...],
    today: date,
    due_soon_by: date,
) -> list[StaffFigures]:
    """One row per staff user who drafted (last submitted) or issued a reply concluded this
    year, or is the assignee (承办人) of a case still open — the supervisor's view of who
    answered what, how fast, and who has work in hand. In the order the users were created."""
    authored = repository.replies_by_author(session, period, submit_actions)
    issued = repository.replies_by_issuer(session, period, issue_actions)
    in_hand = repository.open_cases_by_assignee(session, period.organ_id, open_)
    late_in_hand = repository.open_cases_by_assignee(
        session, period.organ_id, open_, due_before=today
    )
    soon_in_hand = repository.open_cases_by_assignee(
        session, period.organ_id, open_, due_from=today, due_by=due_soon_by
    )
    ids = set(authored) | set(issued) | set(in_hand)
    people = repository.users(session, ids)
    rows = []
    for uid in sorted(ids):
        name, roles = people.get(uid, (f"用户 {uid}", []))
        replies, late = authored.get(uid, (0, 0))
        rows.append(
            StaffFigures(
                user_id=uid,
                name=name,
                roles=roles,
                replies=replies,
                late_replies=late,
                average_working_days=mean_one_decimal(days_by_author.get(uid, [])),
                issued=issued.get(uid, 0),
                open_cases=in_hand.get(uid, 0),
                overdue=late_in_hand.get(uid, 0),
                due_within_5=soon_in_hand.get(uid, 0),
                # The case list's `assignee` filter is the same per-user definition, so each
                # figure is that list's total.
                open_cases_href=_href(assignee=uid, state=list(open_)) if open_ else None,
                overdue_href=_href(assignee=uid, overdue="true"),
                due_within_5_href=_href(assignee=uid, due_within=DUE_SOON[-1]),
            )
        )
    return rows


def dashboard(
    session: Session, rt: Runtime, principal: Principal, organ_code: str | None
) -> DashboardRead:
    """The organ's dashboard as of today (Beijing date)."""
    organ = resolve_organ(session, rt, principal, organ_code)
    today = rt.clock().astimezone(rt.tz).date()
    wf = rt.workflow
    # Every case type's open cases are on the dashboard; their action codes for replies are
    # the FOI workflow's (the correction workflow reuses submit_reply, issue_reply, ...).
    open_ = open_states(*rt.workflows.values())
    period = Period(organ_id=organ.id, first=date(today.year, 1, 1), last=date(today.year, 12, 31))
    submit_actions = actions_with_effect(wf, SUBMIT_EFFECT)

    counts = repository.state_counts(session, organ.id)
    deadlines = _deadline_figures(session, rt, organ.id, today, open_)
    replies, late = _reply_figures(repository.reply_totals(session, period))

    calendar = rt.calendar
    all_days: list[int] = []
    days_by_author: dict[int, list[int]] = defaultdict(list)
    for row in repository.reply_rows(session, period, submit_actions):
        days = working_days_to_reply(calendar, row.received, row.concluded)
        all_days.append(days)
        if row.author_id is not None:
            days_by_author[row.author_id].append(days)

    return DashboardRead(
        organ_code=organ.code,
        organ_name=organ.name,
        as_of=today,
        year=today.year,
        total_cases=sum(counts.values()),
        states=_state_figures(wf, counts),
        open_cases=deadlines["open_cases"],
        due_within_3=deadlines["due_within_3"],
        due_within_5=deadlines["due_within_5"],
        overdue=deadlines["overdue"],
        consultation_lapsed=_lapsed_figure(session, rt, organ.id, today, open_),
        notice_pending_receipt=_pending_receipt_figure(session, rt, organ.id),
        awaiting_service=_service_figure(session, wf, organ.id),
        replies_this_year=replies,
        late_replies_this_year=late,
        reply_times=_reply_times(all_days),
        staff=_staff(
            session,
            period,
            days_by_author,
            submit_actions=submit_actions,
            issue_actions=actions_with_effect(wf, ISSUE_EFFECT),
            open_=open_,
            today=today,
            due_soon_by=rt.calendar.add_working_days(today, DUE_SOON[-1]),
        ),
    )
