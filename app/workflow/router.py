"""The workflow definitions and their diagrams, generated from the YAML (办理流程图).

`/api/v1/workflow` answers the FOI application workflow as it always has (or another case
type's with `?name=`); `/api/v1/workflows` lists every case type's, `/api/v1/workflows/{name}`
answers one; `/api/v1/workflows/{name}/diagram` and `.../diagram.svg` draw it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse, Response

from app.case_types import FOI_APPLICATION, CaseType
from app.db import CommittingRoute
from app.errors import NotFound
from app.runtime import Runtime, RuntimeDep
from app.workflow.definition import WorkflowDef
from app.workflow.diagram import to_mermaid
from app.workflow.svg import workflow_svg

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1", tags=["workflow"])

NameQuery = Annotated[
    CaseType,
    Query(description="案件类型（默认政府信息公开申请）/ case type, default foi_application"),
]
NamePath = Annotated[
    str,
    Path(
        max_length=32,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="案件类型：foi_application、record_correction / case type",
    ),
]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "没有该案件类型的流程 / no workflow of that name"}
}
_MERMAID: dict[int | str, dict[str, Any]] = {200: {"content": {"text/vnd.mermaid": {}}}}
_SVG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}}},
    503: {"description": "服务器未安装 Graphviz 或绘图失败 / Graphviz missing or failed"},
}


def _named(rt: Runtime, name: str) -> WorkflowDef:
    wf = rt.workflow_named(name)
    if wf is None:
        raise NotFound(f"没有名为 {name} 的办理流程 / no workflow {name}", workflow=name)
    return wf


def _mermaid(wf: WorkflowDef) -> PlainTextResponse:
    return PlainTextResponse(to_mermaid(wf), media_type="text/vnd.mermaid; charset=utf-8")


@router.get("/workflow", summary="办理流程定义 / the case workflow as JSON")
def workflow(rt: RuntimeDep, name: NameQuery = FOI_APPLICATION) -> dict[str, Any]:
    return _named(rt, name).model_dump(mode="json")


@router.get(
    "/workflow/diagram",
    summary="办理流程图（Mermaid）/ the workflow diagram in Mermaid",
    response_class=PlainTextResponse,
    responses=_MERMAID,
)
def diagram(rt: RuntimeDep, name: NameQuery = FOI_APPLICATION) -> PlainTextResponse:
    return _mermaid(_named(rt, name))


@router.get("/workflows", summary="各案件类型的办理流程 / every case type's workflow")
def workflows(rt: RuntimeDep) -> list[dict[str, Any]]:
    return [wf.model_dump(mode="json") for wf in rt.workflows.values()]


@router.get(
    "/workflows/{name}",
    summary="某案件类型的办理流程 / one case type's workflow",
    responses=_NOT_FOUND,
)
def named_workflow(name: NamePath, rt: RuntimeDep) -> dict[str, Any]:
    return _named(rt, name).model_dump(mode="json")


@router.get(
    "/workflows/{name}/diagram",
    summary="某案件类型的办理流程图（Mermaid）/ one case type's diagram",
    response_class=PlainTextResponse,
    responses={**_MERMAID, **_NOT_FOUND},
)
def named_diagram(name: NamePath, rt: RuntimeDep) -> PlainTextResponse:
    return _mermaid(_named(rt, name))


@router.get(
    "/workflows/{name}/diagram.svg",
    summary="某案件类型的办理流程图（SVG）/ one case type's diagram as SVG",
    description=(
        "服务器用 Graphviz 绘制，不引用任何外部资源。/ Drawn on the server by Graphviz; "
        "refers to nothing outside itself."
    ),
    response_class=Response,
    responses={**_SVG, **_NOT_FOUND},
)
def named_diagram_svg(name: NamePath, rt: RuntimeDep) -> Response:
    svg = workflow_svg(_named(rt, name))
    return Response(svg, media_type="image/svg+xml; charset=utf-8")
