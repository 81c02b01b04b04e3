"""True redaction, verified by independent extractors: none of the redacted text remains
anywhere in the released file (pypdf, pdftotext, the decompressed bytes), the rest does; the
released copy has the original's pages plus the log's; each area shows its article."""

from __future__ import annotations

from fastapi.testclient import TestClient

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
    mark,
    page_count,
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
