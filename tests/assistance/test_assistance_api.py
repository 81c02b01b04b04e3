"""Assistance requests (协办) over HTTP: asking a department of this or another organ, its
answer with files, withdrawal, the inbox's scope, and every refusal (RULES: every change on the
timeline; staff see only their organ's cases; the statutory clock is never paused)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import Case, ClockEntry
from app.runtime import Runtime
from tests.api.test_write_hygiene import snapshot
from tests.assistance.helpers import CASES, INBOX, Cast, ask, asked, cast, claimed_case
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.validation.samples import make_pdf

PDF = make_pdf()
TODAY = date(2026, 3, 2)  # the tests' clock: Monday 2 March 2026


@pytest.fixture
def people(client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str]) -> Cast:
    return cast(client, admin)


def _clock_rows(rt: Runtime, case_id: int) -> list[tuple[Any, ...]]:
    with rt.sessions.read() as s:
        q = select(ClockEntry).where(ClockEntry.case_id == case_id).order_by(ClockEntry.id)
        return [(e.seq, e.kind, e.data, e.event_id) for e in s.scalars(q)]


def _inbox(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    r = client.get(INBOX, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json())


def _answer(client: TestClient, request_id: int, headers: dict[str, str], **kw: Any) -> Any:
    return client.post(f"{INBOX}/{request_id}/answer", headers=headers, **kw)


def test_another_organs_department_answers_with_a_file_and_the_clock_does_not_move(
    client: TestClient, runtime: Runtime, people: Cast
) -> None:
    p = people
    case = claimed_case(client, p.zhang)
    deadlines = client.get(f"{CASES}/{case['id']}/deadlines", headers=p.zhang.headers).json()
    clock_before = _clock_rows(runtime, case["id"])

    req = asked(client, case, p.zhang, p.archives["id"], days=5)
    # Five working days on the official calendar from Monday 2 March: Monday 9 March.
    assert req["due_on"] == runtime.calendar.add_working_days(TODAY, 5).isoformat() == "2026-03-09"
    assert req["status"] == "open"
    assert req["overdue"] is False
    dept = req["department"]
    assert (dept["id"], dept["name"], dept["organ_code"]) == (p.archives["id"], "档案科", "org-b")
    assert req["requested_by"] == {"id": p.zhang.id, "name": "张承办"}

    # The department's member sees the case number, the items and the request — nothing of
    # the applicant.
    (seen,) = _inbox(client, p.chen.headers)
    assert seen["id"] == req["id"]
    assert seen["case_number"] == case["number"]
    assert seen["items"][0]["description"] == case["items"][0]["description"]
    assert seen["text"].startswith("请检索")
    r = client.get(INBOX, headers=p.chen.headers)
    for personal in (case["applicant"]["name"], "13800138000", "zhangsan@example.com",
                     "人民路100号"):  # fmt: skip
        assert personal not in r.text
    # ... and cannot open the case itself.
    assert client.get(f"{CASES}/{case['id']}", headers=p.chen.headers).status_code == 404

    r = _answer(
        client,
        req["id"],
        p.chen.headers,
        data={"outcome": "partly", "text": "查到2025年资金安排文件，项目清单未保存"},
        files={"attachments": ("资金安排.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    answered = r.json()
    assert answered["status"] == "answered"
    assert answered["answer"] == "partly"
    assert answered["answered_by"] == {"id": p.chen.id, "name": "陈档案"}
    (f,) = answered["files"]
    assert f["filename"] == "资金安排.pdf"
    assert f["content_type"] == "application/pdf"

    listed = client.get(f"{CASES}/{case['id']}/assistance-requests", headers=p.zhang.headers)
    assert listed.status_code == 200
    assert [(x["id"], x["status"], x["answer_text"]) for x in listed.json()] == [
        (req["id"], "answered", "查到2025年资金安排文件，项目清单未保存")
    ]
    # The file downloads for the case's organ and for the answering department, nobody else.
    url = f"{INBOX}/{req['id']}/files/{f['id']}"
    for who in (p.zhang, p.head, p.chen):
        got = client.get(url, headers=who.headers)
        assert got.status_code == 200, got.text
        assert got.content == PDF
        assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(url, headers=p.zhou.headers).status_code == 404
    assert client.get(f"{INBOX}/{req['id']}/files/{f['id'] + 99}",
                      headers=p.zhang.headers).status_code == 404  # fmt: skip

    # Answered requests leave the default inbox and stay under status=answered.
    assert _inbox(client, p.chen.headers) == []
    assert [x["id"] for x in _inbox(client, p.chen.headers, status="answered")] == [req["id"]]

    # Timeline: the request and the answer, beside the workflow (state unchanged).
    events = client.get(f"{CASES}/{case['id']}/events", headers=p.zhang.headers).json()
    asked_ev, answered_ev = events[-2], events[-1]
    assert asked_ev["action"] == "request_assistance"
    assert asked_ev["actor_label"] == "张承办"
    assert asked_ev["payload"]["due_on"] == "2026-03-09"
    assert asked_ev["payload"]["department"]["organ_code"] == "org-b"
    assert answered_ev["action"] == "answer_assistance"
    assert answered_ev["actor_label"].startswith("陈档案（")
    assert answered_ev["payload"]["outcome"] == "partly"
    assert answered_ev["payload"]["files"][0]["sha256"] == f["sha256"]
    assert answered_ev["from_state"] == answered_ev["to_state"] == case["state"]

    # Never a pause: the deadlines, the ledger and the case's version are as they were.
    after = client.get(f"{CASES}/{case['id']}", headers=p.zhang.headers).json()
    assert after["version"] == case["version"]
    assert after["deadlines"] == case["deadlines"]
    assert client.get(f"{CASES}/{case['id']}/deadlines",
                      headers=p.zhang.headers).json() == deadlines  # fmt: skip
    assert _clock_rows(runtime, case["id"]) == clock_before

    # Answered once: a second answer is a conflict.
    again = _answer(client, req["id"], p.chen.headers, json={"outcome": "found"})
    assert again.status_code == 409
    assert again.json()["code"] == "assistance-not-open"


def test_the_inbox_holds_the_requests_to_the_callers_departments_across_organs(
    client: TestClient, people: Cast
) -> None:
    p = people
    first, second = claimed_case(client, p.zhang), claimed_case(client, p.zhang)
    to_planning = asked(client, first, p.zhang, p.planning["id"])
    to_archives = asked(client, second, p.head, p.archives["id"], days=3)
    assert [x["id"] for x in _inbox(client, p.wang.headers)] == [to_planning["id"]]
    assert [x["id"] for x in _inbox(client, p.chen.headers)] == [to_archives["id"]]
    assert _inbox(client, p.li.headers) == []
    assert _inbox(client, p.zhou.headers) == []
    # The requester's own department (政务公开科) was not asked.
    assert _inbox(client, p.zhang.headers) == []
    r = client.get(INBOX, params={"status": "withdrawn"}, headers=p.wang.headers)
    assert r.status_code == 422


def test_a_withdrawn_request_cannot_be_answered(client: TestClient, people: Cast) -> None:
    p = people
    case = claimed_case(client, p.zhang)
    req = asked(client, case, p.zhang, p.planning["id"])
    # Only whoever asked (or an approver or supervisor) withdraws; another organ sees nothing.
    r = client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.li.headers)
    assert r.status_code == 403
    assert r.json()["code"] == "not-the-requester"
    assert client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.chen.headers).status_code == 404
    r = client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.zhang.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    assert r.json()["withdrawn_at"] is not None
    assert _inbox(client, p.wang.headers) == []
    r = _answer(client, req["id"], p.wang.headers, json={"outcome": "found"})
    assert r.status_code == 409
    assert r.json()["code"] == "assistance-not-open"
    r = client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.zhang.headers)
    assert r.status_code == 409
    events = client.get(f"{CASES}/{case['id']}/events", headers=p.zhang.headers).json()
    assert events[-1]["action"] == "withdraw_assistance"
    assert events[-1]["payload"] == {"request_id": req["id"]}


def test_an_internal_date_past_the_reply_due_date_is_refused(
    client: TestClient, runtime: Runtime, people: Cast
) -> None:
    p = people
    case = claimed_case(client, p.zhang)
    room = runtime.calendar.count_working_days(TODAY, date.fromisoformat(case["reply_due"]))
    before = snapshot(runtime)
    r = ask(client, case, p.zhang, p.planning["id"], days=room + 1)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "assistance-after-reply-due"
    assert "答复期限" in problem["title"]
    assert "reply due date" in problem["title"]
    assert problem["max_working_days"] == room
    assert problem["errors"][0]["loc"] == ["body", "due_in_working_days"]
    assert snapshot(runtime) == before
    # The last day of the reply period is still inside it.
    ok = asked(client, case, p.zhang, p.planning["id"], days=room)
    assert ok["due_on"] == case["reply_due"]


def test_closed_and_unreceived_cases_are_refused(
    client: TestClient, runtime: Runtime, people: Cast
) -> None:
    p = people
    closed = claimed_case(client, p.zhang)
    unreceived = claimed_case(client, p.zhang)
    with runtime.sessions.write.begin() as s:
        s.execute(update(Case).where(Case.id == closed["id"]).values(state="withdrawn"))
        s.execute(
            update(Case)
            .where(Case.id == unreceived["id"])
            .values(receipt_date=None, reply_due=None)
        )
    before = snapshot(runtime)
    r = ask(client, closed, p.zhang, p.planning["id"])
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "assistance-case-closed"
    r = ask(client, unreceived, p.zhang, p.planning["id"])
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "assistance-case-not-received"
    assert snapshot(runtime) == before


def test_an_open_request_is_not_answered_once_its_case_is_closed(
    client: TestClient, runtime: Runtime, people: Cast
) -> None:
    p = people
    case = claimed_case(client, p.zhang)
    req = asked(client, case, p.zhang, p.archives["id"])
    with runtime.sessions.write.begin() as s:
        s.execute(update(Case).where(Case.id == case["id"]).values(state="withdrawn"))
    before = snapshot(runtime)
    r = _answer(
        client,
        req["id"],
        p.chen.headers,
        data={"outcome": "found"},
        files=[("files", ("a.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "assistance-case-finished"
    assert r.json()["case_state"] == "withdrawn"
    assert snapshot(runtime) == before
    # Whoever asked still closes it.
    r = client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.zhang.headers)
    assert r.status_code == 200, r.text


def test_who_may_ask_and_answer(client: TestClient, runtime: Runtime, people: Cast) -> None:
    p = people
    case = claimed_case(client, p.zhang)
    before = snapshot(runtime)
    # Not the assignee: refused; another organ's clerk: the case is not found.
    r = ask(client, case, p.li, p.planning["id"])
    assert r.status_code == 403
    assert r.json()["code"] == "not-the-requester"
    assert ask(client, case, p.chen, p.archives["id"]).status_code == 404
    # An unknown or retired department, a stale version.
    r = ask(client, case, p.zhang, 999_999)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "department_id"]
    r = ask(client, case, p.zhang, p.planning["id"], version=case["version"] + 1)
    assert r.status_code == 409
    assert r.json()["code"] == "version-conflict"
    r = client.post(
        f"{CASES}/{case['id']}/assistance-requests",
        json={"department_id": p.planning["id"], "text": "检索", "due_in_working_days": 3},
        headers={**p.zhang.headers, "If-Match": '"99"'},
    )
    assert r.status_code == 409
    assert snapshot(runtime) == before
    # The approver may ask too.
    req = asked(client, case, p.head, p.planning["id"])

    # Answering: the department's members only (403 inside the organ, 404 outside it).
    before = snapshot(runtime)
    r = _answer(client, req["id"], p.li.headers, json={"outcome": "found"})
    assert r.status_code == 403
    assert r.json()["code"] == "not-in-department"
    assert _answer(client, req["id"], p.chen.headers, json={"outcome": "found"}).status_code == 404
    assert _answer(client, 999_999, p.wang.headers, json={"outcome": "found"}).status_code == 404
    # A disguised file and a bad outcome change nothing.
    r = _answer(client, req["id"], p.wang.headers, data={"outcome": "found"},
                files={"attachments": ("x.pdf", b"MZ\x90\x00not a pdf", "application/pdf")})  # fmt: skip
    assert r.status_code == 415, r.text
    r = _answer(client, req["id"], p.wang.headers, json={"outcome": "maybe"})
    assert r.status_code == 422
    assert snapshot(runtime) == before
    r = _answer(client, req["id"], p.wang.headers, json={"outcome": "not_held",
                                                         "text": "本科室未制作"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["answer_label"].startswith("经检索")


def test_an_open_request_past_its_date_flags_the_case(
    client: TestClient, runtime: Runtime, clock: Clock, people: Cast
) -> None:
    p = people
    late, on_time, answered = (claimed_case(client, p.zhang) for _ in range(3))
    req = asked(client, late, p.zhang, p.planning["id"], days=2)
    asked(client, on_time, p.zhang, p.planning["id"], days=10)
    done = asked(client, answered, p.zhang, p.planning["id"], days=2)
    r = _answer(client, done["id"], p.wang.headers, json={"outcome": "found"})
    assert r.status_code == 200

    def flagged() -> list[str]:
        r = client.get(CASES, params={"assistance": "overdue"}, headers=p.zhang.headers)
        assert r.status_code == 200, r.text
        return [c["number"] for c in r.json()["items"]]

    # Due Wednesday 4 March: on that day nothing is late yet.
    assert req["due_on"] == "2026-03-04"
    clock.set("2026-03-04T18:00+08:00")
    assert flagged() == []
    clock.set("2026-03-05T09:00+08:00")
    assert flagged() == [late["number"]]
    rows = {c["number"]: c for c in client.get(CASES, headers=p.zhang.headers).json()["items"]}
    assert rows[late["number"]]["assistance_overdue"] is True
    assert rows[on_time["number"]]["assistance_overdue"] is False
    assert rows[answered["number"]]["assistance_overdue"] is False
    (seen,) = [x for x in _inbox(client, p.wang.headers) if x["id"] == req["id"]]
    assert seen["overdue"] is True
    # Withdrawn, the request no longer flags the case.
    assert client.post(f"{INBOX}/{req['id']}/withdraw", headers=p.zhang.headers).status_code == 200
    assert flagged() == []
    assert client.get(CASES, params={"assistance": "late"},
                      headers=p.zhang.headers).status_code == 422  # fmt: skip
