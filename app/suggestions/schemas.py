"""Shapes of the repeat-application and proactive-disclosure suggestions."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class EarlierReply(BaseModel):
    """An issued reply (答复书) to an earlier application, as a repeat reply cites it."""

    letter_id: int = Field(description="文书编号（系统）/ letter id")
    number: str | None = Field(description="答复书文号 / the reply's document number")
    date: dt.date | None = Field(description="答复书成文日期 / the reply's date")
    outcome: str | None = Field(description="答复类型代码 / the reply's outcome code")


class RepeatCandidate(BaseModel):
    """An earlier application of the same applicant asking for much the same information."""

    case_id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    receipt_date: dt.date | None = Field(description="收到申请之日 / legal receipt date")
    arrived_on: dt.date = Field(description="到达日期 / arrival date")
    state: str = Field(description="状态代码 / state code")
    state_label: str = Field(description="状态 / state")
    score: float = Field(description="相似度 0–1 / similarity 0–1")
    item_position: int = Field(description="本申请的信息项序号 / position of this case's item")
    item: str = Field(description="本申请的信息项 / this case's item")
    matched_position: int = Field(description="该申请的信息项序号 / position of the earlier item")
    matched_item: str = Field(description="该申请的信息项 / the earlier application's item")
    earlier_reply: EarlierReply | None = Field(
        description="已出具的答复书；未答复为空 / its issued reply, if any"
    )


class Art44Case(BaseModel):
    """Another applicant's application for much the same information."""

    case_id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    arrived_on: dt.date = Field(description="到达日期 / arrival date")
    applicant_name: str = Field(description="申请人（脱敏）/ applicant, masked")
    score: float = Field(description="相似度 0–1 / similarity 0–1")
    matched_item: str = Field(description="该申请的信息项 / that application's item")


class Art44Group(BaseModel):
    """One item of this case and the other applicants who asked for the same information."""

    item_position: int = Field(description="本申请的信息项序号 / position of this case's item")
    item: str = Field(description="本申请的信息项 / this case's item")
    applicants: int = Field(
        description="申请过的不同申请人数（含本申请人）/ distinct applicants, this one included"
    )
    suggest: bool = Field(
        description="建议考虑纳入主动公开（条例第四十四条）/ consider proactive disclosure"
    )
    cases: list[Art44Case] = Field(description="其他申请人的申请 / the other applications")


class SuggestionsRead(BaseModel):
    """Suggestions for the clerk drafting a reply; nothing is changed by reading them."""

    case_id: int = Field(description="案件编号 / case id")
    repeat_threshold: float = Field(description="重复申请相似度阈值 / repeat threshold")
    art44_threshold: float = Field(description="主动公开相似度阈值 / Art. 44 threshold")
    art44_window_days: int = Field(description="统计其他申请的天数 / days looked back")
    art44_min_applicants: int = Field(
        description="建议主动公开的最少申请人数 / applicants needed for a suggestion"
    )
    repeat_candidates: list[RepeatCandidate] = Field(
        description="可能的重复申请（条例第三十六条第（六）项），有答复者在前 / possible repeats"
    )
    art44_groups: list[Art44Group] = Field(
        description="多人申请的相同信息（条例第四十四条）/ information several applicants asked for"
    )
