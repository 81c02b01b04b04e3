"""Gapless sequences per (organ, year, kind): registration numbers, letter numbers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Counter(Base):
    __tablename__ = "counters"

    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
