"""The legal office's queue, the approver's pages and the supervisor's dashboard: the JSON
API's services, the API's roles, one organ's cases, links to the worklist and action forms."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from app.runtime import Runtime
from app.web.staff.approver import approver_states
from tests.conftest import Staff
from tests.consultations.helpers import start
from tests.fixtures.factories import Clock
from tests.letters.helpers import counter_case
from tests.reply.helpers import ok, submit
from tests.web.staff_support import (
    csrf,
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

CASES = "/api/v1/cases"
NUMBER = re.compile(r'<a href="/staff/cases/(\d+)">([^<]+)</a>')


def _numbers(html: str) -> set[str]:
    return {number for _id, number in NUMBER.findall(html)}


def _api_numbers(client: TestClient, headers: dict[str, str], query: str) -> set[str]:
    r = client.get(f"{CASES}?{query}&page_size=200", headers=headers)
    assert r.status_code == 200, r.text
    return {i["number"] for i in r.json()["items"]}


@pytest.fixture
def world(
    client: TestClient, runtime: Runtime, clock: Clock, organ_a: Staff, organ_b: Staff
) -> dict[str, dict[str, Any]]:
    """org-a: a case consulting the legal office, a reply awaiting legal review, a case just
    received; org-b: a case consulting its legal office."""
    clock.set("2026-03-16T10:00+08:00")
    consult = ok(start(client, organ_a, counter_case(client, organ_a), "legal_office"))
    review = ok(
        submit(
            client,
            organ_a,
            counter_case(client, organ_a),
            **reply_params("disclosed"),
            legal_review_required=True,
        )
    )
    assert review["state"] == "under_review"
    assert review["review"]["legal_review"] == "pending"
    fresh = counter_case(client, organ_a)
    other = ok(start(client, organ_b, counter_case(client, organ_b), "legal_office"))
    clock.set("2026-03-18T10:00+08:00")
    return {"consult": consult, "review": review, "fresh": fresh, "other": other}


def _as(client: TestClient, runtime: Runtime, *roles: str, organ: str = "org-a") -> TestClient:
    login = "-".join(roles) + "-" + organ
    make_staff(runtime, organ, *roles, login=login)
    return signed_in(client, login)


# --- the legal office ------------------------------------------------------------------------


def test_the_legal_queue_is_the_api_legal_queue_with_what_is_awaited_and_the_actions(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: dict[str, Any]
) -> None:
    page = _as(client, runtime, "legal").get("/staff/legal")
    assert page.status_code == 200, page.text[:1000]
    api = _api_numbers(client, organ_a.headers("legal"), "queue=legal")
    assert _numbers(page.text) == api == {world["consult"]["number"], world["review"]["number"]}
    assert world["other"]["number"] not in page.text
    assert world["fresh"]["number"] not in page.text
    rows = {
        number: row
        for row in page.text.split('<tr class="queue-row">')[1:]
        for number in _numbers(row)
    }
    consult, review = rows[world["consult"]["number"]], rows[world["review"]["number"]]
    assert "法制机构会商：待出具意见" in consult
    assert "2026年3月16日" in consult  # asked on the 16th
    c, r = world["consult"]["id"], world["review"]["id"]
    assert f'href="/staff/cases/{c}/actions/record_opinion"' in consult
    assert "/actions/legal_approve" not in consult
    assert "法制审核：待审核答复" in review
    assert "2026年3月16日" in review  # entered review on the 16th (the timeline)
    for action in ("legal_approve", "legal_return"):
        assert f'href="/staff/cases/{r}/actions/{action}"' in review
    assert "/actions/record_opinion" not in review


def test_an_answered_consultation_leaves_the_legal_page_as_it_leaves_the_api_queue(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: dict[str, Any]
) -> None:
    from tests.consultations.helpers import opinion

    ok(opinion(client, organ_a, world["consult"], "C1", "2026-03-18", "advice", role="legal"))
    page = _as(client, runtime, "legal").get("/staff/legal").text
    assert _numbers(page) == _api_numbers(client, organ_a.headers("legal"), "queue=legal")
    assert world["consult"]["number"] not in page


@pytest.mark.parametrize("role", ["clerk", "approver", "supervisor", "front_desk"])
def test_only_the_legal_office_opens_the_legal_page(
    client: TestClient, runtime: Runtime, world: dict[str, Any], role: str
) -> None:
    r = _as(client, runtime, role).get("/staff/legal")
    assert r.status_code == 403
    assert world["review"]["number"] not in r.text
    assert 'href="/staff/legal"' not in client.get("/staff/").text  # no nav link either


# --- the approver ----------------------------------------------------------------------------


def test_the_approver_states_come_from_the_workflow(runtime: Runtime) -> None:
    states = set(approver_states(runtime))
    # approve_reply leaves under_review, extend leaves received, record_reasons awaiting_reasons.
    assert {"under_review", "received", "awaiting_reasons"} <= states
    # No approver action leaves these; replied and served have stopped their clock.
    assert not states & {"consulting", "awaiting_correction", "replied", "served", "archived"}
    for state in states:
        wf = runtime.workflow
        assert wf.allowed_actions(state, ["approver"]), state


def test_the_approvals_page_lists_what_the_api_lists_for_those_states_with_the_actions(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: dict[str, Any]
) -> None:
    page = _as(client, runtime, "approver").get("/staff/approvals")
    assert page.status_code == 200, page.text[:1000]
    query = "&".join(f"state={s}" for s in approver_states(runtime)) + "&open_only=true"
    api = _api_numbers(client, organ_a.headers("approver"), query)
    assert _numbers(page.text) == api == {world["review"]["number"], world["fresh"]["number"]}
    assert world["consult"]["number"] not in page.text
    assert world["other"]["number"] not in page.text
    r, f = world["review"]["id"], world["fresh"]["id"]
    assert f'href="/staff/cases/{r}/actions/approve_reply"' in page.text
    assert f'href="/staff/cases/{f}/actions/extend"' in page.text
    assert f'href="/staff/cases/{f}/actions/approve_reply"' not in page.text
    assert 'href="/staff/approvals"' in page.text  # the nav link, for the approver


@pytest.mark.parametrize("role", ["clerk", "legal", "supervisor", "front_desk"])
def test_only_the_approver_opens_the_approval_pages(
    client: TestClient, runtime: Runtime, world: dict[str, Any], role: str
) -> None:
    staff = _as(client, runtime, role)
    for path in ("/staff/approvals", "/staff/approvals/reports"):
        r = staff.get(path)
        assert r.status_code == 403, path
        assert world["fresh"]["number"] not in r.text


def _lock(client: TestClient, year: int, **fields: str) -> Any:
    data = {"csrf_token": csrf(client, "/staff/approvals/reports"), **fields}
    return client.post(f"/staff/approvals/reports/{year}/lock", data=data, follow_redirects=False)


def test_locking_a_year_on_the_page_locks_it_as_the_api_shows(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, world: dict[str, Any]
) -> None:
    approver = _as(client, runtime, "approver")
    api = "/api/v1/reports/annual/2025"
    assert client.get(api, headers=organ_a.headers("approver")).json()["lock"] is None
    page = approver.get("/staff/approvals/reports").text
    assert 'action="/staff/approvals/reports/2025/lock"' in page
    assert 'action="/staff/approvals/reports/2026/lock"' not in page  # the year is not over

    # Not confirmed: nothing happens, the page says why.
    r = _lock(approver, 2025)
    assert r.status_code == 422
    assert "请勾选确认发布 2025 年度报告" in r.text
    assert client.get(api, headers=organ_a.headers("approver")).json()["lock"] is None

    r = _lock(approver, 2025, **{"confirm-2025": "yes"})
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/approvals/reports?locked=2025"
    lock = client.get(api, headers=organ_a.headers("approver")).json()["lock"]
    assert lock is not None
    assert lock["locked_by"] == "approver-org-a 用户"
    page = approver.get(r.headers["location"]).text
    assert "2025 年度报告已发布并锁定" in page
    assert 'action="/staff/approvals/reports/2025/lock"' not in page
    # Another organ's year is not locked by it.
    other = client.get(api, headers=organ_b.headers("approver")).json()
    assert other["lock"] is None
    # Again: the service refuses, the page says so, no 500.
    r = _lock(approver, 2025, **{"confirm-2025": "yes"})
    assert r.status_code == 409
    assert "2025 年度报告已发布" in r.text
    # The current year: not over.
    r = _lock(approver, 2026, **{"confirm-2026": "yes"})
    assert r.status_code == 409
    assert "尚未结束" in r.text


def test_overrides_of_a_locked_year_are_listed(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str], world: Any
) -> None:
    approver = _as(client, runtime, "approver")
    assert _lock(approver, 2025, **{"confirm-2025": "yes"}).status_code == 303
    r = client.post(
        "/api/v1/reports/annual/2025/overrides?organ=org-a",
        json={"case_id": world["fresh"]["id"], "reason": "补登 2025 年漏登的申请"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    page = approver.get("/staff/approvals/reports").text
    assert "补登 2025 年漏登的申请" in page
    assert f'<a href="/staff/cases/{world["fresh"]["id"]}">{world["fresh"]["number"]}</a>' in page
    assert "尚未使用" in page


def test_the_lock_form_needs_its_csrf_token(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: dict[str, Any]
) -> None:
    approver = _as(client, runtime, "approver")
    r = approver.post(
        "/staff/approvals/reports/2025/lock",
        data={"confirm-2025": "yes", "csrf_token": "0" * 64},
        follow_redirects=False,
    )
    assert r.status_code == 403
    api = "/api/v1/reports/annual/2025"
    assert client.get(api, headers=organ_a.headers("approver")).json()["lock"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/staff/approvals/reports/abc/lock",
        "/staff/approvals/reports/99999/lock",
        "/staff/approvals/reports/1901/lock",
        "/staff/approvals/reports/-1/lock",
    ],
)
def test_junk_years_are_refused_without_a_500(
    client: TestClient, runtime: Runtime, world: dict[str, Any], path: str
) -> None:
    approver = _as(client, runtime, "approver")
    token = csrf(approver, "/staff/approvals/reports")
    r = approver.post(path, data={"csrf_token": token, "confirm-1901": "yes"})
    assert 400 <= r.status_code < 500, r.text[:500]


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_shows_the_api_figures_each_linking_to_the_same_worklist_query(
    client: TestClient, runtime: Runtime, organ_a: Staff, clock: Clock, world: dict[str, Any]
) -> None:
    clock.set("2026-05-06T10:00+08:00")  # every org-a case is overdue by now
    # The clerk claims the fresh case: the per-staff table lists who has work in hand.
    claimed = client.post(
        f"/api/v1/cases/{world['fresh']['id']}/claim", headers=organ_a.headers("clerk")
    )
    assert claimed.status_code == 200, claimed.text
    api = client.get("/api/v1/dashboard", headers=organ_a.headers("supervisor")).json()
    supervisor = _as(client, runtime, "supervisor")
    page = supervisor.get("/staff/dashboard")
    assert page.status_code == 200, page.text[:1000]
    links = dict(re.findall(r'<a href="(/staff/\?[^"]+)">(\d+)</a>', page.text))
    overdue = "/staff/?overdue=true&amp;scope=all"
    assert links[overdue] == str(api["overdue"]["count"]) != "0"
    assert links["/staff/?due_within=3&amp;scope=all"] == str(api["due_within_3"]["count"])
    for fig in ("open_cases", "due_within_5", "consultation_lapsed"):
        query = urlsplit(api[fig]["href"]).query
        assert any(
            parse_qsl(query) == parse_qsl(h.replace("&amp;", "&")[8:])[:-1] for h in links
        ), fig
    # Every link's worklist lists as many cases as the figure says.
    for href, count in links.items():
        listed = supervisor.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, href
        assert f"案件（共 {count} 件）" in listed.text, href
    # Per staff member: the clerk who claimed a case has it overdue.
    assert [(p["open_cases"], p["overdue"]) for p in api["staff"] if p["open_cases"]] == [(1, 1)]
    staff_rows = page.text.split('<table class="dashboard-staff"')[1]
    for person in api["staff"]:
        assert f'<th scope="row">{person["name"]}</th>' in staff_rows
    assert world["other"]["number"] not in page.text


@pytest.mark.parametrize("role", ["clerk", "approver", "front_desk"])
def test_the_roles_the_api_admits_read_the_dashboard(
    client: TestClient, runtime: Runtime, world: dict[str, Any], role: str
) -> None:
    staff = _as(client, runtime, role)
    assert staff.get("/staff/dashboard").status_code == 200
    assert 'href="/staff/dashboard"' in staff.get("/staff/").text


def test_the_legal_office_may_not_read_the_dashboard_as_in_the_api(
    client: TestClient, runtime: Runtime, organ_a: Staff, world: dict[str, Any]
) -> None:
    assert client.get("/api/v1/dashboard", headers=organ_a.headers("legal")).status_code == 403
    assert _as(client, runtime, "legal").get("/staff/dashboard").status_code == 403


@pytest.mark.parametrize("organ", ["org-b", "nope", "%00%ff", "x" * 300, ""])
def test_another_organ_or_junk_on_the_dashboard_is_a_404_or_own_never_a_500(
    client: TestClient, runtime: Runtime, world: dict[str, Any], organ: str
) -> None:
    r = _as(client, runtime, "supervisor").get(f"/staff/dashboard?organ={organ}")
    if organ == "":
        assert r.status_code == 200  # blank is no organ named: one's own
    elif organ.startswith("%00"):
        assert r.status_code == 400  # not UTF-8: the app refuses the address itself
    else:
        assert r.status_code == 404
        assert world["other"]["number"] not in r.text
