"""Shapes of the organ-wide proactive-disclosure report (条例第四十四条)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ProactiveItem(BaseModel):
    """One item of an application, as the applicant wrote it."""

    position: int = Field(description="信息项序号 / position of the item")
    description: str = Field(description="所需信息的描述 / the information sought")
    document_number: str | None = Field(description="文号 / document number, if given")


class ProactiveCase(BaseModel):
    """An application behind a group: no applicant data, only what identifies the case."""

    case_id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    received_on: dt.date = Field(
        description="收到申请之日，未确认的按到达日 / receipt date, or arrival day if unconfirmed"
    )
    receipt_date: dt.date | None = Field(description="收到申请之日 / legal receipt date")
    state: str = Field(description="状态代码 / state code")
    state_label: str = Field(description="状态 / state")
    outcome: str | None = Field(description="答复类型代码；未办结为空 / outcome code, if any")
    outcome_label: str | None = Field(description="答复类型 / outcome")
    items: list[ProactiveItem] = Field(
        description="该申请中属于本组的信息项 / this application's items in the group"
    )


class ProactiveGroup(BaseModel):
    """Items of several applications that ask for the same information."""

    representative: str = Field(
        description="代表性描述（组中心最常见的写法）/ the wording standing for the group"
    )
    document_number: str | None = Field(
        description="组内最常写的文号 / the document number most often given, if any"
    )
    applicants: int = Field(description="不同申请人数（按证件号码）/ distinct applicants")
    case_count: int = Field(description="申请件数 / applications")
    item_count: int = Field(description="信息项数 / items")
    first_received_on: dt.date = Field(description="最早收到日期 / first received")
    last_received_on: dt.date = Field(description="最近收到日期 / last received")
    any_disclosed: bool = Field(
        description=(
            "已有申请答复为予以公开、部分公开或已主动公开 / some application was answered "
            "disclosed, partially disclosed or already public"
        )
    )
    cases: list[ProactiveCase] = Field(
        description="申请，最近收到的在前，至多 100 件 / the applications, most recent first, "
        "at most 100"
    )


class ProactiveReportRead(BaseModel):
    """Information several applicants asked for: candidates for proactive disclosure."""

    organ_code: str = Field(description="机关代码 / organ code")
    since: dt.date = Field(description="统计起始日（含）/ first day of the window")
    until: dt.date = Field(description="统计截止日（含）/ last day of the window")
    threshold: float = Field(description="相似度阈值 / similarity threshold")
    min_applicants: int = Field(description="成组所需的最少申请人数 / applicants a group needs")
    items_considered: int = Field(description="参与分组的信息项数 / items grouped")
    truncated: bool = Field(
        description=(
            "窗口内信息项过多，只统计了最近的部分；请缩短时间范围 / too many items in the "
            "window: only the most recent were grouped; shorten the window"
        )
    )
    total: int = Field(description="组数 / groups")
    page: int = Field(description="页码 / page")
    page_size: int = Field(description="每页组数 / groups per page")
    groups: list[ProactiveGroup] = Field(
        description="申请人多的在前 / groups, most applicants first"
    )
