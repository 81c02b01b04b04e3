"""The applicant's view as the portal shows it: next step, public timeline, remedy, correction."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Attachment
from app.runtime import Runtime
from tests.api.portal_helpers import (
    applicant_view,
    online,
    reply_and_serve,
    request_correction,
    staff_view,
)
from tests.conftest import Staff
from tests.consultations.helpers import PARTIES, start
from tests.fixtures.factories import Clock
from tests.letters.helpers import act
from tests.reply.helpers import ok
from tests.validation.samples import make_pdf

PDF = make_pdf()


def correction(client: TestClient, receipt: dict[str, Any], version: int, **kwargs: Any) -> Any:
    return client.post(
        f"/api/v1/applications/{receipt['number']}/correction",
        headers={"X-Query-Code": receipt["query_code"]},
        **({"data": {"version": str(version), **kwargs.pop("data", {})}} | kwargs),
    )


def receipt_version(client: TestClient, staff: Staff, view: dict[str, Any]) -> int:
    cases = client.get("/api/v1/cases", headers=staff.headers("clerk")).json()["items"]
    case_id = next(c["id"] for c in cases if c["number"] == view["number"])
    return int(staff_view(client, staff, case_id)["version"])


def test_a_received_case_needs_nothing_and_names_the_reply_day(
    client: TestClient, organ_a: Staff
) -> None:
    view = applicant_view(client, online(client))
    reply = next(d for d in view["deadlines"] if d["name"] == "reply")
    assert view["next_step"] == {
        "kind": "wait",
        "text": "机关正在办理，您现在无需操作。机关应在 2026年3月30日 前答复。",
        "deadline": "reply",
        "due_date": reply["due_date"],
    }
    assert reply["due_date"] == "2026-03-30"
    assert [e["action"] for e in view["timeline"]] == ["submit"]
    assert view["timeline"][0] == {"on": "2026-03-02", "action": "submit", "label": "网上提交申请"}
    assert view["remedy"] is None
    assert view["applicant_actions"] == ["withdraw"]
    assert view["version"] == receipt_version(client, organ_a, view)


def test_the_timeline_shows_public_events_only_without_names_or_notes(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    case = staff_view(client, organ_a, receipt["id"])
    clock.set("2026-03-03T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    case = ok(start(client, organ_a, case, "third_party"))
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_opinion",
            "legal",
            consultation_id="C1",
            received_on="2026-03-03",
            result="advice",
            opinion="内部意见：报价属于商业秘密",
        )
    )
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk"))
    assert {e["action"] for e in events.json()} >= {"start_consultation", "record_opinion"}

    view = applicant_view(client, receipt)

    assert [(e["on"], e["action"], e["label"]) for e in view["timeline"]] == [
        ("2026-03-02", "submit", "网上提交申请"),
        ("2026-03-03", "start_consultation", "征求第三方或其他机关意见（所需时间不计入答复期限）"),
    ]
    text = json.dumps(view, ensure_ascii=False)
    for secret in ("用户", PARTIES["third_party"], PARTIES["legal_office"], "内部意见", "商业秘密"):
        assert secret not in text


def test_awaiting_correction_asks_for_it_by_its_deadline(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-03T10:00+08:00")
    request_correction(client, organ_a, receipt["id"], received_on="2026-03-03")

    view = applicant_view(client, receipt)

    step = view["next_step"]
    assert step["kind"] == "act"
    assert step["deadline"] == "correction"
    due = next(d for d in view["deadlines"] if d["name"] == "correction")["due_date"]
    assert due is not None
    assert step["due_date"] == due
    assert "补正" in step["text"]
    assert view["applicant_actions"] == ["record_correction", "withdraw"]
    assert view["timeline"][-1]["label"] == "机关通知补正"


def test_correction_with_a_pdf_is_dated_today_and_stored_as_correction_material(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    receipt = online(client)
    clock.set("2026-03-03T10:00+08:00")
    asked = request_correction(client, organ_a, receipt["id"], received_on="2026-03-03")
    clock.set("2026-03-05T23:30+08:00")  # late evening in Beijing, still the 5th there

    backdated = correction(
        client,
        receipt,
        asked["version"],
        data={"content": "x", "corrected_receipt_date": "2026-01-01"},
    )
    assert backdated.status_code == 422  # the applicant does not choose the day

    r = correction(
        client,
        receipt,
        asked["version"],
        data={"content": "所需为2025年度的信息"},
        files=[("attachments", ("补正说明.pdf", PDF, "application/pdf"))],
    )

    assert r.status_code == 200, r.text
    view = r.json()
    assert view["state"] == "received"
    reply = next(d for d in view["deadlines"] if d["name"] == "reply")
    assert reply["start_date"] == "2026-03-05"  # the day it arrived, not the one sent
    assert view["timeline"][-1]["label"] == "收到补正"
    staff = staff_view(client, organ_a, receipt["id"])
    assert [(a["filename"], a["purpose"]) for a in staff["attachments"]] == [
        ("补正说明.pdf", "correction")
    ]
    with runtime.sessions.read() as session:
        purposes = session.scalars(select(Attachment.purpose)).all()
    assert purposes == ["correction"]


def test_correction_json_needs_content_or_files_and_a_state_awaiting_it(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    url = f"/api/v1/applications/{receipt['number']}/correction"
    headers = {"X-Query-Code": receipt["query_code"]}
    version = staff_view(client, organ_a, receipt["id"])["version"]

    refused = client.post(url, json={"content": "补正", "version": version}, headers=headers)
    assert refused.status_code == 409, refused.text  # not awaiting a correction

    asked = request_correction(client, organ_a, receipt["id"])
    empty = client.post(url, json={"content": "  ", "version": asked["version"]}, headers=headers)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["loc"] == ["body", "content"]
    bad = client.post(url, json={"content": "x", "version": "abc"}, headers=headers)
    assert bad.status_code == 422
    disguised = correction(
        client,
        receipt,
        asked["version"],
        files=[("attachments", ("a.pdf", b"MZ\x90\x00", "application/pdf"))],
    )
    assert disguised.status_code == 415, disguised.text
    stale = client.post(
        url, json={"content": "x", "version": asked["version"] - 1}, headers=headers
    )
    assert stale.status_code == 409
    wrong = client.post(
        url, json={"content": "x", "version": asked["version"]}, headers={"X-Query-Code": "0" * 24}
    )
    assert wrong.status_code == 404
    assert staff_view(client, organ_a, receipt["id"])["state"] == "awaiting_correction"


def test_the_generic_action_cannot_backdate_a_correction(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    asked = request_correction(client, organ_a, receipt["id"])
    clock.set("2026-03-04T10:00+08:00")
    r = client.post(
        f"/api/v1/applications/{receipt['number']}/actions/record_correction",
        json={"corrected_receipt_date": "2026-03-02", "version": asked["version"]},
        headers={"X-Query-Code": receipt["query_code"]},
    )
    assert r.status_code == 200, r.text
    assert next(d for d in r.json()["deadlines"] if d["name"] == "reply")["start_date"] == (
        "2026-03-04"
    )


def test_after_the_reply_the_remedy_names_the_body_the_court_and_the_last_days(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-04T10:00+08:00")
    reply_and_serve(client, organ_a, receipt["id"], served_on="2026-03-04")

    view = applicant_view(client, receipt)

    remedy = view["remedy"]
    assert remedy["clause"] == "either"
    assert remedy["reconsideration_until"] == "2026-05-06"  # 05-03 is in the May Day holiday
    assert remedy["litigation_until"] == "2026-09-04"
    assert remedy["reconsideration_body"]
    assert remedy["reconsideration_body"] in remedy["text"]
    assert remedy["court"] in remedy["text"]
    assert view["next_step"]["kind"] == "concluded"
    assert view["applicant_actions"] == []
    labels = [e["label"] for e in view["timeline"]]
    assert labels[-2:] == ["机关作出答复", "答复已送达"]
    assert not any("审核" in x or "签发" in x for x in labels)


def test_an_extension_is_explained_without_the_approvers_name(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = staff_view(client, organ_a, receipt["id"])
    extended = ok(act(client, organ_a, case, "extend", "approver", days=10, reason="需要检索档案"))
    staff_reply = next(d for d in extended["deadlines"] if d["name"] == "reply")
    assert "approver 用户" in staff_reply["explanation"]  # staff see who approved it

    view = applicant_view(client, receipt)

    reply = next(d for d in view["deadlines"] if d["name"] == "reply")
    assert reply["due_date"] == staff_reply["due_date"]
    assert "用户" not in json.dumps(view, ensure_ascii=False)
    assert "机关负责人" in reply["explanation"]
    assert view["timeline"][-1]["label"] == "延长答复期限"
