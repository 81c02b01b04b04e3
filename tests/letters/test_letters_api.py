"""Letters through the real API: issued by the actions that send them, numbered, frozen,
downloadable by staff and by the applicant, drafts previewed, render failures rolled back."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.letters.press import LetterRenderFailed
from app.letters.service import context_sha256
from app.models import Letter
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, make_organ
from tests.letters.helpers import CASES, act, counter_case, letters, online, pdf_images, pdf_text

ITEMS = ["请注明所需信息的文号或者具体名称", "请补充身份证明文件的清晰复印件"]


def _pdf(client: TestClient, staff: Staff, letter_id: int) -> Any:
    return client.get(f"/api/v1/letters/{letter_id}/pdf", headers=staff.headers("clerk"))


def test_an_online_application_gets_a_numbered_receipt_rendered_on_first_download(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    assert receipt["kind"] == "receipt"
    assert receipt["status"] == "issued"
    # The receipt bears the registration number the applicant already holds.
    assert receipt["number"] == case["number"]
    assert receipt["issued_at"] is not None
    assert receipt["pdf_sha256"] is None  # number and context frozen now, rendered on first use
    assert receipt["template_sha256"] is None

    first = _pdf(client, organ_a, receipt["id"])
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    text = pdf_text(first.content)
    for expected in (
        case["number"],
        "张三",
        "2026年3月30日",
        "第三十一条",
    ):
        assert expected in text

    again = _pdf(client, organ_a, receipt["id"])
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    stored = letters(client, organ_a, case["id"])[0]
    assert stored["pdf_sha256"] == hashlib.sha256(first.content).hexdigest()
    assert stored["template_sha256"] is not None
    assert stored["pages"] >= 1

    cached = client.get(
        f"/api/v1/letters/{receipt['id']}/pdf",
        headers={**organ_a.headers("clerk"), "If-None-Match": first.headers["etag"]},
    )
    assert cached.status_code == 304
    assert cached.content == b""

    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[0]["payload"]["letters"][0]["number"] == case["number"]
    assert events[0]["payload"]["letters"][0]["kind"] == "receipt"


def test_awaiting_confirmation_has_no_receipt_until_confirmed_then_it_is_rendered_after(
    client: TestClient, organ_a: Staff
) -> None:
    r = client.post(
        CASES,
        json={**_mail_case_body()},
        headers=organ_a.headers("clerk"),
    )
    case = r.json()
    assert letters(client, organ_a, case["id"]) == []
    r = act(
        client,
        organ_a,
        case,
        "confirm_receipt",
        "clerk",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence="电话确认",
    )
    assert r.status_code == 200, r.text
    [receipt] = letters(client, organ_a, case["id"])
    assert receipt["action"] == "confirm_receipt"
    # Frozen in the action's transaction, rendered after it: by the worker, or by the first
    # download, whichever comes first.
    assert receipt["pdf_sha256"] is None
    assert receipt["issued_by"]
    pdf = _pdf(client, organ_a, receipt["id"])
    [stored] = letters(client, organ_a, case["id"])
    assert stored["pdf_sha256"] == hashlib.sha256(pdf.content).hexdigest()


def _mail_case_body() -> dict[str, Any]:
    from tests.fixtures.factories import staff_case

    return staff_case("ordinary_mail")


def test_request_correction_issues_the_correction_notice_with_its_items(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = counter_case(client, organ_a)
    r = act(client, organ_a, case, "request_correction", "clerk", items_to_correct=ITEMS)
    assert r.status_code == 200, r.text
    kinds = {x["kind"]: x for x in letters(client, organ_a, case["id"])}
    notice = kinds["correction_notice"]
    assert notice["number"] == "org-a依申补〔2026〕1号"
    assert notice["action"] == "request_correction"
    pdf = _pdf(client, organ_a, notice["id"])
    text = pdf_text(pdf.content)
    for expected in (*ITEMS, case["number"], "张三", "第三十条", "15个工作日"):
        assert expected in text, expected
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    with runtime.sessions.read() as session:
        frozen = session.get(Letter, notice["id"])
        assert frozen is not None
        assert frozen.context is not None
        context = frozen.context
    # The event commits to what the letter says; the PDF rendered from it is on the letter.
    assert events[-1]["payload"]["letters"] == [
        {
            "kind": "correction_notice",
            "number": "org-a依申补〔2026〕1号",
            "context_sha256": context_sha256(context),
        }
    ]
    [rendered] = [x for x in letters(client, organ_a, case["id"]) if x["id"] == notice["id"]]
    assert rendered["pdf_sha256"] == hashlib.sha256(pdf.content).hexdigest()
    assert rendered["template_sha256"] is not None


def test_a_draft_is_previewed_from_the_current_case_then_issued_by_the_action(
    client: TestClient, organ_a: Staff
) -> None:
    case = counter_case(client, organ_a)
    r = client.post(
        f"{CASES}/{case['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": ITEMS[:1]}},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft"
    assert draft["number"] is None

    html = client.get(
        f"{CASES}/{case['id']}/letters/{draft['id']}/preview?format=html",
        headers=organ_a.headers("clerk"),
    )
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "草稿" in html.text
    assert ITEMS[0] in html.text
    assert html.headers["cache-control"] == "no-store"
    pdf = client.get(
        f"{CASES}/{case['id']}/letters/{draft['id']}/preview", headers=organ_a.headers("clerk")
    )
    assert pdf.status_code == 200
    assert ITEMS[0] in pdf_text(pdf.content)

    # The same kind twice is refused; the fields can be changed instead.
    again = client.post(
        f"{CASES}/{case['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": ["x"]}},
        headers=organ_a.headers("clerk"),
    )
    assert again.status_code == 409
    changed = client.put(
        f"{CASES}/{case['id']}/letters/{draft['id']}/fields",
        json={"items_to_correct": ITEMS},
        headers=organ_a.headers("clerk"),
    )
    assert changed.status_code == 200, changed.text

    # The action issues that draft, its own payload over the draft's fields.
    r = act(client, organ_a, case, "request_correction", "clerk", items_to_correct=ITEMS[1:])
    assert r.status_code == 200, r.text
    issued = next(x for x in letters(client, organ_a, case["id"]) if x["id"] == draft["id"])
    assert issued["status"] == "issued"
    assert issued["number"] == "org-a依申补〔2026〕1号"
    text = pdf_text(_pdf(client, organ_a, draft["id"]).content)
    assert ITEMS[1] in text
    assert ITEMS[0] not in text
    assert "草稿" not in text

    # Issued letters never change.
    for method, url, body in (
        ("PUT", f"{CASES}/{case['id']}/letters/{draft['id']}/fields", {"items_to_correct": ["y"]}),
        ("DELETE", f"{CASES}/{case['id']}/letters/{draft['id']}", None),
    ):
        r = client.request(method, url, json=body, headers=organ_a.headers("clerk"))
        assert r.status_code == 409, r.text


def test_a_draft_with_wrong_fields_is_refused_naming_the_field(
    client: TestClient, organ_a: Staff
) -> None:
    case = counter_case(client, organ_a)
    r = client.post(
        f"{CASES}/{case['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": []}},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 422, r.text
    assert any("items_to_correct" in e["loc"] for e in r.json()["errors"])
    r = client.post(
        f"{CASES}/{case['id']}/letters",
        json={"kind": "no_such_kind"},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 422


def test_a_render_failure_never_stops_the_action_and_the_letter_renders_later(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = counter_case(client, organ_a)

    def broken(htmls: list[str]) -> Any:
        raise LetterRenderFailed("文书生成失败 / rendering failed")

    monkeypatch.setattr(runtime.press, "render", broken)
    # The action freezes the letter's number and context and commits without the renderer.
    r = act(client, organ_a, case, "request_correction", "clerk", items_to_correct=ITEMS)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "awaiting_correction"
    notice = next(x for x in letters(client, organ_a, case["id"]) if x["kind"] != "receipt")
    assert notice["number"] == "org-a依申补〔2026〕1号"
    assert notice["pdf_sha256"] is None
    # A download while the renderer is down says so (retry later) and changes nothing.
    r = client.get(f"/api/v1/letters/{notice['id']}/pdf", headers=organ_a.headers("clerk"))
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "letter-render-failed"

    monkeypatch.undo()
    text = pdf_text(_pdf(client, organ_a, notice["id"]).content)
    assert notice["number"] in text
    assert ITEMS[0] in text


def test_extension_and_withdrawal_issue_their_letters(client: TestClient, organ_a: Staff) -> None:
    case = counter_case(client, organ_a)
    r = act(
        client, organ_a, case, "extend", "approver", days=20, reason="涉及多个业务处室，需调取档案"
    )
    assert r.status_code == 200, r.text
    ext = next(x for x in letters(client, organ_a, case["id"]) if x["kind"] == "extension_notice")
    text = pdf_text(_pdf(client, organ_a, ext["id"]).content)
    for expected in ("涉及多个业务处室，需调取档案", "第三十三条", "2026年4月28日", case["number"]):
        assert expected in text, expected

    r = act(
        client,
        organ_a,
        r.json(),
        "withdraw",
        "clerk",
        withdrawn_on="2026-03-02",
        reason="已另行获取",
    )
    assert r.status_code == 200, r.text
    closure = next(x for x in letters(client, organ_a, case["id"]) if x["kind"] == "closure_notice")
    assert closure["number"] == "org-a依申终〔2026〕1号"
    text = pdf_text(_pdf(client, organ_a, closure["id"]).content)
    assert "撤回" in text
    assert "行政复议" not in text  # a withdrawal carries no remedy clause


def test_close_uncorrected_issues_a_closure_notice_with_the_remedy_clause(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = counter_case(client, organ_a)
    r = act(
        client,
        organ_a,
        case,
        "request_correction",
        "clerk",
        items_to_correct=ITEMS,
        notice_received_on="2026-03-02",
    )
    assert r.status_code == 200, r.text
    clock.advance(days=40)
    r = act(client, organ_a, r.json(), "close_uncorrected", "clerk")
    assert r.status_code == 200, r.text
    closure = next(x for x in letters(client, organ_a, case["id"]) if x["kind"] == "closure_notice")
    text = pdf_text(_pdf(client, organ_a, closure["id"]).content)
    for expected in (
        "第三十条",
        "示例区人民政府",
        "示例区人民法院",
        "60日",
        "6个月",
        "org-a依申补〔2026〕1号",
    ):
        assert expected in text, expected


def test_the_applicant_downloads_only_their_own_issued_letters(
    client: TestClient, organ_a: Staff
) -> None:
    mine = online(client)
    theirs = online(client)
    code = {"X-Query-Code": mine["query_code"]}
    base = f"/api/v1/applications/{mine['number']}/letters"
    listed = client.get(base, headers=code)
    assert listed.status_code == 200, listed.text
    [receipt] = listed.json()
    assert receipt["kind"] == "receipt"
    r = client.get(receipt["download"], headers=code)
    assert r.status_code == 200
    assert mine["number"] in pdf_text(r.content)

    other = letters(client, organ_a, theirs["id"])[0]
    assert client.get(f"{base}/{other['id']}/pdf", headers=code).status_code == 404
    wrong = {"X-Query-Code": theirs["query_code"]}
    assert client.get(base, headers=wrong).status_code == 404
    assert client.get(receipt["download"], headers=wrong).status_code == 404
    # No token, no staff download.
    assert client.get(f"/api/v1/letters/{receipt['id']}/pdf").status_code == 401


def test_drafts_and_third_party_letters_are_not_the_applicants(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    r = client.post(
        f"{CASES}/{case['id']}/letters",
        json={
            "kind": "third_party_consultation",
            "fields": {"party": "示例房地产开发有限公司", "question": "是否同意公开合同金额"},
        },
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 201, r.text
    code = {"X-Query-Code": case["query_code"]}
    listed = client.get(f"/api/v1/applications/{case['number']}/letters", headers=code).json()
    assert [x["kind"] for x in listed] == ["receipt"]
    r2 = client.get(
        f"/api/v1/applications/{case['number']}/letters/{r.json()['id']}/pdf", headers=code
    )
    assert r2.status_code == 404


def test_another_organ_sees_none_of_it(client: TestClient, organ_a: Staff, organ_b: Staff) -> None:
    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    b = organ_b.headers("clerk")
    assert client.get(f"{CASES}/{case['id']}/letters", headers=b).status_code == 404
    assert client.get(f"/api/v1/letters/{receipt['id']}/pdf", headers=b).status_code == 404
    r = client.get(f"{CASES}/{case['id']}/letters/{receipt['id']}/preview", headers=b)
    assert r.status_code == 404


def test_a_shared_sequence_numbers_every_kind_in_one_series(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(
            session,
            "org-a",
            settings={
                "letter_sequence": "shared",
                "letter_number_pattern": "A函〔{year}〕{seq:03d}号",
            },
        )
    staff = Staff(runtime, "org-a")
    case = counter_case(client, staff)
    act(client, staff, case, "request_correction", "clerk", items_to_correct=ITEMS)
    numbers = [x["number"] for x in letters(client, staff, case["id"])]
    assert numbers == [case["number"], "A函〔2026〕001号"]
    r = act(client, staff, case, "extend", "approver", days=5, reason="需要调取档案")
    assert r.status_code == 409  # in awaiting_correction: the workflow refuses, no number burnt
    case2 = counter_case(client, staff)
    act(client, staff, case2, "extend", "approver", days=5, reason="需要调取档案")
    numbers = [x["number"] for x in letters(client, staff, case2["id"])]
    assert numbers == [case2["number"], "A函〔2026〕002号"]


def test_the_organs_seal_image_is_printed_on_letters_issued_after_it_is_set(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    before = online(client)
    r = client.put(
        "/api/v1/admin/organs/org-a/seal",
        content=SEAL_PNG,
        headers={**admin, "Content-Type": "image/png"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["seal_sha256"] == hashlib.sha256(SEAL_PNG).hexdigest()
    bad = client.put("/api/v1/admin/organs/org-a/seal", content=b"GIF89a....", headers=admin)
    assert bad.status_code == 415
    after = online(client)
    images = {}
    for case in (before, after):
        [receipt] = letters(client, organ_a, case["id"])
        images[case["id"]] = pdf_images(_pdf(client, organ_a, receipt["id"]).content)
    assert images[before["id"]] == 0  # issued (frozen) before the seal existed
    assert images[after["id"]] == 1


def _png() -> bytes:
    import struct
    import zlib

    width = height = 8
    raw = b"".join(b"\x00" + b"\xcc\x00\x00\x80" * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


SEAL_PNG = _png()


def test_the_database_refuses_to_change_or_delete_an_issued_letter(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    _pdf(client, organ_a, receipt["id"])  # fills the PDF in, the one change allowed
    for statement in (
        "UPDATE letters SET number = 'X' WHERE id = :id",
        "UPDATE letters SET context = NULL WHERE id = :id",
        "UPDATE letters SET pdf_sha256 = 'ff' WHERE id = :id",
        "UPDATE letters SET template_sha256 = 'ff' WHERE id = :id",
        "UPDATE letters SET verify_code = 'ABCDEFGHJK' WHERE id = :id",
        "UPDATE letters SET verify_code = NULL WHERE id = :id",
        "UPDATE letters SET certificate_id = NULL WHERE id = :id",
        "UPDATE letters SET status = 'draft' WHERE id = :id",
        "DELETE FROM letters WHERE id = :id",
    ):
        with pytest.raises(DBAPIError), runtime.sessions.write.begin() as session:
            session.execute(text(statement), {"id": receipt["id"]})
    with runtime.sessions.write.begin() as session:
        session.execute(
            text("UPDATE letters SET printed_at = CURRENT_TIMESTAMP WHERE id = :id"),
            {"id": receipt["id"]},
        )


def test_the_reply_draft_is_locked_while_under_review(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = act(client, organ_a, case, "submit_reply", "clerk", outcome="disclosed", provided="见附件")
    assert r.status_code == 200, r.text
    case = r.json()
    [draft] = [x for x in letters(client, organ_a, case["id"]) if x["kind"] == "reply"]
    url = f"/api/v1/cases/{case['id']}/letters/{draft['id']}"
    h = organ_a.headers("clerk")

    edited = client.put(
        f"{url}/fields", json={"outcome": "disclosed", "provided": "别的"}, headers=h
    )
    deleted = client.delete(url, headers=h)

    assert edited.status_code == 409
    assert edited.json()["code"] == "reply-under-review"
    assert deleted.status_code == 409
    back = act(client, organ_a, case, "return_for_revision", "approver", comments="补充理由")
    assert back.status_code == 200, back.text
    edited = client.put(
        f"{url}/fields", json={"outcome": "disclosed", "provided": "别的"}, headers=h
    )
    assert edited.status_code == 200, edited.text


def test_legal_office_alone_cannot_download_letters_of_cases_it_is_not_involved_in(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    [receipt] = letters(client, organ_a, case["id"])
    url = f"/api/v1/letters/{receipt['id']}/pdf"

    assert client.get(url, headers=organ_a.headers("legal")).status_code == 404
    assert client.get(url, headers=organ_a.headers("legal", "clerk")).status_code == 200
