"""Staff API: the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import CommittingRoute

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/dashboard", tags=["oversight"])
