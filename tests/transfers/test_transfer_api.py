"""转办 over HTTP: a clerk transfers an unconfirmed online application to another organ on the
platform; the receiving organ files it under its own number and confirms its own receipt; the
applicant's old number and query code open the new case."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import online
from tests.reply.helpers import reply_through_review
from tests.transfers.helpers import PDF, act, manual_organ, submit_with_file
from tests.web.test_query import open_case, text_of

PROBLEM = "application/problem+json"


@pytest.fixture
def first(runtime: Runtime) -> Staff:
    return manual_organ(runtime, "org-a")


@pytest.fixture
def second(runtime: Runtime) -> Staff:
    return manual_organ(runtime, "org-b")


def transfer(client: TestClient, staff: Staff, case_id: int, to: str = "org-b") -> Any:
    return act(client, staff, case_id, "transfer", to_organ=to, reason="申请的信息由乙机关制作")


def test_transfer_files_the_application_at_the_receiving_organ_under_its_own_number(
    client: TestClient, first: Staff, second: Staff, clock: Clock
) -> None:
    sent = submit_with_file(client, "org-a")
    case_id = sent["id"]
    clock.advance(days=1)

    r = transfer(client, first, case_id)

    assert r.status_code == 200, r.text
    old = r.json()
    assert old["state"] == "transferred"
    assert old["transferred_to"]["organ"]["code"] == "org-b"
    new_number = old["transferred_to"]["number"]
    assert new_number == "org-b依申〔2026〕0001号"
    new_id = old["transferred_to"]["id"]

    # The receiving organ has it unconfirmed, with the submission and the same file.
    queue = client.get(
        "/api/v1/cases", params={"state": "awaiting_confirmation"}, headers=second.headers("clerk")
    )
    assert [c["number"] for c in queue.json()["items"]] == [new_number]
    new = client.get(f"/api/v1/cases/{new_id}", headers=second.headers("clerk")).json()
    assert new["state"] == "awaiting_confirmation"
    assert new["transferred_from"]["number"] == sent["number"]
    assert new["transferred_from"]["organ"]["code"] == "org-a"
    assert new["applicant"]["name"] == old["applicant"]["name"]
    assert [i["description"] for i in new["items"]] == [i["description"] for i in old["items"]]
    [att] = new["attachments"]
    got = client.get(
        f"/api/v1/cases/{new_id}/attachments/{att['id']}", headers=second.headers("clerk")
    )
    assert got.status_code == 200
    assert got.content == PDF
    # The first organ no longer sees it as its own work; the second cannot open the first's.
    assert (
        client.get(f"/api/v1/cases/{case_id}", headers=second.headers("clerk")).status_code == 404
    )

    # Its receipt is the receiving organ's: confirmed two days after the first organ's arrival.
    clock.advance(days=1)
    confirmed = act(
        client,
        second,
        new_id,
        "confirm_receipt",
        receipt_date="2026-03-04",
        receipt_basis="confirmed",
        receipt_evidence="转办后本机关确认",
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["receipt_date"] == "2026-03-04"
    assert confirmed.json()["number"] == new_number

    # The applicant's old number and code open the new case.
    view = client.get(
        f"/api/v1/applications/{sent['number']}", headers={"X-Query-Code": sent["query_code"]}
    )
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["number"] == new_number
    assert body["receipt_date"] == "2026-03-04"
    assert body["transfer"]["from_number"] == sent["number"]
    assert body["transfer"]["number"] == new_number
    assert "已转办至" in body["transfer"]["text"]
    # One application, one timeline: submitted at the first organ, transferred, received here.
    assert [e["action"] for e in body["timeline"]] == [
        "submit",
        "transfer",
        "transfer_in",
        "confirm_receipt",
    ]
    assert new_number in body["transfer"]["text"]


def test_both_timelines_show_the_transfer(client: TestClient, first: Staff, second: Staff) -> None:
    sent = submit_with_file(client, "org-a")
    old = transfer(client, first, sent["id"]).json()
    new_id = old["transferred_to"]["id"]

    old_events = client.get(
        f"/api/v1/cases/{sent['id']}/events", headers=first.headers("clerk")
    ).json()
    last = old_events[-1]
    assert last["action"] == "transfer"
    assert last["payload"]["transfer"]["to_case"]["number"] == "org-b依申〔2026〕0001号"
    assert last["payload"]["transfer"]["reason"] == "申请的信息由乙机关制作"
    new_events = client.get(
        f"/api/v1/cases/{new_id}/events", headers=second.headers("clerk")
    ).json()
    assert new_events[0]["action"] == "transfer_in"
    assert new_events[0]["payload"]["transfer"]["from_case"]["number"] == sent["number"]
    assert new_events[0]["payload"]["transfer"]["from_organ"]["code"] == "org-a"


@pytest.mark.parametrize(
    ("to", "guard"),
    [("org-a", "transfer_not_to_own_organ"), ("org-zz", "transfer_to_platform_organ")],
)
def test_transfer_to_own_or_unknown_organ_is_refused_and_changes_nothing(
    client: TestClient, first: Staff, second: Staff, to: str, guard: str
) -> None:
    sent = submit_with_file(client, "org-a")
    before = client.get(f"/api/v1/cases/{sent['id']}", headers=first.headers("clerk")).json()

    r = transfer(client, first, sent["id"], to=to)

    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["guard"] == guard
    after = client.get(f"/api/v1/cases/{sent['id']}", headers=first.headers("clerk")).json()
    assert after == before
    total = client.get("/api/v1/cases", headers=second.headers("clerk")).json()["total"]
    assert total == 0


def test_transfer_after_receipt_is_refused(client: TestClient, first: Staff, second: Staff) -> None:
    sent = submit_with_file(client, "org-a")
    ok = act(
        client,
        first,
        sent["id"],
        "confirm_receipt",
        receipt_date="2026-03-02",
        receipt_basis="confirmed",
        receipt_evidence="电话确认",
    )
    assert ok.status_code == 200, ok.text

    r = transfer(client, first, sent["id"])

    assert r.status_code == 409, r.text
    assert r.json()["state"] == "received"
    assert "transfer" not in r.json()["allowed_actions"]
    assert client.get("/api/v1/cases", headers=second.headers("clerk")).json()["total"] == 0


def test_transfer_without_a_reason_is_refused(
    client: TestClient, first: Staff, second: Staff
) -> None:
    sent = submit_with_file(client, "org-a")

    r = act(client, first, sent["id"], "transfer", to_organ="org-b")

    assert r.status_code == 422, r.text
    assert client.get("/api/v1/cases", headers=second.headers("clerk")).json()["total"] == 0


def test_the_portal_opens_the_new_case_with_the_old_number_and_says_where_it_went(
    client: TestClient, first: Staff, second: Staff
) -> None:
    sent = submit_with_file(client, "org-a")
    moved = transfer(client, first, sent["id"]).json()
    new_number = moved["transferred_to"]["number"]

    page = text_of(open_case(client, sent))

    assert f"已转办至org-b 示例区人民政府办公室，新登记编号 {new_number}" in page
    assert f"登记编号{new_number}" in page.replace("\n", "").replace(" ", "")
    assert "待确认收到" in page


def test_the_staff_case_pages_show_the_transfer_both_ways(
    client: TestClient, first: Staff, second: Staff
) -> None:
    sent = submit_with_file(client, "org-a")
    moved = transfer(client, first, sent["id"]).json()
    new = moved["transferred_to"]

    old_view = client.get(f"/api/v1/cases/{sent['id']}", headers=first.headers("clerk")).json()
    new_view = client.get(f"/api/v1/cases/{new['id']}", headers=second.headers("clerk")).json()
    assert old_view["transferred_to"]["number"] == new["number"]
    assert old_view["allowed_actions"] == []
    assert new_view["transferred_from"] == {
        "id": sent["id"],
        "number": sent["number"],
        "organ": {"code": "org-a", "name": "org-a 示例区人民政府办公室"},
    }
    assert "transfer" in new_view["allowed_actions"]  # onward, if it is not this one's either


def test_transfer_after_a_reply_is_refused(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    case = online(client)
    replied = reply_through_review(client, organ_a, case, "withheld.state_secret", reasons="涉密")
    assert replied["state"] == "replied"

    r = transfer(client, organ_a, replied["id"])

    assert r.status_code == 409, r.text
    assert r.json()["code"] == "invalid-transition"
    after = client.get(f"/api/v1/cases/{replied['id']}", headers=organ_a.headers("clerk")).json()
    assert after["state"] == "replied"
    assert after["version"] == replied["version"]
    assert after["transferred_to"] is None
    assert client.get("/api/v1/cases", headers=organ_b.headers("clerk")).json()["total"] == 0
