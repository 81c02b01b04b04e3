"""Shapes of the delivery log and the dead letters in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class AttemptRead(BaseModel):
    attempted_at: datetime = Field(description="尝试时间 / when it was attempted")
    ok: bool = Field(description="是否成功 / whether it succeeded")
    detail: str = Field(
        description="结果说明（接收方的答复或错误）/ what happened (the receiver's answer or the error)"
    )
    duration_ms: int = Field(description="耗时（毫秒）/ how long it took, in milliseconds")


class OutboxDeliveryRead(BaseModel):
    id: int = Field(description="投递记录编号 / delivery id")
    channel: str = Field(
        description="投递渠道（webhook、email、sms、notice）/ the channel (webhook, email, sms, notice)"
    )
    target: str = Field(description="投递对象（订阅编号等）/ target (subscription id, ...)")
    event_id: str = Field(
        description="事件编号（接收方据此去重）/ event id receivers de-duplicate on"
    )
    event_type: str = Field(description="事件类型 / the event type")
    case_id: int | None = Field(description="案件编号 / the case's id")
    case_number: str | None = Field(description="登记编号 / the case's registration number")
    status: Literal["pending", "delivered", "dead"] = Field(
        description="投递状态 / the delivery's status"
    )
    attempts: int = Field(description="已尝试次数 / attempts made")
    created_at: datetime = Field(description="创建时间 / when it was created")
    next_attempt_at: datetime = Field(description="下次尝试时间 / when it is next attempted")
    delivered_at: datetime | None = Field(description="送达时间 / when it was delivered")
    last_error: str | None = Field(description="最近一次失败原因 / the last failure")
    result: dict[str, Any] | None = Field(
        description="渠道记录的结果（邮件编号、接收方状态等）/ what the channel recorded (message id, the receiver's status)"
    )
    log: list[AttemptRead] = Field(description="每次尝试 / each attempt")


class Redelivered(BaseModel):
    id: int = Field(description="投递记录编号 / delivery id")
    status: Literal["pending"] = Field("pending", description="投递状态 / the delivery's status")
