"""What the legal office's and the approver's pages share: a case row with the actions the
workflow lets a role take in the case's state, linked to the case's generated action forms."""

from __future__ import annotations

from dataclasses import dataclass

from app.cases.schemas import CaseSummary
from app.runtime import Runtime


@dataclass(frozen=True)
class ActionLink:
    code: str
    label: str
    href: str


def action_links(rt: Runtime, row: CaseSummary, roles: tuple[str, ...]) -> list[ActionLink]:
    """The actions leaving the row's state that one of `roles` may take (the workflow's
    `from_states` and `roles`; guards are the action form's to check), as links."""
    wf = rt.workflows.get(row.case_type)
    if wf is None or row.state not in wf.states:
        return []
    return [
        ActionLink(code, wf.actions[code].label, f"/staff/cases/{row.id}/actions/{code}")
        for code in wf.allowed_actions(row.state, roles)
    ]
