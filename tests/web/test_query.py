"""The applicant's pages: lookup, the case page, letters, correction, withdrawal, leaving."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import itsdangerous.timed
import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.api.portal_helpers import (
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

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
VERSION = re.compile(r'name="version" value="(\d+)"')
LETTER = re.compile(r'href="/query/letters/(\d+)"')
PDF = make_pdf()


def found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    assert match, text[:500]
    return match.group(1)


def csrf(client: TestClient, path: str = "/query") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def look_up(client: TestClient, number: str, code: str, **extra: str) -> Any:
    token = extra.pop("csrf_token", None) or csrf(client)
    data = {"csrf_token": token, "number": number, "code": code, **extra}
    return client.post("/query", data=data, follow_redirects=False)


def open_case(client: TestClient, receipt: dict[str, Any]) -> str:
    r = look_up(client, receipt["number"], receipt["query_code"])
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/query/case"
    page = client.get("/query/case")
    assert page.status_code == 200, page.text
    return page.text


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_lookup_page_has_the_labelled_form(client: TestClient) -> None:
    r = client.get("/query")
    assert r.status_code == 200
    assert "<h1>查询办理进度</h1>" in r.text
    assert '<label for="number">登记编号' in r.text
    assert '<label for="code">查询码' in r.text
    assert ">查询</button>" in r.text


def test_lookup_sets_the_cookie_and_the_case_page_shows_the_case(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-03T10:00+08:00")
    r = look_up(client, receipt["number"], receipt["query_code"])

    assert r.status_code == 303
    assert r.headers["location"] == "/query/case"
    assert receipt["query_code"] not in r.headers["location"]
    cookie = r.headers["set-cookie"]
    assert "gk_case=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()

    page = client.get("/query/case")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert "<h1>办理进度</h1>" in html
    for heading in ("下一步", "期限", "办理记录", "文书"):
        assert f"<h2>{heading}</h2>" in html
    assert "救济途径" not in html  # no reply yet
    assert "办理中" in html  # the state in plain words
    assert "机关正在办理，您现在无需操作。机关应在 2026年3月30日 前答复。" in html
    assert "<summary>为什么是这一天</summary>" in html
    assert "<li>自2026-03-02（收到申请）起算，当日不计入" in html
    assert "跳过周末8天" in html
    assert "网上提交申请" in html
    assert receipt["query_code"] not in html
    assert "撤回申请" in html
    assert "提交补正" not in html  # no correction awaited


def test_the_case_page_shows_no_staff_names_or_internal_events(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    case = staff_view(client, organ_a, receipt["id"])
    clock.set("2026-03-03T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    case = ok(start(client, organ_a, case, "third_party"))
    case = ok(act(client, organ_a, case, "record_opinion", "legal", consultation_id="C1",
                  received_on="2026-03-03", result="advice", opinion="内部意见"))  # fmt: skip

    html = open_case(client, receipt)

    assert "征求第三方或其他机关意见" in html
    for secret in ("用户", PARTIES["third_party"], PARTIES["legal_office"], "内部意见"):
        assert secret not in html


def test_the_receipt_letter_downloads_through_the_cookie(
    client: TestClient, organ_a: Staff
) -> None:
    receipt = online(client)
    html = open_case(client, receipt)
    ids = LETTER.findall(html)
    assert ids, html
    assert "下载" in text_of(html)

    r = client.get(f"/query/letters/{ids[0]}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_case_a_cookie_does_not_open_case_b_letters(client: TestClient, organ_a: Staff) -> None:
    a, b = online(client), online(client)
    b_html = open_case(client, b)
    b_letter = LETTER.findall(b_html)[0]
    open_case(client, a)  # the cookie now holds case A

    r = client.get(f"/query/letters/{b_letter}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert b["number"] not in client.get("/query/case").text
    assert client.get("/query/letters/abc").status_code == 404
    assert client.get("/query/letters/99999999").status_code == 404


def test_wrong_code_shows_the_form_again_with_404(client: TestClient, organ_a: Staff) -> None:
    receipt = online(client)
    wrong = ("1" if receipt["query_code"][0] != "1" else "2") + receipt["query_code"][1:]

    r = look_up(client, receipt["number"], wrong)

    assert r.status_code == 404
    assert "登记编号或查询码不正确" in r.text
    assert 'role="alert"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert receipt["number"] in r.text  # the number is kept
    assert wrong not in r.text  # the code is not echoed
    assert "gk_case=" not in r.headers.get("set-cookie", "")
    assert look_up(client, "", "").status_code == 422
    assert look_up(client, "x" * 5000, "y" * 5000).status_code == 404
    assert look_up(client, "no\x00such", "ABCD").status_code == 404


def test_after_the_free_failures_the_page_says_how_long_to_wait(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    receipt = online(client)
    free = runtime.settings.lookup_free_failures
    statuses = [look_up(client, receipt["number"], "0000-0000").status_code for _ in range(free)]
    assert statuses == [404] * free

    r = look_up(client, receipt["number"], "0000-0000")

    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "请稍后再试" in r.text or "已暂停" in r.text
    assert re.search(r"<strong>\d+ (秒|分钟|小时)</strong>", r.text)
    assert "身份证件" in r.text
    assert "Traceback" not in r.text


def test_without_a_valid_cookie_the_case_pages_go_back_to_the_lookup(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/query/case", follow_redirects=False).headers["location"] == "/query"
    client.cookies.set("gk_case", "forged.value.here")
    r = client.get("/query/case", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/query"
    assert client.get("/query/letters/1", follow_redirects=False).status_code == 303
    assert client.get("/query/case/withdraw", follow_redirects=False).status_code == 303

    client.cookies.clear()
    receipt = online(client)
    open_case(client, receipt)
    later = time.time() + (runtime.settings.portal_case_minutes + 1) * 60
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: later))
    r = client.get("/query/case", follow_redirects=False)
    assert r.status_code == 303  # older than portal_case_minutes
    assert r.headers["location"] == "/query"


def test_correction_with_a_pdf_while_awaiting_it(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-03T10:00+08:00")
    request_correction(client, organ_a, receipt["id"], received_on="2026-03-03")
    html = open_case(client, receipt)
    assert "需要您办理" in html
    assert '<label for="content">补正内容' in html
    assert '<label for="attachments">补正材料' in html
    assert "提交补正" in html
    token, version = found(CSRF, html), found(VERSION, html)

    clock.set("2026-03-04T10:00+08:00")
    r = client.post(
        "/query/case/correction",
        data={"csrf_token": token, "version": version, "content": "所需为2025年度信息"},
        files=[("attachments", ("补正.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )

    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/query/case"
    page = client.get("/query/case").text
    assert "收到补正" in page
    assert "提交补正" not in page
    staff = staff_view(client, organ_a, receipt["id"])
    assert staff["state"] == "received"
    assert [a["filename"] for a in staff["attachments"]] == ["补正.pdf"]


def test_correction_errors_show_beside_the_fields(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    request_correction(client, organ_a, receipt["id"])
    html = open_case(client, receipt)
    token, version = found(CSRF, html), found(VERSION, html)

    empty = client.post(
        "/query/case/correction", data={"csrf_token": token, "version": version, "content": " "}
    )
    assert empty.status_code == 422
    assert 'id="content-error"' in empty.text
    assert "请填写补正内容或上传补正材料" in empty.text

    bad = client.post(
        "/query/case/correction",
        data={"csrf_token": token, "version": version, "content": "见附件"},
        files=[("attachments", ("a.pdf", b"MZ\x90\x00not a pdf", "application/pdf"))],
    )
    assert bad.status_code == 415
    assert 'id="attachments-error"' in bad.text
    assert "见附件" in bad.text  # what was typed is kept

    stale = client.post(
        "/query/case/correction",
        data={"csrf_token": token, "version": str(int(version) - 1), "content": "x"},
    )
    assert stale.status_code == 409
    assert "办理情况已有变化" in stale.text
    assert staff_view(client, organ_a, receipt["id"])["state"] == "awaiting_correction"


def test_correction_is_refused_when_none_is_awaited(client: TestClient, organ_a: Staff) -> None:
    receipt = online(client)
    html = open_case(client, receipt)
    token = found(CSRF, html)
    version = found(VERSION, client.get("/query/case/withdraw").text)
    r = client.post(
        "/query/case/correction", data={"csrf_token": token, "version": version, "content": "x"}
    )
    assert r.status_code == 409
    assert "办理情况已有变化" in r.text
    assert staff_view(client, organ_a, receipt["id"])["state"] == "received"


def test_withdraw_asks_for_confirmation_then_withdraws(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    open_case(client, receipt)
    confirm = client.get("/query/case/withdraw")
    assert confirm.status_code == 200
    assert "<h1>撤回申请</h1>" in confirm.text
    assert '<label for="reason">撤回理由' in confirm.text
    assert "确认撤回" in confirm.text
    assert 'href="/query/case">返回</a>' in confirm.text
    token = found(CSRF, confirm.text)
    version = found(VERSION, confirm.text)

    stale = client.post(
        "/query/case/withdraw",
        data={"csrf_token": token, "version": str(int(version) + 5), "reason": "不再需要"},
    )
    assert stale.status_code == 409
    assert "办理情况已有变化" in stale.text
    assert "不再需要" in stale.text

    clock.set("2026-03-05T09:00+08:00")
    r = client.post(
        "/query/case/withdraw",
        data={"csrf_token": token, "version": version, "reason": "已从其他渠道获得"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/query/case"
    page = client.get("/query/case").text
    assert "已撤回" in page
    assert "申请已撤回" in page
    assert "您已撤回申请，本申请办理终止" in page
    # The annual report's category for a withdrawal (其他处理：其他) is no answer to show.
    assert "其他处理" not in page
    assert 'href="/query/case/withdraw"' not in page
    # A withdrawn application's reply period was neither met nor missed: it no longer runs.
    assert "不再计算" in page
    assert "已按期完成" not in page
    view = staff_view(client, organ_a, receipt["id"])
    assert view["concluded_on"] == "2026-03-05"
    reply = next(d for d in view["deadlines"] if d["name"] == "reply")
    assert reply["status"] == "ended"
    assert client.get("/query/case/withdraw", follow_redirects=False).status_code == 303


def test_after_the_reply_the_page_shows_the_remedy(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    receipt = online(client)
    clock.set("2026-03-04T10:00+08:00")
    reply_and_serve(client, organ_a, receipt["id"], served_on="2026-03-04")

    html = open_case(client, receipt)

    assert "<h2>救济途径</h2>" in html
    assert "2026年5月6日" in html  # reconsideration, 60 days, past the May Day holiday
    assert "2026年9月4日" in html  # lawsuit, 6 months
    assert "本申请已办结" in html
    assert "撤回申请" not in html
    assert "答复已送达" in html


def test_leave_forgets_the_case(client: TestClient, organ_a: Staff) -> None:
    receipt = online(client)
    html = open_case(client, receipt)
    token = found(CSRF, html)
    r = client.post("/query/leave", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/query"
    assert client.get("/query/case", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "path", ["/query", "/query/leave", "/query/case/correction", "/query/case/withdraw"]
)
def test_every_form_needs_its_csrf_token(client: TestClient, organ_a: Staff, path: str) -> None:
    receipt = online(client)
    open_case(client, receipt)
    r = client.post(path, data={"number": receipt["number"], "code": receipt["query_code"]})
    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert staff_view(client, organ_a, receipt["id"])["state"] == "received"


def test_malformed_posts_never_500(client: TestClient, organ_a: Staff) -> None:
    receipt = online(client)
    html = open_case(client, receipt)
    token = found(CSRF, html)
    bodies: list[dict[str, Any]] = [
        {"data": {"csrf_token": token, "version": "abc", "content": "x"}},
        {"data": {"csrf_token": token, "version": "9" * 40, "reason": "x"}},
        {"data": {"csrf_token": token, "version": "0", "content": "长" * 20000}},
        {"data": {"csrf_token": token, "reason": "理" * 20000}},
        {"data": {"csrf_token": token, "version": "0", "content": "a\x00b\u202e", "x": "y"}},
        {"data": {"csrf_token": token, "version": "-1", "reason": "a\x00b"}},
        {"content": b"\xff\xfe not a form", "headers": {"content-type": "multipart/form-data"}},
        {"content": b"csrf_token=" + token.encode(), "headers": {"content-type": "text/plain"}},
        {
            "data": {"csrf_token": token, "version": "0", "content": "x"},
            "files": [
                ("attachments", ("big.pdf", b"%PDF" + b"0" * (11 * 1024 * 1024), "application/pdf"))
            ],
        },
    ]
    for path in ("/query", "/query/case/correction", "/query/case/withdraw", "/query/leave"):
        for body in bodies:
            r = client.post(path, follow_redirects=False, **body)
            assert r.status_code < 500, (path, r.status_code, r.text[:300])
    assert staff_view(client, organ_a, receipt["id"])["state"] == "received"
