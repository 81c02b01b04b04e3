"""Signing a rendered letter: one interface, and the PAdES implementation behind it.

`Signer` is all the letters know: a PDF and whom it is signed for in, the stored form out. The
default, `PadesSigner`, signs PAdES baseline B-B with pyhanko using the organ's newest
certificate (uploaded as PKCS#12, its key sealed with the deployment's secret key): an invisible
signature field, SHA-256, ETSI.CAdES.detached, over the whole file (the /ByteRange leaves out
only the signature itself). A certified electronic-seal service (GB/T 38540, SM2) replaces it by
implementing the same `sign`. An organ without a certificate gets its letters back unsigned.

What it costs, and why the signer is built as it is (bench/letters.py measures it beside a warm
render of ~46 ms): pyhanko's stock path took 25 ms (EC P-256) to 97 ms (RSA 2048) a letter.
Three things made that: the private key parsed again for every signature (RSA's key check alone
is ~35 ms), a trial signature to size the signature's placeholder, and building the CMS
SignedData with asn1crypto (~11 ms of pure Python for 900 bytes). Here the key is parsed once per
certificate, the placeholder is sized from the certificates, and pyhanko builds the signer's CMS
once (with a placeholder digest): as the signed attributes of a PAdES signature (content type,
message digest, signing-certificate-v2) differ between letters only in the digest, each letter
then gets that SignedData with its own digest and a fresh signature over the signed attributes.
The PDF side (field, /ByteRange, digest, incremental update) is pyhanko's own. About 3 ms.
"""

from __future__ import annotations

import base64
import io
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app import sealing

# The label the organs' private keys are sealed under (app.sealing): unusable as anything else.
KEY_LABEL = b"gongkai/organ-signing-keys/v1"
FIELD_NAME = "GongkaiSignature"
REASON = "政府信息公开文书"
_DIGEST = "sha256"
# Keys kept parsed per process (one per certificate in use).
_CACHED_SIGNERS = 64


@dataclass(frozen=True)
class StoredCredentials:
    """An organ certificate as stored: the certificate, its chain, the sealed key."""

    id: int
    certificate_der: bytes
    chain_der: tuple[bytes, ...]
    key_sealed: str


@dataclass(frozen=True)
class SigningIdentity:
    """Whom a letter is signed for: the organ and its newest certificate (None: it has none)."""

    organ_id: int
    organ_code: str
    credentials: StoredCredentials | None


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    # The organ certificate that signed it; None: stored unsigned.
    certificate_id: int | None


class Signer(Protocol):
    def sign(
        self,
        pdf: bytes,
        identity: SigningIdentity,
        *,
        verify_url: str | None,
        at: datetime | None = None,
    ) -> SignedPdf:
        """The letter's PDF in the form it is stored and served in (signed, if it can be)."""
        ...


def seal_key(service_key: bytes, key_der: bytes) -> str:
    """A private key (PKCS#8 DER) sealed for storage."""
    return sealing.seal(service_key, KEY_LABEL, key_der)


class _TemplateSigner(signers.SimpleSigner):
    """pyhanko's SimpleSigner with the key parsed once and the CMS built once (see above)."""

    def __init__(
        self, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: bytes, chain: list[bytes]
    ) -> None:
        super().__init__(
            signing_cert=asn1_x509.Certificate.load(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [asn1_x509.Certificate.load(c) for c in chain]
            ),
        )
        self._key = key
        self._template: tuple[bytes, bytes, bytes] | None = None
        self._lock = threading.Lock()

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if digest_algorithm != _DIGEST:
            return super().sign_raw(data, digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: Any = None,
        signed_attr_settings: PdfCMSSignedAttributes | None = None,
        is_pdf_sig: bool = True,
        encap_content_info: Any = None,
    ) -> cms.ContentInfo:
        usual = dry_run or not use_pades or timestamper is not None or encap_content_info
        if usual or digest_algorithm != _DIGEST or not is_pdf_sig:
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        template = self._template or await self._make_template(signed_attr_settings)
        der, attrs, placeholder = template
        # DER SET OF sorts its members by encoding; the attributes differ in their type OIDs
        # first, so a digest of the same length never changes their order.
        signed_attrs = attrs.replace(placeholder, data_digest)
        signature = self.sign_raw(signed_attrs, digest_algorithm)
        info = cms.ContentInfo.load(der)
        signer_info = info["content"]["signer_infos"][0]
        signer_info["signed_attrs"] = cms.CMSAttributes.load(signed_attrs)
        signer_info["signature"] = signature
        return info

    async def _make_template(
        self, settings: PdfCMSSignedAttributes | None
    ) -> tuple[bytes, bytes, bytes]:
        placeholder = secrets.token_bytes(32)
        info = await super().async_sign(
            placeholder, _DIGEST, use_pades=True, signed_attr_settings=settings
        )
        attrs = info["content"]["signer_infos"][0]["signed_attrs"]
        names = {a["type"].native for a in attrs}
        if "signing_time" in names:  # not PAdES: the template would freeze a time
            raise RuntimeError(f"unexpected signed attributes {sorted(names)}")
        encoded = attrs.untag().dump()
        if encoded.count(placeholder) != 1:
            raise RuntimeError("the digest placeholder is not unique in the signed attributes")
        template = (info.dump(), encoded, placeholder)
        with self._lock:
            self._template = template
        return template


class _ClockedPdfSigner(signers.PdfSigner):
    """pyhanko's PdfSigner with the signing time given (pyhanko takes its session's time from
    the system clock, and offers no parameter for it); None: the system clock's."""

    def __init__(
        self,
        meta: signers.PdfSignatureMetadata,
        signer: signers.Signer,
        at: datetime | None,
    ) -> None:
        super().__init__(meta, signer)
        self._at = at

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        if self._at is not None:
            session.system_time = self._at
        return session


class PadesSigner:
    """PAdES B-B with pyhanko and the organ's certificate (see the module docstring)."""

    def __init__(self, service_key: bytes) -> None:
        self._service_key = service_key
        self._signers: OrderedDict[int, tuple[_TemplateSigner, int]] = OrderedDict()
        self._lock = threading.Lock()

    def _signer(self, credentials: StoredCredentials) -> tuple[_TemplateSigner, int]:
        with self._lock:
            hit = self._signers.get(credentials.id)
            if hit is not None:
                self._signers.move_to_end(credentials.id)
                return hit
        key_der = sealing.unseal(self._service_key, KEY_LABEL, credentials.key_sealed)
        key = serialization.load_der_private_key(key_der, password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise TypeError(f"certificate {credentials.id}: unsupported key {type(key).__name__}")
        signer = _TemplateSigner(key, credentials.certificate_der, list(credentials.chain_der))
        # The CMS (hex digits in the file: twice its bytes) holds the certificates, the signed
        # attributes and the signature (at most 512 bytes, RSA 4096); room to spare, so pyhanko
        # need not sign twice to measure it.
        certs = len(credentials.certificate_der) + sum(map(len, credentials.chain_der))
        reserve = 2 * (2048 + certs)
        with self._lock:
            self._signers[credentials.id] = (signer, reserve)
            while len(self._signers) > _CACHED_SIGNERS:
                self._signers.popitem(last=False)
        return signer, reserve

    def sign(
        self,
        pdf: bytes,
        identity: SigningIdentity,
        *,
        verify_url: str | None,
        at: datetime | None = None,
    ) -> SignedPdf:
        """The PDF signed with the organ's newest certificate, or as it is without one; its
        signing time (the signature dictionary's /M) `at`, the service's clock, else now."""
        if identity.credentials is None:
            return SignedPdf(pdf, None)
        signer, reserve = self._signer(identity.credentials)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm=_DIGEST,
            subfilter=SigSeedSubFilter.PADES,
            reason=REASON,
            # Where anyone checks the letter; in the signature dictionary, which is never
            # compressed, so /verify finds the code even in a damaged copy.
            contact_info=verify_url,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = io.BytesIO()
        _ClockedPdfSigner(meta, signer, at).sign_pdf(writer, bytes_reserved=reserve, output=out)
        return SignedPdf(out.getvalue(), identity.credentials.id)


def chain_from_stored(chain: list[str]) -> tuple[bytes, ...]:
    """The stored chain (base64 DER each) as DER."""
    return tuple(base64.b64decode(c) for c in chain)
