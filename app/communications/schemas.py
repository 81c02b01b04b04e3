"""Shapes of communication log entries."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.fields import LongText, Name200
from app.intake.schemas import ARRIVAL_YEARS

PartyKind = Literal["applicant", "third_party", "other"]
ContactMethod = Literal["phone", "visit", "message", "email", "letter", "other"]


class CommunicationWrite(BaseModel):
    """An entry as staff record it: when, who, how, what was said, what follows."""

    model_config = ConfigDict(extra="forbid")

    occurred_at: datetime = Field(
        description="沟通时间（无时区则按机关所在时区；不能是将来）/ when (organ's time zone if "
        "no offset; not in the future)"
    )
    party_name: Name200 = Field(description="沟通对象 / who")
    party_kind: PartyKind = Field(description="applicant 申请人 / third_party 第三方 / other 其他")
    method: ContactMethod = Field(
        description="phone 电话 / visit 来访 / message 短信或即时消息 / email 电子邮件 / "
        "letter 信函 / other 其他"
    )
    summary: LongText = Field(description="沟通内容摘要 / summary")
    follow_up: LongText | None = Field(None, description="后续事项 / follow-up")

    @field_validator("occurred_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        # Years at the ends of the calendar overflow when moved between time zones.
        if not ARRIVAL_YEARS[0] <= value.year <= ARRIVAL_YEARS[1]:
            raise ValueError(
                f"时间须在 {ARRIVAL_YEARS[0]}–{ARRIVAL_YEARS[1]} 年之间 / must fall in the years "
                f"{ARRIVAL_YEARS[0]}–{ARRIVAL_YEARS[1]}"
            )
        return value


class CommunicationRead(CommunicationWrite):
    model_config = ConfigDict(extra="ignore", from_attributes=True)

    id: int = Field(description="记录编号 / entry id")
    case_id: int = Field(description="案件 / case id")
    created_by: str = Field(description="记录人 / recorded by")
    created_at: datetime = Field(description="记录时间 / recorded at")
    updated_at: datetime = Field(description="更新时间 / updated at")


class ContactSummary(BaseModel):
    """The latest contact as lists show it: no summary, the name masked."""

    occurred_at: datetime = Field(description="沟通时间 / when")
    party_kind: PartyKind = Field(description="沟通对象类型 / party kind")
    party_name: str = Field(description="沟通对象（已遮蔽）/ who, masked")
    method: ContactMethod = Field(description="沟通方式 / how")
