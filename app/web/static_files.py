"""The pages' static files (one stylesheet, scripts that only improve a working page).

Their URLs carry a hash of their bytes (app.web.templating.static_url), so they are cached for
a year and a changed file is a new URL.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

YEAR = 365 * 24 * 3600


class VersionedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
