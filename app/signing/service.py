"""Organs' signing certificates: upload (checked, the key sealed), list, and whom a letter is
signed for. The JSON API (/api/v1/admin/organs/{code}/certificates) and the workbench's organ
page both go through here."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import Conflict, Forbidden, NotFound
from app.models import Organ, OrganCertificate
from app.organs import service as organs_service
from app.signing import repository
from app.signing.certificates import read_pkcs12
from app.signing.schemas import CertificateRead
from app.signing.signer import SigningIdentity, StoredCredentials, chain_from_stored, seal_key


@dataclass(frozen=True)
class Uploader:
    """Who uploads a certificate: a staff user, or the command line (`demo`)."""

    label: str
    user_id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> Uploader:
        return cls(label=principal.name, user_id=principal.user_id)


def organ_for_admin(session: Session, principal: Principal, code: str) -> Organ:
    """The organ, if this administrator may manage its certificate: a platform administrator
    any organ, an organ's own administrator only theirs (403 otherwise); 404 when unknown."""
    organ = organs_service.get_organ(session, code)
    if principal.organ_id is not None and principal.organ_id != organ.id:
        raise Forbidden(
            "只能管理本机关的签名证书 / an organ's administrator manages only their own organ's "
            "certificate"
        )
    return organ


def read(row: OrganCertificate, *, current: bool) -> CertificateRead:
    out = CertificateRead.model_validate(row)
    return out.model_copy(update={"current": current})


def certificates(session: Session, organ: Organ) -> list[CertificateRead]:
    """The organ's certificates, newest first: the one in use (the newest not withdrawn) is
    marked current; the others were replaced or withdrawn."""
    rows = repository.certificates_of(session, organ.id)
    in_use = next((row.id for row in rows if row.withdrawn_at is None), None)
    return [read(row, current=row.id == in_use) for row in rows]


def organ_certificates(session: Session, principal: Principal, code: str) -> list[CertificateRead]:
    """The organ's certificates, for an administrator who may manage them."""
    return certificates(session, organ_for_admin(session, principal, code))


def upload_certificate(
    session: Session,
    service_key: bytes,
    principal: Principal,
    code: str,
    data: bytes,
    password: str,
    *,
    now: datetime,
) -> CertificateRead:
    """An administrator's upload for an organ they may manage (403 otherwise): checked and
    stored as the certificate in use."""
    organ = organ_for_admin(session, principal, code)
    return add_certificate(
        session, service_key, organ, data, password, by=Uploader.of(principal), now=now
    )


def add_certificate(
    session: Session,
    service_key: bytes,
    organ: Organ,
    data: bytes,
    password: str,
    *,
    by: Uploader,
    now: datetime,
) -> CertificateRead:
    """Check the PKCS#12 and store it as the organ's certificate in use (413/422 when it cannot
    sign). The one it replaces stays: the letters signed with it still name and verify it."""
    creds = read_pkcs12(data, password, now=now)
    row = OrganCertificate(
        organ_id=organ.id,
        subject=creds.subject[:1000],
        common_name=creds.common_name[:300],
        issuer=creds.issuer[:1000],
        serial_number=creds.serial_number[:100],
        not_before=creds.not_before,
        not_after=creds.not_after,
        sha256_fingerprint=creds.sha256_fingerprint,
        key_type=creds.key_type,
        certificate_der=creds.certificate_der,
        chain=[base64.b64encode(c).decode("ascii") for c in creds.chain_der],
        key_sealed=seal_key(service_key, creds.key_der),
        uploaded_at=now,
        uploaded_by_id=by.user_id,
        uploaded_by=by.label[:200],
    )
    repository.add(session, row)
    return read(row, current=True)


class CertificateWithdrawn(Conflict):
    code = "certificate-withdrawn"
    title = "证书已停用 / The certificate is withdrawn already"


def withdraw_certificate(
    session: Session,
    principal: Principal,
    code: str,
    certificate_id: int,
    reason: str,
    *,
    now: datetime,
) -> CertificateRead:
    """Withdraw (停用) one of the organ's certificates: it never signs again (the organ's
    letters are signed with the newest certificate left, or stored unsigned); the letters it
    signed still verify, and their verification says it was withdrawn. 404 for a certificate
    not of this organ, 409 if it is withdrawn already."""
    organ = organ_for_admin(session, principal, code)
    row = repository.by_id(session, certificate_id)
    if row is None or row.organ_id != organ.id:
        raise NotFound(f"证书 {certificate_id} 不存在 / certificate not found")
    if row.withdrawn_at is not None:
        raise CertificateWithdrawn(
            f"该证书已于 {row.withdrawn_at:%Y-%m-%d} 停用 / the certificate was withdrawn already",
            certificate_id=row.id,
        )
    row.withdrawn_at = now
    row.withdrawn_by_id = principal.user_id
    row.withdrawn_by = principal.name[:200]
    row.withdrawal_reason = reason
    session.flush()
    return next(c for c in certificates(session, organ) if c.id == row.id)


def stored_credentials(row: OrganCertificate) -> StoredCredentials:
    return StoredCredentials(
        id=row.id,
        certificate_der=row.certificate_der,
        chain_der=chain_from_stored(row.chain),
        key_sealed=row.key_sealed,
    )


def usable(row: OrganCertificate | None, now: datetime) -> bool:
    """Whether letters may be signed with the certificate now (it is valid today)."""
    return row is not None and row.not_before <= now <= row.not_after


def signing_identity(
    session: Session, organ_id: int, organ_code: str, *, now: datetime
) -> SigningIdentity:
    """Whom the organ's letters are signed for now: its newest certificate while it is valid;
    none when it has none, or the newest has expired (a signature no one could verify is no
    signature: the letter is stored unsigned and the admin page says why)."""
    row = repository.current(session, organ_id)
    return SigningIdentity(
        organ_id=organ_id,
        organ_code=organ_code,
        credentials=stored_credentials(row) if row is not None and usable(row, now) else None,
    )
