"""The portal's front page and the reader's preferences (large text, 适老化)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.runtime import RuntimeDep
from app.web.forms import read_form
from app.web.security import TEXT_COOKIE, TEXT_LARGE
from app.web.templating import render

router = APIRouter(include_in_schema=False)

YEAR = 365 * 24 * 3600


def local_path(value: object, default: str = "/") -> str:
    """A path on this site to return to; anything else (another host, a scheme) goes home."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 32 for c in value) or len(value) > 500:
        return default
    return value


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep) -> Response:
    return render(request, rt, "home.html", cacheable=True)


@router.post("/preferences/text-size")
async def text_size(request: Request, rt: RuntimeDep) -> Response:
    """Large text on or off; it stays as chosen (a cookie for a year) on every page."""
    form = await read_form(request, rt)
    response = RedirectResponse(local_path(form.get("next")), status_code=303)
    if form.get("size") == TEXT_LARGE:
        response.set_cookie(TEXT_COOKIE, TEXT_LARGE, max_age=YEAR, samesite="strict", path="/")
    else:
        response.delete_cookie(TEXT_COOKIE, path="/", samesite="strict")
    return response
