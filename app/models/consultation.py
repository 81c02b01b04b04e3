"""Consultations (征求意见 and 会商) of a case: one record per party consulted.

The clock ledger holds what the deadlines need (dispatch, the party's receipt of the letter,
the opinion's arrival); this row holds the rest: who, what was asked, the opinion and its result.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (UniqueConstraint("case_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # C1, C2, ... per case: the consultation_id actions and the ledger use.
    code: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # third_party | other_organ | legal_office | joint_meeting
    party: Mapped[str] = mapped_column(String(200))
    party_contact: Mapped[str | None] = mapped_column(String(200))
    party_address: Mapped[str | None] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text)
    dispatch_method: Mapped[str] = mapped_column(
        String(20)
    )  # post | in_person | electronic | internal
    dispatched_on: Mapped[date] = mapped_column(Date)
    party_received_on: Mapped[date | None] = mapped_column(Date)
    meeting_on: Mapped[date | None] = mapped_column(Date)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))

    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_on: Mapped[date | None] = mapped_column(Date)
    # consent | objection | partial | advice | no_reply | deemed_consent
    result: Mapped[str | None] = mapped_column(String(20))
    objection_reasons: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    # Set when the consultation is concluded with the case's consultations.
    settled_on: Mapped[date | None] = mapped_column(Date)

    # Disclosure in the public interest over this third party's objection (Art. 32).
    public_interest_reasons: Mapped[str | None] = mapped_column(Text)
    disclosure_letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))

    started_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
