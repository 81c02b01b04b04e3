"""Staff API: the ledger (台账) export."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import CommittingRoute

router = APIRouter(route_class=CommittingRoute, prefix="/api/v1/reports", tags=["reports"])
