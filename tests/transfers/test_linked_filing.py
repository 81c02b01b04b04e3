"""After receipt: a reply `unavailable.not_this_organ` naming an organ on the platform files the
application there for an applicant who agreed (同意转交), linked to the first case, and the
reply letter says so; without consent, or naming an organ off the platform, nothing is filed;
a code that names no other organ on the platform is refused with the reply."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.api.test_write_hygiene import snapshot
from tests.conftest import Staff
from tests.letters.helpers import online, pdf_text
from tests.reply.helpers import issued, pdf, reply_through_review, submit

NOT_THIS_ORGAN = "unavailable.not_this_organ"
REASONS = "加装电梯补贴资金的审核、拨付由乙机关负责，相关信息由该机关制作和保存"


def responsible(code: str | None) -> dict[str, Any]:
    named = {"name": "org-b 示例区人民政府办公室", "contact": "电话010-66001234"}
    return {**named, "code": code} if code else named


def reply_naming(
    client: TestClient, staff: Staff, *, consent: bool, code: str | None
) -> tuple[dict[str, Any], str]:
    """The case replied (not this organ's, naming organ `code`) and the applicant's query code."""
    case = online(client, transfer_consent=consent)
    assert case["state"] == "received"
    replied = reply_through_review(
        client, staff, case, NOT_THIS_ORGAN, reasons=REASONS, responsible_organ=responsible(code)
    )
    return replied, case["query_code"]


def cases_at(client: TestClient, staff: Staff) -> list[dict[str, Any]]:
    r = client.get("/api/v1/cases", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_with_consent_the_reply_files_the_application_at_the_named_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff, runtime: Runtime
) -> None:
    replied, query_code = reply_naming(client, organ_a, consent=True, code="org-b")

    assert replied["state"] == "replied"
    assert replied["outcome"] == NOT_THIS_ORGAN
    assert replied["transfer_consent"] is True
    filed = replied["transferred_to"]
    assert filed["organ"]["code"] == "org-b"
    [new] = cases_at(client, organ_b)
    assert new["number"] == filed["number"] == "org-b依申〔2026〕0001号"
    assert new["state"] == "awaiting_confirmation"
    full = client.get(f"/api/v1/cases/{new['id']}", headers=organ_b.headers("clerk")).json()
    assert full["transferred_from"]["number"] == replied["number"]
    assert full["channel"] == replied["channel"]
    # The reply letter says where the application went, under which number.
    [letter] = issued(client, organ_a, replied["id"], "reply")
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    assert "负责公开该政府信息的行政机关为org-b示例区人民政府办公室" in text
    assert (
        "本机关已将你的申请转交org-b示例区人民政府办公室，登记编号org-b依申〔2026〕0001号" in text
    )
    # The applicant's code opens both: the first number its reply, the new one the new case.
    code = {"X-Query-Code": query_code}
    first_view = client.get(f"/api/v1/applications/{replied['number']}", headers=code).json()
    assert first_view["number"] == replied["number"]
    assert first_view["state"] == "replied"
    assert first_view["transfer"]["kind"] == "linked_filing"
    assert first_view["transfer"]["number"] == filed["number"]
    second_view = client.get(f"/api/v1/applications/{filed['number']}", headers=code).json()
    assert second_view["state"] == "awaiting_confirmation"
    assert second_view["transfer"]["from_number"] == replied["number"]
    # The first case's timeline records the filing.
    events = client.get(
        f"/api/v1/cases/{replied['id']}/events", headers=organ_a.headers("clerk")
    ).json()
    assert events[-1]["action"] == "issue_reply"
    assert events[-1]["payload"]["transfer"]["kind"] == "linked_filing"
    assert events[-1]["payload"]["transfer"]["to_case"]["number"] == filed["number"]


@pytest.mark.parametrize(("consent", "code"), [(False, "org-b"), (True, None)])
def test_without_consent_or_an_organ_on_the_platform_nothing_is_filed(
    client: TestClient, organ_a: Staff, organ_b: Staff, consent: bool, code: str | None
) -> None:
    replied, _ = reply_naming(client, organ_a, consent=consent, code=code)

    assert replied["state"] == "replied"
    assert replied["transferred_to"] is None
    assert cases_at(client, organ_b) == []
    [letter] = issued(client, organ_a, replied["id"], "reply")
    text = pdf_text(pdf(client, organ_a, letter["id"]))
    assert "负责公开该政府信息的行政机关为org-b示例区人民政府办公室" in text
    assert "转交" not in text


@pytest.mark.parametrize("code", ["org-zz", "org-a"])
def test_a_code_naming_no_other_organ_on_the_platform_is_refused(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, code: str
) -> None:
    case = online(client, transfer_consent=True)
    organ_a.headers("clerk")  # the clerk's user exists before the snapshot
    before = snapshot(runtime)
    r = submit(
        client, organ_a, case, NOT_THIS_ORGAN, reasons=REASONS, responsible_organ=responsible(code)
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "responsible-organ-unknown"
    assert problem["errors"][0]["loc"] == ["fields", "responsible_organ", "code"]
    assert snapshot(runtime) == before
    # A draft saved on its own is refused the same way.
    r = client.post(
        f"/api/v1/cases/{case['id']}/letters",
        json={"kind": "reply", "fields": {"responsible_organ": responsible(code)}},
        headers=organ_a.headers("clerk"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "responsible-organ-unknown"
