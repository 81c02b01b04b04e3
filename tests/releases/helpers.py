"""Generated documents with known strings, and driving released documents over HTTP."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pikepdf
import pymupdf
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from tests.conftest import Staff

CASES = "/api/v1/cases"

# What each generated page says: the public text stays, the secrets go.
PUBLIC = "Public budget line approved"
PUBLIC_CN = "示例街道改造项目清单"
SECRET_PHRASE = "Confidential bid price 9876543"
SECRET_CN = "报价金额壹佰贰拾万元"
ID_NUMBER = "11010519491231002X"
MOBILE = "13912345678"


@lru_cache(maxsize=1)
def _face() -> bytes:
    """MuPDF's CJK face cut down to what the generated pages say (small, quick files)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = PUBLIC + PUBLIC_CN + SECRET_PHRASE + SECRET_CN + ID_NUMBER + MOBILE
    chars += "联系人张三第页 IDmobilepagehere0123456789"
    font = TTFont(io.BytesIO(pymupdf.Font("cjk").buffer))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def text_pdf(pages: int = 3, *, secrets: bool = True) -> bytes:
    """A PDF whose pages carry public text, a secret phrase (Latin and Chinese), an ID number
    and a mobile number as real text, in an embedded face, and a drawn box."""
    doc = pymupdf.open()
    font = pymupdf.Font(fontbuffer=_face())
    for n in range(1, pages + 1):
        page = doc.new_page()
        writer = pymupdf.TextWriter(page.rect)
        writer.append((72, 80), f"{PUBLIC} page {n}", font=font, fontsize=12)
        writer.append((72, 110), f"{PUBLIC_CN}第{n}页", font=font, fontsize=12)
        if secrets:
            writer.append((72, 140), f"{SECRET_PHRASE} here", font=font, fontsize=12)
            writer.append((72, 170), f"联系人 张三 {SECRET_CN}", font=font, fontsize=12)
            writer.append((72, 200), f"ID {ID_NUMBER} mobile {MOBILE}", font=font, fontsize=12)
        writer.write_text(page)
        # A vector drawing (a signature's strokes, say) inside the area marked on page 1.
        page.draw_line((320, 300), (420, 340), color=(0, 0, 1), width=2)
    return bytes(doc.tobytes(garbage=3, deflate=True))


def image_text_pdf(text: str = "SECRET IMAGE TEXT") -> bytes:
    """A one-page PDF whose words are pixels of an image: only an area mark can take them."""
    img = Image.new("RGB", (800, 200), "white")
    draw = ImageDraw.Draw(img)
    draw.text((20, 20), "PUBLIC IMAGE TEXT", fill="black", font=ImageFont.load_default(size=40))
    draw.text((20, 110), text, fill="black", font=ImageFont.load_default(size=40))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=100)
    page.insert_image(page.rect, stream=buf.getvalue())
    return bytes(doc.tobytes(garbage=3, deflate=True))


def png(width: int = 300, height: int = 200) -> bytes:
    img = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(img).rectangle((10, 10, 100, 60), fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# --- independent extractors -----------------------------------------------------------------


def pypdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() or "" for page in reader.pages)


def pdftotext(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        out = subprocess.run(
            ["pdftotext", "-q", fh.name, "-"], capture_output=True, check=True, timeout=60
        )
    return out.stdout.decode("utf-8", "replace")


def decompressed(pdf: bytes) -> bytes:
    """Every object of the file with its streams decoded (pikepdf), and the raw file too."""
    parts = [pdf]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
            else:
                parts.append(repr(obj).encode("utf-8", "replace"))
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return b"\n".join(parts)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- HTTP -----------------------------------------------------------------------------------


def upload(
    client: TestClient,
    staff: Staff,
    case_id: int,
    data: bytes,
    *,
    filename: str = "records.pdf",
    title: str | None = "采购合同",
    role: str = "clerk",
) -> Any:
    form = {"title": title} if title is not None else {}
    return client.post(
        f"{CASES}/{case_id}/released-documents",
        data=form,
        files={"file": (filename, data, "application/octet-stream")},
        headers=staff.headers(role),
    )


def mark(client: TestClient, staff: Staff, case_id: int, doc_id: int, **body: Any) -> Any:
    return client.post(
        f"{CASES}/{case_id}/released-documents/{doc_id}/marks",
        json=body,
        headers=staff.headers("clerk"),
    )


def apply(client: TestClient, staff: Staff, case_id: int, doc_id: int) -> Any:
    return client.post(
        f"{CASES}/{case_id}/released-documents/{doc_id}/apply", headers=staff.headers("clerk")
    )


def released(client: TestClient, staff: Staff, case_id: int, doc_id: int) -> bytes:
    r = client.get(
        f"{CASES}/{case_id}/released-documents/{doc_id}/released", headers=staff.headers("clerk")
    )
    assert r.status_code == 200, r.text
    return r.content


STANDARD_MARKS: list[dict[str, Any]] = [
    {"kind": "phrase", "phrase": SECRET_PHRASE, "ground": "withheld.third_party_rights",
     "reason": "投标报价属于商业秘密"},
    {"kind": "phrase", "phrase": SECRET_CN, "ground": "withheld.third_party_rights",
     "reason": "投标报价属于商业秘密"},
    {"kind": "pattern", "pattern": "id_number", "ground": "withheld.third_party_rights",
     "reason": "个人隐私"},
    {"kind": "pattern", "pattern": "mobile_phone", "ground": "withheld.third_party_rights",
     "reason": "个人隐私"},
    {"kind": "area", "page": 1, "x0": 300, "y0": 280, "x1": 440, "y1": 360,
     "ground": "withheld.internal_affairs", "reason": "内部审批签名"},
]  # fmt: skip


def path_of(tmp: Path, data: bytes, name: str = "x.pdf") -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


PARTIAL = {
    "reasons": "所申请合同中投标报价和个人信息涉及商业秘密和个人隐私",
    "provided": "采购合同（报价和个人信息除外）",
    "provided_form": "electronic",
}


def prepared(
    client: TestClient,
    staff: Staff,
    *,
    marks: list[dict[str, Any]] | None = None,
    pdf: bytes | None = None,
    **application: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An online case with one released document uploaded, marked and applied."""
    from tests.letters.helpers import online

    case = online(client, **application)
    r = upload(client, staff, case["id"], pdf if pdf is not None else text_pdf(3))
    assert r.status_code == 201, r.text
    doc = r.json()
    for body in STANDARD_MARKS if marks is None else marks:
        r = mark(client, staff, case["id"], doc["id"], **body)
        assert r.status_code == 201, r.text
    r = apply(client, staff, case["id"], doc["id"])
    assert r.status_code == 200, r.text
    return case, r.json()


def replied(
    client: TestClient, staff: Staff, **application: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case replied to with a partial disclosure releasing one redacted document."""
    from tests.reply.helpers import case_of, reply_through_review

    case, doc = prepared(client, staff, **application)
    done = reply_through_review(
        client, staff, case_of(client, staff, case["id"]), "partially_disclosed", **PARTIAL
    )
    return {**done, "query_code": case["query_code"], "number": case["number"]}, doc
