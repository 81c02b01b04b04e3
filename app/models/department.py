"""Departments (科室) of an organ, and which staff belong to each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class Department(Base):
    """A department of an organ: the disclosure office or a business department (业务科室)
    that holds records; cases may be routed to one and its members see them in their queue."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("organ_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DepartmentMember(Base):
    """A user's membership of a department (a user may belong to several)."""

    __tablename__ = "department_members"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
