"""Probes, the OpenAPI document, and the start-up refusal without a CJK font."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import NoCJKFont, check_cjk_font, create_app
from app.migrate import head_revision
from app.runtime import build_runtime

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
CHECKS = {"database", "migrations", "cjk_font", "letters", "workflow", "calendar"}


def test_healthz_answers_ok(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_passes_every_check_on_a_migrated_database(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True
    assert set(body["checks"]) == CHECKS
    assert {name: c["ok"] for name, c in body["checks"].items()} == dict.fromkeys(CHECKS, True)
    assert body["checks"]["migrations"]["detail"] == f"at {head_revision()}, head {head_revision()}"


def test_readyz_is_503_when_the_database_is_not_migrated(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        secret_key="test-secret-key",
        storage_dir=tmp_path / "storage",
    )
    rt = build_runtime(settings)
    try:
        with TestClient(create_app(runtime=rt)) as c:
            r = c.get("/readyz")
    finally:
        rt.close()
    assert r.status_code == 503
    body = r.json()
    assert body["ready"] is False
    assert body["checks"]["migrations"] == {
        "ok": False,
        "detail": f"at None, head {head_revision()}",
    }
    others = {name: c["ok"] for name, c in body["checks"].items() if name != "migrations"}
    assert others == dict.fromkeys(CHECKS - {"migrations"}, True)


def test_docs_page_is_served(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in r.text


def test_openapi_document_is_served(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "gongkai 政府信息公开申请"
    assert "/api/v1/applications" in spec["paths"]


def _undescribed(spec: dict[str, Any]) -> list[str]:
    missing = []
    for name, schema in spec["components"]["schemas"].items():
        for prop, prop_schema in schema.get("properties", {}).items():
            description = prop_schema.get("description", "")
            if not (CJK.search(description) and LATIN.search(description)):
                missing.append(f"{name}.{prop}: {description!r}")
    return missing


def test_every_schema_property_is_described_in_chinese_and_english(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"], "no schemas in the OpenAPI document"
    assert _undescribed(spec) == []


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_schema_reference_resolves(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    prefix = "#/components/schemas/"
    refs = _refs(spec)
    assert {r for r in refs if not r.startswith(prefix)} == set()
    assert {r.removeprefix(prefix) for r in refs} - set(spec["components"]["schemas"]) == set()


def test_validation_errors_are_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    documented = [
        op["responses"]["422"]
        for item in spec["paths"].values()
        for op in item.values()
        if "422" in op.get("responses", {})
    ]
    assert documented, "no operation documents a 422"
    for response in documented:
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "code", "title", "status", "detail"}


def test_a_real_validation_error_has_the_documented_problem_shape(client: TestClient) -> None:
    r = client.get("/api/v1/applications/X", headers={"X-Query-Code": "y" * 65})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    spec = client.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(r.json()) <= set(problem["properties"])
    assert set(problem["required"]) <= set(r.json())
    field = spec["components"]["schemas"]["FieldProblem"]
    assert all(set(e) <= set(field["properties"]) for e in r.json()["errors"])


@pytest.mark.parametrize("path", ["/api/v1/applications", "/api/v1/cases"])
def test_intake_bodies_are_documented_as_json_and_multipart(client: TestClient, path: str) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"][path]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "multipart/form-data"}
    model = "ApplicationCreate" if path.endswith("applications") else "StaffCaseCreate"
    assert body["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{model}"
    }
    assert model in spec["components"]["schemas"]
    assert body["content"]["multipart/form-data"]["schema"]["required"] == ["application"]


def test_check_cjk_font_finds_an_installed_family() -> None:
    settings = Settings(database_url="sqlite://", secret_key="x")
    assert check_cjk_font(settings) in settings.cjk_font_families


def test_check_cjk_font_refuses_when_no_configured_family_is_installed() -> None:
    settings = Settings(
        database_url="sqlite://",
        secret_key="x",
        cjk_font_families=("No Such Font 无此字体", "Missing FangSong"),
    )
    with pytest.raises(NoCJKFont, match="no CJK font found"):
        check_cjk_font(settings)


def test_app_refuses_to_start_without_a_cjk_font(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        secret_key="x",
        storage_dir=tmp_path / "storage",
        cjk_font_families=("No Such Font 无此字体",),
    )
    rt = build_runtime(settings)
    try:
        with pytest.raises(NoCJKFont), TestClient(create_app(runtime=rt)):
            pass
    finally:
        rt.close()
