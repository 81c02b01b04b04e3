"""Helpers for the signing tests: an issued letter's stored PDF, signature checks, QR codes."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from fastapi.testclient import TestClient
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.conftest import Staff
from tests.letters.helpers import letters, online


def receipt_pdf(client: TestClient, staff: Staff, **overrides: Any) -> tuple[dict[str, Any], bytes]:
    """An online application's receipt: its letter record (after rendering) and stored PDF."""
    case = online(client, **overrides)
    [receipt] = letters(client, staff, case["id"])
    r = client.get(f"/api/v1/letters/{receipt['id']}/pdf", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    [stored] = letters(client, staff, case["id"])
    return stored, r.content


def pyhanko_status(pdf: bytes, trust_root: bytes) -> PdfSignatureStatus:
    """pyhanko's own validation of the PDF's one signature against a trust root (DER)."""
    [sig] = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(trust_root)],
        allow_fetching=False,
        moment=sig.self_reported_timestamp,
    )
    return validate_pdf_signature(sig, context)


def pdfsig(pdf: bytes) -> str:
    """poppler's pdfsig report on the PDF (an independent implementation)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "letter.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
        )
    return done.stdout + done.stderr


def qr_codes(pdf: bytes, page: int = 1, dpi: int = 100) -> list[str]:
    """The QR codes on a page, read by zxing-cpp from poppler's rendering of it."""
    import zxingcpp

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "letter.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path),
             str(Path(tmp) / "page")],
            check=True,
            timeout=60,
        )  # fmt: skip
        [png] = Path(tmp).glob("page*.png")
        image = Image.open(png)
        image.load()
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def flip_byte(pdf: bytes, needle: bytes) -> bytes:
    """The PDF with one byte changed: the first byte of `needle`'s first occurrence."""
    at = pdf.index(needle)
    changed = bytearray(pdf)
    changed[at] = changed[at] ^ 0x01
    return bytes(changed)


def code_in(text: str) -> str:
    match = re.search(r"/verify/([0-9A-Z]{10})", text)
    assert match, text
    return match.group(1)
