"""Staff API: the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.auth.dependencies import require_roles
from app.auth.principal import Principal
from app.auth.roles import Role
from app.dashboard import service
from app.dashboard.schemas import DashboardRead
from app.db import CommittingRoute, ReadSession
from app.runtime import RuntimeDep

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/dashboard", tags=["oversight"])

# Whole-organ roles read their own organ's dashboard; the legal office alone sees only the cases
# it is involved in, so the organ's totals are not for it. Administrators name the organ.
READ_ROLES = (Role.clerk, Role.approver, Role.supervisor, Role.front_desk, Role.admin)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]

DESCRIPTION = """\
本机关的督办数据，以北京时间的今日（`as_of`）为准；有对应筛选条件的数字附 `href`，即案件列表的同一查询。
/ The organ's oversight figures as of today, the Beijing date (`as_of`); a figure with an `href`
is the `total` of that case-list query.

- **states** 各状态案件数，含为零的状态 / cases per workflow state, zeros included.
- **open_cases** 在办：答复期限正在计算或暂停计算的状态 / open: states whose reply clock is
  running or paused.
- **due_within_3**, **due_within_5** 在办案件中答复期限在今日至其后第 3 / 5 个工作日（含）之间、
  尚未逾期的（与列表 `due_within` 同一口径，但不含已逾期）/ open cases due from today through the
  3rd / 5th working day after today, not overdue (the list's `due_within`, without the overdue
  cases it also shows).
- **overdue** 答复期限早于今日 / reply due before today (`overdue=true`).
- **consultation_lapsed** 征求第三方或其他机关意见，15 个工作日届满未回复 / an external
  consultation whose 15-WD window ended unanswered.
- **notice_pending_receipt** 补正告知书、收费通知书已发出，未确认送达（申请人的期限尚未起算）/
  correction and fee notices sent whose arrival is not recorded (the applicant's window has not
  started).
- **awaiting_service** 已出具答复或终止办理告知书、未登记送达 / reply or closure notice issued,
  not served.
- **replies_this_year**, **late_replies_this_year** 本年（按出具日）出具的答复及其中逾期的 /
  replies issued this calendar year (by issue date) and the late ones.
- **reply_times** 本年答复的办理工作日：收到之日不计，其后第一个工作日为第 1 日，至出具之日；
  平均值四舍五入保留一位小数；**p90 用最近秩法**：n 个值升序排列后的第 ⌈0.9 × n⌉ 个值（n = 10 时为
  第 9 个，n = 4 时为第 4 个）；无答复时为 null / working days from receipt to issue of this
  year's replies (the receipt day not counted, day 1 the first working day after it, through the
  issue day); mean rounded half up to one decimal; **p90 by nearest rank**: the ⌈0.9 × n⌉-th
  smallest of the n values (the 9th of 10, the 4th of 4); null with no replies.
- **staff** 按工作人员：本年答复的提交人（最后一次提交答复者）及出具人、经手在办案件及其中已逾期、5 个工作日内到期的 / per staff
  user: who submitted (last) and who issued this year's replies, open cases they worked on,
  and of those the overdue ones and those due within 5 working days (not overdue).

承办人、负责人、督办、窗口查看本机关；平台管理员须以 `?organ=` 指定机关；其他机关或不存在的机关
返回 404。/ Clerks, approvers, supervisors and the front desk read their own organ; a platform
administrator names one with `?organ=`; another organ, or an unknown one, answers 404.
"""


@router.get(
    "",
    summary="督办看板 / the organ's dashboard",
    description=DESCRIPTION,
    responses={
        403: {"description": "角色无权 / role may not"},
        404: {"description": "机关不存在或非本机关 / unknown or another organ"},
    },
)
def get_dashboard(
    session: ReadSession,
    rt: RuntimeDep,
    principal: Reader,
    organ: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
            description="机关代码（平台管理员必填；机关工作人员只能是本机关）/ organ code "
            "(required for a platform administrator; staff may name only their own organ)",
        ),
    ] = None,
) -> DashboardRead:
    return service.dashboard(session, rt, principal, organ)
