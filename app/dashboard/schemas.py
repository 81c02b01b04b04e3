"""Shapes of the dashboard."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Figure(BaseModel):
    """One number on the dashboard, what it means, and the worklist it opens."""

    count: int = Field(description="数量 / the number")
    label: str = Field(description="名称 / label (Chinese)")
    label_en: str = Field(description="英文名称 / label (English)")
    description: str = Field(description="口径说明 / what is counted")
    href: str | None = Field(
        description="对应的案件列表查询，无对应筛选条件时为空 / the matching case-list query; "
        "null where the list has no such filter"
    )


class ServiceFigure(Figure):
    replies: int = Field(description="其中答复 / of which replies")
    closures: int = Field(
        description="其中终止办理告知 / of which closure notices (no correction, fee unpaid)"
    )


class StateFigure(BaseModel):
    state: str = Field(description="状态代码 / state code")
    label: str = Field(description="状态 / state (Chinese)")
    label_en: str = Field(description="英文状态名 / state (English)")
    final: bool = Field(description="终结状态 / final state")
    clock: str = Field(
        description="答复期限计时 / the reply clock in this state: not_started, running, "
        "suspended, paused, stopped"
    )
    count: int = Field(description="案件数 / cases")
    href: str = Field(description="该状态的案件列表 / the case list of this state")


class ReplyTimes(BaseModel):
    label: str = Field(description="名称 / label (Chinese)")
    label_en: str = Field(description="英文名称 / label (English)")
    description: str = Field(description="口径说明 / what is computed")
    replies: int = Field(description="统计的答复数 / replies counted")
    average_working_days: float | None = Field(
        description="平均工作日数（四舍五入到一位小数）；无答复时为空 / mean working days, "
        "rounded half up to one decimal; null with no replies"
    )
    p90_working_days: int | None = Field(
        description="第90百分位（最近秩法）；无答复时为空 / 90th percentile (nearest rank); "
        "null with no replies"
    )


class StaffFigures(BaseModel):
    user_id: int = Field(description="用户 ID / user id")
    name: str = Field(description="姓名 / name")
    roles: list[str] = Field(description="角色 / roles")
    replies: int = Field(
        description="本年出具的答复中由其提交（最后一次提交答复）的件数 / replies concluded "
        "this year whose issued draft this user submitted"
    )
    late_replies: int = Field(description="其中逾期 / of which late")
    average_working_days: float | None = Field(
        description="上述答复的平均办理工作日 / mean working days to reply over those replies"
    )
    issued: int = Field(description="本年由其出具的答复 / replies this user issued this year")
    open_cases: int = Field(
        description="其承办的在办案件（承办人为其本人）/ open cases assigned to this user "
        "(the assignee)"
    )
    overdue: int = Field(
        description="其中已逾期（答复期限早于今日）/ of those open cases, overdue (reply due "
        "before today)"
    )
    due_within_5: int = Field(
        description="其中 5 个工作日内到期、未逾期（与 due_within_5 同一口径）/ of those, due "
        "from today through the 5th working day after it, not overdue"
    )
    open_cases_href: str | None = Field(
        description="承办在办案件的案件列表（assignee 与在办状态筛选）；无在办状态时为空 / the "
        "case list of those open cases (assignee and the open states); null with no open state"
    )
    overdue_href: str = Field(
        description="其中已逾期的案件列表 / the case list of those overdue (assignee, overdue)"
    )
    due_within_5_href: str = Field(
        description="其中 5 个工作日内到期的案件列表 / the case list of those due within 5 "
        "working days (assignee, due_within=5)"
    )


class DashboardRead(BaseModel):
    organ_code: str = Field(description="机关代码 / organ code")
    organ_name: str = Field(description="机关名称 / organ name")
    as_of: date = Field(description="统计日（北京时间）/ the day counted (Beijing date)")
    year: int = Field(description="本年度 / the calendar year of the yearly figures")
    total_cases: int = Field(description="案件总数 / all cases of the organ")
    states: list[StateFigure] = Field(
        description="各状态案件数（含为零的状态）/ cases per workflow state, zeros included"
    )
    open_cases: Figure = Field(description="在办案件 / open cases (reply clock running or paused)")
    due_within_3: Figure = Field(
        description="3个工作日内到期、未逾期 / due within 3 working days, not overdue"
    )
    due_within_5: Figure = Field(
        description="5个工作日内到期、未逾期 / due within 5 working days, not overdue"
    )
    overdue: Figure = Field(description="已逾期 / overdue")
    consultation_lapsed: Figure = Field(
        description="征求意见逾期未回复 / external consultations past their window, unanswered"
    )
    notice_pending_receipt: Figure = Field(
        description="补正告知书、收费通知书已发出，未确认送达 / correction and fee notices sent, "
        "not yet received"
    )
    awaiting_service: ServiceFigure = Field(
        description="已答复或终止办理待送达 / replies and closure notices awaiting service"
    )
    replies_this_year: Figure = Field(description="本年答复 / replies issued this year")
    late_replies_this_year: Figure = Field(
        description="本年逾期答复 / replies issued late this year"
    )
    reply_times: ReplyTimes = Field(
        description="本年答复用时 / working days to reply, this year's replies"
    )
    staff: list[StaffFigures] = Field(
        description="按工作人员 / per staff member: who drafted or issued this year's replies, "
        "or has a step on an open case"
    )
