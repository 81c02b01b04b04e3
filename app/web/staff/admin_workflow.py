"""The workflow in the workbench (/staff/admin/workflow): the diagram drawn on the server (the
SVG the JSON API serves at /api/v1/workflows/{name}/diagram.svg, embedded inline), a state table
read from the YAML — each state, its label, and the actions out of it with their roles and target
states — and the Mermaid source (/api/v1/workflows/{name}/diagram), to view and download.

The JSON routes are open to anyone, so every signed-in staff member may read these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from app.auth.roles import ROLE_LABELS
from app.case_types import FOI_APPLICATION
from app.db import CommittingRoute
from app.errors import NotFound
from app.runtime import RuntimeDep
from app.web.staff import nav
from app.web.staff.session import SignedIn, staff_page
from app.workflow.definition import ActionDef, StateDef, WorkflowDef
from app.workflow.diagram import edges, to_mermaid
from app.workflow.svg import DiagramUnavailable, workflow_svg

router = APIRouter(route_class=CommittingRoute, include_in_schema=False)
nav.link("/staff/admin/workflow", "办理流程", 110)

Name = Annotated[str, Path(max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
_ROLE_NAMES: dict[str, str] = {str(role): label for role, label in ROLE_LABELS.items()}


@dataclass(frozen=True)
class Exit:
    action: ActionDef
    roles: str
    targets: list[StateDef]


@dataclass(frozen=True)
class StateRow:
    state: StateDef
    initial: bool
    exits: list[Exit]


def state_rows(wf: WorkflowDef) -> list[StateRow]:
    """Each state in declaration order with the arrows the diagram draws out of it."""
    by_source: dict[str, dict[str, list[str]]] = {}
    for src, target, action in edges(wf):
        targets = by_source.setdefault(src, {}).setdefault(action.code, [])
        if target not in targets:
            targets.append(target)
    rows = []
    for state in wf.states.values():
        exits = [
            Exit(
                action=wf.action(code),
                roles="、".join(_ROLE_NAMES.get(r, r) for r in wf.action(code).roles),
                targets=[wf.state(t) for t in targets],
            )
            for code, targets in by_source.get(state.code, {}).items()
        ]
        rows.append(StateRow(state, state.code in wf.initial_states, exits))
    return rows


@router.get("/staff/admin/workflow")
def default_workflow(staff: SignedIn) -> Response:
    return RedirectResponse(f"/staff/admin/workflow/{FOI_APPLICATION}", status_code=303)


@router.get("/staff/admin/workflow/{name}", response_class=HTMLResponse)
def workflow_page(name: Name, request: Request, rt: RuntimeDep, staff: SignedIn) -> Response:
    wf = rt.workflow_named(name)
    if wf is None:
        raise NotFound(f"没有名为 {name} 的办理流程 / no workflow {name}", workflow=name)
    svg, svg_error = None, None
    try:
        # Graphviz's output from our own definition, with its prolog and comments stripped.
        svg = Markup(workflow_svg(wf))  # noqa: S704
    except DiagramUnavailable as exc:
        svg_error = exc.detail
    context = {
        "svg": svg,
        "svg_error": svg_error,
        "wf": wf,
        "rows": state_rows(wf),
        "others": list(rt.workflows.values()),
        "mermaid": to_mermaid(wf),
    }
    return staff_page(request, rt, staff, "staff/admin_workflow.html", context)
