"""The case page and its workflow-generated action forms, over the JSON API's services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.letters.samples import reply_params
from app.models import Letter
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, person, staff_case
from tests.letters.helpers import pdf_text
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
ACTION_LINK = re.compile(r'href="/staff/cases/\d+/actions/([a-z_]+)"')


def _register(client: TestClient, staff: Staff, channel: str = "in_person") -> dict[str, Any]:
    payload = staff_case(channel, applicant=person(name="张三丰"))
    r = client.post(CASES, json=payload, headers=staff.headers("clerk"))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def case(client: TestClient, clock: Clock, organ_a: Staff) -> dict[str, Any]:
    clock.set("2026-03-03T09:00+08:00")
    return _register(client, organ_a)


def _as(client: TestClient, runtime: Runtime, login: str, *roles: str) -> TestClient:
    make_staff(runtime, "org-a", *roles, login=login, name=f"{login}姓名")
    return signed_in(client, login)


def _api(client: TestClient, staff: Staff, case_id: int, role: str = "clerk") -> dict[str, Any]:
    r = client.get(f"{CASES}/{case_id}", headers=staff.headers(role))
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    token = csrf(client, path)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


@pytest.mark.parametrize("role", ["clerk", "supervisor", "front_desk"])
def test_the_page_shows_what_the_api_shows(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any], role: str
) -> None:
    page = _as(client, runtime, f"u-{role}", role).get(f"/staff/cases/{case['id']}")
    assert page.status_code == 200, page.text[:2000]
    api = _api(client, organ_a, case["id"], role)
    text = page.text
    assert f"<h1>案件 {api['number']}</h1>" in text
    assert f'<dd id="case-state">{api["state_label"]}</dd>' in text
    # The API shows staff the applicant in full (it masks only lists); so does the page.
    assert f'<dd id="applicant-name">{api["applicant"]["name"]}</dd>' == (
        '<dd id="applicant-name">张三丰</dd>'
    )
    assert '<dd id="applicant-name">张三丰</dd>' in text
    for item in api["items"]:
        assert item["description"] in text
    for deadline in api["deadlines"]:
        assert deadline["label"] in text
        assert deadline["explanation"].replace("'", "&#39;").replace('"', "&#34;") in text
    assert "<details><summary>计算说明</summary>" in text
    # The actions offered are the API's allowed actions, in order.
    assert ACTION_LINK.findall(text) == api["allowed_actions"]
    # Times in Beijing time (staff_case arrives 2026-03-02 10:00+08:00, stored in UTC), the
    # delivery in words.
    assert "<dd>2026年3月2日 10:00</dd>" in text
    assert "提供形式：电子文件；获取方式：电子邮件" in text
    assert "（handed_in" not in text  # the receipt's basis in words
    # The timeline's first event, the registration, in words and in local time (the case
    # fixture registers it at 09:00 Beijing time).
    first = re.search(r'<ol class="timeline">\s*<li>(.*?)</li>', text)
    assert first, text[-1500:]
    assert re.sub(r"<[^>]+>", "", first.group(1)).startswith("2026年3月3日 09:00 ")
    assert "：机关登记申请 → 办理中" in first.group(1)
    assert "：register" not in text


def test_another_organs_case_is_the_404_page(
    client: TestClient, runtime: Runtime, organ_b: Staff, case: dict[str, Any]
) -> None:
    other = _register(client, organ_b)
    clerk = _as(client, runtime, "clerk", "clerk")
    for path in (
        f"/staff/cases/{other['id']}",
        f"/staff/cases/{other['id']}/actions/extend",
        f"/staff/cases/{other['id']}/actions/request_correction",
        "/staff/cases/999999",
    ):
        r = clerk.get(path)
        assert r.status_code == 404, path
        assert "不存在" in r.text
        assert other["number"] not in r.text


def test_request_correction_form_is_generated_from_the_yaml(
    client: TestClient, runtime: Runtime, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    r = clerk.get(f"/staff/cases/{case['id']}/actions/request_correction")
    assert r.status_code == 200, r.text[:2000]
    text = r.text
    action = runtime.workflows["foi_application"].action("request_correction")
    for field in action.payload:
        assert re.search(rf'<label for="{field.name}">{re.escape(field.label)}', text), field
    assert re.search(r'<textarea id="items_to_correct"[^>]* required', text)
    assert 'id="correction_period_wd" name="correction_period_wd" type="number"' in text
    assert 'id="notice_received_on" name="notice_received_on" type="date"' in text
    assert f'name="version" value="{case["version"]}"' in text
    assert "每行填写一项" in text
    assert "预览文书" in text  # it issues a letter: preview first


def test_confirm_receipt_form_has_the_yamls_choices(
    client: TestClient, runtime: Runtime, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    posted = _register(client, organ_a, "ordinary_mail")
    assert "confirm_receipt" in _api(client, organ_a, posted["id"])["allowed_actions"]
    desk = _as(client, runtime, "desk", "front_desk")
    text = desk.get(f"/staff/cases/{posted['id']}/actions/confirm_receipt").text
    for choice in ("handed_in", "signed_for", "confirmed", "platform_ack"):
        assert (
            f'type="radio" id="receipt_basis-{choice}" name="receipt_basis" value="{choice}"'
            in text
        )
    assert "<legend>收到日期认定依据" in text
    assert '<label for="receipt_date">收到申请日期<span class="required"' in text


def test_choices_show_their_yaml_labels_and_submit_their_codes(
    client: TestClient, runtime: Runtime, organ_a: Staff, clock: Clock
) -> None:
    clock.set("2026-03-03T09:00+08:00")
    posted = _register(client, organ_a, "ordinary_mail")
    desk = _as(client, runtime, "desk", "front_desk")
    path = f"/staff/cases/{posted['id']}/actions/confirm_receipt"
    text = desk.get(path).text
    field = runtime.workflow.action("confirm_receipt").field("receipt_basis")
    assert field.options()[1] == ("signed_for", "签收之日")
    for code, label in field.options():
        assert f'<label for="receipt_basis-{code}">{label}</label>' in text
    data = {
        "version": str(posted["version"]),
        "receipt_date": "2026-03-03",
        "receipt_basis": "confirmed",
        "receipt_evidence": "与申请人电话确认",
    }
    r = _post(desk, path, data)
    assert r.status_code == 303, r.text[:3000]
    events = desk.get(f"{CASES}/{posted['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["action"] == "confirm_receipt"
    assert events[-1]["payload"]["input"]["receipt_basis"] == "confirmed"
    # A label is not a code: the same form refuses it beside the field.
    again = _register(client, organ_a, "ordinary_mail")
    path = f"/staff/cases/{again['id']}/actions/confirm_receipt"
    bad = {**data, "version": str(again["version"]), "receipt_basis": "双方确认之日"}
    refused = _post(desk, path, bad)
    assert refused.status_code == 422, refused.text[:2000]
    assert "须为以下之一" in refused.text


def test_extend_form_and_a_guard_failure_in_words(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    boss = _as(client, runtime, "boss", "approver")
    path = f"/staff/cases/{case['id']}/actions/extend"
    text = boss.get(path).text
    assert '<label for="days">延长工作日数<span class="required"' in text
    assert '<label for="reason">延期理由<span class="required"' in text
    r = _post(
        boss,
        path,
        {"version": str(case["version"]), "days": "30", "reason": "需调查", "_confirm": "1"},
    )
    assert r.status_code == 409, r.text[:2000]
    assert "不能延长答复期限" in r.text
    assert "20" in r.text.split('id="problem"')[1].split("</div>")[0]
    assert _api(client, organ_a, case["id"])["version"] == case["version"]
    # The first submit (the letter preview) asks the guards first: no draft for a refusal.
    r = _post(boss, path, {"version": str(case["version"]), "days": "30", "reason": "需调查"})
    assert r.status_code == 409
    assert "确认并签发" not in r.text
    assert "20" in r.text.split('id="problem"')[1].split("</div>")[0]
    letters = client.get(f"{CASES}/{case['id']}/letters", headers=organ_a.headers("clerk")).json()
    assert [x for x in letters if x["kind"] == "extension_notice"] == []


def test_bad_values_are_shown_beside_their_fields(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    path = f"/staff/cases/{case['id']}/actions/request_correction"
    r = _post(
        clerk,
        path,
        {
            "version": str(case["version"]),
            "correction_period_wd": "abc",
            "notice_received_on": "soon",
        },
    )
    assert r.status_code == 422
    assert re.search(r'<p class="field-error" id="items_to_correct-error">.*必填', r.text)
    assert re.search(r'<p class="field-error" id="correction_period_wd-error">.*整数', r.text)
    assert 'id="notice_received_on-error"' in r.text
    # What was typed comes back.
    assert 'value="abc"' in r.text
    assert _api(client, organ_a, case["id"])["state"] == "received"


def test_preview_then_confirm_issues_the_letter_and_the_preview_consumed_no_number(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    path = f"/staff/cases/{case['id']}/actions/request_correction"
    data = {"version": str(case["version"]), "items_to_correct": "身份证明\n所需信息的文号"}
    for _ in range(2):  # preview twice: still a draft, still no number
        r = _post(clerk, path, data)
        assert r.status_code == 200, r.text[:2000]
        assert "确认并签发" in r.text
        link = re.search(r'href="(/staff/cases/\d+/letters/(\d+)/preview)"', r.text)
        assert link, r.text
    letters = clerk.get(f"{CASES}/{case['id']}/letters", headers=organ_a.headers("clerk")).json()
    drafts = [x for x in letters if x["kind"] == "correction_notice"]
    assert [(x["status"], x["number"]) for x in drafts] == [("draft", None)]
    pdf = clerk.get(link.group(1))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert _api(client, organ_a, case["id"])["state"] == "received"  # nothing done yet

    r = _post(clerk, path, {**data, "_confirm": "1"})
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == f"/staff/cases/{case['id']}?done=request_correction"
    page = clerk.get(r.headers["location"]).text
    assert "已完成：通知补正" in page
    api = _api(client, organ_a, case["id"])
    assert api["state"] == "awaiting_correction"
    events = clerk.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["action"] == "request_correction"
    assert events[-1]["actor_label"] == "clerk姓名"
    assert events[-1]["payload"]["input"]["items_to_correct"] == ["身份证明", "所需信息的文号"]
    with runtime.sessions.read() as session:
        issued = session.scalars(
            select(Letter).where(Letter.case_id == case["id"], Letter.kind == "correction_notice")
        ).all()
    assert [(x.status, x.seq, x.id) for x in issued] == [("issued", 1, int(link.group(2)))]
    # The issued letter downloads from the page.
    assert f'href="/staff/letters/{issued[0].id}/pdf"' in page
    assert clerk.get(f"/staff/letters/{issued[0].id}/pdf").content.startswith(b"%PDF")


def test_a_stale_form_says_who_changed_the_case_and_changes_nothing(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    boss = _as(client, runtime, "boss", "approver")
    path = f"/staff/cases/{case['id']}/actions/extend"
    # Someone else acts in between (through the JSON API).
    other = client.post(
        f"{CASES}/{case['id']}/actions/request_correction",
        json={"version": case["version"], "items_to_correct": ["身份证明"]},
        headers=organ_a.headers("clerk"),
    )
    assert other.status_code == 200, other.text
    after = other.json()
    r = _post(
        boss, path, {"version": str(case["version"]), "days": "10", "reason": "x", "_confirm": "1"}
    )
    assert r.status_code == 409
    conflict = r.text.split('id="conflict"')[1].split("</div>")[0]
    assert "案件已被他人修改" in conflict
    assert "通知补正" in conflict  # what they did
    assert "等待补正" in conflict or after["state_label"] in conflict  # the new state
    assert _api(client, organ_a, case["id"])["version"] == after["version"]


def test_posting_an_action_without_letters_performs_it(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    done = client.post(
        f"{CASES}/{case['id']}/actions/request_correction",
        json={"version": case["version"], "items_to_correct": ["身份证明"]},
        headers=organ_a.headers("clerk"),
    ).json()
    path = f"/staff/cases/{case['id']}/actions/record_notice_receipt"
    r = _post(
        clerk,
        path,
        {
            "version": str(done["version"]),
            "received_on": "2026-03-03",
            "evidence": "平台下载记录",
            "received_at": "2026-03-03T08:30",
        },
    )
    assert r.status_code == 303, r.text[:3000]
    api = _api(client, organ_a, case["id"])
    assert api["version"] == done["version"] + 1
    events = clerk.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["action"] == "record_notice_receipt"
    assert events[-1]["payload"]["input"]["received_at"] == "2026-03-03T08:30:00+08:00"


def test_csrf_is_required(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    boss = _as(client, runtime, "boss", "approver")
    r = boss.post(
        f"/staff/cases/{case['id']}/actions/extend",
        data={"version": str(case["version"]), "days": "5", "reason": "x", "_confirm": "1"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert _api(client, organ_a, case["id"])["version"] == case["version"]


@pytest.mark.parametrize(
    "path",
    [
        "/staff/cases/abc",
        "/staff/cases/-1",
        "/staff/cases/99999999999999999999",
        "/staff/cases/{id}/actions/NOPE",
        "/staff/cases/{id}/actions/no_such_action",
        "/staff/cases/{id}/actions/close_uncorrected",
        "/staff/cases/{id}/attachments/7",
        "/staff/cases/{id}/letters/7/preview",
        "/staff/letters/7/pdf",
    ],
)
def test_junk_never_answers_500(
    client: TestClient, runtime: Runtime, case: dict[str, Any], path: str
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    url = path.format(id=case["id"])
    r = clerk.get(url)
    assert 400 <= r.status_code < 500, (url, r.status_code)
    token = csrf(clerk, f"/staff/cases/{case['id']}")
    for data in (
        {"csrf_token": token},
        {"csrf_token": token, "version": "x" * 5000, "items_to_correct": "\x00"},
        {"csrf_token": token, "version": "1", "correction_period_wd": "9" * 400},
    ):
        r = clerk.post(url, data=data, follow_redirects=False)
        assert 400 <= r.status_code < 500 or r.status_code == 405, (url, r.status_code)
    junk = clerk.post(
        f"/staff/cases/{case['id']}/actions/request_correction",
        data={
            "csrf_token": token,
            "version": "1",
            "items_to_correct": "\x00\x01",
            "notice_received_on": "2026-13-40",
        },
        follow_redirects=False,
    )
    assert junk.status_code in (409, 422)


def test_worklist_rows_link_the_actions_the_case_page_offers(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    row = clerk.get("/staff/").text.split('<tr class="worklist-row')[1]
    offered = re.findall(rf'href="/staff/cases/{case["id"]}/actions/([a-z_]+)"', row)
    assert offered == _api(client, organ_a, case["id"])["allowed_actions"]
    assert offered  # a clerk has something to do on a received case
    boss = _as(client, runtime, "sup", "supervisor")
    row = boss.get("/staff/").text.split('<tr class="worklist-row')[1]
    assert "/actions/" not in row  # a supervisor reads, never acts


def test_suggestions_show_the_repeat_application_the_api_finds(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    again = _register(client, organ_a)
    api = client.get(f"{CASES}/{again['id']}/suggestions", headers=organ_a.headers("clerk")).json()
    assert [c["case_id"] for c in api["repeat_candidates"]][:1] == [case["id"]]
    clerk = _as(client, runtime, "clerk", "clerk")
    text = clerk.get(f"/staff/cases/{again['id']}").text
    section = text.split('id="suggestions-title"')[1].split("</section>")[0]
    assert f'<a href="/staff/cases/{case["id"]}">{case["number"]}</a>' in section
    # The front desk is not among the suggestions' readers: no section, as the API refuses.
    desk = _as(client, runtime, "desk", "front_desk")
    assert 'id="suggestions-title"' not in desk.get(f"/staff/cases/{again['id']}").text


def test_issuing_a_reviewed_reply_previews_it_as_signed_off_and_issues_it_unchanged(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    fields = reply_params("disclosed")
    after = client.post(
        f"{CASES}/{case['id']}/actions/submit_reply",
        json={"version": case["version"], **fields},
        headers=organ_a.headers("clerk"),
    )
    assert after.status_code == 200, after.text
    for action, role, body in (
        ("confidentiality_review", "approver", {"result": "passed"}),
        ("approve_reply", "approver", {"comments": "同意"}),
    ):
        version = _api(client, organ_a, case["id"])["version"]
        r = client.post(
            f"{CASES}/{case['id']}/actions/{action}",
            json={"version": version, **body},
            headers=organ_a.headers(role),
        )
        assert r.status_code == 200, r.text
    version = _api(client, organ_a, case["id"])["version"]
    clerk = _as(client, runtime, "clerk", "clerk")
    path = f"/staff/cases/{case['id']}/actions/issue_reply"
    r = _post(clerk, path, {"version": str(version)})
    assert r.status_code == 200, r.text[:2000]
    # The reply as reviewed and signed off, not "cannot be previewed".
    link = re.search(
        r'href="(/staff/cases/\d+/letters/(\d+)/preview)"[^>]*>预览《政府信息公开申请答复书》',
        r.text,
    )
    assert link, r.text[:3000]
    assert fields["provided"][:20] in pdf_text(clerk.get(link.group(1)).content)
    assert _api(client, organ_a, case["id"])["state"] == "under_review"

    r = _post(clerk, path, {"version": str(version), "_confirm": "1"})
    assert r.status_code == 303, r.text[:2000]
    with runtime.sessions.read() as session:
        reply = session.scalars(
            select(Letter).where(Letter.case_id == case["id"], Letter.kind == "reply")
        ).one()
    assert (reply.id, reply.status) == (int(link.group(2)), "issued")
    assert reply.fields["provided"] == fields["provided"]


def test_events_beside_the_workflow_are_named_in_words_on_the_timeline(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    contact = {
        "occurred_at": "2026-03-03T08:30:00+08:00",  # the case fixture registers at 09:00
        "party_name": "张三丰",
        "party_kind": "applicant",
        "method": "phone",
        "summary": "询问办理进度",
    }
    r = client.post(
        f"{CASES}/{case['id']}/communications", json=contact, headers=organ_a.headers("clerk")
    )
    assert r.status_code == 201, r.text
    text = _as(client, runtime, "side", "clerk").get(f"/staff/cases/{case['id']}").text
    assert "：记录沟通情况" in text
    assert "record_communication" not in text


def test_an_action_that_issues_no_letter_with_these_values_is_confirmed_before_it_is_done(
    client: TestClient, runtime: Runtime, organ_a: Staff, case: dict[str, Any]
) -> None:
    clerk = _as(client, runtime, "clerk", "clerk")
    path = f"/staff/cases/{case['id']}/actions/start_consultation"
    values = {
        "version": str(case["version"]),
        "kind": "legal_office",  # internal: no consultation letter goes out
        "party": "本机关法制机构",
        "question": "拟不予公开的理由是否充分",
    }
    step = _post(clerk, path, values)
    assert step.status_code == 200, step.text[:2000]
    assert "按所填内容，本操作不出具文书" in step.text
    assert "确认办理" in step.text
    assert _api(client, organ_a, case["id"])["version"] == case["version"]  # nothing done yet
    done = _post(clerk, path, {**values, "_confirm": "1"})
    assert done.status_code == 303, done.text[:2000]
    after = _api(client, organ_a, case["id"])
    assert after["state"] == "consulting"
    assert after["consultations"][0]["kind"] == "legal_office"
