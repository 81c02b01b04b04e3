"""Staff API: the annual report (RULES §8) — tables 三 and 四, the drill-down, publishing."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, status
from fastapi.responses import Response

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.db import CommittingRoute, ReadSession, WriteSession
from app.reports import service
from app.reports.export import MEDIA_TYPES, negotiate, render
from app.reports.schemas import AnnualReport, DrillDown, OverrideCreate, OverrideRead
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require_roles(*service.READERS))]
Publisher = Annotated[Principal, Depends(require_roles(*service.PUBLISHERS))]
Admin = Annotated[Principal, Depends(require_roles(*service.OVERRIDERS))]
Year = Annotated[int, Path(ge=1900, le=9999, description="年度 / the year")]
OrganCode = Annotated[
    str | None,
    Query(
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="机关代码（管理员必填；工作人员默认本机关）/ organ code",
    ),
]
Departments = Annotated[
    bool,
    Query(description="汇总下属部门 / sum the organ with its departments"),
]
Key = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+(\.[0-9])?$")]


@router.get(
    "/annual/{year}",
    summary="年度报告表三、表四 / the annual report's tables 三 and 四",
    description=(
        "按《条例》第五十条及国办公开办函〔2021〕30号格式统计：表三“收到和处理政府信息公开申请情况”"
        "（25 行 × 7 列）与表四“政府信息公开行政复议、行政诉讼情况”（15 个数）。返回前核对全部"
        "恒等式（一 + 二 = (七) + 四；总计 = 各类之和；(七) = 各项之和；表四各总计 = 四项之和），"
        "不成立时返回 409 并指明单元格。每个数字附下钻链接。格式：JSON、XLSX、PDF，由 `format` "
        "参数或 `Accept` 头选择。/ Counted by the database as RULES §8 says; every identity is "
        "checked before the report is returned (a failure is a 409 naming the cell); every "
        "number links to its cases. JSON, XLSX or PDF by `format` or `Accept`."
    ),
    responses={
        200: {
            "model": AnnualReport,
            "description": "JSON，或按公布格式排版的 XLSX、PDF / JSON, or the published layout",
            "content": {MEDIA_TYPES["xlsx"]: {}, MEDIA_TYPES["pdf"]: {}},
        },
        406: {"description": "不支持的格式 / unsupported format"},
        409: {"description": "恒等式不成立 / an identity fails"},
    },
)
def annual_report(
    year: Year,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    organ: OrganCode = None,
    include_departments: Departments = False,
    format: Annotated[
        Literal["json", "xlsx", "pdf"] | None,
        Query(
            description=(
                "json、xlsx 或 pdf（按公布的表格排版）；优先于 Accept / json, xlsx or pdf "
                "(laid out like the published tables); wins over Accept"
            )
        ),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    kind = negotiate(format, accept)
    report = service.annual_report(session, rt, principal, year, organ, include_departments)
    return render(rt, report, kind)


@router.get(
    "/annual/{year}/cells/{row}/{col}",
    summary="报表数字下钻 / the cases behind one number",
    description=(
        "行、列代码见报表 JSON 的 key（表三如 `new`、`withheld.4`、`total`，列如 "
        "`natural_person`、`total`；表四行为 `reconsideration`、`litigation_direct`、"
        "`litigation_after_reconsideration`，列为 `upheld`、`corrected`、`other`、`pending`、"
        "`total`）。`count` 等于报表中的数字。/ Row and column keys as in the report's JSON; "
        "`count` equals the number in the report."
    ),
)
def drill_down(
    year: Year,
    row: Key,
    col: Key,
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    organ: OrganCode = None,
    include_departments: Departments = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DrillDown:
    return service.drill_down(
        session, rt, principal, year, row, col, organ, include_departments, page, page_size
    )


@router.post(
    "/annual/{year}/lock",
    summary="发布并锁定年度报告 / publish and lock the year",
    description=(
        "审批人或管理员发布某机关某年度的报告：数字冻结，此后改变这些数字的操作一律拒绝（409 "
        "report-year-locked），除非管理员为该案件说明理由授权更正。/ Approver or administrator. "
        "Afterwards an action that would change a locked number is refused unless an "
        "administrator granted an override for the case, with a reason."
    ),
    responses={409: {"description": "已发布或年度未结束 / already locked or year not over"}},
)
def lock_year(
    year: Year,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Publisher,
    organ: OrganCode = None,
) -> AnnualReport:
    return service.lock_year(session, rt, principal, year, organ)


@router.post(
    "/annual/{year}/overrides",
    status_code=status.HTTP_201_CREATED,
    summary="管理员授权更正已锁定年度 / an administrator's override for one case",
    description=(
        "允许该案件的下一次改变锁定年度数字的操作进行；理由记入案件时间线，并在报表中列明。"
        "/ Lets the case's next change of the locked numbers go through; the reason goes on "
        "the case's timeline and is listed on the report."
    ),
)
def grant_override(
    year: Year,
    data: OverrideCreate,
    session: WriteSession,
    rt: RuntimeDep,
    principal: Admin,
    organ: OrganCode = None,
) -> OverrideRead:
    return service.grant_override(session, rt, principal, year, organ, data)
