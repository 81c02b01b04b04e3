"""The organ certificate API: who may upload, what is refused, and replacement."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import OrganCertificate
from app.runtime import Runtime
from app.signing.certificates import self_signed_pkcs12
from tests.conftest import Staff
from tests.fixtures.certificates import PASSWORD, VALID_FROM, certificate_of, organ_pkcs12
from tests.fixtures.factories import bearer, make_token
from tests.signing.helpers import pyhanko_status, receipt_pdf

PROBLEM = "application/problem+json"


def certificates_url(code: str = "org-a") -> str:
    return f"/api/v1/admin/organs/{code}/certificates"


def post(
    client: TestClient,
    headers: dict[str, str],
    p12: bytes,
    password: str = PASSWORD,
    code: str = "org-a",
) -> Any:
    return client.post(
        certificates_url(code),
        files={"file": ("organ.p12", p12, "application/x-pkcs12")},
        data={"password": password},
        headers=headers,
    )


def _rows(runtime: Runtime) -> int:
    with runtime.sessions.read() as session:
        return session.scalar(select(func.count()).select_from(OrganCertificate)) or 0


def test_an_admin_uploads_a_certificate_and_it_signs_from_then_on(
    client: TestClient, organ_a: Staff, admin: dict[str, str], runtime: Runtime
) -> None:
    before, before_pdf = receipt_pdf(client, organ_a)
    new = self_signed_pkcs12("更换后的证书", "新密码", now=VALID_FROM)
    r = post(client, admin, new, "新密码")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["common_name"] == "更换后的证书"
    assert body["current"] is True
    assert body["uploaded_by"] == "admin 用户"
    assert body["key_type"] == "EC P-256"

    listed = client.get(certificates_url(), headers=admin).json()
    assert [(c["common_name"], c["current"]) for c in listed] == [
        ("更换后的证书", True),
        ("测试机关签名证书", False),  # replaced, kept
    ]
    after, after_pdf = receipt_pdf(client, organ_a)
    assert pyhanko_status(after_pdf, certificate_of(new, "新密码")).trusted
    # The letter signed before the replacement still verifies, with its own certificate.
    for letter, pdf, signer in (
        (before, before_pdf, "测试机关签名证书"),
        (after, after_pdf, "更换后的证书"),
    ):
        r = client.post("/api/v1/verify", files={"file": ("l.pdf", pdf, "application/pdf")})
        assert r.status_code == 200, r.text
        assert r.json()["verdict"] == "unaltered"
        assert r.json()["signature"] == {
            **r.json()["signature"],
            "status": "valid",
            "signer": signer,
        }
        assert r.json()["number"] == letter["number"]
    # The key is kept sealed, never as it came.
    with runtime.sessions.read() as session:
        row = session.scalars(select(OrganCertificate).order_by(OrganCertificate.id.desc())).first()
        assert row is not None
        assert b"PRIVATE KEY" not in row.key_sealed.encode()
        assert row.key_sealed.encode() not in new


@pytest.mark.parametrize(
    ("p12", "password", "field", "words"),
    [
        (organ_pkcs12(), "wrong", "password", "密码不正确"),
        (organ_pkcs12(), "x\x00y", "password", "密码不正确"),
        (organ_pkcs12(), "\u202e" + PASSWORD, "password", "密码不正确"),
        (b"just some bytes", PASSWORD, "file", "不是 PKCS#12"),
        (b"%PDF-1.7 not a certificate", PASSWORD, "file", "不是 PKCS#12"),
        (
            self_signed_pkcs12("过期", "pw", now=VALID_FROM.replace(year=2020), days=30),
            "pw",
            "file",
            "已过期",
        ),
    ],
    ids=["wrong password", "NUL password", "bidi password", "not a p12", "a pdf", "expired"],
)
def test_a_bad_upload_is_a_422_naming_the_field_and_stores_nothing(
    client: TestClient,
    organ_a: Staff,
    admin: dict[str, str],
    runtime: Runtime,
    p12: bytes,
    password: str,
    field: str,
    words: str,
) -> None:
    rows = _rows(runtime)
    r = post(client, admin, p12, password)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["errors"][0]["loc"] == ["body", field]
    assert words in r.json()["detail"]
    assert _rows(runtime) == rows


def test_uploads_that_are_not_a_form_with_a_file_are_refused(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    assert client.post(certificates_url(), json={"file": "x"}, headers=admin).status_code == 400
    r = client.post(certificates_url(), data={"password": "x"}, headers=admin)
    assert r.status_code == 400
    big = client.post(
        certificates_url(),
        files={"file": ("big.p12", b"0" * (300 * 1024), "application/x-pkcs12")},
        headers=admin,
    )
    assert big.status_code == 413
    assert post(client, admin, organ_pkcs12(), code="no-such").status_code == 404


def test_only_an_administrator_of_the_organ_or_the_platform_may_upload_or_list(
    client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str], runtime: Runtime
) -> None:
    rows = _rows(runtime)
    for role in ("clerk", "approver", "supervisor"):
        headers = organ_a.headers(role)
        assert post(client, headers, organ_pkcs12()).status_code == 403
        assert client.get(certificates_url(), headers=headers).status_code == 403
    assert post(client, {}, organ_pkcs12()).status_code == 401
    with runtime.sessions.write.begin() as session:
        admin_b = bearer(make_token(session, runtime.token_key, "org-b", "admin"))
        admin_a = bearer(make_token(session, runtime.token_key, "org-a", "admin"))
    r = post(client, admin_b, organ_pkcs12())  # another organ's administrator
    assert r.status_code == 403
    assert "本机关" in r.json()["detail"]
    assert client.get(certificates_url(), headers=admin_b).status_code == 403
    assert _rows(runtime) == rows
    assert post(client, admin_a, organ_pkcs12()).status_code == 201  # its own
    assert post(client, admin_b, organ_pkcs12(), code="org-b").status_code == 201
    assert post(client, admin, organ_pkcs12(), code="org-b").status_code == 201  # the platform's


def _withdraw(
    client: TestClient,
    headers: dict[str, str],
    certificate_id: int,
    code: str = "org-a",
    **body: Any,
) -> Any:
    return client.post(
        f"{certificates_url(code)}/{certificate_id}/withdraw",
        json=body or {"reason": "保管私钥的电脑丢失"},
        headers=headers,
    )


def test_a_withdrawn_certificate_never_signs_again_and_what_it_signed_still_verifies(
    client: TestClient, organ_a: Staff, admin: dict[str, str], clock: Any
) -> None:
    before, before_pdf = receipt_pdf(client, organ_a)
    [current] = client.get(certificates_url(), headers=admin).json()
    clock.advance(days=1)
    r = _withdraw(client, admin, current["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["current"] is False
    assert body["withdrawal_reason"] == "保管私钥的电脑丢失"
    assert body["withdrawn_by"] == "admin 用户"
    assert body["withdrawn_at"] is not None
    # Withdrawn already: refused, nothing changes.
    again = _withdraw(client, admin, current["id"], reason="再次停用")
    assert again.status_code == 409
    assert again.json()["code"] == "certificate-withdrawn"
    assert client.get(certificates_url(), headers=admin).json() == [body]

    # No certificate left: the next letter is stored unsigned.
    after, after_pdf = receipt_pdf(client, organ_a)
    assert after["signed"] is False
    assert b"/ByteRange" not in after_pdf
    # What it signed before still verifies, and says the certificate was withdrawn.
    r = client.post("/api/v1/verify", files={"file": ("l.pdf", before_pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "unaltered"
    assert r.json()["signature"]["status"] == "valid"
    assert r.json()["signature"]["certificate_withdrawn_at"] == body["withdrawn_at"]
    code = client.get(f"/api/v1/verify/{before['verify_code']}").json()
    assert code["signature"]["status"] == "signed"
    assert code["signature"]["certificate_withdrawn_at"] == body["withdrawn_at"]

    # A new upload signs again; the withdrawn one stays listed as withdrawn.
    assert post(client, admin, organ_pkcs12()).status_code == 201
    listed = client.get(certificates_url(), headers=admin).json()
    assert [(c["current"], c["withdrawn_at"] is not None) for c in listed] == [
        (True, False),
        (False, True),
    ]
    assert receipt_pdf(client, organ_a)[0]["signed"] is True


def test_withdrawing_an_older_certificate_keeps_the_one_in_use(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    [old] = client.get(certificates_url(), headers=admin).json()
    new = self_signed_pkcs12("更换后的证书", "新密码", now=VALID_FROM)
    assert post(client, admin, new, "新密码").status_code == 201
    assert _withdraw(client, admin, old["id"]).status_code == 200
    listed = client.get(certificates_url(), headers=admin).json()
    assert [(c["common_name"], c["current"]) for c in listed] == [
        ("更换后的证书", True),
        ("测试机关签名证书", False),
    ]
    _letter, pdf = receipt_pdf(client, organ_a)
    assert pyhanko_status(pdf, certificate_of(new, "新密码")).trusted


def test_withdrawal_is_for_the_organs_administrators_and_checks_its_input(
    client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str], runtime: Runtime
) -> None:
    [mine] = client.get(certificates_url(), headers=admin).json()
    [theirs] = client.get(certificates_url("org-b"), headers=admin).json()
    with runtime.sessions.write.begin() as session:
        admin_b = bearer(make_token(session, runtime.token_key, "org-b", "admin"))
    assert _withdraw(client, organ_a.headers("clerk"), mine["id"]).status_code == 403
    assert _withdraw(client, {}, mine["id"]).status_code == 401
    assert _withdraw(client, admin_b, mine["id"]).status_code == 403  # another organ's admin
    # Another organ's certificate under this organ, an unknown one, an unknown organ: 404.
    assert _withdraw(client, admin, theirs["id"]).status_code == 404
    assert _withdraw(client, admin, 999_999).status_code == 404
    assert _withdraw(client, admin, mine["id"], code="no-such").status_code == 404
    for body in ({"reason": ""}, {"reason": "  "}, {"reason": "x" * 2001}, {"why": "丢失了"}):
        r = client.post(f"{certificates_url()}/{mine['id']}/withdraw", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
    assert client.get(certificates_url(), headers=admin).json()[0]["current"] is True
