"""Reconsideration (行政复议) and litigation (行政诉讼) records attached to a case (RULES §8, 表四)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class RemedyRecord(Base):
    __tablename__ = "remedy_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # reconsideration | litigation_direct | litigation_after_reconsideration
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(String(200))  # 复议机关 or 法院
    filed_on: Mapped[date] = mapped_column(Date)
    case_number: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(16))  # upheld | corrected | other | pending
    result_on: Mapped[date | None] = mapped_column(Date)
    # The day the applicant received the decision: a lawsuit may follow within 15 days of the
    # receipt of a reconsideration decision (行政诉讼法 Art. 45).
    decision_received_on: Mapped[date | None] = mapped_column(Date)
    # What the record challenges: reply | failure_to_answer (逾期不答复) | closure.
    subject: Mapped[str] = mapped_column(String(20), server_default="reply")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
