"""True redaction, verified by independent extractors: none of the redacted text remains
anywhere in the released file (pypdf, pdftotext, the decompressed bytes), the rest does; the
released copy has the original's pages plus the log's; each area shows its article."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from fastapi.testclient import TestClient
from pikepdf import PdfImage
from PIL import Image

from app.releases.redact import Mark, RedactionFailed, redact
from tests.conftest import Staff
from tests.letters.helpers import online
from tests.releases.helpers import (
    ID_NUMBER,
    MOBILE,
    PUBLIC,
    PUBLIC_CN,
    SECRET_CN,
    SECRET_PHRASE,
    STANDARD_MARKS,
    apply,
    decompressed,
    image_text_pdf,
    mark,
    page_count,
    path_of,
    pdftotext,
    pypdf_text,
    released,
    squeeze,
    text_pdf,
    upload,
)

SECRETS = (SECRET_PHRASE, SECRET_CN, ID_NUMBER, MOBILE)


def _redacted(
    client: TestClient, organ_a: Staff, pdf: bytes, marks: list[dict]
) -> tuple[dict, bytes]:
    case = online(client)
    r = upload(client, organ_a, case["id"], pdf)
    assert r.status_code == 201, r.text
    doc = r.json()
    for body in marks:
        r = mark(client, organ_a, case["id"], doc["id"], **body)
        assert r.status_code == 201, r.text
    r = apply(client, organ_a, case["id"], doc["id"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready", r.json()
    return r.json(), released(client, organ_a, case["id"], doc["id"])


def test_redacted_text_is_gone_for_every_extractor_and_the_rest_stays(
    client: TestClient, organ_a: Staff
) -> None:
    doc, pdf = _redacted(client, organ_a, text_pdf(3), STANDARD_MARKS)
    for text in (squeeze(pypdf_text(pdf)), squeeze(pdftotext(pdf))):
        for secret in SECRETS:
            assert squeeze(secret) not in text
        assert squeeze(PUBLIC) in text
        assert squeeze(PUBLIC_CN) in text
        assert "第十五条" in text
        assert "第十六条" in text
    raw = decompressed(pdf)
    for secret in (SECRET_PHRASE, ID_NUMBER, MOBILE, "Confidential", "9876543"):
        assert secret.encode() not in raw
    assert page_count(pdf) == 3 + 1 == doc["released_pages"]
    assert "遮盖说明" in pdftotext(pdf)
    pages = {row["page"] for row in doc["log"]}
    assert pages == {1, 2, 3}


def _image_pixels(pdf: bytes) -> Image.Image:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        (image,) = [x for x in doc.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        return PdfImage(image).as_pil_image().convert("L")


def test_text_drawn_as_an_image_is_redacted_by_area_in_the_pixels(
    client: TestClient, organ_a: Staff
) -> None:
    source = image_text_pdf()
    # The image fills the 400 x 100 pt page at 800 x 200 px: the secret line is its lower half.
    area = {"kind": "area", "page": 1, "x0": 0, "y0": 50, "x1": 400, "y1": 100,
            "ground": "withheld.state_secret", "reason": "涉密"}  # fmt: skip
    doc, pdf = _redacted(client, organ_a, source, [area])
    before, after = _image_pixels(source), _image_pixels(pdf)
    lower = (0, 110, 800, 200)
    assert before.crop(lower).getextrema()[0] < 50  # black text was there
    assert after.crop(lower).getextrema()[0] == after.crop(lower).getextrema()[1]  # now blank
    upper = (0, 0, 800, 90)
    assert after.crop(upper).tobytes() == before.crop(upper).tobytes()
    assert page_count(pdf) == 2
    assert doc["log"] == [
        {"page": 1, "mark_id": doc["marks"][0]["id"], "kind": "area",
         "ground": "withheld.state_secret", "ground_label": "属于国家秘密",
         "article": "第十四条", "reason": "涉密", "areas": 1}
    ]  # fmt: skip
    assert "第十四条" in pdftotext(pdf)


def test_drawings_under_an_area_and_the_metadata_are_removed(tmp_path: Path) -> None:
    source = pymupdf.open(stream=text_pdf(1), filetype="pdf")
    source.set_metadata({"author": "内部经办人王五", "title": "内部稿"})
    annot = source[0].add_text_annot((330, 320), "内部批注：报价偏高")
    annot.update()
    src = path_of(tmp_path, source.tobytes())
    area = Mark(
        1, "area", "withheld.internal_affairs", "内部签名", page=1, rect=(300, 280, 440, 360)
    )
    out = tmp_path / "out.pdf"
    made = redact(src, [area], out, render_log=_log_page)
    with pymupdf.open(out) as doc:
        assert doc.metadata["author"] == ""
        assert doc.metadata["title"] == ""
        page = doc[0]
        # The line crossing the area is gone (not covered); no annotation is left.
        lines = [d for d in page.get_drawings() if d["color"] == (0.0, 0.0, 1.0)]
        assert lines == []
        assert list(page.annots()) == []
    raw = decompressed(out.read_bytes())
    assert "内部经办人王五".encode("utf-16-be") not in raw
    assert "内部经办人王五".encode() not in raw
    assert "报价偏高".encode() not in raw
    assert made.pages == 2


def test_a_document_without_marks_gets_a_clean_copy_and_a_log_page(tmp_path: Path) -> None:
    src = path_of(tmp_path, text_pdf(2, secrets=False))
    out = tmp_path / "out.pdf"
    made = redact(src, [], out, render_log=_log_page)
    assert (made.original_pages, made.pages, made.rows) == (2, 3, ())
    assert squeeze(PUBLIC) in squeeze(pdftotext(out.read_bytes()))


def test_a_rotated_page_is_marked_as_it_is_shown(tmp_path: Path) -> None:
    doc = pymupdf.open(stream=text_pdf(1), filetype="pdf")
    doc[0].set_rotation(90)
    src = path_of(tmp_path, doc.tobytes())
    # Shown landscape (842 x 595): the text block, at the top left unrotated, is at the right.
    with pymupdf.open(src) as shown:
        words = shown[0].get_text("words")
        secret = next(w for w in words if w[4] == "Confidential")
        box = pymupdf.Rect(secret[:4]) * shown[0].rotation_matrix
    area = Mark(1, "area", "withheld.third_party_rights", "商业秘密", page=1,
                rect=(box.x0 - 1, box.y0 - 1, box.x1 + 1, box.y1 + 1))  # fmt: skip
    out = tmp_path / "out.pdf"
    redact(src, [area], out, render_log=_log_page)
    text = pdftotext(out.read_bytes())
    assert "Confidential" not in text
    assert squeeze(PUBLIC) in squeeze(text)


def test_a_phrase_that_survives_fails_the_redaction(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    src = path_of(tmp_path, text_pdf(1))
    phrase = Mark(1, "phrase", "withheld.third_party_rights", "商业秘密", phrase=SECRET_PHRASE)
    # A MuPDF that removed nothing: the check after the redaction refuses the copy.
    monkeypatch.setattr(pymupdf.Page, "apply_redactions", lambda self, **kw: True)
    with pytest.raises(RedactionFailed):
        redact(src, [phrase], tmp_path / "out.pdf", render_log=_log_page)


def _log_page(rows: object) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "redaction log")
    return bytes(doc.tobytes())
