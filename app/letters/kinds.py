"""The letter kinds of RULES §7 and what the service needs to know about each (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class LetterKind(StrEnum):
    receipt = "receipt"
    correction_notice = "correction_notice"
    extension_notice = "extension_notice"
    third_party_consultation = "third_party_consultation"
    organ_consultation = "organ_consultation"
    third_party_disclosure_notice = "third_party_disclosure_notice"
    reasons_request = "reasons_request"
    delayed_reply_notice = "delayed_reply_notice"
    fee_notice = "fee_notice"
    reply = "reply"
    closure_notice = "closure_notice"
    service_receipt = "service_receipt"
    record_correction_reply = "record_correction_reply"


@dataclass(frozen=True)
class LetterOrder:
    """A letter an action issues: its kind and parameters (numbered and frozen by `record`)."""

    kind: str
    params: dict[str, Any]


@dataclass(frozen=True)
class DraftField:
    """A text of the letter the clerk may edit on its draft before it is issued."""

    name: str  # the parameter of the kind's builder
    label: str
    lines: bool = False  # a list of texts, one per line (补正事项)


@dataclass(frozen=True)
class KindInfo:
    title: str  # the letter's title as printed
    # The short mark of the kind in a per-kind document number, e.g. 〔2026〕补3号.
    mark: str
    # Whether the applicant is the addressee (and may download it through the applicant API).
    to_applicant: bool
    # Whether issuing takes a document number (送达回证 is a form that cites another letter's).
    numbered: bool = True
    # The 登记回执 bears the application's registration number (登记编号), which the organ's
    # registration sequence allocated: the number the applicant already holds. [interpretation]
    registration_number: bool = False
    # The letter's own texts a draft may change before issue (the rest comes from the case,
    # the action's payload and its effects). A text an action's payload also carries is
    # edited in that action's form: the payload is what the event records.
    editable: tuple[DraftField, ...] = ()


KINDS: dict[LetterKind, KindInfo] = {
    LetterKind.receipt: KindInfo(
        "政府信息公开申请登记回执", "登", to_applicant=True, registration_number=True
    ),
    LetterKind.correction_notice: KindInfo(
        "政府信息公开申请补正告知书",
        "补",
        to_applicant=True,
        editable=(DraftField("items_to_correct", "需补正事项", lines=True),),
    ),
    LetterKind.extension_notice: KindInfo(
        "政府信息公开申请延期答复告知书",
        "延",
        to_applicant=True,
        editable=(DraftField("reason", "延期理由"),),
    ),
    LetterKind.third_party_consultation: KindInfo(
        "政府信息公开征求第三方意见书",
        "征",
        to_applicant=False,
        editable=(DraftField("question", "征求意见事项"),),
    ),
    LetterKind.organ_consultation: KindInfo(
        "政府信息公开征求意见函",
        "函",
        to_applicant=False,
        editable=(DraftField("question", "征求意见事项"),),
    ),
    LetterKind.third_party_disclosure_notice: KindInfo(
        "政府信息公开第三方告知书", "告", to_applicant=False
    ),
    LetterKind.reasons_request: KindInfo(
        "政府信息公开申请说明理由告知书",
        "理",
        to_applicant=True,
        editable=(DraftField("grounds", "要求说明理由的依据"),),
    ),
    LetterKind.delayed_reply_notice: KindInfo(
        "政府信息公开申请延迟答复告知书",
        "迟",
        to_applicant=True,
        editable=(DraftField("finding", "审查意见"),),
    ),
    LetterKind.fee_notice: KindInfo(
        "政府信息公开信息处理费收费通知书",
        "费",
        to_applicant=True,
        editable=(DraftField("payment", "缴费方式"), DraftField("basis", "其他收费依据")),
    ),
    LetterKind.reply: KindInfo("政府信息公开申请答复书", "答", to_applicant=True),
    LetterKind.closure_notice: KindInfo(
        "政府信息公开申请终止办理告知书",
        "终",
        to_applicant=True,
        editable=(DraftField("reason", "情况说明"),),
    ),
    LetterKind.service_receipt: KindInfo("送达回证", "送", to_applicant=False, numbered=False),
    LetterKind.record_correction_reply: KindInfo("更正申请答复书", "更", to_applicant=True),
}


def kind_info(kind: str) -> KindInfo:
    """What the service knows about a kind (KeyError when unknown)."""
    return KINDS[LetterKind(kind)]
