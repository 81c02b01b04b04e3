"""The notices API's bodies and answers."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from app.fields import Text200
from app.notices.kinds import Method, TextKind
from app.validation.text import clean_text

TemplateText = Annotated[
    str, AfterValidator(partial(clean_text, field_max=8000, field_min=1, multiline=True))
]
Mobile = Annotated[str, Field(pattern=r"^1[3-9][0-9]{9}$")]


class NoticePreferences(BaseModel):
    """How the user receives each kind of notice, and where e-mails and SMS go."""

    model_config = ConfigDict(extra="forbid")

    warnings: Method = Field(
        description="期限提醒：到期前、逾期、征求意见期满 / deadline warnings",
    )
    digest: Method = Field(description="每日摘要（工作日 8:30）/ the daily digest")
    calendar: Method = Field(description="放假安排未录入提醒 / the calendar reminder")
    assignment: Method = Field(
        "in_app",
        description="分办提醒：案件分办给我或我所在的科室（默认站内）/ a case assigned to me "
        "or my department (in-app unless chosen)",
    )
    transfer: Method = Field(
        "in_app",
        description="转办提醒：其他机关转来的申请待本机关确认收到（默认站内）/ an application "
        "transferred here by another organ, awaiting receipt (in-app unless chosen)",
    )
    email: Annotated[EmailStr, Field(max_length=254)] | None = Field(
        None, description="接收提醒的电子邮箱 / e-mail address for notices"
    )
    mobile: Mobile | None = Field(None, description="接收短信的手机号 / mobile number for SMS")


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="提醒编号 / notice id")
    event_type: str = Field(description="事件类型 / the event type")
    case_id: int | None = Field(description="案件编号 / the case's id")
    subject: str = Field(description="标题 / the subject")
    body: str = Field(description="正文 / the body")
    created_at: datetime = Field(description="创建时间 / when it was created")
    read_at: datetime | None = Field(description="已读时间 / when it was read")


class NoticeList(BaseModel):
    unread: int = Field(description="未读条数 / how many are unread")
    items: list[NoticeRead] = Field(description="提醒列表 / the notices")


class NoticeTextBody(BaseModel):
    """A notice text: a subject line and a body, Jinja2 templates (sandboxed)."""

    model_config = ConfigDict(extra="forbid")

    subject: Text200 = Field(description="标题模板 / the subject's template")
    body: TemplateText = Field(description="正文模板 / the body's template")


class NoticeTextRead(BaseModel):
    kind: TextKind = Field(description="文本类别 / which notice text")
    organ_code: str = Field(description="机关代码 / the organ's code")
    subject: str = Field(description="标题 / the subject")
    body: str = Field(description="正文 / the body")
    custom: bool = Field(description="机关自定义（否则为默认文本）/ the organ's own text")
    variables: list[str] = Field(description="模板可用的变量 / names the template may use")


class NoticePreview(BaseModel):
    subject: str = Field(description="标题 / the subject")
    body: str = Field(description="正文 / the body")
