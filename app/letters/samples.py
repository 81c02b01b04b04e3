"""Realistic sample letters for the docs, the benchmark and tests (no database needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.letters.context import CaseSnapshot, DueDate, ItemRef, LetterSource, OrganBlock

SAMPLE_ORGAN = OrganBlock(
    name="北京市西城区发展和改革委员会",
    code="XCFGW",
    address="北京市西城区二龙路27号",
    phone="010-66000000",
    reconsideration_body="北京市西城区人民政府",
    court="北京市西城区人民法院",
)

SAMPLE_CASE = CaseSnapshot(
    id=1,
    number="XCFGW依申〔2026〕0042号",
    state="received",
    channel="online",
    arrived_on=date(2026, 3, 2),
    receipt_date=date(2026, 3, 2),
    receipt_basis="platform_ack",
    applicant_category="natural_person",
    applicant_name="王晓明",
    applicant_phone="13800138000",
    applicant_email="wangxm@example.cn",
    applicant_address="北京市西城区金融大街17号院3号楼2单元501室",
    applicant_postal_code="100033",
    applicant_contact_person=None,
    delivery_form="paper",
    delivery_method="post",
    e_service_consent=False,
    e_service_address=None,
    items=(
        ItemRef(
            position=1,
            description="2025年度西城区老旧小区综合整治项目的立项批复文件及项目总投资额",
            document_number="西发改〔2025〕118号",
        ),
        ItemRef(
            position=2,
            description="金融街街道2025年加装电梯补贴资金的发放明细（按小区汇总，不含个人信息）",
        ),
    ),
)

SAMPLE_DEADLINES = {
    "reply": DueDate("reply", "答复期限", date(2026, 3, 30), False, 20),
    "correction_notice": DueDate("correction_notice", "补正告知期限", date(2026, 3, 11), False, 7),
}


def sample_source(
    kind: str, *, number: str | None = "XCFGW依申答〔2026〕17号", **params: Any
) -> LetterSource:
    """A source for one letter kind with realistic data."""
    return LetterSource(
        kind=kind,
        case=SAMPLE_CASE,
        organ=SAMPLE_ORGAN,
        on=date(2026, 3, 20),
        number=number,
        handler="李静",
        params=params,
        deadlines=SAMPLE_DEADLINES,
    )
