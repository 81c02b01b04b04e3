"""Cross-field intake rules (RULES §2–§3) that format validation alone cannot express."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.intake.schemas import IntakeFields, StaffCaseCreate
from app.vocabulary import (
    CHANNEL_BASES,
    ORGANISATION_CATEGORIES,
    ORGANISATION_ID_TYPES,
    ApplicantCategory,
    Channel,
    DeliveryForm,
    DeliveryMethod,
    ReceiptBasis,
)

# Clocks of the counter PC and the server may disagree a little.
CLOCK_SKEW = timedelta(minutes=5)

ErrorList = list[dict[str, Any]]


def _err(errors: ErrorList, loc: tuple[str, ...], msg: str) -> None:
    errors.append({"loc": ["body", *loc], "msg": msg})


def applicant_and_delivery_errors(fields: IntakeFields) -> ErrorList:
    """Who must give what, and which delivery combinations make sense."""
    errors: ErrorList = []
    a = fields.applicant
    if a.category == ApplicantCategory.natural_person:
        if a.id_type == "uscc":
            _err(
                errors,
                ("applicant", "id_type"),
                "自然人不能使用统一社会信用代码 / a natural person has no social credit code",
            )
    elif a.category in ORGANISATION_CATEGORIES:
        if a.id_type not in ORGANISATION_ID_TYPES:
            _err(
                errors,
                ("applicant", "id_type"),
                "法人或其他组织应提供统一社会信用代码 / organisations give their social credit code",
            )
        if not a.legal_representative:
            _err(
                errors,
                ("applicant", "legal_representative"),
                "法人或其他组织须填写法定代表人或负责人 / organisations name their legal "
                "representative",
            )
    d = fields.delivery
    if d.method == DeliveryMethod.email and not a.email:
        _err(
            errors,
            ("applicant", "email"),
            "选择电子邮件获取须填写电子邮箱 / e-mail delivery needs an e-mail address",
        )
    if d.method == DeliveryMethod.post:
        if not a.address:
            _err(
                errors,
                ("applicant", "address"),
                "选择邮寄须填写通信地址 / postal delivery needs an address",
            )
        if not a.postal_code:
            _err(
                errors,
                ("applicant", "postal_code"),
                "选择邮寄须填写邮政编码 / postal delivery needs a postal code",
            )
    if d.form == DeliveryForm.inspection and d.method != DeliveryMethod.pickup:
        _err(
            errors,
            ("delivery", "method"),
            "查阅、抄录须到现场 / inspection on site goes with method pickup",
        )
    if (
        d.method in (DeliveryMethod.email, DeliveryMethod.online)
        and d.form != DeliveryForm.electronic
    ):
        _err(
            errors,
            ("delivery", "form"),
            "电子邮件或网上获取只能提供电子文件 / e-mail and online delivery carry electronic files",
        )
    if fields.e_service_address and not fields.e_service_consent:
        _err(
            errors,
            ("e_service_address",),
            "填写电子送达地址须同意电子送达 / an e-service address needs e_service_consent",
        )
    if fields.e_service_consent and not (fields.e_service_address or a.email):
        _err(
            errors,
            ("e_service_address",),
            "同意电子送达须提供电子送达地址 / electronic service needs an address",
        )
    return errors


@dataclass(frozen=True)
class Receipt:
    """The legal receipt date and its basis (RULES §3)."""

    date: date
    basis: ReceiptBasis
    evidence: str | None


def staff_receipt(
    data: StaffCaseCreate, *, arrived_local: datetime, now_local: datetime
) -> tuple[Receipt | None, ErrorList]:
    """The receipt a staff registration establishes (None = awaiting confirmation), or errors."""
    errors: ErrorList = []
    today = now_local.date()
    if arrived_local > now_local + CLOCK_SKEW:
        _err(errors, ("arrived_at",), "到达时间不能晚于现在 / arrived_at is in the future")
    if data.filled_by_staff and data.channel != Channel.in_person:
        _err(
            errors,
            ("filled_by_staff",),
            "代为填写仅适用于当面口头申请 / only an in-person oral application is written by staff",
        )
    allowed = CHANNEL_BASES[data.channel] - {ReceiptBasis.platform_ack}
    if data.receipt_basis is not None and data.receipt_basis not in allowed:
        _err(
            errors,
            ("receipt_basis",),
            f"渠道 {data.channel} 的收到日期依据只能是 {', '.join(sorted(allowed))} / basis not "
            "valid for this channel",
        )
    if data.channel == Channel.in_person:
        # Handed in at the counter: the receipt date is the day it was handed in, no confirming.
        rd = data.receipt_date or arrived_local.date()
        if rd != arrived_local.date():
            _err(
                errors,
                ("receipt_date",),
                "当面提交的，收到申请之日为提交当日 / in person, the receipt date is the day it "
                "was handed in",
            )
        receipt = Receipt(rd, ReceiptBasis.handed_in, data.receipt_evidence)
        return (None if errors else receipt), errors
    if data.receipt_date is None:
        if data.receipt_basis is not None or data.receipt_evidence is not None:
            _err(
                errors,
                ("receipt_date",),
                "给出依据时须填写收到申请之日 / a basis or evidence needs a receipt_date",
            )
        return None, errors
    if data.receipt_basis is None:
        _err(errors, ("receipt_basis",), "须说明收到日期依据 / receipt_basis is required")
    if not data.receipt_evidence:
        _err(
            errors,
            ("receipt_evidence",),
            "须记录依据材料（签收记录、确认记录）/ receipt_evidence is required",
        )
    if data.receipt_date < arrived_local.date():
        _err(
            errors,
            ("receipt_date",),
            "收到申请之日不能早于实际到达日 / the receipt date cannot precede arrival",
        )
    if data.receipt_date > today:
        _err(
            errors, ("receipt_date",), "收到申请之日不能是将来 / the receipt date is in the future"
        )
    if errors or data.receipt_basis is None:
        return None, errors
    return Receipt(data.receipt_date, data.receipt_basis, data.receipt_evidence), errors
