"""An organ's signing certificate as an administrator uploads it: a PKCS#12 file and its password.

Pure: no database. `read_pkcs12` checks what a signer needs — a certificate with its private key,
of a kind the signer can use, valid now and meant for signing — and refuses anything else with a
422 naming the field (`file` or `password`). `self_signed_pkcs12` makes the demo's certificates
and the tests'.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.errors import InvalidInput, PayloadTooLarge

# A PKCS#12 holds a key and a few certificates: a few KB; a long chain stays far below this.
MAX_PKCS12_BYTES = 256 * 1024
MAX_PASSWORD = 1000
FILE_FIELD = "file"
PASSWORD_FIELD = "password"  # noqa: S105 (a form field's name)
# Curves the PAdES signer (pyhanko) and common PDF readers verify.
CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
MIN_RSA_BITS = 2048

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Credentials:
    """A checked certificate with its private key, and what the admin page shows of it."""

    subject: str
    common_name: str
    issuer: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str
    key_type: str
    certificate_der: bytes
    chain_der: tuple[bytes, ...]
    key_der: bytes  # PKCS#8, unencrypted: sealed before it is stored


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(("body", field), message)


def _looks_like_pkcs12(data: bytes) -> bool:
    """Whether the bytes are a PKCS#12 structure at all (whatever its password)."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return bool(pfx["auth_safe"]["content_type"].native)
    except (ValueError, TypeError, KeyError, OverflowError):
        return False


def key_type(key: object) -> str:
    """ "RSA 2048", "EC P-256" ..., or 422 for a key the signer cannot use."""
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise _refuse(
                FILE_FIELD,
                f"RSA 密钥不足 {MIN_RSA_BITS} 位 / the RSA key is shorter than {MIN_RSA_BITS} bits",
            )
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in CURVES:
        return f"EC {CURVES[key.curve.name]}"
    raise _refuse(
        FILE_FIELD,
        "仅支持 RSA（2048 位以上）或 ECDSA（P-256/P-384/P-521）密钥；SM2 国密证书须接入电子印章"
        "服务 / only RSA (2048 bits or more) and ECDSA (P-256, P-384, P-521) keys are supported; "
        "SM2 certificates need the electronic seal service",
    )


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    text = values[0].value if values else name.rfc4514_string()
    return text if isinstance(text, str) else text.decode("utf-8", "replace")


def read_pkcs12(data: bytes, password: str, *, now: datetime) -> Credentials:
    """The checked credentials of an uploaded PKCS#12, or 413/422 saying what is wrong."""
    if len(data) > MAX_PKCS12_BYTES:
        raise PayloadTooLarge(
            f"证书文件不超过 {MAX_PKCS12_BYTES // 1024} KB / the PKCS#12 file must be under "
            f"{MAX_PKCS12_BYTES // 1024} KB"
        )
    if not data:
        raise _refuse(FILE_FIELD, "请选择证书文件（.p12 或 .pfx）/ choose the PKCS#12 file")
    if len(password) > MAX_PASSWORD:
        raise _refuse(PASSWORD_FIELD, "密码过长 / the password is too long")
    if not _looks_like_pkcs12(data):
        raise _refuse(
            FILE_FIELD,
            "不是 PKCS#12 证书文件（.p12 或 .pfx）/ the file is not a PKCS#12 (.p12/.pfx) file",
        )
    loaded = None
    if "\x00" in password:  # a C string: OpenSSL could not even be asked
        raise _refuse(PASSWORD_FIELD, "证书密码不正确 / wrong password for the PKCS#12 file")
    # No password given: the file may have an empty password or none at all.
    for attempt in [password.encode("utf-8")] if password else [b"", None]:
        try:
            loaded = pkcs12.load_key_and_certificates(data, attempt)
            break
        except UnsupportedAlgorithm:
            raise _refuse(
                FILE_FIELD,
                "证书文件的加密算法过旧，无法读取，请以 AES 加密重新导出 / the file is encrypted "
                "with an algorithm no longer supported; export it again with AES",
            ) from None
        except (ValueError, TypeError):
            continue
    if loaded is None:
        raise _refuse(PASSWORD_FIELD, "证书密码不正确 / wrong password for the PKCS#12 file")
    key, cert, extra = loaded
    if key is None:
        raise _refuse(
            FILE_FIELD,
            "文件中没有私钥，无法用于签名 / the file holds no private key, so it cannot sign",
        )
    if cert is None:
        raise _refuse(FILE_FIELD, "文件中没有证书 / the file holds no certificate")
    kind = key_type(key)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise _refuse(
            FILE_FIELD, "私钥与证书不匹配 / the private key does not belong to the certificate"
        )
    if now < cert.not_valid_before_utc:
        raise _refuse(
            FILE_FIELD,
            f"证书尚未生效（{cert.not_valid_before_utc:%Y-%m-%d} 起）/ the certificate is not "
            "valid yet",
        )
    if now > cert.not_valid_after_utc:
        raise _refuse(
            FILE_FIELD,
            f"证书已过期（{cert.not_valid_after_utc:%Y-%m-%d} 到期）/ the certificate has expired",
        )
    _check_usage(cert)
    der = cert.public_bytes(serialization.Encoding.DER)
    return Credentials(
        subject=cert.subject.rfc4514_string(),
        common_name=_common_name(cert.subject),
        issuer=cert.issuer.rfc4514_string(),
        serial_number=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256_fingerprint=hashlib.sha256(der).hexdigest(),
        key_type=kind,
        certificate_der=der,
        chain_der=tuple(c.public_bytes(serialization.Encoding.DER) for c in extra),
        key_der=key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _check_usage(cert: x509.Certificate) -> None:
    """A certificate whose key usage excludes signing documents is refused."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise _refuse(
            FILE_FIELD,
            "该证书的密钥用法不含数字签名 / the certificate's key usage does not allow signing",
        )


def self_signed_pkcs12(
    common_name: str,
    password: str,
    *,
    now: datetime | None = None,
    days: int = 3 * 365,
    organization: str | None = None,
) -> bytes:
    """A self-signed EC P-256 signing certificate with its key, as a PKCS#12 (demo, tests)."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    name = x509.Name(attributes)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"),
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
