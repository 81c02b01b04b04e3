"""One Jinja2 environment for every page, and the one function that renders a page.

Autoescaped, StrictUndefined (a missing value is a bug, not an empty string), one layout
(templates/web/base.html) and one stylesheet. Every page goes out with the page policy
(no inline script, nothing from another origin) and `Cache-Control: no-store` unless it says
it holds no personal data.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from app.config import PROJECT_ROOT
from app.deadline.explain import STATUS_LABELS
from app.runtime import Runtime
from app.web.security import (
    CSRF_FIELD,
    PAGE_POLICY,
    csrf_token,
    large_text,
    set_csrf_cookie,
)

TEMPLATES_DIR = PROJECT_ROOT / "templates" / "web"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static"
SERVICE_NAME = "政府信息公开申请"
WEEKDAYS = "一二三四五六日"


@cache
def static_version(name: str) -> str:
    """A short hash of a static file's bytes: its URL changes whenever the file does."""
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise FileNotFoundError(name)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"{STATIC_PREFIX}/{name}?v={static_version(name)}"


def cn_date(value: date | datetime | None, weekday: bool = False) -> str:
    """2026年3月2日 (and （星期一） when asked); an em dash for no date."""
    if value is None:
        return "—"
    day = value.date() if isinstance(value, datetime) else value
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（星期{WEEKDAYS[day.weekday()]}）" if weekday else text


def cn_datetime(value: datetime | None, tz: Any = None) -> str:
    if value is None:
        return "—"
    local = value.astimezone(tz) if tz is not None else value
    return f"{cn_date(local)} {local:%H:%M}"


# In templates a moment is shown in the page's time zone (`tz`, the organ's: Beijing time)
# unless told otherwise; a stored datetime is UTC, whose date and hour would be wrong.
@pass_context
def _local_date(ctx: Context, value: date | datetime | None, weekday: bool = False) -> str:
    zone = ctx.get("tz")
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return cn_date(value, weekday)


@pass_context
def _local_datetime(ctx: Context, value: datetime | None, tz: Any = None) -> str:
    return cn_datetime(value, tz if tz is not None else ctx.get("tz"))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        static_url=static_url,
        service_name=SERVICE_NAME,
        csrf_field=CSRF_FIELD,
        status_words=STATUS_LABELS,  # a deadline's status in words
    )
    env.filters.update(cn_date=_local_date, cn_datetime=_local_datetime)
    return env


def render(
    request: Request,
    rt: Runtime,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    cacheable: bool = False,
) -> HTMLResponse:
    """Render a page in the layout, with a CSRF token for its forms and the page policy."""
    values: dict[str, Any] = {
        "request": request,
        "csrf_token": csrf_token(request, rt),
        "large_text": large_text(request),
        "current_path": request.url.path,
        "tz": rt.tz,
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    if cacheable:
        response.headers.setdefault("Cache-Control", "no-cache")
    # Otherwise app.http.security adds no-store: a page is private unless it says otherwise.
    set_csrf_cookie(request, response)
    return response
