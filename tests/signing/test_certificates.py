"""Reading an uploaded PKCS#12: what a signer needs, or a 422 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.errors import InvalidInput, PayloadTooLarge
from app.signing.certificates import MAX_PKCS12_BYTES, read_pkcs12, self_signed_pkcs12

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _p12(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    *,
    days: tuple[int, int] = (-10, 365),
    usage: x509.KeyUsage | None = None,
    with_key: bool = True,
    password: bytes = b"pw",
) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "示例机关")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234ABCD)
        .not_valid_before(NOW + timedelta(days=days[0]))
        .not_valid_after(NOW + timedelta(days=days[1]))
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    cert = builder.sign(key, hashes.SHA256())
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        b"x", key if with_key else None, cert, None, encryption
    )


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=not sign,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _refusal(data: bytes, password: str = "pw") -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        read_pkcs12(data, password, now=NOW)
    [error] = caught.value.extra["errors"]
    return error["loc"][-1], error["msg"]


def test_a_good_pkcs12_gives_the_certificates_facts_and_its_key() -> None:
    creds = read_pkcs12(
        self_signed_pkcs12("示例市人民政府办公室", "秘密", now=NOW), "秘密", now=NOW
    )
    assert creds.common_name == "示例市人民政府办公室"
    assert creds.subject == creds.issuer == "CN=示例市人民政府办公室,C=CN"
    assert creds.key_type == "EC P-256"
    assert creds.not_before < NOW < creds.not_after
    assert len(creds.sha256_fingerprint) == 64
    assert creds.key_der.startswith(b"0")  # DER
    rsa_creds = read_pkcs12(_p12(rsa.generate_private_key(65537, 2048)), "pw", now=NOW)
    assert rsa_creds.key_type == "RSA 2048"
    assert rsa_creds.serial_number == "1234ABCD"
    assert read_pkcs12(_p12(password=b""), "", now=NOW).key_type == "EC P-256"


def test_a_wrong_password_is_a_password_error() -> None:
    assert _refusal(_p12(), "wrong") == (
        "password",
        "证书密码不正确 / wrong password for the PKCS#12 file",
    )
    assert _refusal(_p12(), "")[0] == "password"
    assert _refusal(_p12(), "pw\x00")[0] == "password"


@pytest.mark.parametrize(
    "data",
    [b"not a certificate", b"%PDF-1.7\n...", b"0\x82\x01\x00" + b"\0" * 300, bytes(range(256))],
)
def test_anything_but_a_pkcs12_is_a_file_error(data: bytes) -> None:
    field, message = _refusal(data)
    assert field == "file"
    assert "不是 PKCS#12" in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_p12(with_key=False), "没有私钥"),
        (_p12(days=(-400, -1)), "已过期"),
        (_p12(days=(1, 400)), "尚未生效"),
        (_p12(usage=_usage(sign=False)), "不含数字签名"),
        (_p12(rsa.generate_private_key(65537, 1024)), "不足 2048 位"),
        (_p12(ec.generate_private_key(ec.SECP256K1())), "SM2"),
    ],
    ids=["no key", "expired", "not yet valid", "not for signing", "short RSA", "other curve"],
)
def test_a_certificate_that_cannot_sign_now_is_refused(data: bytes, words: str) -> None:
    field, message = _refusal(data)
    assert field == "file"
    assert words in message


def test_a_signing_usage_is_accepted() -> None:
    assert read_pkcs12(_p12(usage=_usage(sign=True)), "pw", now=NOW).key_type == "EC P-256"


def test_an_oversized_file_and_an_empty_one() -> None:
    with pytest.raises(PayloadTooLarge):
        read_pkcs12(b"0" * (MAX_PKCS12_BYTES + 1), "pw", now=NOW)
    assert _refusal(b"")[0] == "file"
