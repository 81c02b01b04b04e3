"""The application case (申请案件): applicant, requested items, attachments, receipt facts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.case_types import FOI_APPLICATION
from app.db import Base
from app.models.organ import Organ
from app.models.types import JSONType, UTCDateTime


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("organ_id", "year", "seq"),
        Index("ix_cases_organ_state", "organ_id", "state"),
        Index("ix_cases_organ_reply_due", "organ_id", "reply_due"),
        Index("ix_cases_organ_applicant_id", "organ_id", "applicant_id_number"),
        Index("ix_cases_organ_concluded", "organ_id", "concluded_on"),
        Index("ix_cases_organ_assignee", "organ_id", "assignee_id"),
        Index("ix_cases_organ_department", "organ_id", "department_id"),
        # Covers the annual report's counting query (an index-only scan) and receipt-date ranges.
        Index(
            "ix_cases_organ_receipt",
            "organ_id",
            "receipt_date",
            "concluded_on",
            "applicant_category",
            "outcome",
            "case_type",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    number: Mapped[str] = mapped_column(String(80), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    # Which workflow the case runs on (workflows/<case_type>.yaml): an FOI application, or a
    # request to correct records about oneself (Art. 41), which table 三 does not count.
    case_type: Mapped[str] = mapped_column(
        String(32), default=FOI_APPLICATION, server_default=FOI_APPLICATION
    )
    state: Mapped[str] = mapped_column(String(32))
    # Where an "@previous" action returns to: the state the case was in before the current one.
    previous_state: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    source: Mapped[str] = mapped_column(String(16))  # portal | staff
    channel: Mapped[str] = mapped_column(String(20))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    receipt_date: Mapped[date | None] = mapped_column(Date)
    receipt_basis: Mapped[str | None] = mapped_column(String(20))
    receipt_evidence: Mapped[str | None] = mapped_column(Text)
    filled_by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_note: Mapped[str | None] = mapped_column(Text)

    applicant_category: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(40))
    applicant_id_number: Mapped[str] = mapped_column(String(50))
    applicant_phone: Mapped[str] = mapped_column(String(40))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    applicant_address: Mapped[str | None] = mapped_column(String(300))
    applicant_postal_code: Mapped[str | None] = mapped_column(String(6))
    applicant_legal_representative: Mapped[str | None] = mapped_column(String(100))
    applicant_contact_person: Mapped[str | None] = mapped_column(String(100))

    delivery_form: Mapped[str] = mapped_column(String(20))
    delivery_method: Mapped[str] = mapped_column(String(20))
    e_service_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    e_service_address: Mapped[str | None] = mapped_column(String(254))

    query_code_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # A cache of the derived deadlines, for list queries; recomputed whenever its inputs change.
    reply_due: Mapped[date | None] = mapped_column(Date)
    reply_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_notice_due: Mapped[date | None] = mapped_column(Date)
    correction_due: Mapped[date | None] = mapped_column(Date)
    reply_status: Mapped[str | None] = mapped_column(String(20))

    # The reply under review (submit_reply .. issue_reply): its outcome and where the review
    # chain stands — legal_review and sign_off are pending | approved | not_required.
    review_outcome: Mapped[str | None] = mapped_column(String(40))
    legal_review: Mapped[str | None] = mapped_column(String(16))
    sign_off: Mapped[str | None] = mapped_column(String(16))
    # Confidentiality review (保密审查, Art. 17) of a reply whose outcome the organ lists:
    # pending | passed | not_required (RULES §9).
    confidentiality_review: Mapped[str | None] = mapped_column(String(16))
    # The legal office was consulted or asked to review: legal-office users may see the case.
    legal_involved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Who handles the case (承办人) and the department it is routed to; a new case has neither
    # (the unassigned queue) until a clerk claims it (签收) or a supervisor assigns it (分办).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # How the case ended (RULES §5 outcome code) and the conclusion date the statistics use:
    # the reply's issue date or the closure date (RULES §8).
    outcome: Mapped[str | None] = mapped_column(String(40))
    concluded_on: Mapped[date | None] = mapped_column(Date)
    reply_late: Mapped[bool | None] = mapped_column(Boolean)
    # Service of the reply or closure notice (RULES §4).
    served_on: Mapped[date | None] = mapped_column(Date)
    service_method: Mapped[str | None] = mapped_column(String(20))
    served_on_time: Mapped[bool | None] = mapped_column(Boolean)
    # Inspection on site (查阅, Art. 40): the appointment the reply states (place, from, to,
    # contact) and, once recorded, whether it took place (took_place, on, notes).
    inspection: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Transfer between organs (转办): the case this one was filed from (its first organ's, which
    # ended in `transferred`, or whose reply named this organ responsible) and the case filed
    # in its place at the receiving organ. The applicant's query code opens both.
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # The applicant agreed (同意转交) that an application sent to the wrong organ is passed on,
    # after a reply naming the responsible organ, as a new application filed in their name.
    transfer_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organ: Mapped[Organ] = relationship(lazy="raise")
    items: Mapped[list[CaseItem]] = relationship(
        lazy="raise", order_by="CaseItem.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        lazy="raise", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseItem(Base):
    """One piece of information sought; an application may list several."""

    __tablename__ = "case_items"
    __table_args__ = (UniqueConstraint("case_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    document_number: Mapped[str | None] = mapped_column(String(100))


class Attachment(Base):
    """A file handed in with the application (or later, as correction material), stored once by
    its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Why it was handed in: NULL with the application, "correction" with a correction (补正材料).
    purpose: Mapped[str | None] = mapped_column(String(20))
