"""Shapes of the admin API for organs and users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.auth.roles import Role
from app.fields import Code, Flag, Name100, Name200, Text40, Text200, Text300
from app.organs.numbering import DEFAULT_PATTERN, validate_pattern
from app.organs.settings import OrganSettings


class OrganCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="机关代码，唯一 / organ code, unique on the platform")
    name: Name200 = Field(description="机关名称 / organ name")
    reconsideration_body: Name200 = Field(
        description="行政复议机关（写入文书）/ reconsideration body, named in letters"
    )
    court: Name200 = Field(description="管辖法院（写入文书）/ competent court, named in letters")
    address: Text300 | None = Field(None, description="机关地址 / address")
    phone: Text40 | None = Field(None, description="联系电话 / contact phone")
    number_pattern: Annotated[
        Text200,
        AfterValidator(validate_pattern),
        Field(
            description=(
                "登记编号格式，可用 {code} {year} {seq} / registration-number pattern with "
                "{code}, {year}, {seq}"
            ),
        ),
    ] = DEFAULT_PATTERN
    settings: OrganSettings = Field(
        default_factory=OrganSettings, description="机关设置 / organ settings"
    )
    parent_code: Code | None = Field(
        None,
        description=(
            "上级政府的机关代码（本机关为其部门时），年度报告可汇总 / the government this organ "
            "is a department of; its annual report can sum its departments"
        ),
    )


class OrganRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="内部编号 / internal id")
    code: str = Field(description="机关代码 / organ code")
    name: str = Field(description="机关名称 / organ name")
    reconsideration_body: str = Field(description="行政复议机关 / reconsideration body")
    court: str = Field(description="管辖法院 / competent court")
    address: str = Field(description="地址 / address")
    phone: str = Field(description="电话 / phone")
    number_pattern: str = Field(description="登记编号格式 / registration-number pattern")
    settings: OrganSettings = Field(description="机关设置 / organ settings")
    seal_sha256: str | None = Field(
        None, description="电子印章图片（PNG）的 SHA-256 / the seal image's SHA-256, if any"
    )
    parent_id: int | None = Field(None, description="上级政府的内部编号 / the parent organ's id")
    created_at: datetime = Field(description="创建时间 / created at")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organ_code: Code | None = Field(
        None, description="所属机关代码；平台管理员可为空 / organ code; empty for a platform admin"
    )
    name: Name100 = Field(description="姓名 / name")
    roles: list[Role] = Field(
        min_length=1, description="角色（RULES §1）/ roles", examples=[["clerk"]]
    )


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(
        min_length=1,
        description=(
            "全部角色（整体替换；管理员不能取消自己的系统管理员角色）/ every role (replaces "
            "them; an admin cannot drop their own admin role)"
        ),
        examples=[["clerk", "legal"]],
    )
    active: Flag = Field(
        description=(
            "是否启用；停用后其令牌和登录会话立即失效 / active; a deactivated user's tokens "
            "and sessions stop working at once"
        )
    )


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="用户编号 / user id")
    organ_code: str | None = Field(description="所属机关代码 / organ code")
    name: str = Field(description="姓名 / name")
    roles: list[str] = Field(description="角色 / roles")
    active: bool = Field(description="是否启用 / active")


class UserCreated(BaseModel):
    user: UserRead = Field(description="新用户 / the new user")
    token: str = Field(description="API 令牌，仅显示一次 / API token, shown only once")
