"""The OpenAPI document declares the problem+json answers each operation can give."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def doc(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _problems(doc: dict[str, Any], method: str, path: str) -> set[int]:
    responses = doc["paths"][path][method]["responses"]
    out = set()
    for status, response in responses.items():
        content = response.get("content", {})
        if "application/problem+json" in content:
            assert content["application/problem+json"]["schema"] == PROBLEM_REF
            out.add(int(status))
    return out


def test_every_error_response_is_problem_json(doc: dict[str, Any]) -> None:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400 or (path, status) == ("/readyz", "503"):
                    continue
                assert set(response["content"]) == {"application/problem+json"}, (
                    method,
                    path,
                    status,
                )


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/healthz", {400, 414, 431}),
        ("get", "/api/v1/cases", {400, 401, 403, 414, 422, 431, 503}),
        ("get", "/api/v1/cases/{case_id}", {400, 401, 403, 404, 414, 422, 431, 503}),
        (
            "post",
            "/api/v1/cases/{case_id}/actions/{action}",
            {400, 401, 403, 404, 409, 413, 414, 422, 428, 431, 503},
        ),
        (
            "post",
            "/api/v1/applications",
            {400, 409, 413, 414, 415, 422, 431, 503},
        ),
        (
            "put",
            "/api/v1/admin/organs/{code}/seal",
            {400, 401, 403, 404, 409, 413, 414, 415, 422, 431, 503},
        ),
        ("get", "/api/v1/applications/{number}", {400, 404, 414, 422, 429, 431, 503}),
        (
            "post",
            "/api/v1/applications/{number}/actions/{action}",
            {400, 404, 409, 413, 414, 422, 428, 429, 431, 503},
        ),
        ("get", "/api/v1/organs", {400, 414, 422, 431, 503}),
        # ?name= picks the case type: an unknown one is a 422.
        ("get", "/api/v1/workflow", {400, 414, 422, 431}),
        ("get", "/api/v1/workflows/{name}", {400, 404, 414, 422, 431}),
    ],
)
def test_problem_answers_follow_from_the_operation(
    doc: dict[str, Any], method: str, path: str, expected: set[int]
) -> None:
    assert _problems(doc, method, path) == expected


def test_routes_keep_their_own_descriptions(doc: dict[str, Any]) -> None:
    lookup = doc["paths"]["/api/v1/applications/{number}"]["get"]["responses"]

    assert lookup["429"]["description"] == "失败次数过多 / too many failed attempts"
    assert lookup["422"]["description"] == "输入有误 / Invalid input"


def test_readiness_keeps_its_own_503_body(doc: dict[str, Any]) -> None:
    content = doc["paths"]["/readyz"]["get"]["responses"]["503"]["content"]

    assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}


def test_fastapis_validation_error_schema_is_gone(doc: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "Problem" in doc["components"]["schemas"]
