"""Notices to staff: what each user chose to receive and how, the in-app notices the dashboard
lists, and the texts an organ gives each kind of notice.

A notice is delivered by the outbox's `notice` channel (app/notices/channel.py); an in-app
notice is written in the delivery's finishing transaction, once per user and event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class NoticePreference(Base):
    """How a user receives one kind of notice (warnings, digest, calendar); a missing row
    means the kind's default (app/notices/kinds.py)."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))  # email | sms | in_app | none
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notice(Base):
    """An in-app notice: the staff dashboard's "我的提醒"."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("user_id", "event_uid"),
        Index("ix_notices_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organ_id: Mapped[int | None] = mapped_column(ForeignKey("organs.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    event_uid: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NoticeText(Base):
    """An organ's own text for one kind of notice (a Jinja2 template rendered in a sandbox);
    without one, the default in templates/notices/ is used."""

    __tablename__ = "notice_texts"
    __table_args__ = (UniqueConstraint("organ_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
