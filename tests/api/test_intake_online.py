"""POST /api/v1/applications: the public online form, end to end through the real app."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import unicodedata
import zipfile
import zlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from app.main import create_app
from app.models import Case
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, company, person
from tests.fixtures.identity import resident_id, uscc, with_wrong_check
from tests.validation.samples import make_pdf

URL = "/api/v1/applications"
PROBLEM = "application/problem+json"
QUERY_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
CALENDAR_2026 = "国办发明电〔2025〕7号"

# Uploads are opened and checked (app/validation/pdf.py): a real PDF, not just a signature.
PDF = make_pdf()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


PNG = _png()
JPEG = _jpeg()
OFD = _zip(
    {
        "OFD.xml": b'<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>',
        "Doc_0/Document.xml": b"<ofd:Document/>",
    }
)


def post(client: TestClient, payload: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(URL, json=payload, **kwargs)


def post_multipart(
    client: TestClient,
    payload: dict[str, Any] | None,
    attachments: list[tuple[str, bytes, str]],
    **kwargs: Any,
) -> Any:
    parts: list[tuple[str, Any]] = []
    if payload is not None:
        parts.append(("application", (None, json.dumps(payload), "application/json")))
    parts.extend(("attachments", a) for a in attachments)
    return client.post(URL, files=parts, **kwargs)


def cases_total(client: TestClient, organ: Staff) -> int:
    r = client.get("/api/v1/cases", headers=organ.headers("clerk"))
    assert r.status_code == 200, r.text
    total: int = r.json()["total"]
    return total


def staff_case(client: TestClient, organ: Staff, case_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/cases/{case_id}", headers=organ.headers("clerk"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def deadline(body: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [d for d in body["deadlines"] if d["name"] == name]
    return found


def assert_problem(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


def error_locs(r: Any) -> list[list[Any]]:
    body = assert_problem(r, 422, "validation-error")
    return [e["loc"] for e in body["errors"]]


# --- the receipt -------------------------------------------------------------------------


def test_online_submission_returns_registered_receipt(client: TestClient, organ_a: Staff) -> None:
    r = post(client, application())

    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["id"], int)
    assert body["number"] == "org-a依申〔2026〕0001号"
    assert QUERY_CODE.fullmatch(body["query_code"]), body["query_code"]
    assert body["state"] == "received"
    assert body["receipt_date"] == "2026-03-02"
    assert body["receipt_basis"] == "platform_ack"
    assert sorted(d["name"] for d in body["deadlines"]) == ["correction_notice", "reply"]
    reply = deadline(body, "reply")
    assert reply["start_date"] == "2026-03-02"
    assert reply["working_days"] == 20
    assert reply["due_date"] == "2026-03-30"
    assert reply["provisional"] is False
    assert CALENDAR_2026 in reply["explanation"]
    notice = deadline(body, "correction_notice")
    assert notice["working_days"] == 7
    assert notice["due_date"] == "2026-03-11"
    assert notice["provisional"] is False
    assert CALENDAR_2026 in notice["explanation"]


def test_consecutive_submissions_get_consecutive_numbers_and_distinct_codes(
    client: TestClient, organ_a: Staff
) -> None:
    bodies = [post(client, application()).json() for _ in range(3)]

    assert [b["number"] for b in bodies] == [
        "org-a依申〔2026〕0001号",
        "org-a依申〔2026〕0002号",
        "org-a依申〔2026〕0003号",
    ]
    assert len({b["query_code"] for b in bodies}) == 3
    assert len({b["id"] for b in bodies}) == 3


def test_receipt_date_is_the_beijing_calendar_day(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-19T17:30+00:00")  # 01:30 on 20 March in Beijing

    body = post(client, application()).json()

    assert body["receipt_date"] == "2026-03-20"
    assert deadline(body, "reply")["start_date"] == "2026-03-20"


@pytest.mark.parametrize(
    ("received", "name", "due"),
    [
        ("2026-09-18", "reply", "2026-10-22"),  # Sun 9-20 is a make-up day and counts
        ("2026-02-10", "correction_notice", "2026-02-26"),
        ("2026-02-10", "reply", "2026-03-16"),
        ("2026-09-28", "reply", "2026-10-30"),
    ],
)
def test_rules_worked_examples_through_the_api(
    client: TestClient, organ_a: Staff, clock: Clock, received: str, name: str, due: str
) -> None:
    clock.set(f"{received}T10:00+08:00")

    body = post(client, application()).json()

    assert body["receipt_date"] == received
    d = deadline(body, name)
    assert d["due_date"] == due
    assert d["provisional"] is False


def test_deadline_reaching_an_unloaded_year_is_provisional(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-12-15T10:00+08:00")

    body = post(client, application()).json()

    reply = deadline(body, "reply")
    # 2027 has no official data: weekends only, so Fri 1 January counts.
    assert reply["due_date"] == "2027-01-12"
    assert reply["provisional"] is True
    assert "暂定" in reply["explanation"]
    notice = deadline(body, "correction_notice")
    assert notice["due_date"] == "2026-12-24"
    assert notice["provisional"] is False


def test_organ_without_auto_confirm_leaves_submission_awaiting_confirmation(
    client: TestClient, admin: dict[str, str]
) -> None:
    organ = {
        "code": "org-c",
        "name": "示例县人民政府办公室",
        "reconsideration_body": "示例市人民政府",
        "court": "示例县人民法院",
        "settings": {"online_auto_confirm": False},
    }
    created = client.post("/api/v1/admin/organs", json=organ, headers=admin)
    assert created.status_code == 201, created.text

    r = post(client, application("org-c"))

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "awaiting_confirmation"
    assert body["receipt_date"] is None
    assert body["receipt_basis"] is None
    assert body["deadlines"] == []
    assert body["number"] == "org-c依申〔2026〕0001号"


# --- idempotency -------------------------------------------------------------------------


def test_same_idempotency_key_and_body_replays_first_response(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    payload = application()
    headers = {"Idempotency-Key": "submit-7f3a9c"}

    first = post(client, payload, headers=headers)
    clock.advance(minutes=3)
    second = post(client, payload, headers=headers)

    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert second.status_code == 201, second.text
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert cases_total(client, organ_a) == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(
    client: TestClient, organ_a: Staff
) -> None:
    headers = {"Idempotency-Key": "submit-1"}
    assert post(client, application(), headers=headers).status_code == 201
    other = application(items=[{"description": "另一份文件", "document_number": None}])

    r = post(client, other, headers=headers)

    assert_problem(r, 409, "idempotency-key-reused")
    assert cases_total(client, organ_a) == 1


def test_different_idempotency_keys_register_two_cases(client: TestClient, organ_a: Staff) -> None:
    payload = application()

    a = post(client, payload, headers={"Idempotency-Key": "key-a"})
    b = post(client, payload, headers={"Idempotency-Key": "key-b"})

    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["number"] != b.json()["number"]
    assert cases_total(client, organ_a) == 2


@pytest.mark.parametrize("key", ["k" * 201, "k" * 300, "has space", "中文键"])
def test_invalid_idempotency_key_is_refused(client: TestClient, organ_a: Staff, key: str) -> None:
    r = client.post(
        URL,
        content=json.dumps(application()).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key.encode()},  # type: ignore[dict-item]
    )

    assert error_locs(r) == [["header", "Idempotency-Key"]]
    assert cases_total(client, organ_a) == 0


def test_longest_valid_idempotency_key_is_accepted(client: TestClient, organ_a: Staff) -> None:
    r = post(client, application(), headers={"Idempotency-Key": "k" * 200})

    assert r.status_code == 201, r.text


# --- attachments -------------------------------------------------------------------------


def test_pdf_png_jpeg_and_ofd_attachments_are_stored_with_sniffed_types(
    client: TestClient, organ_a: Staff
) -> None:
    files = [
        ("申请书.pdf", PDF, "application/pdf"),
        ("身份证.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "application/octet-stream"),
        ("委托书.ofd", OFD, "application/zip"),
    ]

    r = post_multipart(client, application(), files)

    assert r.status_code == 201, r.text
    case = staff_case(client, organ_a, r.json()["id"])
    got = [(a["filename"], a["content_type"], a["size"], a["sha256"]) for a in case["attachments"]]
    assert got == [
        ("申请书.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        ("身份证.png", "image/png", len(PNG), hashlib.sha256(PNG).hexdigest()),
        ("photo.jpg", "image/jpeg", len(JPEG), hashlib.sha256(JPEG).hexdigest()),
        ("委托书.ofd", "application/ofd", len(OFD), hashlib.sha256(OFD).hexdigest()),
    ]


def test_attachment_download_returns_exact_bytes_as_attachment(
    client: TestClient, organ_a: Staff
) -> None:
    r = post_multipart(client, application(), [("scan.png", PNG, "image/png")])
    case_id = r.json()["id"]
    (att,) = staff_case(client, organ_a, case_id)["attachments"]

    d = client.get(
        f"/api/v1/cases/{case_id}/attachments/{att['id']}", headers=organ_a.headers("clerk")
    )

    assert d.status_code == 200
    assert d.content == PNG
    assert d.headers["content-type"] == "image/png"
    assert d.headers["content-disposition"].startswith("attachment;")
    assert d.headers["x-content-type-options"] == "nosniff"


def test_html_disguised_as_pdf_is_refused_and_burns_no_number(
    client: TestClient, organ_a: Staff
) -> None:
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

    r = post_multipart(client, application(), [("x.pdf", html, "application/pdf")])

    assert_problem(r, 415, "unsupported-media-type")
    assert cases_total(client, organ_a) == 0
    ok = post(client, application())
    assert ok.json()["number"] == "org-a依申〔2026〕0001号"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("archive.zip", _zip({"readme.txt": b"hello"})),
        ("fake.ofd", _zip({"Doc_0/OFD.xml": b"<x/>"})),  # OFD.xml must be at the root
        ("note.pdf", b"just text, %PDF-1.4 later"),
    ],
)
def test_files_of_other_types_are_refused(
    client: TestClient, organ_a: Staff, name: str, data: bytes
) -> None:
    r = post_multipart(
        client, application(), [("ok.pdf", PDF, "application/pdf"), (name, data, "")]
    )

    body = assert_problem(r, 415, "unsupported-media-type")
    assert body["filename"] == name
    assert cases_total(client, organ_a) == 0


def test_empty_attachment_is_refused(client: TestClient, organ_a: Staff) -> None:
    r = post_multipart(client, application(), [("empty.pdf", b"", "application/pdf")])

    assert error_locs(r) == [["body", "attachments", 0]]


@pytest.mark.parametrize("extra", [1, 2, 5])
def test_more_attachments_than_allowed_are_refused(
    client: TestClient, organ_a: Staff, runtime: Runtime, extra: int
) -> None:
    count = runtime.settings.max_attachments + extra

    r = post_multipart(client, application(), [(f"{i}.pdf", PDF, "") for i in range(count)])

    assert error_locs(r) == [["body", "attachments"]]
    assert cases_total(client, organ_a) == 0


def test_exactly_max_attachments_are_accepted(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    count = runtime.settings.max_attachments

    r = post_multipart(client, application(), [(f"{i}.pdf", PDF, "") for i in range(count)])

    assert r.status_code == 201, r.text
    assert len(staff_case(client, organ_a, r.json()["id"])["attachments"]) == count


def test_attachment_over_the_size_limit_is_refused(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_attachment_bytes": 1000})
    # Padded with whitespace after %%EOF, the only trailing data a PDF may carry.
    at_limit = PDF + b" " * (1000 - len(PDF))

    over = post_multipart(client, application(), [("big.pdf", at_limit + b" ", "")])
    fits = post_multipart(client, application(), [("fits.pdf", at_limit, "")])

    assert_problem(over, 413, "payload-too-large")
    assert fits.status_code == 201, fits.text
    assert fits.json()["number"] == "org-a依申〔2026〕0001号"


def test_multipart_without_application_part_is_malformed(
    client: TestClient, organ_a: Staff
) -> None:
    r = post_multipart(client, None, [("a.pdf", PDF, "application/pdf")])

    assert_problem(r, 400, "malformed-body")
    assert cases_total(client, organ_a) == 0


def test_multipart_application_part_is_validated_like_json(
    client: TestClient, organ_a: Staff
) -> None:
    payload = application(applicant={"phone": "1380013800"})

    r = post_multipart(client, payload, [("a.pdf", PDF, "application/pdf")])

    assert error_locs(r) == [["body", "application", "applicant", "phone"]]


def test_broken_multipart_body_is_malformed(client: TestClient, organ_a: Staff) -> None:
    r = client.post(
        URL,
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--xyz--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )

    assert_problem(r, 400, "malformed-body")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_other_request_content_types_are_refused(
    client: TestClient, organ_a: Staff, content_type: str
) -> None:
    r = client.post(
        URL, content=json.dumps(application()).encode(), headers={"Content-Type": content_type}
    )

    assert_problem(r, 415, "unsupported-media-type")
    assert cases_total(client, organ_a) == 0


def test_request_body_over_the_limit_is_refused(runtime: Runtime, organ_a: Staff) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_request_bytes": 2000})
    app = create_app(runtime=runtime)
    big = application(items=[{"description": "详" * 1000, "document_number": None}])

    with TestClient(app) as small:
        over = post(small, big)
        fits = post(small, application())

    assert_problem(over, 413, "payload-too-large")
    assert fits.status_code == 201, fits.text
    assert fits.json()["number"] == "org-a依申〔2026〕0001号"


def test_streamed_body_over_the_limit_is_refused(runtime: Runtime, organ_a: Staff) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_request_bytes": 2000})
    app = create_app(runtime=runtime)
    big = json.dumps(application(items=[{"description": "详" * 1000}])).encode()
    chunks = [big[i : i + 500] for i in range(0, len(big), 500)]

    with TestClient(app) as small:
        # A generator body is sent without Content-Length, so the limit applies while reading.
        r = small.post(URL, content=iter(chunks), headers={"Content-Type": "application/json"})
        assert "content-length" not in r.request.headers

    assert_problem(r, 413, "payload-too-large")
    with runtime.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_streamed_multipart_over_the_limit_is_refused(runtime: Runtime, organ_a: Staff) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_request_bytes": 2000})
    app = create_app(runtime=runtime)
    body = (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="application"\r\n\r\n'
        + json.dumps(application()).encode()
        + b"\r\n--b0undary\r\n"
        b'Content-Disposition: form-data; name="attachments"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"%" * 3000 + b"\r\n--b0undary--\r\n"
    )
    chunks = [body[i : i + 400] for i in range(0, len(body), 400)]

    with TestClient(app) as small:
        r = small.post(
            URL,
            content=iter(chunks),
            headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        )

    assert_problem(r, 413, "payload-too-large")


# --- validation ----------------------------------------------------------------------------

VALIDATION_CASES: dict[str, tuple[dict[str, Any], list[list[Any]]]] = {
    "resident_id_wrong_check_digit": (
        application(applicant={"id_number": with_wrong_check(resident_id())}),
        [["body", "applicant", "id_number"]],
    ),
    "resident_id_impossible_birth_date": (
        application(applicant={"id_number": resident_id(birth="19990230")}),
        [["body", "applicant", "id_number"]],
    ),
    "resident_id_future_birth_date": (
        application(applicant={"id_number": resident_id(birth="20900101")}),
        [["body", "applicant", "id_number"]],
    ),
    "resident_id_bad_province": (
        application(applicant={"id_number": resident_id(region="990105")}),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_wrong_check_character": (
        application(applicant=company(id_number=with_wrong_check(uscc()))),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_with_letter_i": (
        application(applicant=company(id_number="91330100MA2I11110A")),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_with_letter_o": (
        application(applicant=company(id_number="91330100MA2O11110A")),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_with_letter_z": (
        application(applicant=company(id_number="91330100MA2Z11110A")),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_with_letter_s": (
        application(applicant=company(id_number="91330100MA2S11110A")),
        [["body", "applicant", "id_number"]],
    ),
    "uscc_with_letter_v": (
        application(applicant=company(id_number="91330100MA2V11110A")),
        [["body", "applicant", "id_number"]],
    ),
    "natural_person_with_uscc": (
        application(applicant={"id_type": "uscc", "id_number": uscc()}),
        [["body", "applicant", "id_type"]],
    ),
    "organisation_without_legal_representative": (
        application(applicant=company(legal_representative=None)),
        [["body", "applicant", "legal_representative"]],
    ),
    "organisation_with_resident_id": (
        application(applicant=company(id_type="resident_id", id_number=resident_id())),
        [["body", "applicant", "id_type"]],
    ),
    "bad_phone": (
        application(applicant={"phone": "1380013800"}),
        [["body", "applicant", "phone"]],
    ),
    "bad_email": (
        application(applicant={"email": "zhangsan@"}),
        [["body", "applicant", "email"]],
    ),
    "bad_postal_code": (
        application(applicant={"postal_code": "31000"}),
        [["body", "applicant", "postal_code"]],
    ),
    "items_empty": (application(items=[]), [["body", "items"]]),
    "item_with_control_character": (
        application(items=[{"description": "文件\x07清单"}]),
        [["body", "items", 0, "description"]],
    ),
    "item_with_bidi_override": (
        application(items=[{"description": "文件\u202e单清"}]),
        [["body", "items", 0, "description"]],
    ),
    "item_description_whitespace_only": (
        application(items=[{"description": " \n\t\u3000 "}]),
        [["body", "items", 0, "description"]],
    ),
    "name_longer_than_200": (
        application(applicant={"name": "张" * 201}),
        [["body", "applicant", "name"]],
    ),
    "unknown_category": (
        application(applicant={"category": "alien"}),
        [["body", "applicant", "category"]],
    ),
    "unknown_organ_code": (application("org-zz"), [["body", "organ_code"]]),
    "email_delivery_without_email": (
        application(applicant={"email": None}, e_service_consent=False),
        [["body", "applicant", "email"]],
    ),
    "post_without_address_and_postal_code": (
        application(
            applicant={"address": None, "postal_code": None},
            delivery={"form": "paper", "method": "post"},
            e_service_consent=False,
        ),
        [["body", "applicant", "address"], ["body", "applicant", "postal_code"]],
    ),
    "inspection_by_post": (
        application(delivery={"form": "inspection", "method": "post"}),
        [["body", "delivery", "method"]],
    ),
    "e_service_address_without_consent": (
        application(e_service_consent=False, e_service_address="zhang@example.com"),
        [["body", "e_service_address"]],
    ),
    "unknown_extra_field": (application(nickname="小张"), [["body", "nickname"]]),
    "unknown_extra_field_in_applicant": (
        application(applicant={"wechat": "zs"}),
        [["body", "applicant", "wechat"]],
    ),
}


@pytest.mark.parametrize("case", list(VALIDATION_CASES))
def test_invalid_application_is_refused_naming_the_field_and_creates_nothing(
    client: TestClient, organ_a: Staff, case: str
) -> None:
    payload, locs = VALIDATION_CASES[case]

    r = post(client, payload)

    assert error_locs(r) == locs
    assert cases_total(client, organ_a) == 0
    assert post(client, application()).json()["number"] == "org-a依申〔2026〕0001号"


def test_valid_organisation_application_is_accepted(client: TestClient, organ_a: Staff) -> None:
    r = post(client, application(applicant=company()))

    assert r.status_code == 201, r.text
    stored = staff_case(client, organ_a, r.json()["id"])["applicant"]
    assert stored["category"] == "commercial_enterprise"
    assert stored["id_number"] == uscc()
    assert stored["legal_representative"] == "李四"


def test_decomposed_unicode_is_stored_composed(client: TestClient, organ_a: Staff) -> None:
    nfd_name = unicodedata.normalize("NFD", "Zoë Müller")
    nfd_item = unicodedata.normalize("NFD", "Café 项目清单")
    assert nfd_name != "Zoë Müller"
    payload = application(applicant=person(name=nfd_name), items=[{"description": nfd_item}])

    r = post(client, payload)

    assert r.status_code == 201, r.text
    case = staff_case(client, organ_a, r.json()["id"])
    assert case["applicant"]["name"] == "Zoë Müller"
    assert case["items"][0]["description"] == "Café 项目清单"


def test_phone_is_normalised_and_lowercase_x_check_digit_upper_cased(
    client: TestClient, organ_a: Staff
) -> None:
    rid = resident_id(seq="005")
    assert rid.endswith("X")
    payload = application(applicant={"phone": "+86 138 0013 8000", "id_number": rid.lower()})

    r = post(client, payload)

    assert r.status_code == 201, r.text
    applicant = staff_case(client, organ_a, r.json()["id"])["applicant"]
    assert applicant["phone"] == "13800138000"
    assert applicant["id_number"] == rid
