"""The OpenAPI document: the hand-read intake bodies, and every problem+json answer derived once.

Which errors an operation can answer follows from what it is, so it is derived here from the
document and the routes rather than declared route by route (where it would drift):
anything can be malformed (400: NUL in the URL, a broken body) or have too large a head
(414/431); a bearer-secured route answers 401/403; a path parameter, an `organ` query or a few
bodies name something that may not exist (404); a write may conflict (409); an If-Match route requires the version (428);
a body may be too large (413) or of the wrong type when it is not JSON (415); a query-code
route is braked (429); a route that needs the database (or renders letters) may find it
unavailable (503).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from app.errors import PROBLEM_JSON, Problem

DESCRIPTIONS = {
    400: "请求格式错误 / Malformed request",
    401: "未认证 / Authentication required",
    403: "无权操作 / Forbidden",
    404: "未找到 / Not found",
    409: "冲突（状态、版本或重复）/ Conflict (state, version or duplicate)",
    413: "内容过大 / Payload too large",
    414: "请求地址过长 / URI too long",
    415: "不支持的类型 / Unsupported media type",
    422: "输入有误 / Invalid input",
    428: "缺少版本号 / Version required",
    429: "尝试过于频繁 / Too many attempts",
    431: "请求头过大 / Request header fields too large",
    503: "暂不可用，稍后重试 / Temporarily unavailable, retry later",
}
WRITES = {"post", "put", "patch", "delete"}
# Operations whose body names records that may not exist (the rest is read from the shape).
BODY_LOOKUPS = {("post", "/api/v1/print-batches"), ("post", "/api/v1/admin/users")}
METHODS = WRITES | {"get", "head", "options"}


def install_openapi(app: FastAPI, routes: Iterable[BaseRoute], *models: type[BaseModel]) -> None:
    """Build the document once, with the intake models registered and the problems declared."""
    database_ops = {
        (method.lower(), route.path)
        for route in routes
        if isinstance(route, APIRoute) and _needs_session(route.dependant)
        for method in route.methods or ()
    }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        documented: tuple[type[BaseModel], ...] = (*models, Problem)
        for model in documented:
            js = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(js.pop("$defs", {}))
            components[model.__name__] = js
        document_problems(schema, database_ops)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _needs_session(dependant: Dependant) -> bool:
    """Whether the endpoint or any of its dependencies takes a database session."""
    for call in _calls(dependant):
        try:
            hints = typing.get_type_hints(call)
        except (NameError, TypeError):
            # Callable objects (HTTPBearer) have no resolvable hints and take no session.
            continue
        if any(hint is Session for name, hint in hints.items() if name != "return"):
            return True
    return False


def problem_statuses(
    method: str, path: str, operation: dict[str, Any], uses_database: bool
) -> set[int]:
    """The error statuses an operation can answer, from its shape."""
    params = operation.get("parameters", [])
    where = {p["in"] for p in params}
    headers = {p["name"].lower() for p in params if p["in"] == "header"}
    queries = {p["name"] for p in params if p["in"] == "query"}
    body = operation.get("requestBody")
    secured = bool(operation.get("security"))
    statuses = {400, 414, 431}
    if params or body:
        statuses.add(422)
    if secured:
        statuses |= {401, 403}
    if (
        "path" in where
        or "organ" in queries
        or "x-query-code" in headers
        or (method, path) in BODY_LOOKUPS
    ):
        statuses.add(404)
    if method in WRITES:
        statuses.add(409)
    if "if-match" in headers:
        statuses.add(428)
    if body:
        statuses.add(413)
        if any(not t.endswith("json") for t in body.get("content", {})):
            statuses.add(415)
    if "x-query-code" in headers:
        statuses.add(429)
    if uses_database or secured:
        statuses.add(503)
    return statuses


def _is_problem(response: dict[str, Any]) -> bool:
    """True unless the route documents a body of its own for this error (e.g. /readyz's 503)."""
    content = response.get("content") or {}
    for media in content.values():
        ref = (media.get("schema") or {}).get("$ref", "")
        if ref and not ref.endswith("/Problem") and not ref.endswith("/HTTPValidationError"):
            return False
    return True


def document_problems(schema: dict[str, Any], database_ops: set[tuple[str, str]]) -> None:
    """Declare every problem+json answer of every operation, keeping routes' own descriptions."""
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            statuses = problem_statuses(method, path, operation, (method, path) in database_ops)
            statuses |= {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            for status in sorted(statuses):
                existing = responses.get(str(status), {})
                if existing and not _is_problem(existing):
                    continue
                responses[str(status)] = {
                    "description": existing.get("description")
                    if status != 422 and existing.get("description")
                    else DESCRIPTIONS.get(status, "错误 / Error"),
                    "content": {PROBLEM_JSON: {"schema": problem_ref}},
                }
    components = schema["components"]["schemas"]
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
