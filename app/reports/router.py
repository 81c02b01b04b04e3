"""Staff API: the annual report (RULES §8)."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import CommittingRoute

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/reports", tags=["reports"])
