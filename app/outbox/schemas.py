"""Shapes of the delivery log and the dead letters in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class AttemptRead(BaseModel):
    attempted_at: datetime
    ok: bool
    detail: str
    duration_ms: int


class DeliveryRead(BaseModel):
    id: int = Field(description="投递记录编号 / delivery id")
    channel: str
    target: str = Field(description="投递对象（订阅编号等）/ target (subscription id, ...)")
    event_id: str = Field(
        description="事件编号（接收方据此去重）/ event id receivers de-duplicate on"
    )
    event_type: str
    case_id: int | None
    case_number: str | None
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    result: dict[str, Any] | None
    log: list[AttemptRead] = Field(description="每次尝试 / each attempt")


class Redelivered(BaseModel):
    id: int
    status: Literal["pending"] = "pending"
