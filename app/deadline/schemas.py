"""The deadline read model: one deadline of a case as every reader sees it (staff, the
applicant, intake's receipt)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class DeadlineRead(BaseModel):
    name: str = Field(
        description="期限代码：reply、correction_notice、correction、consultation:<id>、fee_payment… / deadline code"
    )
    label: str = Field(description="期限名称 / label")
    start_date: date = Field(description="起算事件日期（不计入）/ start event date (not counted)")
    working_days: int | None = Field(
        description="工作日总数（按日历日或月计的期限为空）/ working days in all (empty for calendar periods)"
    )
    due_date: date | None = Field(
        description="截止日期（计时中止时为空）/ due date (empty while suspended)"
    )
    provisional: bool = Field(
        description="跨入尚未公布节假日安排的年份，暂按周末计算 / reaches a year with no calendar"
    )
    status: str = Field(
        description="状态：running 计时中、suspended 中止、paused 暂停、met 按期、late 逾期完成、overdue 已逾期… / status"
    )
    working_days_elapsed: int | None = Field(description="已过工作日 / working days elapsed")
    working_days_left: int | None = Field(description="剩余工作日 / working days left")
    explanation: str = Field(description="计算说明（中文与英文）/ how the date was computed")
