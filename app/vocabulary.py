"""The closed vocabularies of intake (RULES §1–§3), with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class ApplicantCategory(StrEnum):
    natural_person = "natural_person"
    commercial_enterprise = "commercial_enterprise"
    research_institution = "research_institution"
    public_welfare_org = "public_welfare_org"
    legal_service_org = "legal_service_org"
    other_org = "other_org"


CATEGORY_LABELS = {
    ApplicantCategory.natural_person: "自然人",
    ApplicantCategory.commercial_enterprise: "商业企业",
    ApplicantCategory.research_institution: "科研机构",
    ApplicantCategory.public_welfare_org: "社会公益组织",
    ApplicantCategory.legal_service_org: "法律服务机构",
    ApplicantCategory.other_org: "其他",
}


class Channel(StrEnum):
    in_person = "in_person"
    registered_mail = "registered_mail"
    ordinary_mail = "ordinary_mail"
    online = "online"
    fax = "fax"


CHANNEL_LABELS = {
    Channel.in_person: "当面提交",
    Channel.registered_mail: "需签收的邮件",
    Channel.ordinary_mail: "平常信函",
    Channel.online: "互联网渠道",
    Channel.fax: "传真",
}


class ReceiptBasis(StrEnum):
    handed_in = "handed_in"  # 当面递交
    signed_for = "signed_for"  # 签收
    confirmed = "confirmed"  # 与申请人确认
    platform_ack = "platform_ack"  # 平台即时回执


RECEIPT_BASIS_LABELS = {
    ReceiptBasis.handed_in: "当面递交之日",
    ReceiptBasis.signed_for: "签收之日",
    ReceiptBasis.confirmed: "双方确认之日",
    ReceiptBasis.platform_ack: "平台即时回执确认之日",
}

# RULES §3: the basis that fixes the legal receipt date for each channel.
CHANNEL_BASES: dict[Channel, frozenset[ReceiptBasis]] = {
    Channel.in_person: frozenset({ReceiptBasis.handed_in}),
    Channel.registered_mail: frozenset({ReceiptBasis.signed_for}),
    Channel.ordinary_mail: frozenset({ReceiptBasis.confirmed}),
    Channel.online: frozenset({ReceiptBasis.confirmed, ReceiptBasis.platform_ack}),
    Channel.fax: frozenset({ReceiptBasis.confirmed}),
}


class DeliveryForm(StrEnum):
    paper = "paper"  # 纸质
    electronic = "electronic"  # 电子文件
    inspection = "inspection"  # 查阅、抄录


class DeliveryMethod(StrEnum):
    pickup = "pickup"  # 自行领取
    post = "post"  # 邮寄
    email = "email"  # 电子邮件
    online = "online"  # 网上下载


ORGANISATION_CATEGORIES = frozenset(ApplicantCategory) - {ApplicantCategory.natural_person}
ORGANISATION_ID_TYPES = frozenset({"uscc", "other"})
