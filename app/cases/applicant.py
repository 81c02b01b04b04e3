"""What the applicant's view adds to the case: the next step, the public timeline, the remedy.

Which events the applicant sees, and in which words, is the workflow's `applicant_timeline`;
what the applicant must do in a state is the state's `applicant_task` (workflows/*.yaml). Only
the event's action code and day leave here: never its actor, payload or notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo

from app.cases.schemas import ApplicantEventRead, NextStepRead, RemedyRead
from app.deadline.ledger import RemedyFacts
from app.deadline.schemas import DeadlineRead
from app.letters.remedy import remedy_text
from app.models import Case, CaseEvent
from app.organs.directory import OrganInfo
from app.outcomes import Remedy
from app.workflow.definition import WorkflowDef

APPLICANT_ROLE = "applicant"
REPLY_DEADLINE = "reply"


def _due(deadlines: Iterable[DeadlineRead], name: str | None) -> DeadlineRead | None:
    return next((d for d in deadlines if d.name == name), None) if name else None


def next_step(
    case: Case, workflow: WorkflowDef, deadlines: list[DeadlineRead], outcome_label: str | None
) -> NextStepRead:
    """What happens next, and what the applicant must do by when."""
    state = workflow.state(case.state)
    if state.applicant_task is not None:
        task = state.applicant_task
        found = _due(deadlines, task.deadline)
        due = found.due_date if found else None
        text = task.todo
        if task.deadline and due is None:
            text += "期限自您收到通知之日起计算。"
        return NextStepRead(kind="act", text=text, deadline=task.deadline, due_date=due)
    if state.final and state.applicant_note:
        return NextStepRead(kind="closed", text=state.applicant_note, deadline=None, due_date=None)
    if state.final or state.clock == "stopped":
        done = outcome_label or state.label
        text = f"本申请已办结：{done}。"
        if case.outcome is not None and not state.final and case.served_on is None:
            text += "答复书送达后，救济期限开始计算。"
        return NextStepRead(kind="concluded", text=text, deadline=None, due_date=None)
    if state.clock == "not_started":
        return NextStepRead(
            kind="wait",
            text="机关将确认收到申请的日期，确认后答复期限开始计算。您现在无需操作。",
            deadline=None,
            due_date=None,
        )
    reply = _due(deadlines, REPLY_DEADLINE)
    due = reply.due_date if reply else None
    text = "机关正在办理，您现在无需操作。"
    if due is not None:
        text += f"机关应在 {due.year}年{due.month}月{due.day}日 前答复。"
    elif state.clock != "running":
        text += "答复期限暂停计算，恢复后这里显示答复日期。"
    return NextStepRead(kind="wait", text=text, deadline=REPLY_DEADLINE, due_date=due)


def timeline(
    events: Iterable[CaseEvent], workflow: WorkflowDef, tz: tzinfo
) -> list[ApplicantEventRead]:
    """The case's public events, oldest first, in the workflow's words for the applicant."""
    out = []
    for event in events:
        entry = workflow.applicant_timeline.get(event.action)
        # A workflow action's event keeps the payload it was given under "input".
        given = (event.payload or {}).get("input")
        if entry is None or not entry.applies(given if isinstance(given, dict) else {}):
            continue
        out.append(
            ApplicantEventRead(
                on=event.occurred_at.astimezone(tz).date(), action=event.action, label=entry.label
            )
        )
    return out


def remedy(
    case: Case, facts: RemedyFacts, organ: OrganInfo, deadlines: list[DeadlineRead]
) -> RemedyRead | None:
    """How to seek reconsideration or sue, once the case has an outcome with a remedy clause."""
    if case.outcome is None or facts.clause is Remedy.none:
        return None

    def day(name: str) -> date | None:
        found = _due(deadlines, name)
        return found.due_date if found else None

    return RemedyRead(
        clause=facts.clause.value,
        text=remedy_text(
            facts.clause, body=organ.reconsideration_body, court=organ.court, letter="答复"
        ),
        reconsideration_body=organ.reconsideration_body,
        court=organ.court,
        reconsideration_until=day("reconsideration_until"),
        litigation_until=day("litigation_until"),
        litigation_after_reconsideration_until=day("litigation_after_reconsideration_until"),
    )


def applicant_actions(workflow: WorkflowDef, state: str) -> list[str]:
    """The actions the applicant may take in this state, as the workflow says."""
    return workflow.allowed_actions(state, {APPLICANT_ROLE})
