"""An organ's signing certificates (电子签名证书): every letter it issues is signed with the
newest one. Rows are never changed or deleted: a letter signed with a certificate since replaced
still names it (letters.certificate_id) and stays verifiable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import JSONType, UTCDateTime


class OrganCertificate(Base):
    __tablename__ = "organ_certificates"
    __table_args__ = (Index("ix_organ_certificates_organ", "organ_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organ_id: Mapped[int] = mapped_column(ForeignKey("organs.id"))
    # What the certificate says, as read at upload (RFC 4514 names).
    subject: Mapped[str] = mapped_column(String(1000))
    common_name: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(1000))
    serial_number: Mapped[str] = mapped_column(String(100))  # hex
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    sha256_fingerprint: Mapped[str] = mapped_column(String(64))
    key_type: Mapped[str] = mapped_column(String(40))  # "EC P-256", "RSA 2048"
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    # The other certificates of the PKCS#12 (the issuing CA's chain), base64 DER each.
    chain: Mapped[list[str]] = mapped_column(JSONType)
    # The private key (PKCS#8 DER), sealed with the deployment's secret key (app.sealing).
    key_sealed: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    # Withdrawn (停用) by an administrator: it never signs again; what it signed still verifies.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
