"""Helpers for the letters tests: cases through the API, PDF text."""

from __future__ import annotations

import io
import re
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.conftest import Staff
from tests.fixtures.factories import application, staff_case

CASES = "/api/v1/cases"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all whitespace removed (lines wrap anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


# What the margins print on every page, between the body's text where a page breaks: the page
# number and the verification block (code, QR code's caption), as pdf_text gives them.
MARGINS = re.compile(
    r"—\d+—|验证码：[0-9A-Z]{5}-[0-9A-Z]{5}扫描二维码，或访问\S+?/verify"
    r"输入验证码，核验本文书是否由本机关出具、有无改动"
)


def body_text(pdf: bytes) -> str:
    """pdf_text without the margins, so a clause reads whole across a page break."""
    return MARGINS.sub("", pdf_text(pdf))


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def embedded_fonts(pdf: bytes) -> list[str]:
    """Base names of the fonts whose programs are embedded, once per font object."""
    reader = PdfReader(io.BytesIO(pdf))
    seen: dict[int, str] = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                d = desc.get_object()
                fd = d.get("/FontDescriptor")
                if fd is None:
                    continue
                fd = fd.get_object()
                if any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    seen[fd.indirect_reference.idnum] = str(d.get("/BaseFont"))
    return sorted(seen.values())


def pdf_images(pdf: bytes) -> int:
    """How many image XObjects the pages draw."""
    reader = PdfReader(io.BytesIO(pdf))
    count = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def online(client: TestClient, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/applications", json=application(**overrides))
    assert r.status_code == 201, r.text
    return r.json()


def counter_case(client: TestClient, staff: Staff, **overrides: Any) -> dict[str, Any]:
    """An application handed in at the counter today, by post delivery (paper letters)."""
    body = staff_case(
        "in_person",
        delivery={"form": "paper", "method": "post"},
        e_service_consent=False,
        **overrides,
    )
    r = client.post(CASES, json=body, headers=staff.headers("front_desk"))
    assert r.status_code == 201, r.text
    return r.json()


def act(
    client: TestClient, staff: Staff, case: dict[str, Any], action: str, role: str, **body: Any
) -> Any:
    body.setdefault("version", case["version"])
    return client.post(
        f"{CASES}/{case['id']}/actions/{action}", json=body, headers=staff.headers(*role.split("+"))
    )


def letters(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case_id}/letters", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())
