"""Correction of records about oneself (Art. 41): a second case type with its own workflow,
letter and period, beside FOI applications in the worklists and outside the annual report."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.casefile.build import build_pending
from app.runtime import Runtime
from app.workflow.definition import load_workflows
from tests.api.test_intake_online import PNG
from tests.conftest import Staff
from tests.fixtures.factories import Clock, application, make_organ, staff_case
from tests.letters.helpers import act, online, pdf_text
from tests.reply.helpers import (
    deadline,
    issued,
    ok,
    pdf,
    problem,
    reply_through_review,
    submit,
)
from tests.reports.helpers import report, table3

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
RECORD = {"description": "本人户籍登记信息中的出生日期1980年2月1日误登记为1980年1月2日"}


def file_correction(
    client: TestClient, organ_code: str = "org-a", **overrides: Any
) -> dict[str, Any]:
    """An online correction request with its evidence attached (received Mon 2026-03-02)."""
    body = application(organ_code, case_type="record_correction", items=[RECORD], **overrides)
    parts = [
        ("application", (None, json.dumps(body), "application/json")),
        ("attachments", ("出生医学证明.png", PNG, "image/png")),
    ]
    r = client.post("/api/v1/applications", files=parts)
    assert r.status_code == 201, r.text
    return dict(r.json())


def staff_case_view(client: TestClient, staff: Staff, case_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/cases/{case_id}", headers=staff.headers("clerk")))


def test_both_workflows_load_keyed_by_name() -> None:
    flows = load_workflows(WORKFLOWS)
    assert set(flows) == {"foi_application", "record_correction"}
    rc = flows["record_correction"]
    assert rc.action("submit_reply").field("outcome").choices == (
        "corrected",
        "refused",
        "forwarded",
    )
    assert rc.action("issue_reply").letter_kinds == ("record_correction_reply",)
    assert "extend" not in rc.actions  # Art. 41 sets no period: nothing to extend


def test_workflow_endpoints_answer_foi_by_default_and_the_correction_workflow_by_name(
    client: TestClient,
) -> None:
    assert ok(client.get("/api/v1/workflow"))["name"] == "foi_application"
    assert ok(client.get("/api/v1/workflow", params={"name": "record_correction"}))["name"] == (
        "record_correction"
    )
    named = ok(client.get("/api/v1/workflows/record_correction"))
    assert set(named["actions"]) >= {"confirm_receipt", "submit_reply", "issue_reply", "withdraw"}
    listed = client.get("/api/v1/workflows").json()
    assert [w["name"] for w in listed] == ["foi_application", "record_correction"]
    diagram = client.get("/api/v1/workflows/record_correction/diagram")
    assert diagram.status_code == 200
    assert "更正" in diagram.text
    assert (
        "更正" in client.get("/api/v1/workflow/diagram", params={"name": "record_correction"}).text
    )
    assert "延长" not in diagram.text
    assert client.get("/api/v1/workflows/nope").status_code == 404
    bad = client.get("/api/v1/workflow", params={"name": "nope"})
    assert bad.status_code == 422
    assert "name" in bad.text


def test_correction_request_needs_evidence(client: TestClient, organ_a: Staff) -> None:
    body = application(case_type="record_correction", items=[RECORD])
    r = problem(client.post("/api/v1/applications", json=body), 422)
    assert ["body", "attachments"] in [e["loc"] for e in r["errors"]]
    # Staff may describe paper evidence in the registration note instead.
    staff = staff_case(case_type="record_correction", items=[RECORD])
    r = problem(
        client.post("/api/v1/cases", json=staff, headers=organ_a.headers("front_desk")), 422
    )
    assert ["body", "attachments"] in [e["loc"] for e in r["errors"]]
    staff["staff_note"] = "申请人当面出示出生医学证明原件，已复印留存"
    r = client.post("/api/v1/cases", json=staff, headers=organ_a.headers("front_desk"))
    assert r.status_code == 201, r.text
    case = staff_case_view(client, organ_a, r.json()["id"])
    assert case["case_type"] == "record_correction"
    assert deadline(case, "reply")["due_date"] == "2026-03-30"


def test_refusal_without_reasons_and_forward_without_organ_are_422(
    client: TestClient, organ_a: Staff
) -> None:
    case = staff_case_view(client, organ_a, file_correction(client)["id"])
    r = problem(submit(client, organ_a, case, "refused"), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "reasons"]]
    r = problem(submit(client, organ_a, case, "forwarded", reasons="不属于本机关职能"), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "forwarded_to"]]
    r = problem(submit(client, organ_a, case, "corrected"), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "correction"]]
    r = problem(submit(client, organ_a, case, "disclosed"), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "outcome"]]
    assert staff_case_view(client, organ_a, case["id"])["state"] == "received"


@pytest.mark.parametrize(
    ("outcome", "fields", "phrases"),
    [
        (
            "corrected",
            {"correction": "出生日期更正为1980年2月1日"},
            ("已予以更正", "更正的内容：出生日期更正为1980年2月1日"),
        ),
        (
            "refused",
            {"reasons": "户籍登记的出生日期与出生医学证明存根一致，未发现登记错误"},
            ("户籍登记的出生日期与出生医学证明存根一致", "本机关决定不予更正"),
        ),
        (
            "forwarded",
            {"forwarded_to": "某市公安局某分局", "forwarded_contact": "010-12345678"},
            ("本机关无权更正", "转送有权更正的行政机关某市公安局某分局", "010-12345678"),
        ),
    ],
)
def test_correction_case_runs_from_filing_to_archive_with_its_letter(
    client: TestClient,
    organ_a: Staff,
    clock: Clock,
    runtime: Runtime,
    outcome: str,
    fields: dict[str, Any],
    phrases: tuple[str, ...],
) -> None:
    filed = file_correction(client)
    assert filed["state"] == "received"
    case = staff_case_view(client, organ_a, filed["id"])
    assert (case["case_type"], case["case_type_label"]) == ("record_correction", "更正申请")
    assert len(case["attachments"]) == 1
    reply = deadline(case, "reply")
    assert reply["due_date"] == "2026-03-30"
    assert reply["working_days"] == 20
    assert "第四十一条" in reply["explanation"]
    assert [d["name"] for d in case["deadlines"]] == ["reply"]  # no Art. 30 correction notice
    assert "extend" not in case["allowed_actions"]
    assert not list(
        client.get(f"/api/v1/cases/{case['id']}/letters", headers=organ_a.headers("clerk")).json()
    )

    clock.set("2026-03-20T10:00+08:00")
    case = ok(submit(client, organ_a, case, outcome, **fields))
    assert case["state"] == "under_review"
    assert (
        problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)["code"] == "guard-failed"
    )
    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert case["state"] == "replied"
    assert case["outcome"] == outcome
    assert case["concluded_on"] == "2026-03-20"
    assert deadline(case, "reply")["status"] == "met"
    [letter] = issued(client, organ_a, case["id"], "record_correction_reply")
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    squashed = "".join(text.split())
    assert "更正申请答复书" in squashed
    assert RECORD["description"] in squashed
    assert "第四十一条" in squashed
    for phrase in phrases:
        assert phrase in squashed, phrase
    # Remedy clause "either": reconsideration within 60 days or suit within 6 months.
    assert "60日内" in squashed
    assert "6个月内" in squashed

    clock.set("2026-03-23T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "record_service",
            "front_desk",
            method="electronic",
            delivered_at="2026-03-20T15:00:00+08:00",
            evidence="电子邮件回执",
        )
    )
    assert case["state"] == "served"
    [receipt] = issued(client, organ_a, case["id"], "service_receipt")
    assert "更正申请答复书" in "".join(pdf_text(pdf(client, organ_a, receipt["id"])).split())
    case = ok(act(client, organ_a, case, "archive", "clerk"))
    assert case["state"] == "archived"
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=organ_a.headers("clerk"))
    assert [e["action"] for e in events.json()] == [
        "submit",
        "submit_reply",
        "approve_reply",
        "issue_reply",
        "record_service",
        "archive",
    ]
    # Its case file holds the reply as issued.
    assert build_pending(runtime) == 1
    r = client.get(
        f"/api/v1/cases/{case['id']}/file",
        params={"format": "zip"},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        manifest = json.loads(z.read("manifest.json"))
    numbers = [f["number"] for f in manifest["files"] if f["kind"] == "letter"]
    assert letter["number"] in numbers


def test_period_is_the_organs_setting(client: TestClient, runtime: Runtime) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-c", settings={"record_correction_period_wd": 15})
    organ_c = Staff(runtime, "org-c")
    case = staff_case_view(client, organ_c, file_correction(client, organ_code="org-c")["id"])
    assert deadline(case, "reply")["due_date"] == "2026-03-23"  # 15 WD from Mon 2026-03-02
    foi = staff_case_view(client, organ_c, online(client, organ_code="org-c")["id"])
    assert deadline(foi, "reply")["due_date"] == "2026-03-30"  # Art. 33 is not the setting


def test_worklist_and_dashboard_show_both_case_types(client: TestClient, organ_a: Staff) -> None:
    foi = online(client)
    rc = file_correction(client)
    page = ok(client.get("/api/v1/cases", headers=organ_a.headers("clerk")))
    types = {c["id"]: (c["case_type"], c["case_type_label"]) for c in page["items"]}
    assert types == {
        foi["id"]: ("foi_application", "政府信息公开申请"),
        rc["id"]: ("record_correction", "更正申请"),
    }
    dash = ok(client.get("/api/v1/dashboard", headers=organ_a.headers("supervisor")))
    assert dash["open_cases"]["count"] == 2


def test_annual_report_is_unchanged_by_correction_cases(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    foi = online(client)
    clock.set("2026-03-20T10:00+08:00")
    foi_case = staff_case_view(client, organ_a, foi["id"])
    reply_through_review(
        client, organ_a, foi_case, "disclosed", provided="见附件", provided_form="electronic"
    )
    before = table3(report(client, organ_a, 2026))

    clock.set("2026-03-02T10:00+08:00")
    concluded = staff_case_view(client, organ_a, file_correction(client)["id"])
    file_correction(client)  # still open at the year's end: would be carried forward
    clock.set("2026-03-20T10:00+08:00")
    concluded = ok(submit(client, organ_a, concluded, "refused", reasons="登记无误"))
    concluded = ok(act(client, organ_a, concluded, "approve_reply", "approver"))
    ok(act(client, organ_a, concluded, "issue_reply", "clerk"))

    assert table3(report(client, organ_a, 2026)) == before
    assert before["new"]["total"] == 1


def test_the_applicants_download_of_the_correction_reply_serves_it_electronically(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # The answer letter of either case type is served by the applicant's own first download
    # (RULES §4: electronic service is proved by the arrival the service records).
    filed = file_correction(client)
    case = staff_case_view(client, organ_a, filed["id"])
    assert case["e_service_consent"] is True
    clock.set("2026-03-20T10:00+08:00")
    case = ok(submit(client, organ_a, case, "refused", reasons="登记信息与测绘成果一致"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver", comments="同意"))
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    [letter] = issued(client, organ_a, case["id"], "record_correction_reply")

    clock.set("2026-03-23T09:30+08:00")
    r = client.get(
        f"/api/v1/applications/{filed['number']}/letters/{letter['id']}/pdf",
        headers={"X-Query-Code": filed["query_code"]},
    )

    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF-")
    case = staff_case_view(client, organ_a, filed["id"])
    assert case["state"] == "served"
    assert case["service"]["method"] == "electronic"
    assert case["service"]["served_on"] == "2026-03-23"
    assert "reconsideration_until" in {d["name"] for d in case["deadlines"]}
