"""Public verification of letters (/verify and /api/v1/verify): by code, or by a copy of the PDF.

A copy is the letter as issued when its SHA-256 is the stored file's. Otherwise the letter it
claims to be is found by its verification code — in the signature dictionary (never compressed,
so even a damaged copy gives it up), in the PDF's metadata, or in the first page's text — or by
the revision its signature covers (a copy with changes appended after signing still contains
the signed file whole): the copy is then reported altered. The signature is checked with
pyhanko against the certificate the letter was signed with (the organ's at the time).

What is said about a letter: the organ, the kind, the number and the date, the hashes and the
signature. Nothing about the case or the applicant.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pikepdf
from sqlalchemy.orm import Session

from app.auth.secrets import normalize_verify_code
from app.errors import InvalidInput, NotFound
from app.letters import repository as letters_repo
from app.letters.kinds import kind_info
from app.models import Letter, OrganCertificate
from app.runtime import Runtime
from app.signing import brake, repository
from app.signing.schemas import SignatureRead, SignatureStatus, Verdict, VerificationRead
from app.signing.signer import FIELD_NAME
from app.validation.pdf import open_bounded

log = logging.getLogger("gongkai.signing")

FILE_FIELD = "file"
# The verify address in a signature dictionary's /ContactInfo (pyhanko escapes the slashes).
_CODE_IN_BYTES = re.compile(rb"(?:/|\\057)verify(?:/|\\057)([0-9A-Z]{10})(?![0-9A-Za-z])")
_BYTE_RANGE = re.compile(
    rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]"
)
_CODE_IN_KEYWORDS = re.compile(r"gongkai-verify:([0-9A-Z]{10})")
_CODE_ON_PAGE = re.compile(r"验证码[：:]\s*([0-9A-Z]{5})\s*-?\s*([0-9A-Z]{5})")
_PDF_HEAD = 1024


class LetterNotFound(NotFound):
    code = "letter-not-found"


def not_issued_here() -> LetterNotFound:
    return LetterNotFound(
        "本平台没有出具与之对应的文书 / no letter issued on this platform matches"
    )


def not_a_pdf() -> InvalidInput:
    return InvalidInput(("body", FILE_FIELD), "请上传 PDF 文件 / the file is not a PDF")


@dataclass(frozen=True)
class Found:
    letter: Letter
    exact: bool  # the copy is the stored file itself


# --- under the brake: the JSON routes' and the pages' way in ----------------------------------


def look_up(rt: Runtime, code: str, client: str) -> VerificationRead:
    """A code looked up under the brake: a braked client is refused before the lookup, an
    unknown code is counted."""
    limits = brake.rule(rt.settings)
    now = rt.clock()
    with rt.sessions.read() as session:
        brake.check(session, client, limits, now)
        try:
            return by_code(session, rt, code)
        except LetterNotFound as exc:
            missing = exc
    brake.count(rt.sessions.write, client, limits, now)
    raise missing


def check_copy(rt: Runtime, data: bytes, client: str) -> VerificationRead:
    """An uploaded copy checked under the brake (every upload counts)."""
    brake.count(rt.sessions.write, client, brake.rule(rt.settings), rt.clock())
    with rt.sessions.read() as session:
        return by_file(session, rt, data)


# --- by code --------------------------------------------------------------------------------


def by_code(session: Session, rt: Runtime, text: str) -> VerificationRead:
    """What the code's letter is (no file to compare), or 404."""
    code = normalize_verify_code(text)
    letter = letters_repo.issued_by_verify_code(session, code) if code else None
    if letter is None:
        raise not_issued_here()
    if letter.pdf_sha256 is None:
        signature = SignatureRead(status="pending")
    elif letter.certificate_id is None:
        signature = SignatureRead(status="not_signed")
    else:
        cert = repository.by_id(session, letter.certificate_id)
        assert cert is not None
        signature = SignatureRead(
            status="signed",
            signer=cert.common_name,
            certificate_sha256=cert.sha256_fingerprint,
            certificate_withdrawn_at=cert.withdrawn_at,
        )
    return _read(session, rt, letter, "issued", signature, file_sha256=None)


# --- by file --------------------------------------------------------------------------------


def by_file(session: Session, rt: Runtime, data: bytes) -> VerificationRead:
    """Whether the PDF is a letter issued here and unaltered: 404 when it is no letter of
    ours, 422 when it is not a PDF at all."""
    if b"%PDF-" not in data[:_PDF_HEAD]:
        raise not_a_pdf()
    sha = hashlib.sha256(data).hexdigest()
    found = _find(session, data, sha)
    if found is None:
        raise not_issued_here()
    letter = found.letter
    trusted = repository.by_id(session, letter.certificate_id) if letter.certificate_id else None
    signature = check_signature(data, trusted)
    verdict: Verdict = "unaltered" if found.exact else "altered"
    return _read(session, rt, letter, verdict, signature, file_sha256=sha)


def _find(session: Session, data: bytes, sha: str) -> Found | None:
    letter = letters_repo.issued_by_pdf_sha256(session, sha)
    if letter is not None:
        return Found(letter, exact=True)
    for code in _codes(data):
        letter = letters_repo.issued_by_verify_code(session, code)
        if letter is not None:
            return Found(letter, exact=False)
    for end in _signed_ends(data):
        digest = hashlib.sha256(data[:end]).hexdigest()
        letter = letters_repo.issued_by_pdf_sha256(session, digest)
        if letter is not None:
            return Found(letter, exact=False)
    return None


def _codes(data: bytes) -> Iterator[str]:
    """Verification codes the copy carries, most trustworthy place first."""
    seen: set[str] = set()
    for match in _CODE_IN_BYTES.finditer(data):
        code = match.group(1).decode("ascii")
        if code not in seen:
            seen.add(code)
            yield code
    for code in _codes_inside(data):
        if code not in seen:
            seen.add(code)
            yield code


def _codes_inside(data: bytes) -> Iterator[str]:
    """Codes in the metadata and on the first page, if the file can be read at all."""
    try:
        with open_bounded(data) as pdf:
            keywords = str(pdf.docinfo.get("/Keywords", ""))
            found = [m.group(1) for m in _CODE_IN_KEYWORDS.finditer(keywords)]
            found += _page_codes(pdf)
    except Exception:  # a damaged or hostile file: no code from inside it
        log.info("verify: the uploaded PDF cannot be read", exc_info=True)
        return
    yield from found


def _page_codes(pdf: pikepdf.Pdf) -> list[str]:
    from pypdf import PdfReader

    if not pdf.pages:
        return []
    # Only the first page, copied out by qpdf, so pypdf never walks a hostile whole file; its
    # annotations (the signature's widget) are no text and are left behind.
    first = pdf.pages[0]
    if "/Annots" in first.obj:
        del first.obj["/Annots"]
    single = pikepdf.new()
    single.pages.append(first)
    buffer = io.BytesIO()
    single.save(buffer)
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text() or ""
    return [a + b for a, b in _CODE_ON_PAGE.findall(text)]


def _signed_ends(data: bytes) -> Iterator[int]:
    """Where each signature's signed revision ends (its /ByteRange's last byte)."""
    for match in _BYTE_RANGE.finditer(data):
        _, _, start, length = (int(g) for g in match.groups())
        end = start + length
        if 0 < end < len(data):
            yield end


# --- the signature --------------------------------------------------------------------------


def check_signature(data: bytes, trusted: OrganCertificate | None) -> SignatureRead:
    """The copy's signature checked against the certificate the letter was signed with."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:
        log.info("verify: no readable signature", exc_info=True)
        return SignatureRead(status="unreadable")
    if not signatures:
        return SignatureRead(status="not_signed")
    sig = next((s for s in signatures if s.field_name == FIELD_NAME), signatures[0])
    try:
        signer = sig.signer_cert
        fingerprint = hashlib.sha256(signer.dump()).hexdigest()
        name = _common_name(signer)
        signed_at = sig.self_reported_timestamp
    except Exception:
        log.info("verify: the signature's certificate cannot be read", exc_info=True)
        return SignatureRead(status="unreadable")
    facts = {"signer": name, "certificate_sha256": fingerprint, "signed_at": signed_at}
    if trusted is None or fingerprint != trusted.sha256_fingerprint:
        return SignatureRead(status="unknown_signer", **facts)
    status = _validate(sig, asn1_x509.Certificate.load(trusted.certificate_der), signed_at)
    return SignatureRead(status=status, certificate_withdrawn_at=trusted.withdrawn_at, **facts)


def _validate(sig: object, root: object, signed_at: datetime | None) -> SignatureStatus:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    # Checked as of the signing time the signature states: a letter signed while the
    # certificate was valid stays verifiable after it expires (the stored hash vouches for
    # the time); nothing is fetched.
    context = ValidationContext(
        trust_roots=[root],
        moment=signed_at or datetime.now(UTC),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
    try:
        status = validate_pdf_signature(
            sig,  # type: ignore[arg-type]
            context,
            key_usage_settings=usage,
        )
    except Exception:
        log.info("verify: the signature could not be validated", exc_info=True)
        return "invalid"
    if not (status.intact and status.valid and status.trusted):
        return "invalid"
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "valid"
    return "changed_after_signing"


def _common_name(cert: object) -> str:
    subject = cert.subject  # type: ignore[attr-defined]
    name = subject.native.get("common_name") if isinstance(subject.native, dict) else None
    return str(name or subject.human_friendly)


# --- the answer ------------------------------------------------------------------------------


def _read(
    session: Session,
    rt: Runtime,
    letter: Letter,
    verdict: Verdict,
    signature: SignatureRead,
    *,
    file_sha256: str | None,
) -> VerificationRead:
    organ = rt.organs.by_id(session, letter.organ_id)
    assert organ is not None
    assert letter.letter_date is not None
    label = kind_info(letter.kind).title
    what = f"{organ.name}于{letter.letter_date:%Y年%-m月%-d日}出具的《{label}》"
    if letter.number:
        what += f"（{letter.number}）"
    if verdict == "unaltered":
        summary = f"该文件是{what}原件，未经改动。 / The file is the letter as issued, unaltered."
    elif verdict == "altered":
        summary = (
            f"该文件对应{what}，但已被改动，与出具的原件不一致。 / The file claims to be a "
            "letter issued here, but it was changed after issue."
        )
    else:
        summary = (
            f"验证码对应{what}。如需核对手中的文件有无改动，请上传该 PDF 文件。 / The code "
            "belongs to a letter issued here; upload the PDF to check that a copy is unaltered."
        )
    return VerificationRead(
        verdict=verdict,
        code=letter.verify_code,
        organ_code=organ.code,
        organ_name=organ.name,
        kind=letter.kind,
        kind_label=label,
        number=letter.number,
        letter_date=letter.letter_date,
        pdf_sha256=letter.pdf_sha256,
        file_sha256=file_sha256,
        hash_matches=None if file_sha256 is None else file_sha256 == letter.pdf_sha256,
        signature=signature,
        summary=summary,
    )
