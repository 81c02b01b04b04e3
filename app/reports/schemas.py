"""The annual report as JSON: tables 三 and 四 laid out as published, every number with the link
to the cases it counts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.fields import Reason, RowId


class OrganRef(BaseModel):
    code: str = Field(description="机关代码 / organ code")
    name: str = Field(description="机关名称 / organ name")


class ColumnRead(BaseModel):
    key: str = Field(description="列代码，用于下钻链接 / column key for the drill-down")
    label: str = Field(description="名称，与公布的表格一致 / label as published")
    heading: str | None = Field(
        default=None, description="跨列表头 / spanning heading above the column"
    )


class CellRead(BaseModel):
    column: str = Field(description="列代码 / column key")
    value: int = Field(description="数字 / the number")
    href: str = Field(description="所计案件清单 / the cases this number counts")


class Table3Row(BaseModel):
    key: str = Field(description="行代码，用于下钻链接 / row key for the drill-down")
    label: str = Field(description="行名称，与公布的表格一致 / row label as published")
    group: str | None = Field(
        default=None, description="所属分项，如（三）不予公开 / the heading it is printed under"
    )
    cells: list[CellRead] = Field(description="七个数 / the seven numbers")


class Table3Read(BaseModel):
    title: str = Field(description="表题 / table title")
    applicant_heading: str = Field(description="列组表头“申请人情况” / heading over the columns")
    results_heading: str = Field(description="三、本年度办理结果 (a heading row, no numbers)")
    columns: list[ColumnRead] = Field(description="七列 / the seven columns")
    rows: list[Table3Row] = Field(description="25 行 / the 25 numeric rows in print order")


class Table4Group(BaseModel):
    key: str = Field(description="类别代码，用于下钻链接 / group key for the drill-down")
    label: str = Field(description="名称 / label")
    heading: str = Field(description="上级表头（行政复议或行政诉讼）/ the heading above it")
    cells: list[CellRead] = Field(
        description="结果维持、结果纠正、其他结果、尚未审结、总计 / the five numbers"
    )


class Table4Read(BaseModel):
    title: str = Field(description="表题 / table title")
    columns: list[ColumnRead] = Field(description="五列 / the five columns")
    groups: list[Table4Group] = Field(description="3 × 5 = 15 个数 / the 15 numbers")


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="授权编号 / override id")
    case_id: int = Field(description="案件 ID / case id")
    case_number: str = Field(description="申请编号 / case number")
    reason: str = Field(description="理由 / reason")
    granted_by: str = Field(description="授权的管理员 / granted by")
    granted_at: datetime = Field(description="授权时间 / granted at")
    used_at: datetime | None = Field(description="使用时间；未使用为空 / when a change used it")
    used_by: str | None = Field(description="使用者 / who made the change")
    used_action: str | None = Field(description="使用它的操作 / the action that used it")
    used_cells: list[str] | None = Field(
        description="改变的单元格（行/列）/ the cells it changed (row/column)"
    )


class ChangedCell(BaseModel):
    table: str = Field(description="表三或表四 / table 三 or 四")
    row: str = Field(description="行代码 / row key")
    column: str = Field(description="列代码 / column key")
    published: int = Field(description="发布时的数字 / as published")
    current: int = Field(description="现在的数字 / as now counted")


class LockRead(BaseModel):
    year: int = Field(description="年度 / year")
    locked_at: datetime = Field(description="发布时间 / published at")
    locked_by: str = Field(description="发布人 / published by")
    overrides: list[OverrideRead] = Field(
        description="管理员授权的更正及理由 / the administrator's overrides and their reasons"
    )
    changed_since_publication: list[ChangedCell] = Field(
        description="发布后因授权更正而变化的数字 / numbers changed since publication"
    )


class AnnualReport(BaseModel):
    organ: OrganRef = Field(description="报表机关 / the organ reported on")
    organs_included: list[OrganRef] = Field(
        description="汇总的机关（含下属部门时多于一个）/ the organs summed"
    )
    year: int = Field(description="年度 / year")
    as_of: date = Field(description="统计截至日（北京时间）/ the day the numbers were counted")
    year_complete: bool = Field(description="该年度是否已结束 / whether the year is over")
    table3: Table3Read = Field(description="表三 收到和处理政府信息公开申请情况 / table 三")
    table4: Table4Read = Field(description="表四 政府信息公开行政复议、行政诉讼情况 / table 四")
    identities_checked: int = Field(
        description="已核对且成立的恒等式个数 / identities checked, all of which hold"
    )
    lock: LockRead | None = Field(description="已发布锁定时 / when published and locked")


class DrillCase(BaseModel):
    id: int = Field(description="案件 ID / case id")
    number: str = Field(description="申请编号 / case number")
    organ: str = Field(description="机关代码 / organ code")
    applicant_category: str = Field(description="申请人类别 / applicant category")
    receipt_date: date | None = Field(description="收到申请日期 / receipt date")
    concluded_on: date | None = Field(description="办结日期（答复或终止）/ conclusion date")
    state: str = Field(description="当前状态 / state")
    outcome: str | None = Field(description="办理结果代码 / outcome code")
    outcome_label: str | None = Field(description="办理结果 / outcome label")
    remedy_id: int | None = Field(
        default=None, description="表四：所计的复议或诉讼记录 / table 四: the record counted"
    )
    remedy_kind: str | None = Field(default=None, description="复议或诉讼类别 / record kind")
    remedy_filed_on: date | None = Field(default=None, description="申请或起诉日期 / filed on")
    remedy_result: str | None = Field(default=None, description="现在的结果 / result now")
    remedy_result_on: date | None = Field(default=None, description="结果日期 / result date")
    remedy_subject: str | None = Field(
        default=None,
        description="所针对的事项：reply 答复 / failure_to_answer 逾期不答复 / closure 终止办理 "
        "/ what the record challenges",
    )


class DrillDown(BaseModel):
    year: int = Field(description="年度 / year")
    table: str = Field(description="表三或表四 / table 三 or 四")
    row: ColumnRead = Field(description="行 / row")
    column: ColumnRead = Field(description="列 / column")
    count: int = Field(description="等于报表中该格的数字 / equals the number in the report")
    page: int = Field(description="页码 / page")
    page_size: int = Field(description="每页条数 / page size")
    cases: list[DrillCase] = Field(
        description="所计案件（表四为所计记录及其案件）/ the cases (table 四: the records)"
    )


class OverrideCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: RowId = Field(description="案件 ID / the case")
    reason: Reason = Field(
        description="更正理由，显示于时间线和报表 / shown on timeline and report"
    )
