"""The front desk's pages: registering an application, the print queue, recording service by
letter number — over the same services as the JSON API, checked through that API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, resident_id, staff_case
from tests.letters.helpers import counter_case
from tests.reply.helpers import issued, reply_through_review
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
CASE_LINK = re.compile(r'href="/staff/cases/(\d+)"')
LETTER_LINK = re.compile(r'href="(/staff/letters/\d+/pdf)"')
KEY = re.compile(r'name="_key" value="([A-Za-z0-9_-]+)"')


def _form(**overrides: str) -> dict[str, str]:
    """A registration as the page posts it: a posted application signed for yesterday."""
    data = {
        "channel": "registered_mail",
        "arrived_at": "2026-03-03T09:30",
        "receipt_date": "2026-03-03",
        "receipt_basis": "signed_for",
        "receipt_evidence": "EMS 签收记录 1151234567890",
        "staff_note": "挂号信寄达",
        "_kind": "person",
        "applicant.name": "赵敏",
        "applicant.id_type": "resident_id",
        "applicant.id_number": resident_id(),
        "applicant.phone": "13800138000",
        "applicant.address": "示例市人民路100号",
        "applicant.postal_code": "310000",
        "items.0.description": "2025年本区老旧小区改造项目清单",
        "delivery.form": "paper",
        "delivery.method": "post",
        "_action": "submit",
    }
    data.update(overrides)
    return data


def _post(client: TestClient, path: str, data: dict[str, str], **kw: Any) -> Any:
    page = client.get(path.split("?")[0])
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert token, page.text[:500]
    return client.post(path, data={"csrf_token": token.group(1), **data}, **kw)


def _register(client: TestClient, **overrides: str) -> Any:
    page = client.get("/staff/register")
    key = KEY.search(page.text)
    assert key
    return _post(client, "/staff/register", {"_key": key.group(1), **_form(**overrides)})


def _case(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    r = client.get(f"{CASES}/{case_id}", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _total(client: TestClient, staff: Staff) -> int:
    r = client.get(CASES, headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


@pytest.fixture
def desk(client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff) -> TestClient:
    clock.set("2026-03-04T10:00+08:00")
    make_staff(runtime, "org-a", "front_desk", login="desk")
    return signed_in(client, "desk")


# --- registering ----------------------------------------------------------------------------


def test_the_front_desk_registers_a_posted_application_and_prints_its_receipt(
    desk: TestClient, organ_a: Staff
) -> None:
    form = desk.get("/staff/register")
    assert form.status_code == 200
    for label in (
        "渠道",
        "到达时间",
        "收到申请日期",
        "收到日期依据",
        "收到凭证",
        "代为填写",
        "登记备注",
    ):
        assert label in form.text
    assert 'href="/staff/register" aria-current="page"' in form.text

    r = _register(desk)
    assert r.status_code == 201, r.text
    case_id = int(CASE_LINK.search(r.text).group(1))  # type: ignore[union-attr]
    case = _case(desk, organ_a, case_id)
    assert case["number"] in r.text
    assert case["channel"] == "registered_mail"
    assert case["receipt_date"] == "2026-03-03"
    assert case["receipt_basis"] == "signed_for"
    assert case["state"] == "received"
    assert case["applicant"]["name"] == "赵敏"

    assert "打印受理回执" in r.text
    link = LETTER_LINK.search(r.text)
    assert link
    pdf = desk.get(link.group(1))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_an_unconfirmed_post_registers_awaiting_confirmation_without_a_receipt(
    desk: TestClient, organ_a: Staff
) -> None:
    r = _register(
        desk, channel="ordinary_mail", receipt_date="", receipt_basis="", receipt_evidence=""
    )
    assert r.status_code == 201, r.text
    assert "待确认" in r.text
    assert "打印受理回执" not in r.text
    case_id = int(CASE_LINK.search(r.text).group(1))  # type: ignore[union-attr]
    assert _case(desk, organ_a, case_id)["state"] == "awaiting_confirmation"


def test_errors_are_shown_beside_their_fields_with_the_values_kept(
    desk: TestClient, organ_a: Staff
) -> None:
    before = _total(desk, organ_a)
    r = _register(desk, **{"applicant.name": "", "applicant.phone": "12"})
    assert r.status_code == 422
    assert 'id="applicant-name-error"' in r.text
    assert 'id="applicant-phone-error"' in r.text
    assert "2025年本区老旧小区改造项目清单" in r.text  # the item typed is kept
    assert 'value="EMS 签收记录' not in r.text  # a textarea keeps it as content
    assert "EMS 签收记录 1151234567890" in r.text

    # The service's own rule: a basis that does not fit the channel.
    r = _register(desk, channel="ordinary_mail", receipt_basis="signed_for")
    assert r.status_code == 422
    assert 'id="receipt_basis-error"' in r.text
    assert _total(desk, organ_a) == before


def test_a_resubmitted_form_registers_once(desk: TestClient, organ_a: Staff) -> None:
    page = desk.get("/staff/register")
    key = KEY.search(page.text).group(1)  # type: ignore[union-attr]
    data = {"_key": key, **_form()}
    first = _post(desk, "/staff/register", data)
    again = _post(desk, "/staff/register", data)
    assert first.status_code == 201
    assert again.status_code == 200
    assert "此前已经登记过" in again.text
    ids = {CASE_LINK.search(x.text).group(1) for x in (first, again)}  # type: ignore[union-attr]
    assert len(ids) == 1
    assert _total(desk, organ_a) == 1
    # The same key with other content is refused, and the first registration stands.
    other = _post(desk, "/staff/register", {**data, "applicant.name": "钱多"})
    assert other.status_code == 409
    assert "此表单已经提交登记过" in other.text
    assert _total(desk, organ_a) == 1


def test_adding_an_item_row_keeps_everything_typed(desk: TestClient) -> None:
    r = _post(desk, "/staff/register", _form(_action="add"))
    assert r.status_code == 200
    assert 'name="items.1.description"' in r.text
    assert 'value="赵敏"' in r.text
    assert 'value="EMS' not in r.text


# --- the print queue ------------------------------------------------------------------------


def _queued_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="letter_ids" value="(\d+)"', html)]


def test_the_print_queue_prints_a_batch_and_reprints_it(desk: TestClient, organ_a: Staff) -> None:
    r = _register(desk)
    case_id = int(CASE_LINK.search(r.text).group(1))  # type: ignore[union-attr]
    receipt = issued(desk, organ_a, case_id, "receipt")[0]

    page = desk.get("/staff/print")
    assert page.status_code == 200
    assert _queued_ids(page.text) == [receipt["id"]]
    assert "2026年3月4日 出具 · 邮寄" in page.text
    assert receipt["number"] in page.text

    printed = _post(desk, "/staff/print", {"letter_ids": str(receipt["id"])})
    assert printed.status_code == 200, printed.text
    assert printed.content.startswith(b"%PDF")
    batch_id = printed.headers["x-print-batch-id"]

    # The letter left the queue (as the API says too); the batch is listed for reprinting.
    page = desk.get("/staff/print")
    assert _queued_ids(page.text) == []
    assert desk.get("/api/v1/print-queue", headers=organ_a.headers("front_desk")).json() == []
    assert f'href="/staff/print/batches/{batch_id}/pdf"' in page.text
    again = desk.get(f"/staff/print/batches/{batch_id}/pdf")
    assert again.status_code == 200
    assert again.content == printed.content
    listed = desk.get("/api/v1/print-batches", headers=organ_a.headers("clerk")).json()
    assert [b["id"] for b in listed] == [int(batch_id)]


def test_printing_nothing_or_junk_is_a_message_beside_the_list(desk: TestClient) -> None:
    _register(desk)
    for data in ({}, {"letter_ids": "abc"}, {"letter_ids": "999999"}, {"letter_ids": "0"}):
        r = _post(desk, "/staff/print", data)
        assert r.status_code == 422, (data, r.text[:300])
        assert 'id="letter_ids-error"' in r.text
    assert len(_queued_ids(desk.get("/staff/print").text)) == 1
    assert desk.get("/staff/print/batches/99999/pdf").status_code == 404
    assert desk.get("/staff/print/batches/x/pdf").status_code in (400, 404, 422)


def test_another_organs_letters_and_batches_are_not_found(
    desk: TestClient, client: TestClient, organ_b: Staff, clock: Clock
) -> None:
    case = counter_case(client, organ_b, arrived_at="2026-03-04T09:00:00+08:00")
    letter = issued(client, organ_b, case["id"], "receipt")[0]
    assert letter["id"] not in _queued_ids(desk.get("/staff/print").text)
    assert desk.get(f"/staff/letters/{letter['id']}/pdf").status_code == 404
    r = _post(desk, "/staff/print", {"letter_ids": str(letter["id"])})
    assert r.status_code == 422


# --- recording service ----------------------------------------------------------------------


@pytest.fixture
def replied(client: TestClient, organ_a: Staff, clock: Clock) -> dict[str, Any]:
    """A counter case whose reply was issued on 2026-03-20, now 2026-03-24."""
    clock.set("2026-03-02T10:00+08:00")
    case = counter_case(client, organ_a)
    clock.set("2026-03-20T10:00+08:00")
    case = reply_through_review(client, organ_a, case, **reply_params("disclosed"))
    assert case["state"] == "replied"
    clock.set("2026-03-24T10:00+08:00")
    return case


@pytest.fixture
def late_desk(client: TestClient, runtime: Runtime, replied: dict[str, Any]) -> TestClient:
    """The front desk, signed in once the reply is out."""
    make_staff(runtime, "org-a", "front_desk", login="desk")
    return signed_in(client, "desk")


def test_service_is_recorded_by_letter_number(
    late_desk: TestClient, organ_a: Staff, replied: dict[str, Any]
) -> None:
    desk = late_desk
    reply = issued(desk, organ_a, replied["id"], "reply")[0]
    page = desk.get("/staff/service", params={"number": reply["number"]})
    assert page.status_code == 200
    assert replied["number"] in page.text
    assert 'id="record-title"' in page.text
    assert f'name="version" value="{replied["version"]}"' in page.text
    # The methods as the YAML names them, checked as the case's delivery says (by post).
    assert "邮寄送达" in page.text
    assert re.search(r'value="post"\s+checked', page.text)

    # The proof of posting is missing: said beside the fields, nothing changes.
    data = {"number": reply["number"], "version": str(replied["version"]), "method": "post"}
    r = _post(desk, "/staff/service", {**data, "served_on": "2026-03-23"})
    assert r.status_code == 422
    assert 'id="tracking_number-error"' in r.text
    assert 'id="posted_on-error"' in r.text
    assert 'value="2026-03-23"' in r.text
    assert _case(desk, organ_a, replied["id"])["state"] == "replied"

    fields = {
        "served_on": "2026-03-23",
        "tracking_number": "1151234567890",
        "posted_on": "2026-03-20",
    }
    r = _post(desk, "/staff/service", {**data, **fields}, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = _case(desk, organ_a, replied["id"])
    assert after["state"] == "served"
    assert after["service"]["method"] == "post"
    assert after["service"]["served_on"] == "2026-03-23"
    done = desk.get(r.headers["location"])
    assert "已登记送达" in done.text
    assert 'id="record-title"' not in done.text

    # The same form again is stale: a conflict, nothing more recorded.
    r = _post(desk, "/staff/service", {**data, **fields})
    assert r.status_code == 409
    assert _case(desk, organ_a, replied["id"])["version"] == after["version"]


def test_an_unknown_number_is_a_message_beside_the_field(desk: TestClient) -> None:
    r = desk.get("/staff/service", params={"number": "示府依复〔2026〕999号"})
    assert r.status_code == 404
    assert 'id="number-error"' in r.text
    assert "没有文书编号为" in r.text
    r = _post(desk, "/staff/service", {"number": "nope", "method": "post"})
    assert r.status_code == 422
    assert 'id="number-error"' in r.text


def test_a_letter_whose_service_is_not_recorded_here_says_so(
    desk: TestClient, organ_a: Staff
) -> None:
    r = _register(desk)
    case_id = int(CASE_LINK.search(r.text).group(1))  # type: ignore[union-attr]
    receipt = issued(desk, organ_a, case_id, "receipt")[0]
    page = desk.get("/staff/service", params={"number": receipt["number"]})
    assert page.status_code == 200
    assert "《政府信息公开申请登记回执》的送达不作登记" in page.text
    assert 'id="record-title"' not in page.text


# --- who may, CSRF, junk --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "approver", "legal"])
def test_roles_the_api_refuses_are_refused(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, role: str
) -> None:
    clock.set("2026-03-04T10:00+08:00")
    api = client.post(CASES, json=staff_case(), headers=organ_a.headers(role))
    assert api.status_code == 403
    assert client.get("/api/v1/print-queue", headers=organ_a.headers(role)).status_code == 403
    make_staff(runtime, "org-a", role, login=role)
    signed_in(client, role)
    for path in ("/staff/register", "/staff/print", "/staff/service"):
        r = client.get(path)
        assert r.status_code == 403, path
    home = client.get("/staff/")
    assert 'href="/staff/register"' not in home.text


def test_signed_out_pages_go_to_the_sign_in(client: TestClient) -> None:
    for path in ("/staff/register", "/staff/print", "/staff/service", "/staff/letters/1/pdf"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/staff/login")


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(
    desk: TestClient, organ_a: Staff
) -> None:
    r = desk.post("/staff/register", data=_form())
    assert r.status_code == 403
    assert _total(desk, organ_a) == 0
    assert desk.post("/staff/print", data={"letter_ids": "1"}).status_code == 403
    assert desk.post("/staff/service", data={"number": "x"}).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "pigeon"},
        {"arrived_at": "yesterday"},
        {"arrived_at": "0001-01-01T00:00"},
        {"arrived_at": "2030-01-01T00:00"},
        {"receipt_date": "2026-02-30"},
        {"receipt_basis": "platform_ack"},
        {"filled_by_staff": "true"},
        {"_kind": "organisation"},
        {"items.0.description": ""},
        {"items.9999.description": "x" * 6000},
        {"delivery.method": "carrier"},
        {"applicant.email": "not-an-address", "e_service_consent": "true"},
        {"_action": "remove-abc"},
        {"staff_note": "\x00"},
    ],
)
def test_junk_registrations_never_500(
    desk: TestClient, organ_a: Staff, data: dict[str, str]
) -> None:
    r = _register(desk, **data)
    assert r.status_code < 500, r.text[:500]
    if r.status_code >= 400:
        assert "field-error" in r.text or "error-summary" in r.text


def test_junk_service_forms_never_500(
    late_desk: TestClient, replied: dict[str, Any], organ_a: Staff
) -> None:
    desk = late_desk
    reply = issued(desk, organ_a, replied["id"], "reply")[0]
    for extra in (
        {"method": "teleport"},
        {"method": "electronic", "delivered_at": "soon"},
        {"method": "electronic", "delivered_at": "2026-03-23T10:00", "evidence": "邮件回执"},
        {"method": "in_person", "served_on": "2026-13-01"},
        {"version": "abc", "method": "post"},
        {"version": "99999999999999", "method": "post"},
    ):
        r = _post(
            desk,
            "/staff/service",
            {"number": reply["number"], "version": str(replied["version"]), **extra},
        )
        assert r.status_code in (409, 422, 428), (extra, r.status_code, r.text[:300])
    assert _case(desk, organ_a, replied["id"])["state"] == "replied"
    for number in ("", "x" * 500, "\x00", "%00"):
        assert desk.get("/staff/service", params={"number": number}).status_code < 500
