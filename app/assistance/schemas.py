"""Shapes of assistance requests (协办): asking, answering, and what each side reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.assignment.schemas import StaffRef
from app.cases.schemas import ItemRead
from app.fields import LongText, RowId

Outcome = Literal["found", "not_held", "partly"]
Status = Literal["open", "answered", "withdrawn"]
# An internal date inside the reply period (20 working days, 40 when extended).
MAX_WORKING_DAYS = 40


class AssistanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_id: RowId = Field(
        description="被请求协办的科室 ID（可为平台上其他机关的科室）/ the department asked "
        "(may belong to another organ on the platform)"
    )
    text: LongText = Field(
        description="请求内容：需要检索或提供什么 / what the department is asked to search "
        "for or supply"
    )
    due_in_working_days: StrictInt = Field(
        ge=1,
        le=MAX_WORKING_DAYS,
        description="内部答复期限：自今日起的工作日数（按官方日历，不得晚于答复期限）/ the "
        "internal due date in working days from today (official calendar; not after the "
        "reply due date)",
    )
    version: StrictInt | None = Field(
        None, ge=1, description="案件版本号（或用 If-Match）/ the case version (or If-Match)"
    )


class AssistanceAnswer(BaseModel):
    """The department's answer (JSON, or the text fields of a multipart form with files)."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(
        description="检索结果：found 已查到、not_held 未制作或保存、partly 部分查到 / found, "
        "not held, or partly"
    )
    text: LongText | None = Field(
        None, description="答复说明 / the answer's text (what was found, where, why not)"
    )


class DepartmentOf(BaseModel):
    id: int = Field(description="科室 ID / department id")
    name: str = Field(description="科室名称 / department name")
    organ_code: str = Field(description="所属机关代码 / the department's organ")
    organ_name: str = Field(description="所属机关名称 / the organ's name")


class AssistanceFileRead(BaseModel):
    id: int = Field(description="附件 ID / file id")
    filename: str = Field(description="文件名 / file name")
    content_type: str = Field(description="文件类型（按内容识别）/ type, from the content")
    size: int = Field(description="字节数 / size in bytes")
    sha256: str = Field(description="SHA-256 摘要 / SHA-256 digest")


class AssistanceRead(BaseModel):
    """A request as the case's organ sees it, and as the department does (no personal data)."""

    id: int = Field(description="协办请求 ID / request id")
    case_id: int = Field(description="案件 ID / case id")
    case_number: str = Field(description="登记编号 / the case's registration number")
    requesting_organ: str = Field(description="请求机关名称 / the organ that asks")
    department: DepartmentOf = Field(description="被请求科室 / the department asked")
    requested_by: StaffRef = Field(description="请求人 / who asked")
    text: str = Field(description="请求内容 / what is asked")
    items: list[ItemRead] = Field(description="申请所需信息 / the items the application asks for")
    working_days: int = Field(description="内部期限的工作日数 / working days given")
    due_on: date = Field(description="内部答复期限 / the internal due date")
    overdue: bool = Field(
        description="仍未答复且已过内部期限 / still open past its internal due date"
    )
    status: Status = Field(
        description="状态：open 待答复、answered 已答复、withdrawn 已撤回 / open, answered "
        "or withdrawn"
    )
    answer: Outcome | None = Field(description="检索结果 / the answer's outcome")
    answer_label: str | None = Field(description="检索结果说明 / the outcome in words")
    answer_text: str | None = Field(description="答复说明 / the answer's text")
    answered_by: StaffRef | None = Field(description="答复人 / who answered")
    answered_at: datetime | None = Field(description="答复时间 / answered at")
    withdrawn_at: datetime | None = Field(description="撤回时间 / withdrawn at")
    created_at: datetime = Field(description="请求时间 / asked at")
    files: list[AssistanceFileRead] = Field(description="答复附件 / the answer's files")
