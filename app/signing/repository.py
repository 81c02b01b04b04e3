"""Queries on organs' signing certificates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OrganCertificate


def add(session: Session, row: OrganCertificate) -> None:
    session.add(row)
    session.flush()


def certificates_of(session: Session, organ_id: int) -> list[OrganCertificate]:
    """The organ's certificates, newest (the one in use) first."""
    stmt = (
        select(OrganCertificate)
        .where(OrganCertificate.organ_id == organ_id)
        .order_by(OrganCertificate.id.desc())
    )
    return list(session.scalars(stmt))


def current(session: Session, organ_id: int) -> OrganCertificate | None:
    """The organ's newest certificate not withdrawn: the one its letters are signed with."""
    stmt = (
        select(OrganCertificate)
        .where(OrganCertificate.organ_id == organ_id, OrganCertificate.withdrawn_at.is_(None))
        .order_by(OrganCertificate.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def by_id(session: Session, certificate_id: int) -> OrganCertificate | None:
    return session.get(OrganCertificate, certificate_id)
