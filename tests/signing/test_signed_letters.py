"""Stored letters are signed PAdES with the organ's certificate, and carry a code and a QR code."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from app.models import Letter
from app.runtime import Runtime
from app.signing.signer import FIELD_NAME
from tests.conftest import Staff
from tests.fixtures.certificates import certificate_of, organ_pkcs12
from tests.fixtures.factories import Clock, make_organ
from tests.letters.helpers import letters, online, pdf_text
from tests.signing.helpers import pdfsig, pyhanko_status, qr_codes, receipt_pdf


def test_a_stored_letter_is_signed_over_the_whole_file_and_pyhanko_and_pdfsig_agree(
    client: TestClient, organ_a: Staff
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    assert letter["signed"] is True
    assert letter["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()  # the signed file's hash

    status = pyhanko_status(pdf, certificate_of(organ_pkcs12()))
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signer_reported_dt is not None

    report = pdfsig(pdf)
    assert f"Signature Field Name: {FIELD_NAME}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Signer Certificate Common Name: 测试机关签名证书" in report


def test_every_issued_letter_prints_its_code_and_a_qr_code_of_its_verify_address(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    code = letter["verify_code"]
    assert code is not None
    assert len(code) == 10
    url = f"{runtime.settings.verify_base_url}/verify/{code}"
    assert url == f"http://127.0.0.1:8000/verify/{code}"  # no public address configured
    assert qr_codes(pdf) == [url]
    assert f"验证码：{code[:5]}-{code[5:]}" in pdf_text(pdf)
    assert PdfReader(io.BytesIO(pdf)).metadata["/Keywords"] == f"gongkai-verify:{code}"
    # The code and its address are frozen in the context: a reproduction says the same.
    with runtime.sessions.read() as session:
        row = session.get(Letter, letter["id"])
        assert row is not None
        assert row.verify_code == code
        assert row.context is not None
        assert row.context["verification"] == {"code": code, "url": url}


def test_the_qr_code_names_the_configured_public_address(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    runtime.settings.public_base_url = "https://gongkai.example.gov.cn"
    letter, pdf = receipt_pdf(client, organ_a)
    assert qr_codes(pdf, dpi=72) == [
        f"https://gongkai.example.gov.cn/verify/{letter['verify_code']}"
    ]


def test_codes_are_unique_and_drafts_have_none(client: TestClient, organ_a: Staff) -> None:
    codes = {receipt_pdf(client, organ_a)[0]["verify_code"] for _ in range(3)}
    assert len(codes) == 3
    case = online(client)
    r = client.post(
        f"/api/v1/cases/{case['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": ["年份"]}},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["verify_code"] is None
    preview = client.get(
        f"/api/v1/cases/{case['id']}/letters/{r.json()['id']}/preview",
        headers=organ_a.headers("clerk"),
    )
    assert preview.status_code == 200
    # A draft is never signed, and shows where its code will go.
    assert b"/ByteRange" not in preview.content
    assert "出具时生成验证码和二维码" in pdf_text(preview.content)
    assert qr_codes(preview.content) == []


def test_an_organ_without_a_certificate_stores_its_letters_unsigned(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-u")
    staff = Staff(runtime, "org-u")
    letter, pdf = receipt_pdf(client, staff, organ_code="org-u")
    assert letter["signed"] is False
    assert b"/ByteRange" not in pdf
    assert "does not contain any signatures" in pdfsig(pdf)
    # Still a code and a QR code: the hash check works for it.
    assert qr_codes(pdf) == [f"http://127.0.0.1:8000/verify/{letter['verify_code']}"]


def test_a_letter_issued_before_codes_existed_still_renders(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    with runtime.sessions.write.begin() as session:
        row = session.scalars(select(Letter).where(Letter.id == receipt["id"])).one()
        # As the migration leaves an older letter: no code, a context without one (an issued
        # letter cannot be changed, so a copy is made as it would have been).
        context = {k: v for k, v in (row.context or {}).items() if k != "verification"}
        old = Letter(
            case_id=row.case_id,
            organ_id=row.organ_id,
            kind=row.kind,
            status="issued",
            fields={},
            number=None,
            letter_date=row.letter_date,
            issued_at=row.issued_at,
            issued_by=row.issued_by,
            context=context,
            template_name=row.template_name,
            created_at=row.created_at,
        )
        session.add(old)
        session.flush()
        old_id = old.id
    r = client.get(f"/api/v1/letters/{old_id}/pdf", headers=organ_a.headers("clerk"))
    assert r.status_code == 200, r.text
    assert case["number"] in pdf_text(r.content)
    assert "验证码" not in pdf_text(r.content)
    assert qr_codes(r.content) == []


def test_a_letter_issued_with_its_render_is_signed_and_stored_in_the_same_form(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    from sqlalchemy.orm import selectinload

    from app.auth.principal import SYSTEM
    from app.letters import service as letters_service
    from app.models import Case

    case = online(client)
    with runtime.sessions.write.begin() as session:
        row = session.scalars(
            select(Case).where(Case.id == case["id"]).options(selectinload(Case.items))
        ).one()
        organ = runtime.organs.by_code(session, "org-a")
        assert organ is not None
        letter = letters_service.issue(
            session,
            runtime,
            letters_service.case_snapshot(row, runtime.tz),
            organ,
            "correction_notice",
            {
                **letters_service.kind_defaults("correction_notice", organ),
                "items_to_correct": ["请写明年份"],
            },
            actor=SYSTEM,
            action=None,
            now=runtime.clock(),
        )
        session.add(letter)
        session.flush()
        assert letter.pdf_sha256 is not None
        assert letter.certificate_id is not None
        assert letter.verify_code is not None
        pdf = runtime.store.read(letter.pdf_sha256)
    assert hashlib.sha256(pdf).hexdigest() == letter.pdf_sha256
    assert pyhanko_status(pdf, certificate_of(organ_pkcs12())).valid
    assert qr_codes(pdf) == [f"http://127.0.0.1:8000/verify/{letter.verify_code}"]


def test_merging_signed_letters_for_paper_drops_their_signature_fields(
    client: TestClient, organ_a: Staff
) -> None:
    import warnings

    import pikepdf

    from app.letters.pdfmerge import merge_pdfs

    _, first = receipt_pdf(client, organ_a)
    _, second = receipt_pdf(client, organ_a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pikepdf warns of form fields it cannot carry over
        merged, pages = merge_pdfs([first, second])
    assert pages == 2
    with pikepdf.open(io.BytesIO(merged)) as pdf:
        assert "/AcroForm" not in pdf.Root
        widgets = [
            a
            for page in pdf.pages
            for a in page.obj.get("/Annots", [])
            if a.get("/Subtype") == "/Widget"
        ]
        assert widgets == []
    assert "does not contain any signatures" in pdfsig(merged)


def test_the_signer_signs_with_rsa_keys_too_each_letter_with_its_own_digest(
    runtime: Runtime,
) -> None:
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from app.signing.certificates import read_pkcs12
    from app.signing.signer import PadesSigner, SigningIdentity, StoredCredentials, seal_key
    from tests.fixtures.certificates import VALID_FROM

    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA 机关")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_FROM + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw")
    )
    creds = read_pkcs12(p12, "pw", now=runtime.clock())
    identity = SigningIdentity(
        1,
        "org",
        StoredCredentials(1, creds.certificate_der, (), seal_key(b"k", creds.key_der)),
    )
    signer = PadesSigner(b"k")
    # The first signature builds the signer's CMS; the later ones reuse it with their own
    # digest, which the validators check against each file.
    for text in ("答复书", "告知书", "回执"):
        pdf = runtime.press.render([f"<html><body><p>{text}</p></body></html>"]).pdf
        out = signer.sign(pdf, identity, verify_url=None).pdf
        status = pyhanko_status(out, creds.certificate_der)
        assert status.intact
        assert status.valid
        assert status.trusted
        assert "Signature Validation: Signature is Valid." in pdfsig(out)


def test_the_signing_time_is_the_services_clock(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    """The signature's signing time (/M) is the time the service signed by (its clock, which
    dates the letter and its events), not the machine's."""
    clock.set("2026-09-18T10:15:30+08:00")
    _letter, pdf = receipt_pdf(client, organ_a)
    status = pyhanko_status(pdf, certificate_of(organ_pkcs12()))
    assert status.intact
    assert status.valid
    assert status.signer_reported_dt == datetime(2026, 9, 18, 2, 15, 30, tzinfo=UTC)
