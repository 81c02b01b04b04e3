"""Shapes of intake: the online form, staff registration and the receipt returned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

from app.case_types import FOI_APPLICATION, CaseType
from app.deadline.schemas import DeadlineRead
from app.fields import Code, Flag, LongText, Name100, Name200, Text50, Text100, Text300
from app.validation.identity import (
    ID_TYPES,
    validate_id_number,
    validate_phone,
    validate_postal_code,
)
from app.vocabulary import (
    ApplicantCategory,
    Channel,
    DeliveryForm,
    DeliveryMethod,
    ReceiptBasis,
)

IdType = Literal[
    "resident_id",
    "passport",
    "hk_macau_permit",
    "taiwan_permit",
    "residence_permit",
    "foreign_permanent_residence",
    "uscc",
    "other",
]
assert set(IdType.__args__) == set(ID_TYPES)  # type: ignore[attr-defined]

ARRIVAL_YEARS = (2008, 2999)

Phone = Annotated[str, Field(max_length=40), AfterValidator(validate_phone)]
PostalCode = Annotated[str, Field(max_length=10), AfterValidator(validate_postal_code)]
Email = Annotated[EmailStr, Field(max_length=254)]


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: ApplicantCategory = Field(
        description=(
            "申请人类别：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他 / "
            "applicant category"
        )
    )
    name: Name200 = Field(description="姓名或名称 / name of the person or organisation")
    id_type: IdType = Field(
        description="证件类型（居民身份证、统一社会信用代码等）/ identity document type"
    )
    id_number: Text50 = Field(
        description="证件号码；身份证与统一社会信用代码校验校验位 / document number (check digit verified)"
    )
    phone: Phone = Field(description="联系电话 / contact phone")
    email: Email | None = Field(None, description="电子邮箱 / e-mail")
    address: Text300 | None = Field(None, description="通信地址 / postal address")
    postal_code: PostalCode | None = Field(None, description="邮政编码 / postal code")
    legal_representative: Name100 | None = Field(
        None,
        description="法定代表人或负责人（法人或其他组织）/ legal representative (organisations)",
    )
    contact_person: Name100 | None = Field(
        None, description="联系人（法人或其他组织）/ contact person (organisations)"
    )

    @field_validator("id_number")
    @classmethod
    def _check_id(cls, value: str, info: ValidationInfo) -> str:
        id_type = info.data.get("id_type")
        if id_type is None:  # id_type itself failed; its own error says so
            return value
        return validate_id_number(id_type, value)


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: LongText = Field(
        description="所需政府信息的名称或内容描述 / the information sought, specific enough to search"
    )
    document_number: Text100 | None = Field(None, description="文号 / document number, if known")


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: DeliveryForm = Field(
        description="提供形式：纸质、电子文件、查阅抄录 / form: paper, electronic, inspection on site"
    )
    method: DeliveryMethod = Field(
        description="获取方式：自行领取、邮寄、电子邮件、网上下载 / pickup, post, e-mail, online"
    )


class IntakeFields(BaseModel):
    """What every application holds, however it arrived (RULES §2)."""

    model_config = ConfigDict(extra="forbid")

    case_type: CaseType = Field(
        FOI_APPLICATION,
        description=(
            "案件类型：foi_application 政府信息公开申请（默认）；record_correction 更正申请"
            "（条例第四十一条：申请更正与本人相关的不准确的政府信息，items 写明需更正的记录及更正"
            "请求，须附证据材料）/ case type: an FOI application (default), or a request to "
            "correct records about oneself (Art. 41; items name the records and the correction "
            "sought; evidence attached)"
        ),
    )
    applicant: ApplicantIn = Field(description="申请人 / applicant")
    items: list[ItemIn] = Field(
        min_length=1, max_length=50, description="所需信息（至少一项）/ items sought (one or more)"
    )
    delivery: DeliveryIn = Field(description="提供形式与获取方式 / form and way of delivery")
    e_service_consent: Flag = Field(
        False, description="同意电子送达 / consents to electronic service"
    )
    e_service_address: Email | None = Field(
        None, description="电子送达地址（电子邮箱）/ address for electronic service"
    )
    transfer_consent: Flag = Field(
        False,
        description="同意转交：所需信息由平台上的其他机关负责公开的，答复后由本机关代为向该机关提出申请 "
        "/ agrees that, where the reply names another organ on the platform as responsible, the "
        "application is filed there on the applicant's behalf",
    )


class ApplicationCreate(IntakeFields):
    """The public online form (网上申请)."""

    organ_code: Code = Field(description="受理机关代码 / code of the organ applied to")


class StaffCaseCreate(IntakeFields):
    """An application registered by staff from the counter, the post, a fax or the e-mail box."""

    channel: Channel = Field(
        description=(
            "递交渠道：当面、需签收邮件、平常信函、互联网（如电子邮箱）、传真 / "
            "channel: in_person, registered_mail, ordinary_mail, online, fax"
        )
    )
    arrived_at: datetime = Field(
        description="实际到达时间（无时区则按机关所在时区）/ physical arrival time"
    )
    receipt_date: date | None = Field(
        None,
        description=(
            "法定收到申请之日；为空则待确认 / legal receipt date; empty = awaiting confirmation"
        ),
    )
    receipt_basis: ReceiptBasis | None = Field(
        None,
        description="收到日期依据：当面递交、签收、双方确认 / basis: handed_in, signed_for, confirmed",
    )
    receipt_evidence: LongText | None = Field(
        None, description="依据材料：签收记录、电话记录、确认信息 / evidence: signature, call note"
    )
    filled_by_staff: Flag = Field(
        False, description="口头申请由工作人员代为填写 / oral application written down by staff"
    )
    staff_note: LongText | None = Field(None, description="登记备注 / registration note")

    @field_validator("arrived_at")
    @classmethod
    def _plausible_arrival(cls, value: datetime) -> datetime:
        # Years at the ends of the calendar overflow when moved between time zones; and no
        # application under the regulations (in force 2008-05-01) arrived before 2008.
        if not ARRIVAL_YEARS[0] <= value.year <= ARRIVAL_YEARS[1]:
            raise ValueError(
                f"到达时间须在 {ARRIVAL_YEARS[0]}–{ARRIVAL_YEARS[1]} 年之间 / arrived_at must "
                f"fall in the years {ARRIVAL_YEARS[0]}–{ARRIVAL_YEARS[1]}"
            )
        return value


class CaseReceipt(BaseModel):
    """What an application's submitter gets back (201)."""

    id: int = Field(description="案件内部编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    query_code: str = Field(description="查询码，仅显示一次 / query code, shown only once")
    state: str = Field(description="状态代码 / state code")
    state_label: str = Field(description="状态 / state label")
    receipt_date: date | None = Field(description="收到申请之日 / legal receipt date")
    receipt_basis: ReceiptBasis | None = Field(description="收到日期依据 / basis of the date")
    deadlines: list[DeadlineRead] = Field(description="期限 / deadlines")
    version: int = Field(description="版本号（并发控制）/ version for If-Match")


class LookupLockRead(BaseModel):
    case_id: int = Field(description="案件内部编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    released: bool = Field(
        description="号码此前是否已锁定 / whether lookups of the number were locked"
    )
    failures_cleared: int = Field(
        description="清除的错误查询次数 / wrong codes at the number forgotten"
    )
