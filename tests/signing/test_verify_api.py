"""Public verification (/api/v1/verify): issued and unaltered, altered, unknown, garbage."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from app.runtime import Runtime
from app.signing.certificates import read_pkcs12, self_signed_pkcs12
from app.signing.signer import PadesSigner, SigningIdentity, StoredCredentials, seal_key
from tests.conftest import Staff
from tests.fixtures.certificates import VALID_FROM
from tests.fixtures.factories import make_organ
from tests.signing.helpers import flip_byte, receipt_pdf

PROBLEM = "application/problem+json"
VERIFY = "/api/v1/verify"


def upload(client: TestClient, pdf: bytes, name: str = "letter.pdf") -> Any:
    return client.post(VERIFY, files={"file": (name, pdf, "application/pdf")})


def test_an_untouched_letter_is_issued_and_unaltered_with_organ_number_and_date(
    client: TestClient, organ_a: Staff
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    r = upload(client, pdf)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "unaltered"
    assert body["hash_matches"] is True
    assert body["file_sha256"] == body["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (body["organ_code"], body["organ_name"]) == ("org-a", "org-a 示例区人民政府办公室")
    assert (body["kind"], body["kind_label"]) == ("receipt", "政府信息公开申请登记回执")
    assert body["number"] == letter["number"]
    assert body["letter_date"] == "2026-03-02"
    assert body["code"] == letter["verify_code"]
    signature = body["signature"]
    assert signature["status"] == "valid"
    assert signature["signer"] == "测试机关签名证书"
    assert signature["signed_at"] is not None
    assert "原件，未经改动" in body["summary"]


def test_the_answer_says_nothing_about_the_case_or_the_applicant(
    client: TestClient, organ_a: Staff
) -> None:
    _, pdf = receipt_pdf(client, organ_a)
    text = json.dumps(upload(client, pdf).json(), ensure_ascii=False)
    for private in ("张三", "13800138000", "zhangsan@example.com", "人民路100号", "老旧小区"):
        assert private not in text
    assert set(upload(client, pdf).json()) == {
        "verdict", "code", "organ_code", "organ_name", "kind", "kind_label", "number",
        "letter_date", "pdf_sha256", "file_sha256", "hash_matches", "signature", "summary",
    }  # fmt: skip


@pytest.mark.parametrize(
    "where",
    [
        b"/Contents <",  # inside the signature itself
        b"stream\n",  # the first stream's data
        b"%%EOF",  # the end marker
        b"/Type /Catalog",  # a structural key
    ],
)
def test_one_changed_byte_is_reported_altered(
    client: TestClient, organ_a: Staff, where: bytes
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    if where == b"/Contents <":
        # A hex digit of the CMS: still valid hex, a different signature.
        at = pdf.index(where) + len(where) + 200
        changed = pdf[:at] + (b"1" if pdf[at : at + 1] != b"1" else b"2") + pdf[at + 1 :]
    else:
        changed = flip_byte(pdf, where)
    assert len(changed) == len(pdf)
    assert changed != pdf
    r = upload(client, changed)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "altered"
    assert body["hash_matches"] is False
    assert body["number"] == letter["number"]
    assert body["code"] == letter["verify_code"]
    assert body["signature"]["status"] != "valid"
    assert "已被改动" in body["summary"]


def test_an_incremental_update_appended_after_signing_is_reported_altered(
    client: TestClient, organ_a: Staff
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Subject")] = TextStringObject("已补充修改")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert appended.startswith(pdf)

    body = upload(client, appended).json()
    assert body["verdict"] == "altered"
    assert body["number"] == letter["number"]
    # The signature itself still holds for what it signed; something came after it.
    assert body["signature"]["status"] == "changed_after_signing"


def test_a_copy_without_its_code_is_found_by_the_revision_its_signature_covers(
    client: TestClient, organ_a: Staff
) -> None:
    letter, pdf = receipt_pdf(client, organ_a)
    code = letter["verify_code"].encode()
    # Every plain copy of the code replaced (the signature's /ContactInfo), and more appended.
    stripped = pdf.replace(code, b"0000000000") + b"\n% appended\n"
    body = upload(client, stripped).json()
    assert body["verdict"] == "altered"
    assert body["number"] == letter["number"]


def test_a_pdf_not_issued_here_is_not_found_and_garbage_is_refused(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    other = runtime.press.render(["<html><body><p>一份别处的文件</p></body></html>"]).pdf
    r = upload(client, other)
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "letter-not-found"

    for garbage in (b"", b"not a pdf at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 100):
        r = upload(client, garbage, "x.pdf")
        assert r.status_code == 422, (garbage[:10], r.text)
        assert r.json()["errors"][0]["loc"] == ["body", "file"]
    # A PDF header over a broken body: nothing of ours in it.
    r = upload(client, b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    assert r.status_code == 404

    assert client.post(VERIFY, data={"x": "1"}).status_code == 400  # no file part
    assert client.post(
        VERIFY, content=b"%PDF-", headers={"content-type": "text/plain"}
    ).status_code in (400, 415)


def test_an_oversized_upload_is_refused_before_it_is_checked(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    runtime.settings.verify_max_pdf_bytes = 50_000
    _, pdf = receipt_pdf(client, organ_a)
    assert len(pdf) > 50_000
    r = upload(client, pdf)
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM


def test_a_code_answers_what_the_letter_is_and_an_unknown_code_is_404(
    client: TestClient, organ_a: Staff
) -> None:
    letter, _ = receipt_pdf(client, organ_a)
    code = letter["verify_code"]
    for typed in (code, code.lower(), f"{code[:5]}-{code[5:]}"):
        r = client.get(f"{VERIFY}/{typed}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["verdict"] == "issued"
        assert body["number"] == letter["number"]
        assert body["signature"]["status"] == "signed"
        assert body["signature"]["signer"] == "测试机关签名证书"
        assert body["file_sha256"] is None
        assert body["hash_matches"] is None
    for unknown in ("0000000000", "ABC", "x" * 40):
        r = client.get(f"{VERIFY}/{unknown}")
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == PROBLEM
    assert client.get(f"{VERIFY}/{'x' * 41}").status_code == 422


def test_a_code_of_a_letter_not_rendered_yet_says_so(client: TestClient, organ_a: Staff) -> None:
    from tests.letters.helpers import letters, online

    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    body = client.get(f"{VERIFY}/{receipt['verify_code']}").json()
    assert body["verdict"] == "issued"
    assert body["pdf_sha256"] is None
    assert body["signature"]["status"] == "pending"


def test_an_unsigned_letter_verifies_by_its_hash(client: TestClient, runtime: Runtime) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-u")
    letter, pdf = receipt_pdf(client, Staff(runtime, "org-u"), organ_code="org-u")
    body = upload(client, pdf).json()
    assert body["verdict"] == "unaltered"
    assert body["signature"]["status"] == "not_signed"
    assert client.get(f"{VERIFY}/{letter['verify_code']}").json()["signature"]["status"] == (
        "not_signed"
    )
    # Its code is read from the metadata or the page when the bytes differ.
    changed = upload(client, flip_byte(pdf, b"%%EOF")).json()
    assert changed["verdict"] == "altered"
    assert changed["number"] == letter["number"]


def test_a_letter_signed_by_someone_else_is_not_the_organs(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-u")
    letter, pdf = receipt_pdf(client, Staff(runtime, "org-u"), organ_code="org-u")
    # Someone signs the (unsigned) letter with a certificate of their own.
    creds = read_pkcs12(
        self_signed_pkcs12("冒名机关", "pw", now=VALID_FROM), "pw", now=runtime.clock()
    )
    stored = StoredCredentials(
        id=999,
        certificate_der=creds.certificate_der,
        chain_der=(),
        key_sealed=seal_key(runtime.token_key, creds.key_der),
    )
    identity = SigningIdentity(0, "x", stored)
    forged = PadesSigner(runtime.token_key).sign(pdf, identity, verify_url=None).pdf
    body = upload(client, forged).json()
    assert body["verdict"] == "altered"
    assert body["number"] == letter["number"]
    assert body["signature"]["status"] == "unknown_signer"
    assert body["signature"]["signer"] == "冒名机关"


def test_uploads_and_unknown_codes_are_braked_per_address(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    runtime.settings.verify_free_attempts = 3
    letter, pdf = receipt_pdf(client, organ_a)
    assert upload(client, pdf).status_code == 200
    assert client.get(f"{VERIFY}/0000000000").status_code == 404
    assert client.get(f"{VERIFY}/{letter['verify_code']}").status_code == 200  # not counted
    assert upload(client, pdf).status_code == 200  # the third: the free ones are used up
    r = upload(client, pdf)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    # Braked, a right code is not answered either (it would tell guesses apart).
    assert client.get(f"{VERIFY}/{letter['verify_code']}").status_code == 429
    runtime.clock.advance(minutes=11)  # type: ignore[attr-defined]
    assert upload(client, pdf).status_code == 200


def test_a_rewritten_copy_is_found_by_the_code_on_its_page(
    client: TestClient, runtime: Runtime
) -> None:
    import pikepdf

    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-u")
    letter, pdf = receipt_pdf(client, Staff(runtime, "org-u"), organ_code="org-u")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        del doc.docinfo["/Keywords"]
        out = io.BytesIO()
        doc.save(out)
    rewritten = out.getvalue()
    assert letter["verify_code"].encode() not in rewritten
    body = upload(client, rewritten).json()
    assert body["verdict"] == "altered"
    assert body["code"] == letter["verify_code"]
