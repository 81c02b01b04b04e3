"""Domain errors and the one handler that renders them as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Protocol

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.fields import ROW_ID_OUT_OF_RANGE

PROBLEM_BASE = "https://gongkai.invalid/problems/"
PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("gongkai")


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="出错字段的位置 / location of the field")
    msg: str = Field(description="错误说明 / what is wrong")
    type: str | None = Field(default=None, description="错误类型 / error type")


class Problem(BaseModel):
    """The documented shape of every error response (RFC 9457)."""

    type: str = Field(description="问题类型 URI / problem type URI")
    code: str = Field(description="稳定的错误代码 / stable error code")
    title: str = Field(description="标题 / title")
    status: int = Field(description="HTTP 状态码 / HTTP status code")
    detail: str = Field(description="详细说明 / detail")
    instance: str | None = Field(default=None, description="请求路径 / request path")
    errors: list[FieldProblem] | None = Field(
        default=None, description="各字段的错误（422）/ errors per field (422)"
    )


class DomainError(Exception):
    """A failure the client can act on: carries its HTTP status and a stable code."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "请求有误 / Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers: dict[str, str] = {}


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "未找到 / Not found"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "未认证 / Authentication required"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.headers["WWW-Authenticate"] = "Bearer"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "无权操作 / Forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "冲突 / Conflict"


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "幂等键已用于不同请求 / Idempotency key reused with a different request"


class InvalidInput(DomainError):
    """A fact that needs the database or several fields together; reported per field like 422."""

    status = 422
    code = "validation-error"
    title = "输入有误 / Invalid input"

    def __init__(self, field: str | tuple[str | int, ...], message: str, **extra: Any) -> None:
        loc = (field,) if isinstance(field, str) else field
        super().__init__(message, errors=[{"loc": list(loc), "msg": message}], **extra)

    @classmethod
    def many(cls, errors: list[dict[str, Any]]) -> InvalidInput:
        """One error carrying several field errors ({"loc": [...], "msg": ...})."""
        exc = cls(tuple(errors[0]["loc"]), "；".join(e["msg"] for e in errors))
        exc.extra["errors"] = errors
        return exc


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload-too-large"
    title = "内容过大 / Payload too large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported-media-type"
    title = "不支持的文件类型 / Unsupported media type"


class TooManyAttempts(DomainError):
    status = 429
    code = "too-many-attempts"
    title = "尝试过于频繁 / Too many attempts"

    def __init__(self, detail: str, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.headers["Retry-After"] = str(retry_after)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render one problem document."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "code": code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(jsonable_encoder(extra))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        item = {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type")}
        errors.append(item)
    return errors


def _id_out_of_range(exc: RequestValidationError) -> str | None:
    """The path parameter naming a row id no row can have (app.fields.RowId), if any."""
    # Such an id is an unknown one: it answers 404 as any unknown id does, whatever else is wrong
    # with the request, and the database is never asked about it.
    for err in exc.errors():
        loc = err.get("loc", ())
        if err.get("type") == ROW_ID_OUT_OF_RANGE and len(loc) == 2 and loc[0] == "path":
            return str(loc[1])
    return None


class ErrorPages(Protocol):
    """Answers errors on the web pages as pages (app.web.errors); None for API requests."""

    def answer(
        self,
        request: Request,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None,
        extra: dict[str, Any],
    ) -> Response | None: ...


def install_error_handlers(app: FastAPI, pages: ErrorPages | None = None) -> None:
    """Register the problem+json handlers on the app (and the error pages, if given)."""

    def as_page(
        request: Request,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Response | None:
        if pages is None:
            return None
        return pages.answer(request, status, title, detail, headers, extra or {})

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        page = as_page(request, exc.status, exc.title, exc.detail, exc.headers or None, exc.extra)
        if page is not None:
            return page
        return problem(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers or None,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        missing = _id_out_of_range(exc)
        page = as_page(
            request,
            404 if missing is not None else 400,
            NotFound.title if missing is not None else DomainError.title,
            "页面地址有误 / the address is not valid",
        )
        if page is not None:
            return page
        if missing is not None:
            return problem(
                404,
                NotFound.code,
                NotFound.title,
                f"{missing} 所指的记录不存在 / no record has this {missing}",
                instance=request.url.path,
            )
        return problem(
            422,
            "validation-error",
            InvalidInput.title,
            "请求内容未通过校验 / The request did not pass validation",
            instance=request.url.path,
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        page = as_page(
            request,
            exc.status_code,
            NotFound.title if exc.status_code == 404 else str(exc.detail),
            str(exc.detail),
            getattr(exc, "headers", None),
        )
        if page is not None:
            return page
        return problem(
            exc.status_code,
            code,
            str(exc.detail),
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _pool_exhausted(request: Request, exc: SQLAlchemyTimeoutError) -> Response:
        # No connection came free within the pool timeout: the service is overloaded, not
        # broken, and the client's remedy is to retry shortly.
        log.warning("database pool exhausted on %s %s: %s", request.method, request.url.path, exc)
        busy = ServiceBusy(
            "服务繁忙，请稍后重试 / the service is busy, please retry shortly",
            retry_after=BUSY_RETRY_AFTER_S,
        )
        page = as_page(request, busy.status, busy.title, busy.detail, busy.headers, busy.extra)
        if page is not None:
            return page
        return problem(
            busy.status,
            busy.code,
            busy.title,
            busy.detail,
            instance=request.url.path,
            headers=busy.headers,
            **busy.extra,
        )


BUSY_RETRY_AFTER_S = 2


class ServiceBusy(DomainError):
    status = 503
    code = "service-busy"
    title = "服务繁忙 / Service busy"

    def __init__(self, detail: str, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.headers["Retry-After"] = str(retry_after)
