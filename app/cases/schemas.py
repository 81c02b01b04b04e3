"""Shapes of the staff and applicant views of a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.assignment.schemas import DepartmentRef, StaffRef
from app.communications.schemas import ContactSummary
from app.consultations.schemas import ConsultationRead
from app.deadline.schemas import DeadlineRead


class ApplicantRead(BaseModel):
    category: str = Field(description="申请人类别 / applicant category")
    category_label: str = Field(description="类别名称 / category label")
    name: str = Field(description="姓名或名称 / name")
    id_type: str = Field(description="证件类型 / document type")
    id_number: str = Field(
        description="证件号码（列表与申请人视图中脱敏）/ number, masked in lists"
    )
    phone: str = Field(description="联系电话 / phone")
    email: str | None = Field(description="电子邮箱 / e-mail")
    address: str | None = Field(description="通信地址 / address")
    postal_code: str | None = Field(description="邮政编码 / postal code")
    legal_representative: str | None = Field(description="法定代表人 / legal representative")
    contact_person: str | None = Field(description="联系人 / contact person")


class ItemRead(BaseModel):
    position: int = Field(description="序号 / position")
    description: str = Field(description="所需信息描述 / description")
    document_number: str | None = Field(description="文号 / document number")


class AttachmentRead(BaseModel):
    id: int = Field(description="附件编号 / attachment id")
    filename: str = Field(description="文件名 / file name")
    content_type: str = Field(description="按内容识别的类型 / type detected from content")
    size: int = Field(description="字节数 / size in bytes")
    sha256: str = Field(description="内容摘要 SHA-256 / SHA-256 digest of the content")
    purpose: str | None = Field(
        None,
        description="用途：空为随申请提交，correction 为补正材料 / null: with the application; "
        "correction: correction material",
    )


class DeliveryRead(BaseModel):
    form: str = Field(description="提供形式 / form")
    method: str = Field(description="获取方式 / method")


class ReviewRead(BaseModel):
    outcome: str = Field(description="提交审核的答复类型 / outcome of the reply under review")
    outcome_label: str = Field(description="答复类型 / outcome label")
    legal_review: str = Field(description="法制审核 pending / approved / not_required")
    sign_off: str = Field(description="负责人签发 pending / approved / not_required")
    confidentiality_review: str = Field(
        "not_required",
        description="保密审查 pending / passed / not_required (条例第十七条) / confidentiality review",
    )


class InspectionRead(BaseModel):
    """An inspection on site (查阅, Art. 40): the appointment and whether it took place."""

    place: str | None = Field(description="查阅地点 / place")
    window_from: str | None = Field(description="查阅时间起（日期或时间）/ from (date or time)")
    window_to: str | None = Field(description="查阅时间止 / to")
    contact: str | None = Field(description="联系人及联系方式 / contact")
    took_place: bool | None = Field(
        description="是否已查阅；未登记为空 / took place; null: not recorded"
    )
    on: date | None = Field(description="查阅日期 / the day")
    notes: str | None = Field(description="备注 / notes")


class ServiceRead(BaseModel):
    method: str = Field(description="送达方式 in_person / post / electronic / entrusted")
    served_on: date = Field(description="送达日期 / served on")
    on_time: bool | None = Field(
        description="按期答复（签收日或交邮日不晚于期限）/ on time by signature or posting day"
    )


class NoticePendingRead(BaseModel):
    """A notice sent to the applicant whose arrival is not yet recorded (RULES §4)."""

    kind: str = Field(description="文书种类 correction_notice / fee_notice / letter kind")
    title: str = Field(description="文书名称 / the letter's title")
    sent_on: date = Field(description="发出日期 / the day it was sent")
    status_label: str = Field(
        description="已发出，未确认送达：申请人的期限尚未起算 / sent, not yet received: the "
        "applicant's window has not started"
    )


class OrganRef(BaseModel):
    code: str = Field(description="机关代码 / organ code")
    name: str = Field(description="机关名称 / organ name")


class LinkedCaseRead(BaseModel):
    """The case at another organ a case was transferred from or to (转办)."""

    id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    organ: OrganRef = Field(description="所在机关 / the organ it is at")


class TransferRead(BaseModel):
    """What the applicant is told of a transfer (转办) of their application."""

    from_number: str = Field(description="原登记编号 / the first registration number")
    from_organ_name: str = Field(description="原受理机关 / the organ it was sent to")
    number: str = Field(description="新登记编号 / the new registration number")
    organ_name: str = Field(description="现受理机关 / the organ handling it now")
    kind: str = Field(
        description="transfer 确认收到前转办 / linked_filing 答复后代为向负责机关提出 / how"
    )
    text: str = Field(description="说明（通俗）/ what happened, in plain words")


class CaseRead(BaseModel):
    """The staff view of one case."""

    id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    organ_code: str = Field(description="机关代码 / organ code")
    case_type: str = Field(
        description="案件类型：foi_application 政府信息公开申请、record_correction 更正申请 / case type"
    )
    case_type_label: str = Field(description="案件类型名称 / case type label")
    state: str = Field(description="状态代码 / state code")
    state_label: str = Field(description="状态 / state")
    version: int = Field(description="版本号，变更时以 If-Match 提交 / version for If-Match")
    source: str = Field(description="来源：portal 网上平台 / staff 工作人员登记 / source")
    channel: str = Field(description="递交渠道 / channel")
    channel_label: str = Field(description="渠道名称 / channel label")
    arrived_at: datetime = Field(description="实际到达时间 / physical arrival time")
    receipt_date: date | None = Field(description="法定收到申请之日 / legal receipt date")
    receipt_basis: str | None = Field(description="收到日期依据 / basis")
    receipt_evidence: str | None = Field(description="依据材料 / evidence")
    filled_by_staff: bool = Field(description="工作人员代填（口头申请）/ oral, filled by staff")
    staff_note: str | None = Field(description="登记备注 / registration note")
    applicant: ApplicantRead = Field(description="申请人 / applicant")
    items: list[ItemRead] = Field(description="所需信息 / items")
    delivery: DeliveryRead = Field(description="提供形式与获取方式 / delivery")
    e_service_consent: bool = Field(description="同意电子送达 / consents to e-service")
    e_service_address: str | None = Field(description="电子送达地址 / e-service address")
    attachments: list[AttachmentRead] = Field(description="附件 / attachments")
    deadlines: list[DeadlineRead] = Field(description="期限及说明 / deadlines, explained")
    allowed_actions: list[str] = Field(description="当前用户可执行的操作 / actions open to you")
    consultations: list[ConsultationRead] = Field(
        description="征求意见及会商 / consultations of the case"
    )
    review: ReviewRead | None = Field(description="答复审核签发 / the reply under review")
    outcome: str | None = Field(description="办理结果代码 / outcome code (RULES §5)")
    outcome_label: str | None = Field(description="办理结果 / outcome")
    concluded_on: date | None = Field(description="办结日期 / conclusion date")
    reply_late: bool | None = Field(description="答复出具晚于期限 / reply issued late")
    service: ServiceRead | None = Field(description="送达 / service of the reply")
    notice_pending_receipt: NoticePendingRead | None = Field(
        description="已发出、未确认送达的通知 / a notice sent and not yet received"
    )
    inspection: InspectionRead | None = Field(
        None, description="安排查阅及查阅情况（条例第四十条）/ inspection on site"
    )
    mail_failed: bool = Field(
        False,
        description="有发给申请人的邮件未送达（被拒收、退信或重试用尽）/ a mail to the applicant "
        "did not reach them (refused, bounced, or out of retries)",
    )
    assignee: StaffRef | None = Field(
        None,
        description="承办人（无则待签收）/ who handles the case (none: in the unassigned queue)",
    )
    department: DepartmentRef | None = Field(None, description="承办科室 / the department")
    transfer_consent: bool = Field(
        False,
        description="申请人同意转交：答复告知由其他机关负责时，代为向平台上的该机关提出申请 / the "
        "applicant agreed that the application is filed at the responsible organ",
    )
    transferred_from: LinkedCaseRead | None = Field(
        None, description="由其他机关转来：原案件 / transferred from this case at another organ"
    )
    transferred_to: LinkedCaseRead | None = Field(
        None, description="已转至其他机关：新案件 / filed anew as this case at another organ"
    )
    created_at: datetime = Field(description="登记时间 / registered at")
    updated_at: datetime = Field(description="更新时间 / updated at")


class CaseSummary(BaseModel):
    """One row of the worklist; personal data masked."""

    id: int = Field(description="案件编号 / case id")
    number: str = Field(description="登记编号 / registration number")
    case_type: str = Field(
        description="案件类型：foi_application 政府信息公开申请、record_correction 更正申请 / case type"
    )
    case_type_label: str = Field(description="案件类型名称 / case type label")
    state: str = Field(description="状态代码 / state")
    state_label: str = Field(description="状态 / state label")
    channel: str = Field(description="渠道 / channel")
    applicant_category: str = Field(description="申请人类别 / category")
    applicant_name: str = Field(description="申请人（脱敏）/ applicant, masked")
    applicant_id_number: str = Field(description="证件号码（脱敏）/ masked")
    applicant_phone: str = Field(description="电话（脱敏）/ masked")
    first_item: str = Field(description="第一项所需信息（截断）/ first item, truncated")
    item_count: int = Field(description="所需信息项数 / number of items")
    receipt_date: date | None = Field(description="收到申请之日 / receipt date")
    reply_due: date | None = Field(description="答复期限 / reply due")
    reply_due_provisional: bool = Field(description="期限为暂定 / provisional")
    overdue: bool = Field(description="已逾期 / overdue")
    outcome: str | None = Field(description="办理结果代码 / outcome code")
    consultation_lapsed: bool = Field(
        description="有征求意见期限届满未回复 / a consultation's window ended with no reply"
    )
    notice_pending_receipt: NoticePendingRead | None = Field(
        description="已发出、未确认送达的通知 / a notice sent and not yet received"
    )
    last_contact: ContactSummary | None = Field(
        None,
        description="最近一次沟通（不含内容，姓名脱敏）/ the latest contact, without its summary, "
        "the name masked",
    )
    mail_failed: bool = Field(
        False,
        description="有发给申请人的邮件未送达（被拒收、退信或重试用尽）/ a mail to the applicant "
        "did not reach them (refused, bounced, or out of retries)",
    )
    assignee: StaffRef | None = Field(
        None,
        description="承办人（无则待签收）/ who handles the case (none: in the unassigned queue)",
    )
    department: DepartmentRef | None = Field(None, description="承办科室 / the department")
    assistance_overdue: bool = Field(
        False,
        description="有协办请求过了内部期限仍未答复（协办逾期）/ an assistance request is open "
        "past its internal due date",
    )


class CasePage(BaseModel):
    items: list[CaseSummary] = Field(description="本页案件 / cases on this page")
    total: int = Field(
        description="符合条件的总数；搜索时最多数到 1000 / total matching; a search counts up "
        "to 1000"
    )
    total_capped: bool = Field(
        False,
        description="为 true 时符合条件的多于 total 件（显示为“1000+”）/ true: more than "
        '`total` match (shown as "1000+")',
    )
    page: int = Field(description="页码（从 1 起）/ page number")
    page_size: int = Field(description="每页条数 / page size")


class EventRead(BaseModel):
    seq: int = Field(description="序号 / sequence in the case's chain")
    action: str = Field(description="操作 / action")
    from_state: str | None = Field(description="原状态 / state before")
    to_state: str | None = Field(description="新状态 / state after")
    actor_kind: str = Field(description="操作者类型 user/applicant/system / actor kind")
    actor_label: str = Field(description="操作者 / actor")
    occurred_at: datetime = Field(description="时间 / time")
    payload: dict[str, Any] = Field(description="内容（变更前后）/ content, before and after")
    workflow_version: int = Field(description="流程版本 / workflow version")
    prev_hash: str = Field(description="前一事件哈希 / previous hash")
    hash: str = Field(description="本事件哈希 / this event's hash")


class NextStepRead(BaseModel):
    """What happens next and whether the applicant must do something, by when."""

    kind: str = Field(
        description="act 申请人须办理 / wait 机关办理中，无需操作 / concluded 已办结 / closed 办理终止（如已撤回）/ what kind of step"
    )
    text: str = Field(description="下一步（通俗说明）/ the next step in plain words")
    deadline: str | None = Field(
        description="相关期限代码（见 deadlines）/ the deadline it is bound to"
    )
    due_date: date | None = Field(
        description="须在此日前办理或答复的日期；未起算为空 / the day by which; null if not started"
    )


class ApplicantEventRead(BaseModel):
    """One public event of the case, as the applicant's timeline names it."""

    on: date = Field(description="日期（机关所在地）/ the day, organ-local")
    action: str = Field(description="事件代码 / event code")
    label: str = Field(description="事件（通俗说明）/ what happened, in plain words")


class RemedyRead(BaseModel):
    """How to seek reconsideration or sue after the reply, and until when (RULES §5)."""

    clause: str = Field(
        description="reconsideration_first 复议前置 / either 复议或诉讼 / none 无 / remedy clause"
    )
    text: str = Field(description="救济途径告知（与答复书一致）/ the clause as the letter words it")
    reconsideration_body: str = Field(description="行政复议机关 / reconsideration body")
    court: str = Field(description="管辖法院 / competent court")
    reconsideration_until: date | None = Field(
        description="申请行政复议最后一日；答复送达前为空 / last day to apply; null before service"
    )
    litigation_until: date | None = Field(
        description="提起行政诉讼最后一日（可直接起诉时）/ last day to sue directly, where allowed"
    )
    litigation_after_reconsideration_until: date | None = Field(
        description="收到复议决定后起诉最后一日 / last day to sue after the reconsideration decision"
    )


class ApplicantCaseView(BaseModel):
    """What an applicant sees with their query code; personal data masked."""

    number: str = Field(description="登记编号 / registration number")
    organ_name: str = Field(description="受理机关 / organ")
    case_type: str = Field(
        description="案件类型：foi_application 政府信息公开申请、record_correction 更正申请 / case type"
    )
    case_type_label: str = Field(description="案件类型名称 / case type label")
    state: str = Field(description="状态代码 / state")
    state_label: str = Field(description="状态 / state label")
    submitted_at: datetime = Field(description="提交时间 / submitted at")
    receipt_date: date | None = Field(description="收到申请之日 / receipt date")
    receipt_basis: str | None = Field(description="收到日期依据 / basis")
    deadlines: list[DeadlineRead] = Field(description="期限 / deadlines")
    outcome: str | None = Field(description="办理结果代码 / outcome code")
    outcome_label: str | None = Field(description="办理结果 / outcome")
    concluded_on: date | None = Field(description="办结日期 / conclusion date")
    applicant: ApplicantRead = Field(description="申请人（脱敏）/ applicant, masked")
    items: list[ItemRead] = Field(description="所需信息 / items")
    delivery: DeliveryRead = Field(description="提供形式与获取方式 / delivery")
    version: int = Field(description="版本号，撤回或补正时提交 / version to send with an action")
    next_step: NextStepRead = Field(
        description="下一步：申请人须做什么、何时之前 / what the applicant must do, by when"
    )
    timeline: list[ApplicantEventRead] = Field(
        description="办理记录（仅公开事件，不含工作人员姓名和内部意见）/ public events only",
    )
    remedy: RemedyRead | None = Field(
        description="救济途径（答复或终止后）/ reconsideration and lawsuit, after the reply"
    )
    applicant_actions: list[str] = Field(
        description="申请人当前可执行的操作 withdraw / record_correction / actions open now",
    )
    transfer: TransferRead | None = Field(
        None,
        description="转办：申请已转至负责的机关，以新的登记编号办理（原编号和查询码仍可查询）/ the "
        "application was transferred and runs under a new number (the old one still opens it)",
    )
