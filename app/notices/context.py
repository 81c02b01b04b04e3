"""What a notice text is rendered with: the event's payload, named for the template."""

from __future__ import annotations

from typing import Any

from app.consultations.service import KIND_LABELS
from app.notices.kinds import ASSISTANCE_OUTCOME_LABELS, DEADLINE_LABELS
from app.outbox import events as ev
from app.outbox.channels import EventView
from app.runtime import Runtime


def _link(rt: Runtime, path: str) -> str:
    base = rt.settings.notice_base_url
    return f"{base}{path}" if base else ""


def context_for(
    rt: Runtime, event: EventView, *, organ_name: str, user_name: str
) -> dict[str, Any]:
    p = event.payload
    ctx: dict[str, Any] = {"organ_name": organ_name, "user_name": user_name}
    if event.type in (ev.DEADLINE_DUE_SOON, ev.DEADLINE_OVERDUE):
        deadline = str(p.get("deadline", ""))
        ctx |= {
            "case": p["case"],
            "deadline": deadline,
            "deadline_label": DEADLINE_LABELS.get(deadline, deadline),
            "due": p.get("due"),
            "threshold": p.get("threshold"),
            "remaining_wd": p.get("remaining_wd"),
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.CONSULTATION_WINDOW_ENDED:
        c = dict(p.get("consultation") or {})
        c["kind_label"] = KIND_LABELS.get(str(c.get("kind")), str(c.get("kind")))
        ctx |= {
            "case": p["case"],
            "consultation": c,
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.DIGEST_DUE:
        ctx |= {
            "date": p.get("date"),
            "overdue": p.get("overdue", []),
            "overdue_count": p.get("overdue_count", 0),
            "due_this_week": p.get("due_this_week", []),
            "due_this_week_count": p.get("due_this_week_count", 0),
            "awaiting": p.get("awaiting", []),
            "link": _link(rt, "/staff/"),
        }
    elif event.type == ev.CASE_ASSIGNED:
        ctx |= {
            "case": p["case"],
            "to_department": p.get("assignee_id") is None,
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.ASSISTANCE_REQUESTED:
        ctx |= {
            "case": p["case"],
            "due_on": p.get("due_on"),
            "link": _link(rt, "/staff/assistance"),
        }
    elif event.type == ev.ASSISTANCE_ANSWERED:
        outcome = str(p.get("outcome", ""))
        ctx |= {
            "case": p["case"],
            "outcome": outcome,
            "outcome_label": ASSISTANCE_OUTCOME_LABELS.get(outcome, outcome),
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.CASE_TRANSFERRED_IN:
        ctx |= {
            "case": p["case"],
            "from_organ": p.get("from_organ") or {},
            "from_case": p.get("from_case") or {},
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.RELEASE_EXPIRING:
        ctx |= {
            "case": p["case"],
            "until": p.get("until"),
            "files": p.get("files", []),
            "downloaded": bool(p.get("downloaded")),
            "link": _link(rt, f"/staff/cases/{p['case']['id']}"),
        }
    elif event.type == ev.CALENDAR_MISSING:
        ctx |= {
            "year": p.get("year"),
            "cases": p.get("cases", []),
            "case_count": p.get("case_count", 0),
            "link": _link(rt, "/staff/admin/calendar"),
        }
    return ctx
