"""Every write route refuses hidden characters and non-boolean booleans, and stores nothing.

One request per route and bad value: NUL (PostgreSQL text and jsonb cannot hold it), a bidi
override, U+2028 in a one-line field, and "yes", "true" or 1 where a boolean is expected. Each
must answer 422 problem+json naming the field and leave every table as it was; the same request
with a clean value must then pass validation, so the 422 is the bad value's doing. Runs on
SQLite and, with GONGKAI_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db import Base
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import application, bearer, staff_case
from tests.letters.helpers import act, online
from tests.releases.helpers import text_pdf
from tests.reply.helpers import reply_through_review

PROBLEM = "application/problem+json"
NUL, BIDI, LINE_SEPARATOR = "申请\x00人名", "申请\u202e人名", "申请\u2028人名"
NOT_BOOLEANS = ("yes", "true", 1)

Path = tuple[str | int, ...]


@dataclass
class Env:
    client: TestClient
    staff: Staff
    admin: dict[str, str]
    runtime: Runtime
    ids: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One write route: a request that passes validation, and where bad values go in it."""

    method: str
    path: str  # as in the OpenAPI document
    params: Callable[[Env], dict[str, Any]]
    body: Callable[[Env], dict[str, Any]]
    headers: Callable[[Env], dict[str, str]]
    # Where each kind of value is put: NUL and bidi into any text, U+2028 into one-line text.
    text: tuple[Path, ...]
    one_line: tuple[Path, ...] = ()
    booleans: tuple[Path, ...] = ()
    # Keys of free-form JSON objects (one-line names), given as (path to object, existing key).
    keys: tuple[Path, ...] = ()
    setup: Callable[[Env], None] = lambda env: None
    query: str = ""
    # A multipart route: the body's fields go as form fields beside these files.
    files: Callable[[Env], dict[str, Any]] | None = None


def _clerk(env: Env) -> dict[str, str]:
    return env.staff.headers("clerk", "legal")


def _user(env: Env) -> None:
    body = {"organ_code": "org-a", "name": "李四", "roles": ["clerk"]}
    r = env.client.post("/api/v1/admin/users", json=body, headers=env.admin)
    assert r.status_code == 201, r.text
    env.ids["user"] = r.json()["user"]["id"]  # UserCreated


def _received_case(env: Env) -> None:
    env.ids["case"] = online(env.client)


def _awaiting_correction(env: Env) -> None:
    receipt = online(env.client)
    case = env.client.get(f"/api/v1/cases/{receipt['id']}", headers=_clerk(env)).json()
    r = act(env.client, env.staff, case, "request_correction", "clerk", items_to_correct=["年份"])
    assert r.status_code == 200, r.text
    env.ids["case"] = {**receipt, "version": r.json()["version"]}


def _replied_case(env: Env) -> None:
    env.runtime.clock.set("2026-03-03T10:00+08:00")  # type: ignore[attr-defined]
    case = reply_through_review(env.client, env.staff, online(env.client), "withheld.state_secret",
                                reasons="涉密")  # fmt: skip
    env.runtime.clock.set("2026-05-20T10:00+08:00")  # type: ignore[attr-defined]
    r = env.client.post(f"/api/v1/cases/{case['id']}/remedies", json=REMEDY, headers=_clerk(env))
    assert r.status_code == 201, r.text
    env.ids["case"], env.ids["remedy"] = case, r.json()["id"]


def _draft(env: Env) -> None:
    _received_case(env)
    r = env.client.post(
        f"/api/v1/cases/{env.ids['case']['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": ["身份证明"]}},
        headers=_clerk(env),
    )
    assert r.status_code == 201, r.text
    env.ids["letter"] = r.json()["id"]


CONTACT = {"occurred_at": "2026-03-02T09:30:00+08:00", "party_name": "李四",
           "party_kind": "applicant", "method": "phone", "summary": "询问办理进度",
           "follow_up": "三日内回电"}  # fmt: skip


def _contacted_case(env: Env) -> None:
    _received_case(env)
    r = env.client.post(
        f"/api/v1/cases/{env.ids['case']['id']}/communications", json=CONTACT, headers=_clerk(env)
    )
    assert r.status_code == 201, r.text
    env.ids["communication"] = r.json()["id"]


REMEDY = {"kind": "reconsideration", "body": "示例市人民政府", "filed_on": "2026-04-10",
          "case_number": "示府复〔2026〕12号"}  # fmt: skip
CALENDAR = {
    "year": 2031,
    "reference": "测试数据〔2030〕1号",
    "title": "测试用 2031 年部分节假日安排",
    "days_off": [{"name": "元旦", "date": "2031-01-01"}],
    "makeup_days": [{"date": "2031-01-04", "for": "元旦"}],
}

WEBHOOK = {"url": "https://oa.example.gov.cn/a", "event_types": ["case.received"],
           "description": "办公系统", "organ_code": "org-a"}  # fmt: skip


def _department(env: Env) -> None:
    r = env.client.post(
        "/api/v1/departments", json={"name": "规划科", "organ_code": "org-a"}, headers=env.admin
    )
    assert r.status_code == 201, r.text
    env.ids["department"] = r.json()["id"]


def _department_and_case(env: Env) -> None:
    _department(env)
    _received_case(env)


def _assistance_asked(env: Env) -> None:
    """A received case the approver asked 规划科 about; a clerk of 规划科 answers."""
    _department_and_case(env)
    body = {"organ_code": "org-a", "name": "王科员", "roles": ["clerk"]}
    r = env.client.post("/api/v1/admin/users", json=body, headers=env.admin)
    assert r.status_code == 201, r.text
    env.ids["user"], env.ids["member"] = r.json()["user"]["id"], bearer(r.json()["token"])
    r = env.client.put(
        f"/api/v1/departments/{env.ids['department']}/members",
        json={"user_ids": [env.ids["user"]]},
        headers=env.admin,
    )
    assert r.status_code == 200, r.text
    r = env.client.post(
        f"/api/v1/cases/{env.ids['case']['id']}/assistance-requests",
        json={"department_id": env.ids["department"], "text": "请检索", "due_in_working_days": 3},
        headers=env.staff.headers("approver"),
    )
    assert r.status_code == 201, r.text
    env.ids["assistance"] = r.json()["id"]


def _released_document(env: Env) -> None:
    _received_case(env)
    r = env.client.post(
        f"/api/v1/cases/{env.ids['case']['id']}/released-documents",
        data={"title": "采购合同"},
        files={"file": ("c.pdf", text_pdf(1), "application/pdf")},
        headers=_clerk(env),
    )
    assert r.status_code == 201, r.text
    env.ids["document"] = r.json()["id"]


def _marked_document(env: Env) -> None:
    _released_document(env)
    r = env.client.post(
        f"/api/v1/cases/{env.ids['case']['id']}/released-documents/{env.ids['document']}/marks",
        json=MARK,
        headers=_clerk(env),
    )
    assert r.status_code == 201, r.text
    env.ids["mark"] = r.json()["marks"][0]["id"]


MARK = {"kind": "phrase", "phrase": "张三", "ground": "withheld.third_party_rights",
        "reason": "个人隐私"}  # fmt: skip


def _certificate(env: Env) -> None:
    r = env.client.get("/api/v1/admin/organs/org-a/certificates", headers=env.admin)
    assert r.status_code == 200, r.text
    env.ids["certificate"] = r.json()[0]["id"]


def _webhook(env: Env) -> None:
    r = env.client.post("/api/v1/webhooks", json=WEBHOOK, headers=env.admin)
    assert r.status_code == 201, r.text
    env.ids["webhook"] = r.json()["id"]


ROUTES: dict[str, Route] = {
    "submit application": Route(
        "POST",
        "/api/v1/applications",
        lambda env: {},
        lambda env: application(),
        lambda env: {},
        text=(("applicant", "name"), ("items", 0, "description"), ("applicant", "address")),
        one_line=(("applicant", "name"), ("applicant", "contact_person")),
        booleans=(("e_service_consent",),),
    ),
    "register case": Route(
        "POST",
        "/api/v1/cases",
        lambda env: {},
        lambda env: staff_case("in_person"),
        lambda env: env.staff.headers("front_desk"),
        text=(("applicant", "name"), ("staff_note",), ("items", 0, "document_number")),
        one_line=(("applicant", "name"),),
        booleans=(("e_service_consent",), ("filled_by_staff",)),
    ),
    "staff action": Route(
        "POST",
        "/api/v1/cases/{case_id}/actions/{action}",
        lambda env: {"case_id": env.ids["case"]["id"], "action": "submit_reply"},
        lambda env: {
            "version": env.ids["case"]["version"],
            "outcome": "partially_disclosed",
            "provided": "部分信息",
            "provided_form": "electronic",
            "reasons": "部分涉及国家秘密",
            "withheld_parts": [
                {"part": "附件二", "ground": "withheld.state_secret", "reasons": "涉密"}
            ],
            "responsible_organ": {"name": "示例局"},
            "legal_review_required": True,
        },
        _clerk,
        text=(
            ("provided",),
            ("reasons",),
            ("withheld_parts", 0, "part"),
            ("responsible_organ", "name"),
        ),
        one_line=(("provided_form",),),
        booleans=(("legal_review_required",),),
        keys=(("withheld_parts", 0, "part"), ("responsible_organ", "name")),
        setup=_received_case,
    ),
    "applicant withdraws": Route(
        "POST",
        "/api/v1/applications/{number}/actions/{action}",
        lambda env: {"number": env.ids["case"]["number"], "action": "withdraw"},
        lambda env: {"withdrawn_on": "2026-03-02", "reason": "不再需要", "version": 1},
        lambda env: {"X-Query-Code": env.ids["case"]["query_code"]},
        text=(("reason",),),
        setup=_received_case,
    ),
    "applicant corrects": Route(
        "POST",
        "/api/v1/applications/{number}/correction",
        lambda env: {"number": env.ids["case"]["number"]},
        lambda env: {"content": "所需为2025年度信息", "version": env.ids["case"]["version"]},
        lambda env: {"X-Query-Code": env.ids["case"]["query_code"]},
        text=(("content",),),
        setup=_awaiting_correction,
    ),
    "create organ": Route(
        "POST",
        "/api/v1/admin/organs",
        lambda env: {},
        lambda env: {
            "code": "org-z",
            "name": "示例局",
            "reconsideration_body": "示例区人民政府",
            "court": "示例区人民法院",
            "address": "人民路1号",
            "settings": {"online_auto_confirm": True},
        },
        lambda env: env.admin,
        text=(("name",), ("court",), ("address",)),
        one_line=(("name",), ("address",)),
        booleans=(("settings", "online_auto_confirm"),),
    ),
    "notice preferences": Route(
        "PUT",
        "/api/v1/me/notice-preferences",
        lambda env: {},
        lambda env: {
            "warnings": "email",
            "digest": "none",
            "calendar": "in_app",
            "email": "li@example.gov.cn",
            "mobile": "13800000000",
        },
        lambda env: env.staff.headers("clerk"),
        text=(("email",), ("mobile",)),
        one_line=(("email",), ("mobile",)),
    ),
    "notice text": Route(
        "PUT",
        "/api/v1/notice-texts/{kind}",
        lambda env: {"kind": "due_soon"},
        lambda env: {"subject": "{{ case.number }} 将到期", "body": "还有 {{ remaining_wd }} 日"},
        lambda env: env.admin,
        text=(("subject",), ("body",)),
        one_line=(("subject",),),
        query="?organ=org-a",
    ),
    "notice text preview": Route(
        "POST",
        "/api/v1/notice-texts/{kind}/preview",
        lambda env: {"kind": "overdue"},
        lambda env: {"subject": "{{ case.number }} 已逾期", "body": "{{ due }} 到期"},
        lambda env: env.admin,
        text=(("subject",), ("body",)),
        one_line=(("subject",),),
    ),
    "organ settings": Route(
        "PUT",
        "/api/v1/admin/organs/{code}/settings",
        lambda env: {"code": "org-a"},
        lambda env: {
            "letter_number_pattern": "{code}{mark}〔{year}〕{seq}号",
            "fee_pauses_clock": True,
            "sign_off_required": True,
        },
        lambda env: env.admin,
        text=(("letter_number_pattern",),),
        one_line=(("letter_number_pattern",),),
        booleans=(("fee_pauses_clock",), ("sign_off_required",)),
    ),
    "create user": Route(
        "POST",
        "/api/v1/admin/users",
        lambda env: {},
        lambda env: {"organ_code": "org-a", "name": "李四", "roles": ["clerk"]},
        lambda env: env.admin,
        text=(("name",),),
        one_line=(("name",),),
    ),
    "update user": Route(
        "PUT",
        "/api/v1/admin/users/{user_id}",
        lambda env: {"user_id": env.ids["user"]},
        lambda env: {"roles": ["clerk", "legal"], "active": True},
        lambda env: env.admin,
        text=(),
        booleans=(("active",),),
        setup=_user,
    ),
    "link identity": Route(
        "PUT",
        "/api/v1/admin/users/{user_id}/oidc-subject",
        lambda env: {"user_id": env.ids["user"]},
        lambda env: {"subject": "zwfw-000123"},
        lambda env: env.admin,
        text=(("subject",),),
        one_line=(("subject",),),
        setup=_user,
    ),
    "calendar year": Route(
        "PUT",
        "/api/v1/calendar/{year}",
        lambda env: {"year": 2031},
        lambda env: copy.deepcopy(CALENDAR),
        lambda env: env.admin,
        text=(("title",), ("days_off", 0, "name"), ("makeup_days", 0, "for")),
        one_line=(("reference",), ("days_off", 0, "name")),
    ),
    "draft letter": Route(
        "POST",
        "/api/v1/cases/{case_id}/letters",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: {"kind": "correction_notice", "fields": {"items_to_correct": ["身份证明"]}},
        _clerk,
        text=(("fields", "items_to_correct", 0),),
        keys=(("fields", "items_to_correct"),),
        setup=_received_case,
    ),
    "draft fields": Route(
        "PUT",
        "/api/v1/cases/{case_id}/letters/{letter_id}/fields",
        lambda env: {"case_id": env.ids["case"]["id"], "letter_id": env.ids["letter"]},
        lambda env: {"items_to_correct": ["身份证明", "申请表签名"]},
        _clerk,
        text=(("items_to_correct", 1),),
        keys=(("items_to_correct",),),
        setup=_draft,
    ),
    "print batch": Route(
        "POST",
        "/api/v1/print-batches",
        lambda env: {},
        lambda env: {"filter": {"not_printed": True, "delivery": "all"}},
        lambda env: env.staff.headers("front_desk"),
        text=(),
        booleans=(("filter", "not_printed"),),
    ),
    "add remedy": Route(
        "POST",
        "/api/v1/cases/{case_id}/remedies",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: {**REMEDY, "kind": "litigation_direct", "body": "示例区人民法院"},
        _clerk,
        text=(("body",), ("case_number",)),
        one_line=(("body",), ("case_number",)),
        setup=_replied_case,
    ),
    "update remedy": Route(
        "PUT",
        "/api/v1/cases/{case_id}/remedies/{record_id}",
        lambda env: {"case_id": env.ids["case"]["id"], "record_id": env.ids["remedy"]},
        lambda env: {**REMEDY, "result": "upheld", "result_on": "2026-05-18"},
        _clerk,
        text=(("body",), ("case_number",)),
        one_line=(("case_number",),),
        setup=_replied_case,
    ),
    "add communication": Route(
        "POST",
        "/api/v1/cases/{case_id}/communications",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: dict(CONTACT),
        _clerk,
        text=(("party_name",), ("summary",), ("follow_up",)),
        one_line=(("party_name",),),
        setup=_received_case,
    ),
    "correct communication": Route(
        "PUT",
        "/api/v1/cases/{case_id}/communications/{record_id}",
        lambda env: {"case_id": env.ids["case"]["id"], "record_id": env.ids["communication"]},
        lambda env: {**CONTACT, "method": "visit"},
        _clerk,
        text=(("party_name",), ("summary",), ("follow_up",)),
        one_line=(("party_name",),),
        setup=_contacted_case,
    ),
    "withdraw certificate": Route(
        "POST",
        "/api/v1/admin/organs/{code}/certificates/{certificate_id}/withdraw",
        lambda env: {"code": "org-a", "certificate_id": env.ids["certificate"]},
        lambda env: {"reason": "保管私钥的电脑丢失"},
        lambda env: env.admin,
        text=(("reason",),),
        setup=_certificate,
    ),
    "subscribe webhook": Route(
        "POST",
        "/api/v1/webhooks",
        lambda env: {},
        lambda env: dict(WEBHOOK),
        lambda env: env.admin,
        text=(("url",), ("description",)),
        one_line=(("url",), ("description",)),
    ),
    "change webhook": Route(
        "PATCH",
        "/api/v1/webhooks/{webhook_id}",
        lambda env: {"webhook_id": env.ids["webhook"]},
        lambda env: {"url": "https://oa.example.gov.cn/b", "description": "新", "active": False},
        lambda env: env.admin,
        text=(("url",), ("description",)),
        one_line=(("description",),),
        booleans=(("active",),),
        setup=_webhook,
    ),
    "create department": Route(
        "POST",
        "/api/v1/departments",
        lambda env: {},
        lambda env: {"name": "政务公开科", "organ_code": "org-a"},
        lambda env: env.admin,
        text=(("name",),),
        one_line=(("name",),),
    ),
    "change department": Route(
        "PATCH",
        "/api/v1/departments/{department_id}",
        lambda env: {"department_id": env.ids["department"]},
        lambda env: {"name": "规划和自然资源科", "active": True},
        lambda env: env.admin,
        text=(("name",),),
        one_line=(("name",),),
        booleans=(("active",),),
        setup=_department,
    ),
    "assign case": Route(
        "POST",
        "/api/v1/cases/{case_id}/assign",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: {"department_id": env.ids["department"], "note": "涉及规划资料"},
        lambda env: env.staff.headers("approver"),
        text=(("note",),),
        setup=_department_and_case,
    ),
    "ask for assistance": Route(
        "POST",
        "/api/v1/cases/{case_id}/assistance-requests",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: {
            "department_id": env.ids["department"],
            "text": "请检索2025年度资金安排文件",
            "due_in_working_days": 3,
        },
        lambda env: env.staff.headers("approver"),
        text=(("text",),),
        setup=_department_and_case,
    ),
    "answer assistance": Route(
        "POST",
        "/api/v1/assistance-requests/{request_id}/answer",
        lambda env: {"request_id": env.ids["assistance"]},
        lambda env: {"outcome": "partly", "text": "查到部分文件"},
        lambda env: env.ids["member"],
        text=(("text",),),
        setup=_assistance_asked,
    ),
    "upload released document": Route(
        "POST",
        "/api/v1/cases/{case_id}/released-documents",
        lambda env: {"case_id": env.ids["case"]["id"]},
        lambda env: {"title": "采购合同"},
        _clerk,
        text=(("title",),),
        one_line=(("title",),),
        setup=_received_case,
        files=lambda env: {"file": ("c.pdf", text_pdf(1), "application/pdf")},
    ),
    "mark for redaction": Route(
        "POST",
        "/api/v1/cases/{case_id}/released-documents/{document_id}/marks",
        lambda env: {"case_id": env.ids["case"]["id"], "document_id": env.ids["document"]},
        lambda env: dict(MARK),
        _clerk,
        text=(("phrase",), ("reason",)),
        one_line=(("phrase",),),
        setup=_released_document,
    ),
    "change a mark": Route(
        "PUT",
        "/api/v1/cases/{case_id}/released-documents/{document_id}/marks/{mark_id}",
        lambda env: {
            "case_id": env.ids["case"]["id"],
            "document_id": env.ids["document"],
            "mark_id": env.ids["mark"],
        },
        lambda env: {**MARK, "reason": "涉及个人隐私"},
        _clerk,
        text=(("phrase",), ("reason",)),
        one_line=(("phrase",),),
        setup=_marked_document,
    ),
    "report override": Route(
        "POST",
        "/api/v1/reports/annual/{year}/overrides",
        lambda env: {"year": 2026},
        lambda env: {"case_id": env.ids["case"]["id"], "reason": "更正登记错误的申请人类别"},
        lambda env: env.admin,
        text=(("reason",),),
        setup=_received_case,
        query="?organ=org-a",
    ),
}


def _put(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def _rename(body: dict[str, Any], path: Path, new_key: str) -> dict[str, Any]:
    out = copy.deepcopy(body)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[new_key] = target.pop(path[-1])
    return out


def _bad_bodies(route: Route, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    bad: list[tuple[str, dict[str, Any]]] = []
    for path in route.text:
        bad += [(f"NUL in {path}", _put(body, path, NUL)),
                (f"bidi override in {path}", _put(body, path, BIDI))]  # fmt: skip
    for path in route.one_line:
        bad.append((f"U+2028 in {path}", _put(body, path, LINE_SEPARATOR)))
    for path in route.keys:
        key = str(path[-1])
        bad += [(f"NUL in the key {path}", _rename(body, path, key + "\x00")),
                (f"U+2028 in the key {path}", _rename(body, path, key[:2] + "\u2028" + key[2:]))]  # fmt: skip
    for path in route.booleans:
        bad += [(f"{v!r} as the boolean {path}", _put(body, path, v)) for v in NOT_BOOLEANS]
    return bad


def snapshot(runtime: Runtime) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request changed nothing."""
    with runtime.engine.connect() as conn:
        return {
            t.name: sorted(repr(tuple(row)) for row in conn.execute(select(t)))
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_write_route_refuses_hidden_characters_and_loose_booleans_storing_nothing(
    client: TestClient, organ_a: Staff, admin: dict[str, str], runtime: Runtime, name: str
) -> None:
    route = ROUTES[name]
    env = Env(client, organ_a, admin, runtime)
    route.setup(env)
    url = route.path.format(**route.params(env)) + route.query
    body, headers = route.body(env), route.headers(env)
    bad = _bad_bodies(route, body)
    assert bad, "a write route must have something to test"
    before = snapshot(runtime)

    def send(payload: dict[str, Any]) -> Any:
        if route.files is not None:
            return client.request(
                route.method, url, data=payload, files=route.files(env), headers=headers
            )
        return client.request(route.method, url, json=payload, headers=headers)

    wrong: list[str] = []
    for label, bad_body in bad:
        r = send(bad_body)
        if r.status_code != 422 or r.headers["content-type"] != PROBLEM:
            wrong.append(f"{label}: {r.status_code} {r.text[:300]}")
        elif not r.json().get("errors"):
            wrong.append(f"{label}: 422 without field errors: {r.text[:300]}")
        elif snapshot(runtime) != before:
            wrong.append(f"{label}: 422 but the database changed")
            before = snapshot(runtime)
    assert wrong == []

    # The clean request gets past validation: the refusals above were the bad values' doing.
    r = send(body)
    assert r.status_code < 500, r.text
    assert r.status_code != 422, r.text


def test_every_write_route_is_covered(client: TestClient) -> None:
    """A new route that takes a body is added to ROUTES (or has no text and no boolean)."""
    without_text = {
        ("PUT", "/api/v1/admin/organs/{code}/seal"),  # a PNG image
        # A PKCS#12 file and its password, which only unlocks it and is never stored
        # (tests/signing/test_certificates_api.py sends NUL and bidi overrides in it).
        ("POST", "/api/v1/admin/organs/{code}/certificates"),
        # A PDF to check, never stored (tests/signing/test_verify_api.py).
        ("POST", "/api/v1/verify"),
        # A raw DSN (RFC 3464) from the MTA: its values are stored printable only
        # (tests/outbox/test_email.py).
        ("POST", "/api/v1/mail/dsn"),
        # Row ids and a version only.
        ("PUT", "/api/v1/departments/{department_id}/members"),
        ("POST", "/api/v1/cases/{case_id}/claim"),
    }
    covered = {(r.method, r.path) for r in ROUTES.values()}
    declared = set()
    for path, item in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method, op in item.items():
            if "requestBody" in op:
                declared.add((method.upper(), path))
    assert declared - without_text == covered
