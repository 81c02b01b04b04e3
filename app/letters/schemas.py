"""What the letters API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.fields import Flag, JsonObject, RowId
from app.letters.kinds import LetterKind, kind_info
from app.models import Letter

MAX_BATCH = 500


class LetterRead(BaseModel):
    """One letter of a case."""

    id: int = Field(description="文书编号（系统）/ letter id")
    case_id: int = Field(description="案件 / case id")
    kind: str = Field(description="文书种类 / letter kind")
    title: str = Field(description="文书名称 / title")
    status: Literal["draft", "issued"] = Field(description="draft 草稿 / issued 已出具")
    number: str | None = Field(description="文号，出具时生成 / document number, set when issued")
    letter_date: date | None = Field(description="成文日期 / date of the letter")
    issued_at: datetime | None = Field(description="出具时间 / issued at")
    issued_by: str | None = Field(description="出具人 / issued by")
    action: str | None = Field(description="出具该文书的办理操作 / the action that issued it")
    fields: dict[str, Any] = Field(description="草稿内容 / the draft's own fields")
    template_name: str | None = Field(description="模板 / template")
    template_sha256: str | None = Field(description="模板哈希 / template hash")
    pdf_sha256: str | None = Field(description="PDF 的 SHA-256（即 ETag）/ the PDF's SHA-256")
    pdf_size: int | None = Field(description="PDF 字节数 / PDF size in bytes")
    pages: int | None = Field(description="页数 / pages")
    verify_code: str | None = Field(
        None,
        description=(
            "验证码（印在文书上，/verify/{code} 可核验；草稿及早前出具的文书没有）/ the "
            "verification code printed on the letter (none on drafts and older letters)"
        ),
    )
    signed: bool = Field(
        False,
        description=(
            "保存的 PDF 是否带机关的电子签名 / whether the stored PDF carries the organ's "
            "digital signature"
        ),
    )
    printed_at: datetime | None = Field(description="最近打印时间 / last printed at")
    print_batch_id: int | None = Field(description="最近打印批次 / last print batch")

    @classmethod
    def of(cls, letter: Letter) -> LetterRead:
        return cls(
            id=letter.id,
            case_id=letter.case_id,
            kind=letter.kind,
            title=kind_info(letter.kind).title,
            status=letter.status,
            number=letter.number,
            letter_date=letter.letter_date,
            issued_at=letter.issued_at,
            issued_by=letter.issued_by,
            action=letter.action,
            fields=letter.fields or {},
            template_name=letter.template_name,
            template_sha256=letter.template_sha256,
            pdf_sha256=letter.pdf_sha256,
            pdf_size=letter.pdf_size,
            pages=letter.pages,
            verify_code=letter.verify_code,
            signed=letter.certificate_id is not None,
            printed_at=letter.printed_at,
            print_batch_id=letter.print_batch_id,
        )


class ApplicantLetterRead(BaseModel):
    """A letter addressed to the applicant, as the applicant sees it."""

    id: int = Field(description="文书编号（系统）/ letter id")
    kind: str = Field(description="文书种类 / letter kind")
    title: str = Field(description="文书名称 / title")
    number: str | None = Field(description="文号 / document number")
    letter_date: date | None = Field(description="成文日期 / date")
    download: str = Field(description="下载地址（需查询码）/ download path (send the query code)")


class DraftCreate(BaseModel):
    """Start a draft letter to preview before the action that sends it."""

    model_config = ConfigDict(extra="forbid")

    kind: LetterKind = Field(description="文书种类 / letter kind")
    fields: JsonObject = Field(
        default_factory=dict,
        description="文书内容，如补正事项 items_to_correct / the letter's own fields",
    )


class BatchFilter(BaseModel):
    """Which issued letters to print when no ids are given."""

    model_config = ConfigDict(extra="forbid")

    issued_on: date | None = Field(
        None, description="出具日期，默认今天 / issued on this day (default today)"
    )
    not_printed: Flag = Field(True, description="只含未打印的 / only letters not printed yet")
    delivery: Literal["paper", "all"] = Field(
        "paper",
        description=(
            "paper：需纸质送达的（邮寄、自取且未同意电子送达，以及致第三方、其他机关的文书）"
            " / letters that go on paper; all: every letter"
        ),
    )


class PrintBatchCreate(BaseModel):
    """A print job: either explicit letter ids or a filter."""

    model_config = ConfigDict(extra="forbid")

    letter_ids: list[RowId] | None = Field(
        None,
        min_length=1,
        max_length=MAX_BATCH,
        description="按顺序打印的文书 / issued letters to print, in order",
    )
    filter: BatchFilter | None = Field(None, description="筛选条件 / or a filter")

    @model_validator(mode="after")
    def _one_of(self) -> PrintBatchCreate:
        if (self.letter_ids is None) == (self.filter is None):
            raise ValueError("须提供 letter_ids 或 filter 之一 / give either letter_ids or filter")
        if self.letter_ids is not None and len(set(self.letter_ids)) != len(self.letter_ids):
            raise ValueError("letter_ids 有重复 / letter_ids repeat")
        return self


class PrintBatchRead(BaseModel):
    id: int = Field(description="打印批次 / batch id")
    letter_ids: list[int] = Field(description="文书 / letters, in print order")
    pages: int = Field(description="总页数 / pages")
    pdf_sha256: str = Field(description="PDF 的 SHA-256 / the PDF's SHA-256")
    pdf_size: int = Field(description="PDF 字节数 / size in bytes")
    created_by: str = Field(description="打印人 / printed by")
    created_at: datetime = Field(description="打印时间 / printed at")
