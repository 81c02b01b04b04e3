"""The workflow pages (/staff/admin/workflow): every state and every arrow of the diagram the
JSON API serves, as a table; the Mermaid source to download; any signed-in staff member."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.runtime import Runtime
from tests.conftest import Staff
from tests.web.staff_support import (
    make_staff,
    settings,  # noqa: F401  (the cheap-hash settings for this module)
    signed_in,
)

PAGE = "/staff/admin/workflow"
ARROW = re.compile(r"^    (\w+) --> (\w+): (?:↩ )?.*\((\w+)\)$", re.M)


@pytest.fixture
def clerk(client: TestClient, runtime: Runtime, organ_a: Staff) -> TestClient:
    make_staff(runtime, "org-a", "clerk", login="clerk")
    return signed_in(client, "clerk")


def _rows(html: str) -> set[tuple[str, str, str]]:
    """(state, action, target) for every target link in the table."""
    found = set()
    for body in re.findall(r'<tbody id="state-(\w+)">(.*?)</tbody>', html, re.S):
        state, text = body
        for row in re.split(r"<tr>", text):
            action = re.search(r'<td>[^<]*<span class="code">(\w+)</span></td>', row)
            if action:
                for target in re.findall(r'<a href="#state-(\w+)">', row):
                    found.add((state, action.group(1), target))
    return found


@pytest.mark.parametrize("name", ["foi_application", "record_correction"])
def test_the_table_holds_every_arrow_of_the_apis_diagram(
    clerk: TestClient, client: TestClient, name: str
) -> None:
    r = clerk.get(f"{PAGE}/{name}")
    assert r.status_code == 200, r.text[:500]
    source = client.get(f"/api/v1/workflows/{name}/diagram")
    assert source.status_code == 200
    arrows = {(src, action, dst) for src, dst, action in ARROW.findall(source.text)}
    assert arrows
    assert _rows(r.text) == arrows
    definition = client.get(f"/api/v1/workflows/{name}").json()
    for code, state in definition["states"].items():
        assert f'<tbody id="state-{code}">' in r.text
        assert state["label"] in r.text
    assert f'href="/api/v1/workflows/{name}/diagram" download="{name}.mmd"' in r.text
    # The Mermaid source shown is the API's, escaped.
    assert source.text.splitlines()[1] in r.text
    assert "stateDiagram-v2" in r.text


def test_roles_and_start_and_end_are_named(clerk: TestClient, client: TestClient) -> None:
    r = clerk.get(f"{PAGE}/foi_application")
    definition = client.get("/api/v1/workflows/foi_application").json()
    first = definition["initial_states"][0]
    block = re.search(rf'<tbody id="state-{first}">(.*?)</tbody>', r.text, re.S)
    assert block
    assert "起始" in block.group(1)
    assert "承办人" in r.text
    assert "办结" in r.text


def test_the_default_is_the_foi_workflow_and_types_are_linked(clerk: TestClient) -> None:
    r = clerk.get(PAGE, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"{PAGE}/foi_application"
    page = clerk.get(r.headers["location"])
    assert f'<a href="{PAGE}/record_correction">' in page.text
    assert f'<a href="{PAGE}/foi_application" aria-current="page">' in page.text


@pytest.mark.parametrize("name", ["nope", "A", "x" * 40, "..%2F..", "1abc"])
def test_an_unknown_workflow_is_a_page_not_a_crash(clerk: TestClient, name: str) -> None:
    r = clerk.get(f"{PAGE}/{name}")
    assert r.status_code in (400, 404, 422), r.text[:300]
    assert r.headers["content-type"].startswith("text/html")


def test_without_a_session_it_sends_to_sign_in(client: TestClient) -> None:
    r = client.get(f"{PAGE}/foi_application", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/staff/login")


@pytest.mark.parametrize("name", ["foi_application", "record_correction"])
def test_the_page_embeds_the_apis_svg_with_every_state_label(
    clerk: TestClient, client: TestClient, name: str
) -> None:
    api = client.get(f"/api/v1/workflows/{name}/diagram.svg")
    assert api.status_code == 200
    assert api.headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert api.text.startswith('<svg role="img" aria-label="办理流程图：')
    assert set(re.findall(r"https?://[^\s\"'<>]*", api.text)) == {"http://www.w3.org/2000/svg"}
    page = clerk.get(f"{PAGE}/{name}").text
    figure = re.search(r'<div class="workflow-diagram__image" tabindex="0">(.*?)</div>', page, re.S)
    assert figure
    assert figure.group(1) == api.text
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", figure.group(1)))
    for state in client.get(f"/api/v1/workflows/{name}").json()["states"].values():
        assert state["label"] in texts
    assert f'href="/api/v1/workflows/{name}/diagram.svg" download="{name}.svg"' in page
    # Nothing on the page comes from another origin.
    assert set(re.findall(r"https?://[^\s\"'<>]*", page)) <= {"http://www.w3.org/2000/svg"}


def test_without_graphviz_the_page_says_so_and_keeps_the_table(
    clerk: TestClient, client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    r = clerk.get(f"{PAGE}/foi_application")
    assert r.status_code == 200
    assert "流程图暂时无法显示：服务器未安装 Graphviz（dot）" in r.text
    assert "<svg" not in r.text
    assert '<tbody id="state-received">' in r.text
    assert "diagram.svg" not in r.text
    api = client.get("/api/v1/workflows/foi_application/diagram.svg")
    assert api.status_code == 503
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "diagram-unavailable"
    assert "Graphviz" in api.json()["detail"]


def test_an_unknown_workflows_svg_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/workflows/nope/diagram.svg").status_code == 404
