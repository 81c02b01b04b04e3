"""Consultation views."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ConsultationRead(BaseModel):
    code: str = Field(description="征求意见编号（C1、C2…）/ consultation id, as actions name it")
    kind: str = Field(
        description="类型代码 / kind: third_party, other_organ, legal_office, joint_meeting"
    )
    kind_label: str = Field(description="类型 / kind")
    party: str = Field(description="征求对象 / party consulted")
    party_contact: str | None = Field(description="联系人及联系方式 / contact")
    party_address: str | None = Field(description="地址 / address")
    question: str = Field(description="征求意见事项 / the question")
    dispatch_method: str = Field(description="发送方式 / how the letter went (internal: none)")
    dispatched_on: date = Field(description="发出日期 / dispatched on")
    party_received_on: date | None = Field(description="对方收到函件日期 / party received it")
    meeting_on: date | None = Field(description="会商日期 / meeting date (joint meeting)")
    letter_id: int | None = Field(description="征求意见函 / the consultation letter")
    excludes_time: bool = Field(
        description="所需时间不计入答复期限（外部征求意见）/ excluded from the reply clock"
    )
    window_due: date | None = Field(
        description="提出意见期限（15个工作日）/ last day of the 15-WD window (external only)"
    )
    status: str = Field(
        description="open 待回复 / answered 已回复 / lapsed 逾期未回复 / settled 已结束"
    )
    opinion: str | None = Field(description="意见 / opinion")
    opinion_on: date | None = Field(description="收到意见日期 / opinion arrived on")
    result: str | None = Field(
        description="结论 / result: consent, objection, partial, advice, no_reply, deemed_consent"
    )
    objection_reasons: str | None = Field(description="不同意公开的理由 / reasons of objection")
    recorded_by: str | None = Field(description="登记人 / recorded by")
    settled_on: date | None = Field(description="结束日期 / concluded on")
    public_interest_reasons: str | None = Field(
        description="因公共利益决定公开的理由 / public-interest reasons for disclosure"
    )
    disclosure_letter_id: int | None = Field(description="第三方告知书 / the disclosure notice")
