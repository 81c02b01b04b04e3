"""Publishing locks a year (RULES §8): a change that would alter its numbers is refused unless an
administrator granted an override with a reason, which the timeline and the report show."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, staff_case
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, ok, problem, reply_through_review
from tests.reports.helpers import REPORTS, report, table3

CASES = "/api/v1/cases"


def _published_2026(
    client: TestClient, staff: Staff, clock: Clock
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An answered case and an open one received in 2026; 2026 published on 10 January 2027."""
    answered = reply_through_review(
        client, staff, online(client), "withheld.state_secret", reasons="涉密"
    )
    open_case = online(client, applicant=company())
    clock.set("2027-01-10T10:00+08:00")
    r = client.post(f"{REPORTS}/2026/lock", headers=staff.headers("approver"))
    assert r.status_code == 200, r.text
    assert r.json()["lock"]["locked_by"]
    return answered, case_of(client, staff, open_case["id"])


def test_only_a_finished_year_is_published_once_by_an_approver_or_admin(
    client: TestClient, organ_a: Staff, clock: Clock, admin: dict[str, str]
) -> None:
    url = f"{REPORTS}/2026/lock"
    assert problem(client.post(url, headers=organ_a.headers("approver")), 409)["code"] == (
        "report-year-not-over"
    )
    clock.set("2027-01-10T10:00+08:00")
    for role in ("clerk", "supervisor", "front_desk", "legal"):
        problem(client.post(url, headers=organ_a.headers(role)), 403)
    problem(client.post(url, headers=admin), 422)  # which organ?
    assert client.post(url, params={"organ": "org-a"}, headers=admin).status_code == 200
    again = problem(client.post(url, headers=organ_a.headers("approver")), 409)
    assert again["code"] == "report-already-locked"
    assert report(client, organ_a, 2026)["lock"]["overrides"] == []
    assert report(client, organ_a, 2025)["lock"] is None


def test_what_does_not_touch_the_locked_numbers_goes_on(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _, open_case = _published_2026(client, organ_a, clock)
    before = table3(report(client, organ_a, 2026))
    # Answering in 2027 a case carried forward from 2026 leaves 2026 as published.
    reply_through_review(client, organ_a, open_case, "disclosed", provided="全文")
    assert table3(report(client, organ_a, 2026)) == before
    assert report(client, organ_a, 2026)["lock"]["changed_since_publication"] == []


def test_a_retroactive_change_is_refused_and_changes_nothing(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _, open_case = _published_2026(client, organ_a, clock)
    r = act(client, organ_a, open_case, "withdraw", "clerk", withdrawn_on="2026-12-30")
    body = problem(r, 409)
    assert body["code"] == "report-year-locked"
    assert body["year"] == 2026
    assert "carried_forward/commercial_enterprise" in body["cells"]
    assert "other.3/commercial_enterprise" in body["cells"]
    assert "2026" in body["detail"]
    after = case_of(client, organ_a, open_case["id"])
    assert (after["state"], after["version"]) == (open_case["state"], open_case["version"])


def test_an_admin_override_lets_one_change_through_and_both_timeline_and_report_show_it(
    client: TestClient, organ_a: Staff, clock: Clock, admin: dict[str, str]
) -> None:
    _, open_case = _published_2026(client, organ_a, clock)
    url = f"{REPORTS}/2026/overrides"
    reason = "申请人于2026年12月30日书面撤回，材料迟至2027年1月移交登记"
    grant = {"case_id": open_case["id"], "reason": reason}
    problem(client.post(url, json=grant, headers=organ_a.headers("approver")), 403)
    problem(client.post(url, json={**grant, "reason": " "}, params={"organ": "org-a"},
                        headers=admin), 422)  # fmt: skip
    r = client.post(url, json=grant, params={"organ": "org-a"}, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["used_at"] is None

    withdrawn = ok(act(client, organ_a, open_case, "withdraw", "clerk", withdrawn_on="2026-12-30"))
    assert withdrawn["state"] == "withdrawn"
    events = client.get(f"{CASES}/{open_case['id']}/events", headers=organ_a.headers("clerk"))
    tail = events.json()[-2:]
    assert tail[0]["action"] == "grant_report_override"
    assert tail[0]["payload"]["reason"] == reason
    used = tail[1]["payload"]["report_overrides"]
    assert [(u["year"], u["reason"]) for u in used] == [(2026, reason)]

    rep = report(client, organ_a, 2026)
    (override,) = rep["lock"]["overrides"]
    assert (override["case_number"], override["reason"]) == (open_case["number"], reason)
    assert (override["used_action"], override["used_by"]) == ("withdraw", "clerk 用户")
    changed = {
        (c["row"], c["column"]): (c["published"], c["current"])
        for c in rep["lock"]["changed_since_publication"]
    }
    assert changed[("carried_forward", "commercial_enterprise")] == (1, 0)
    assert changed[("other.3", "total")] == (0, 1)
    assert table3(rep)["total"]["total"] == 2

    # The override is spent: the next retroactive change is refused again.
    clock.set("2027-01-11T10:00+08:00")
    again = {"kind": "reconsideration", "body": "示例区人民政府", "filed_on": "2026-12-31"}
    h = organ_a.headers("clerk")
    refused = client.post(f"{CASES}/{open_case['id']}/remedies", json=again, headers=h)
    assert problem(refused, 409)["code"] == "report-year-locked"
    fine = client.post(
        f"{CASES}/{open_case['id']}/remedies", json={**again, "filed_on": "2027-01-11"}, headers=h
    )
    assert fine.status_code == 201, fine.text


def test_an_override_needs_a_locked_year_and_a_case_of_the_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock, admin: dict[str, str]
) -> None:
    other = online(client, organ_code="org-b")
    answered, _ = _published_2026(client, organ_a, clock)
    url = f"{REPORTS}/2025/overrides"
    grant = {"case_id": answered["id"], "reason": "更正登记错误"}
    assert client.post(url, json=grant, params={"organ": "org-a"}, headers=admin).status_code == 409
    url = f"{REPORTS}/2026/overrides"
    wrong = {"case_id": other["id"], "reason": "更正登记错误"}
    problem(client.post(url, json=wrong, params={"organ": "org-a"}, headers=admin), 404)


def test_registering_a_receipt_in_a_locked_year_is_refused(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _published_2026(client, organ_a, clock)
    body = staff_case("in_person", arrived_at="2026-12-30T10:00:00+08:00")
    r = client.post(CASES, json=body, headers=organ_a.headers("front_desk"))
    assert problem(r, 409)["code"] == "report-year-locked"
    listed = client.get(CASES, headers=organ_a.headers("clerk")).json()
    assert listed["total"] == 2
    body = staff_case("in_person", arrived_at="2027-01-10T09:00:00+08:00")
    r = client.post(CASES, json=body, headers=organ_a.headers("front_desk"))
    assert r.status_code == 201
    # The refused registration bumped 2027's counter in its transaction and rolled it back.
    assert r.json()["number"].endswith("〔2027〕0001号")
