"""Assistance requests reach the people concerned through the outbox: a request the target
department's members (of whichever organ), an answer the requester and the case's assignee."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.notices.texts import default_template, render, sample_context
from app.runtime import Runtime
from tests.assignment.helpers import department, person
from tests.assistance.helpers import INBOX, asked, cast, claimed_case
from tests.conftest import Staff
from tests.notices.helpers import deliver, notices_of
from tests.outbox.helpers import events


def test_a_request_tells_the_department_and_its_answer_the_requester_and_assignee(
    client: TestClient, runtime: Runtime, organ_a: Staff, organ_b: Staff, admin: dict[str, str]
) -> None:
    p = cast(client, admin)
    other = person(client, admin, "吴档案", "clerk", organ="org-b")
    r = client.put(
        f"/api/v1/departments/{p.archives['id']}/members",
        json={"user_ids": [p.chen.id, other.id]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    case = claimed_case(client, p.zhang)
    # The approver asks on the assignee's case: the answer goes to both.
    req = asked(client, case, p.head, p.archives["id"], days=4)

    (requested,) = [e for e in events(runtime) if e.type == "assistance.requested"]
    assert requested.case_id == case["id"]
    # Ids and dates only: neither the request's text nor the applicant's data.
    assert set(requested.payload) == {
        "case", "request_id", "department_id", "due_on", "requested_by_id"
    }  # fmt: skip
    assert requested.payload["due_on"] == req["due_on"]
    deliver(runtime)
    for member in (p.chen, other):
        (n,) = notices_of(runtime, member.id)
        assert n.event_type == "assistance.requested"
        assert "请协办" in n.subject
        assert req["due_on"] in n.body
    assert [notices_of(runtime, x.id) for x in (p.zhang, p.head, p.wang, p.zhou, p.li)] == [
        [],
        [],
        [],
        [],
        [],
    ]

    r = client.post(f"{INBOX}/{req['id']}/answer", json={"outcome": "found", "text": "已查到"},
                    headers=p.chen.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    (answered,) = [e for e in events(runtime) if e.type == "assistance.answered"]
    assert answered.payload["outcome"] == "found"
    deliver(runtime)
    got = {
        who.name: [n.event_type for n in notices_of(runtime, who.id)]
        for who in (p.zhang, p.head, p.chen, other, p.wang)
    }
    assert got == {
        "张承办": ["assistance.answered"],
        "赵主任": ["assistance.answered"],
        "陈档案": ["assistance.requested"],
        "吴档案": ["assistance.requested"],
        "王科员": [],
    }
    (to_zhang,) = notices_of(runtime, p.zhang.id)
    assert "已答复" in to_zhang.subject
    assert "已查到" in to_zhang.body


def test_a_member_who_chose_no_assignment_notices_gets_none(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    zhang = person(client, admin, "张承办", "clerk")
    quiet = person(client, admin, "孙科员", "clerk")
    dept = department(client, admin, "财务科", quiet)
    r = client.put(
        "/api/v1/me/notice-preferences",
        json={"warnings": "in_app", "digest": "none", "calendar": "in_app", "assignment": "none"},
        headers=quiet.headers,
    )
    assert r.status_code == 200, r.text
    asked(client, claimed_case(client, zhang), zhang, dept["id"])
    deliver(runtime)
    assert notices_of(runtime, quiet.id) == []


def test_the_default_texts_render_with_their_sample_data() -> None:
    for kind in ("assistance_requested", "assistance_answered"):
        out = render(default_template(kind), sample_context(kind))
        assert "示例依申〔2026〕0001号" in out.subject
        assert out.body
