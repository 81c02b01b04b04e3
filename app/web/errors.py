"""Errors on the web pages are pages: what went wrong in words, and what to do next."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.web.templating import render

# Paths answered by the JSON API, its docs and the probes: their errors stay problem+json.
API_PREFIXES = ("/api/", "/docs", "/openapi.json", "/healthz", "/readyz")


def is_page_request(request: Request) -> bool:
    path = request.url.path
    return not any(path == p.rstrip("/") or path.startswith(p) for p in API_PREFIXES)


def wait_in_words(seconds: int) -> str:
    """How long to wait, as a person says it: 30 秒, 5 分钟, 2 小时."""
    if seconds < 60:
        return f"{max(seconds, 1)} 秒"
    if seconds < 3600:
        return f"{-(-seconds // 60)} 分钟"
    return f"{-(-seconds // 3600)} 小时"


# Starlette's own answers (an unknown address, a wrong method) come in English: in words here.
PLAIN_STATUS = {
    400: ("请求有误", "页面收到的内容无法处理。"),
    404: ("未找到", "您要找的页面不存在，或者已经失效。"),
    405: ("无法这样访问", "这个页面不支持这种访问方式。"),
}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


class WebErrorPages:
    """app.errors.ErrorPages for the portal and the workbench."""

    def answer(
        self,
        request: Request,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None,
        extra: dict[str, Any],
    ) -> Response | None:
        if not is_page_request(request):
            return None
        rt = getattr(request.app.state, "runtime", None)
        if rt is None:  # before the lifespan ran: nothing to render with
            return None
        retry_after = extra.get("retry_after")
        if not _has_cjk(detail) and status in PLAIN_STATUS:
            title, detail = PLAIN_STATUS[status]
        context = {
            "status": status,
            "title": title.split(" / ")[0],
            "detail": detail.split(" / ")[0],
            "wait": wait_in_words(int(retry_after)) if isinstance(retry_after, int) else None,
        }
        template = "staff/error.html" if request.url.path.startswith("/staff/") else "error.html"
        return render(request, rt, template, context, status_code=status, headers=headers)
