"""Shapes of departments and of a case's assignment."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from app.fields import Code, Flag, LongText, Name100, RowId

MEMBERS_MAX = 500


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name100 = Field(
        description="科室名称（机关内唯一）/ the department's name, unique in the organ"
    )
    organ_code: Code | None = Field(
        None,
        description="所属机关代码（平台管理员须填写）/ the organ (a platform administrator names it)",
    )


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name100 | None = Field(None, description="新名称 / a new name")
    active: Flag | None = Field(
        None,
        description="是否启用（停用后不能再分办到该科室）/ in use (no new assignments when off)",
    )


class MembersWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[RowId] = Field(
        max_length=MEMBERS_MAX,
        description="科室成员的用户 ID（整体替换）/ the members' user ids (replaces the list)",
    )


class StaffRef(BaseModel):
    id: int = Field(description="用户 ID / user id")
    name: str = Field(description="姓名 / name")


class DepartmentRef(BaseModel):
    id: int = Field(description="科室 ID / department id")
    name: str = Field(description="科室名称 / name")


class DepartmentRead(BaseModel):
    id: int = Field(description="科室 ID / department id")
    organ_code: str = Field(description="所属机关代码 / the organ's code")
    name: str = Field(description="科室名称 / name")
    active: bool = Field(description="是否启用 / in use")
    members: list[StaffRef] = Field(description="成员 / members")


class ClaimWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: StrictInt | None = Field(
        None, ge=1, description="案件版本号（或用 If-Match）/ the case version (or If-Match)"
    )


class AssignWrite(BaseModel):
    """分办: to a person, to a department, or both (the person should belong to it)."""

    model_config = ConfigDict(extra="forbid")

    assignee_id: RowId | None = Field(
        None, description="承办人用户 ID（本机关在岗承办人）/ the clerk who will handle it"
    )
    department_id: RowId | None = Field(None, description="承办科室 ID / the department")
    note: LongText | None = Field(None, description="分办意见 / the assignment note")
    version: StrictInt | None = Field(
        None, ge=1, description="案件版本号（或用 If-Match）/ the case version (or If-Match)"
    )

    @model_validator(mode="after")
    def _someone(self) -> AssignWrite:
        if self.assignee_id is None and self.department_id is None:
            raise ValueError("请指定承办人或承办科室 / name an assignee or a department")
        return self


class AssignmentRead(BaseModel):
    case_id: int = Field(description="案件 ID / case id")
    number: str = Field(description="登记编号 / registration number")
    version: int = Field(description="案件版本号 / the case version after the change")
    assignee: StaffRef | None = Field(
        description="承办人（无则待签收）/ who handles it (none: unclaimed)"
    )
    department: DepartmentRef | None = Field(description="承办科室 / the department")
