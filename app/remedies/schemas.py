"""Shapes of reconsideration and litigation records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.fields import Name200, Text100

RemedyKind = Literal["reconsideration", "litigation_direct", "litigation_after_reconsideration"]
RemedyResult = Literal["upheld", "corrected", "other", "pending"]
# What the record challenges: the reply, a failure to answer in time (逾期不答复), a closure
# (no correction, fee unpaid).
RemedySubject = Literal["reply", "failure_to_answer", "closure"]


class RemedyWrite(BaseModel):
    """A record as staff enter it; a result other than pending has its date."""

    model_config = ConfigDict(extra="forbid")

    kind: RemedyKind = Field(
        description="reconsideration 行政复议 / litigation_direct 未经复议直接起诉 / "
        "litigation_after_reconsideration 复议后起诉"
    )
    body: Name200 = Field(description="复议机关或法院 / reconsideration body or court")
    filed_on: date = Field(description="申请或立案日期 / filing date")
    case_number: Text100 | None = Field(None, description="案号 / case number")
    result: RemedyResult = Field(
        "pending", description="upheld 维持 / corrected 纠正 / other 其他 / pending 尚未审结"
    )
    result_on: date | None = Field(None, description="结果日期 / result date")
    decision_received_on: date | None = Field(
        None,
        description="申请人收到决定书之日（复议决定送达后15日内可起诉）/ the day the applicant "
        "received the decision (a lawsuit may follow within 15 days of a reconsideration "
        "decision)",
    )
    subject: RemedySubject | None = Field(
        None,
        description="所针对的事项：reply 答复 / failure_to_answer 逾期不答复 / closure 终止办理；"
        "不填则按案件认定 / what is challenged; derived from the case when left out",
    )

    @model_validator(mode="after")
    def _dates(self) -> RemedyWrite:
        if self.result == "pending" and self.result_on is not None:
            raise ValueError("尚未审结的不应有结果日期 / a pending record has no result date")
        if self.result != "pending" and self.result_on is None:
            raise ValueError("须填写结果日期 / a result needs its date")
        if self.result_on is not None and self.result_on < self.filed_on:
            raise ValueError("结果日期不能早于立案日期 / the result cannot precede the filing")
        return self


class RemedyRead(RemedyWrite):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    subject: RemedySubject = Field(
        description="所针对的事项 / what is challenged: reply | failure_to_answer | closure"
    )
    id: int = Field(description="记录编号 / record id")
    case_id: int = Field(description="案件 / case id")
    created_by: str = Field(description="登记人 / recorded by")
    created_at: datetime = Field(description="登记时间 / recorded at")
    updated_at: datetime = Field(description="更新时间 / updated at")
