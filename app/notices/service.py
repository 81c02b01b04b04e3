"""What users and administrators do with notices: preferences, in-app notices, organ texts.

The JSON routes (router.py) and the pages (app/web/staff/notices.py) call these functions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.models import Notice, NoticePreference, NoticeText, User
from app.notices import texts
from app.notices.channel import notice_text
from app.notices.kinds import NOTICE_KINDS, TEXT_KINDS
from app.notices.recipients import preferences
from app.notices.schemas import (
    NoticeList,
    NoticePreferences,
    NoticePreview,
    NoticeRead,
    NoticeTextBody,
    NoticeTextRead,
)
from app.organs.directory import OrganInfo

LIST_LIMIT = 50


class UnknownTextKind(NotFound):
    code = "notice-text-kind-not-found"
    title = "没有这种提醒文本 / No such notice text"


def get_preferences(session: Session, user_id: int) -> NoticePreferences:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    chosen = {k: preferences(session, [user_id], k)[user_id] for k in NOTICE_KINDS}
    return NoticePreferences(**chosen, email=user.email, mobile=user.mobile)


def set_preferences(
    session: Session, user_id: int, data: NoticePreferences, *, now: datetime
) -> NoticePreferences:
    """Replace the user's choices; e-mail needs an address, SMS a mobile number."""
    errors = []
    for kind in NOTICE_KINDS:
        method = getattr(data, kind)
        if method == "email" and not data.email:
            errors.append(
                {"loc": ["body", kind], "msg": "选择电子邮件须填写邮箱 / e-mail needs an address"}
            )
        if method == "sms" and not data.mobile:
            errors.append(
                {"loc": ["body", kind], "msg": "选择短信须填写手机号 / SMS needs a mobile number"}
            )
    if errors:
        raise InvalidInput.many(errors)
    session.execute(
        update(User).where(User.id == user_id).values(email=data.email, mobile=data.mobile)
    )
    session.execute(delete(NoticePreference).where(NoticePreference.user_id == user_id))
    session.add_all(
        NoticePreference(user_id=user_id, kind=k, method=getattr(data, k), updated_at=now)
        for k in NOTICE_KINDS
    )
    session.flush()
    return get_preferences(session, user_id)


def my_notices(session: Session, user_id: int, *, unread_only: bool = False) -> NoticeList:
    """The user's in-app notices, newest first (the latest 50), and how many are unread."""
    q = select(Notice).where(Notice.user_id == user_id)
    if unread_only:
        q = q.where(Notice.read_at.is_(None))
    rows = session.scalars(q.order_by(Notice.id.desc()).limit(LIST_LIMIT))
    unread = session.scalar(
        select(func.count()).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    )
    return NoticeList(unread=int(unread or 0), items=[NoticeRead.model_validate(n) for n in rows])


def mark_read(session: Session, user_id: int, notice_id: int, *, now: datetime) -> NoticeRead:
    """Mark one of the user's notices read (again: no change)."""
    row = session.scalars(
        select(Notice).where(Notice.id == notice_id, Notice.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(f"没有提醒 {notice_id} / no notice {notice_id}")
    if row.read_at is None:
        row.read_at = now
        session.flush()
    return NoticeRead.model_validate(row)


def mark_all_read(session: Session, user_id: int, *, now: datetime) -> int:
    result = session.execute(
        update(Notice)
        .where(Notice.user_id == user_id, Notice.read_at.is_(None))
        .values(read_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _kind(kind: str) -> str:
    if kind not in TEXT_KINDS:
        raise UnknownTextKind(
            f"没有提醒文本 {kind[:40]!r}；可用：{', '.join(TEXT_KINDS)} / no notice text {kind[:40]!r}"
        )
    return kind


def get_text(session: Session, organ: OrganInfo, kind: str) -> NoticeTextRead:
    kind = _kind(kind)
    custom = session.scalar(
        select(func.count()).where(NoticeText.organ_id == organ.id, NoticeText.kind == kind)
    )
    t = notice_text(session, organ.id, kind)
    return NoticeTextRead(
        kind=kind,
        organ_code=organ.code,
        subject=t.subject,
        body=t.body,
        custom=bool(custom),
        variables=sorted(texts.sample_context(kind)),
    )


def preview(kind: str, data: NoticeTextBody) -> NoticePreview:
    """The text rendered with sample data; a template error is a 422 naming it."""
    kind = _kind(kind)
    out = texts.render(
        texts.NoticeTemplate(subject=data.subject, body=data.body), texts.sample_context(kind)
    )
    return NoticePreview(subject=out.subject, body=out.body)


def put_text(
    session: Session,
    organ: OrganInfo,
    kind: str,
    data: NoticeTextBody,
    *,
    user_id: int,
    now: datetime,
) -> NoticeTextRead:
    """Store the organ's own text of this kind once it renders with the sample data."""
    preview(kind, data)
    row = session.scalars(
        select(NoticeText).where(NoticeText.organ_id == organ.id, NoticeText.kind == kind)
    ).first()
    if row is None:
        session.add(
            NoticeText(
                organ_id=organ.id,
                kind=kind,
                subject=data.subject,
                body=data.body,
                updated_at=now,
                updated_by=user_id,
            )
        )
    else:
        row.subject, row.body, row.updated_at, row.updated_by = (
            data.subject,
            data.body,
            now,
            user_id,
        )
    session.flush()
    return get_text(session, organ, kind)


def reset_text(session: Session, organ: OrganInfo, kind: str) -> NoticeTextRead:
    """Back to the default text."""
    kind = _kind(kind)
    session.execute(
        delete(NoticeText).where(NoticeText.organ_id == organ.id, NoticeText.kind == kind)
    )
    return get_text(session, organ, kind)
