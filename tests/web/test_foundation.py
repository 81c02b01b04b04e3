"""The web foundation: layout, page policy, CSRF, error pages, large text, the case cookie."""

from __future__ import annotations

import re

from fastapi import Response
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.runtime import Runtime
from app.web.forms import FieldErrors, nest
from app.web.portal import local_path
from app.web.security import CaseGrant, grant_case, granted_case
from tests.fixtures.factories import Clock

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def _csrf(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_home_page_is_a_page_with_the_strict_policy(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "申请公开" in r.text
    assert "查询办理进度" in r.text
    assert "20 个工作日" in r.text
    assert '<html lang="zh-CN"' in r.text
    # Nothing from another origin: every src/href is on this site.
    for url in re.findall(r'(?:src|href|action)="([^"]+)"', r.text):
        assert url.startswith(("/", "#")), url
    assert r.cookies.get("gk_csrf")


def test_stylesheet_is_served_versioned_and_cached(client: TestClient) -> None:
    page = client.get("/").text
    href = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{12})"', page)
    assert href
    css = client.get(href.group(1))
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"]


def test_unknown_page_is_a_page_saying_what_to_do(client: TestClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "返回首页" in r.text
    assert "您要找的页面不存在" in r.text
    assert "Not Found" not in r.text
    assert r.headers["cache-control"] == "no-store"
    # The API keeps answering problem+json.
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_form_without_its_token_is_refused(client: TestClient) -> None:
    client.get("/")
    r = client.post("/preferences/text-size", data={"size": "large", "next": "/"})
    assert r.status_code == 403
    assert "页面已过期" in r.text
    r = client.post(
        "/preferences/text-size", data={"size": "large", "next": "/", "csrf_token": "0" * 64}
    )
    assert r.status_code == 403


def test_token_of_another_browser_is_refused(app: object, client: TestClient) -> None:
    token = _csrf(client)
    with TestClient(app) as other:  # type: ignore[arg-type]
        other.get("/")
        r = other.post("/preferences/text-size", data={"size": "large", "csrf_token": token})
        assert r.status_code == 403


def test_large_text_stays_on_once_chosen(client: TestClient) -> None:
    token = _csrf(client)
    r = client.post(
        "/preferences/text-size",
        data={"size": "large", "next": "/query", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/query"
    page = client.get("/")
    assert 'class="large-text"' in page.text
    assert 'aria-pressed="true"' in page.text
    r = client.post(
        "/preferences/text-size",
        data={"size": "normal", "next": "//evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"
    assert 'class="large-text"' not in client.get("/").text


def test_local_path_refuses_other_sites() -> None:
    assert local_path("/apply") == "/apply"
    for bad in ("//x.example", "https://x.example/", "/\\x.example", "x", None, "/a\nb"):
        assert local_path(bad) == "/"


def test_nest_builds_the_models_shape_and_closes_row_gaps() -> None:
    form = [
        ("csrf_token", "t"),
        ("applicant.name", " 张三 "),
        ("applicant.email", ""),
        ("items.0.description", "甲"),
        ("items.3.description", "乙"),
        ("items.3.document_number", "文1"),
        ("items.2.description", ""),
        ("e_service_consent", "true"),
    ]
    assert nest(form) == {
        "applicant": {"name": "张三"},
        "items": [{"description": "甲"}, {"description": "乙", "document_number": "文1"}],
        "e_service_consent": "true",
    }


def test_field_errors_name_the_fields_in_chinese() -> None:
    from pydantic import ValidationError

    from app.intake.schemas import ApplicationCreate

    try:
        ApplicationCreate.model_validate({"organ_code": "demo", "items": []})
    except ValidationError as exc:
        errors = FieldErrors.of_validation(exc)
    assert errors.get("applicant") == "请填写此项"
    assert errors.get("items") == "请至少填写一项"


def _request(cookies: dict[str, str] | None = None) -> Request:
    header = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/query",
        "headers": [(b"cookie", header.encode())] if header else [],
        "scheme": "http",
        "server": ("test", 80),
        "query_string": b"",
    }
    return Request(scope)


def test_case_cookie_is_signed_scoped_and_short_lived(runtime: Runtime, clock: Clock) -> None:
    response = Response()
    grant_case(_request(), response, runtime, CaseGrant(case_id=7, number="N-1"))
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header
    assert "SameSite=strict" in header or "samesite=strict" in header.lower()
    assert f"Max-Age={runtime.settings.portal_case_minutes * 60}" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert granted_case(_request({"gk_case": value}), runtime) == CaseGrant(7, "N-1")
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert granted_case(_request({"gk_case": tampered}), runtime) is None
    assert granted_case(_request({"gk_case": "garbage"}), runtime) is None
