"""The case file's API shapes, and the view models of the pages the letter press renders for it
(the index, the records, an image attachment's page): templates never see ORM objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FileStatus = Literal["building", "ready", "failed"]


class CaseFileRead(BaseModel):
    """One version of a case's file."""

    case_id: int = Field(description="案件 ID / case id")
    version: int = Field(
        description="案卷版本（每次归档一版）/ the file's version (one per archiving)"
    )
    status: FileStatus = Field(
        description="building 生成中，ready 已生成，failed 生成失败（将重试）/ building, ready, or "
        "failed (tried again)"
    )
    archived_on: date = Field(description="归档日期 / the day the case was archived")
    retention_years: int = Field(description="保管期限（年）/ years the file is kept")
    retention_until: date = Field(description="保管至 / kept until")
    pages: int | None = Field(description="PDF 页数 / pages of the merged PDF")
    pdf_sha256: str | None = Field(description="PDF 的 SHA-256 / the PDF's SHA-256")
    pdf_size: int | None = Field(description="PDF 字节数 / the PDF's size in bytes")
    zip_sha256: str | None = Field(description="ZIP 的 SHA-256 / the ZIP's SHA-256")
    zip_size: int | None = Field(description="ZIP 字节数 / the ZIP's size in bytes")
    documents: int | None = Field(description="卷内文件件数 / documents in the file")
    created_at: datetime = Field(description="归档时间 / when the case was archived")
    created_by: str = Field(description="归档人 / who archived it")
    built_at: datetime | None = Field(description="生成时间 / when the file was assembled")


# --- what the letter press renders -----------------------------------------------------------


class IndexRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    title: str
    number: str | None
    date: date | None
    first_page: int | None
    pages: int | None
    note: str


class IndexSheet(BaseModel):
    """卷内目录."""

    organ_name: str
    case_number: str
    version: int
    archived_on: date
    retention_years: int
    retention_until: date
    total_pages: int
    rows: list[IndexRow]


class RecordSection(BaseModel):
    """A heading with label/value pairs, or a table, or both, and a note."""

    heading: str = ""
    fields: list[tuple[str, str]] = Field(default_factory=list)
    headers: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    # The table's column widths in percent (empty: the browser's choice).
    widths: list[int] = Field(default_factory=list)
    note: str = ""


class RecordSheet(BaseModel):
    title: str
    organ_name: str
    case_number: str
    sections: list[RecordSection]


class ImageSheet(BaseModel):
    title: str
    case_number: str
    filename: str
    sha256: str
