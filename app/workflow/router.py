"""The workflow definition and its diagram, generated from the YAML (办理流程图)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from app.db import CommittingRoute
from app.runtime import RuntimeDep
from app.workflow.diagram import to_mermaid

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/workflow", tags=["workflow"])


@router.get("", summary="办理流程定义 / the case workflow as JSON")
def workflow(rt: RuntimeDep) -> dict[str, Any]:
    return rt.workflow.model_dump(mode="json")


@router.get(
    "/diagram",
    summary="办理流程图（Mermaid）/ the workflow diagram in Mermaid",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/vnd.mermaid": {}}}},
)
def diagram(rt: RuntimeDep) -> PlainTextResponse:
    return PlainTextResponse(to_mermaid(rt.workflow), media_type="text/vnd.mermaid; charset=utf-8")
