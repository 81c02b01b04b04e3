"""Organ notice texts: Jinja2 in a sandbox, previewed with sample data, errors a clear 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.notices.scan import deadline_warnings
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.notices.helpers import case_due, deliver, notices_of, user_id

TEXTS = "/api/v1/notice-texts"


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ case.__class__.__init__.__globals__ }}",
        "{{ organ_name.format.__self__ }}{{ cycler.__init__.__globals__ }}",
        "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    ],
)
def test_the_sandbox_refuses_internals(
    client: TestClient, admin: dict[str, str], organ_a: Staff, body: str
) -> None:
    r = client.post(
        f"{TEXTS}/due_soon/preview?organ=org-a",
        json={"subject": "提醒", "body": body},
        headers=admin,
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "notice-text-invalid"
    assert problem["errors"][0]["loc"] == ["body"]
    assert "<" not in problem["detail"]  # no object of the server's is shown


def test_the_refusal_says_why(client: TestClient, admin: dict[str, str], organ_a: Staff) -> None:
    r = client.post(
        f"{TEXTS}/due_soon/preview",
        json={"subject": "a", "body": "{{ ''.__class__ }}"},
        headers=admin,
    )
    assert "SecurityError" in r.json()["detail"]
    assert "unsafe" in r.json()["detail"]


def test_preview_renders_sample_data_and_errors_are_422(
    client: TestClient, admin: dict[str, str], organ_a: Staff
) -> None:
    ok = client.post(
        f"{TEXTS}/due_soon/preview",
        json={"subject": "{{ case.number }} 将到期", "body": "还有 {{ remaining_wd }} 个工作日"},
        headers=admin,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"subject": "示例依申〔2026〕0001号 将到期", "body": "还有 5 个工作日"}
    for subject, body in (("{{ nonesuch }}", "x"), ("ok", "{% if %}"), ("ok", "{{ 1 / 0 }}")):
        r = client.post(
            f"{TEXTS}/overdue/preview", json={"subject": subject, "body": body}, headers=admin
        )
        assert r.status_code == 422, (subject, body, r.text)
        assert r.json()["code"] == "notice-text-invalid"
    unknown = client.post(
        f"{TEXTS}/nonesuch/preview", json={"subject": "a", "body": "b"}, headers=admin
    )
    assert unknown.status_code == 422


def test_an_organ_text_is_stored_and_used(
    client: TestClient, runtime: Runtime, clock: Clock, admin: dict[str, str], organ_a: Staff
) -> None:
    clerk = organ_a.headers("clerk")
    assert client.get(f"{TEXTS}/due_soon", headers=clerk).status_code == 403
    default = client.get(f"{TEXTS}/due_soon?organ=org-a", headers=admin).json()
    assert default["custom"] is False
    assert "case" in default["variables"]
    assert client.get(f"{TEXTS}/due_soon", headers=admin).status_code == 422  # name the organ
    bad = client.put(
        f"{TEXTS}/due_soon?organ=org-a", json={"subject": "x", "body": "{{ oops }}"}, headers=admin
    )
    assert bad.status_code == 422
    text = {
        "subject": "请办理 {{ case.number }}",
        "body": "{{ due }} 到期，剩 {{ remaining_wd }} 日",
    }
    r = client.put(f"{TEXTS}/due_soon?organ=org-a", json=text, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["custom"] is True
    assert client.get(f"{TEXTS}/due_soon?organ=org-a", headers=admin).json()["body"] == text["body"]
    case_due(client, runtime, "2026-11-13")
    clock.set("2026-11-06T09:00+08:00")
    deadline_warnings(runtime, clock())
    deliver(runtime)
    (n,) = notices_of(runtime, user_id(runtime, "clerk 用户"))
    assert n.subject.startswith("请办理 ")
    assert n.body == "2026-11-13 到期，剩 5 日"
