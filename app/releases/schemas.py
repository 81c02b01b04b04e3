"""Released documents, their marks and downloads, as the API reads and takes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.fields import LongText, Text200

Ground = Annotated[
    str,
    Field(
        max_length=40,
        pattern=r"^[a-z_.]+$",
        description=(
            "遮盖依据：withheld.*（条例第十四至十六条、第三十六条第（七）项）或 "
            "not_government_information / the ground: a withheld.* outcome or "
            "not_government_information"
        ),
    ),
]
Coordinate = Annotated[float, Field(ge=0, le=20000, allow_inf_nan=False)]


class MarkCreate(BaseModel):
    """A mark: an area (page and rectangle in PDF points from the page's top left, as the page
    is shown), a phrase, or a named pattern applied to every page; its ground and reason."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["area", "phrase", "pattern"] = Field(
        description="area 区域 | phrase 文字 | pattern 同类信息（每一页）/ what is marked"
    )
    page: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="页码（区域）/ page number, for an area"
    )
    x0: Coordinate | None = Field(None, description="左 / left (points)")
    y0: Coordinate | None = Field(None, description="上 / top (points)")
    x1: Coordinate | None = Field(None, description="右 / right (points)")
    y1: Coordinate | None = Field(None, description="下 / bottom (points)")
    phrase: Text200 | None = Field(
        None, description="要遮盖的文字（每一页）/ the phrase to redact on every page"
    )
    pattern: Literal["id_number", "mobile_phone", "landline_phone", "email", "bank_card"] | None = (
        Field(None, description="同类信息：身份证号、手机号等 / a named pattern")
    )
    ground: Ground
    reason: LongText = Field(description="理由 / the reason")

    @model_validator(mode="after")
    def _shape(self) -> MarkCreate:
        area = (self.page, self.x0, self.y0, self.x1, self.y1)
        if self.kind == "area":
            if any(v is None for v in area):
                raise ValueError("区域须填写页码和 x0、y0、x1、y1 / an area needs page and x0..y1")
            assert self.x0 is not None
            assert self.x1 is not None
            assert self.y0 is not None
            assert self.y1 is not None
            if self.x1 <= self.x0 or self.y1 <= self.y0:
                raise ValueError("区域的右下角须在左上角之右下 / x1 > x0 and y1 > y0")
        elif any(v is not None for v in area):
            raise ValueError("文字和同类信息适用于每一页，不填页码和区域 / no page or rectangle")
        if (self.kind == "phrase") != (self.phrase is not None):
            raise ValueError("phrase 仅用于 kind=phrase，且必填 / phrase goes with kind phrase")
        if (self.kind == "pattern") != (self.pattern is not None):
            raise ValueError("pattern 仅用于 kind=pattern，且必填 / pattern goes with kind pattern")
        return self


class MarkRead(BaseModel):
    id: int = Field(description="标记 / mark id")
    kind: str = Field(description="种类：area 区域 | phrase 文字 | pattern 同类信息 / kind")
    kind_label: str = Field(description="种类 / kind in words")
    page: int | None = Field(description="页码 / page")
    rect: tuple[float, float, float, float] | None = Field(description="区域 / x0, y0, x1, y1")
    phrase: str | None = Field(description="文字 / phrase")
    pattern: str | None = Field(description="同类信息 / pattern")
    pattern_label: str | None = Field(description="同类信息名称 / pattern in words")
    ground: str = Field(description="依据 / ground")
    ground_label: str = Field(description="依据名称 / ground in words")
    article: str = Field(description="条款 / the article the label shows")
    reason: str = Field(description="理由 / reason")


class LogRowRead(BaseModel):
    page: int = Field(description="页码 / page")
    mark_id: int = Field(description="标记 / mark")
    kind: str = Field(description="种类 / kind")
    ground: str = Field(description="依据 / ground")
    ground_label: str = Field(description="依据名称 / ground in words")
    article: str = Field(description="条款 / article")
    reason: str = Field(description="理由 / reason")
    areas: int = Field(description="遮盖处数 / areas redacted")


class DownloadRead(BaseModel):
    at: datetime = Field(description="时间 / when")
    channel: str = Field(description="applicant_download 下载 | mail_attachment 邮件附件")


class ReleasedDocumentRead(BaseModel):
    id: int = Field(description="公开文件 / document id")
    case_id: int = Field(description="案件 / case id")
    title: str = Field(description="标题 / title")
    filename: str = Field(description="原文件名 / original file name")
    content_type: str = Field(description="原文件类型 / the original's type")
    size: int = Field(description="原文件字节数 / the original's size")
    pages: int = Field(description="原文件页数 / the original's pages")
    status: str = Field(
        description="pending 待生成 | queued 排队 | running 生成中 | ready 已生成 | failed 失败"
    )
    status_label: str = Field(description="状态 / status in words")
    progress: int = Field(description="已处理页数（生成中）/ pages done while running")
    last_error: str | None = Field(description="失败原因 / why it failed")
    current: bool = Field(description="公开版本与当前标记一致 / the released copy is current")
    released_pages: int | None = Field(description="公开版本页数（含遮盖说明）/ released pages")
    released_size: int | None = Field(description="公开版本字节数 / released size")
    released_sha256: str | None = Field(description="公开版本 SHA-256 / released copy's hash")
    applied_at: datetime | None = Field(description="生成时间 / when the copy was made")
    letter_id: int | None = Field(description="随之出具的答复书 / the issued reply, once issued")
    frozen: bool = Field(description="答复书已出具，不可再改 / frozen with the issued reply")
    available_until: date | None = Field(description="可下载至 / downloadable through")
    marks: list[MarkRead] = Field(description="遮盖标记 / marks")
    log: list[LogRowRead] = Field(description="遮盖记录 / the released copy's redaction log")
    downloads: list[DownloadRead] = Field(description="申请人获取记录 / the applicant's downloads")
    created_at: datetime = Field(description="上传时间 / uploaded at")
    created_by: str = Field(description="上传人 / uploaded by")


class TitleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text200 = Field(description="标题 / title")


class ApplicantReleasedFile(BaseModel):
    """A released file as the applicant sees it (never the original)."""

    id: int = Field(description="文件 / file id")
    title: str = Field(description="标题 / title")
    pages: int = Field(description="页数 / pages")
    size: int = Field(description="字节数 / size in bytes")
    available_until: date = Field(description="可下载至 / downloadable through")
    expired: bool = Field(description="已过下载期限 / the download period has ended")
    download: str | None = Field(description="下载地址 / download path, while available")
