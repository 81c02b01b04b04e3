"""Shapes of the webhook and dead-letter API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.auth.oidc.urls import is_web_url
from app.fields import Code, Flag, Text200

# The events a subscription may ask for: app.outbox.events.CASE_EVENT_TYPES (a test keeps the
# two lists equal; a Literal makes them an enum in the OpenAPI document).
EventType = Literal[
    "case.received",
    "case.state_changed",
    "letter.issued",
    "consultation.window_ended",
    "deadline.due_soon",
    "deadline.overdue",
    "case.replied",
    "case.served",
    "case.assigned",
    "case.transferred",
    "case.transferred_in",
    "release.expiring",
]
URL_MAX = 2000


def _web_url(value: str) -> str:
    if not is_web_url(value):
        raise ValueError(
            "须为 http:// 或 https:// 地址，含主机名，不含用户名、密码或 # 片段 / an http(s):// "
            "address with a host, without credentials or a #fragment"
        )
    return value


WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=URL_MAX,
        # Printable ASCII only: an internationalised host is given in its xn-- form.
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[\x21-\x7e]+$",
        description=(
            "接收地址（http/https；能否访问由部署的网络决定）/ receiver address (http or "
            "https; whether it is reachable is up to the deployment's network)"
        ),
    ),
    AfterValidator(_web_url),
]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(get_args(EventType)),
        description="订阅的事件类型，至少一种 / event types to receive, at least one",
    ),
]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(
        description="接收地址（http 或 https）/ the receiver's URL (http or https)"
    )
    event_types: EventTypes = Field(description="订阅的事件类型 / the event types subscribed to")
    description: Text200 | None = Field(None, description="说明 / what it is for")
    organ_code: Code | None = Field(
        None,
        description=(
            "所属机关；平台管理员必填，机关管理员只能为本机关订阅 / the organ; required of a "
            "platform administrator, an organ's administrator subscribes for their own organ"
        ),
    )


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl | None = Field(
        None, description="接收地址（http 或 https）/ the receiver's URL (http or https)"
    )
    event_types: EventTypes | None = Field(
        None, description="订阅的事件类型 / the event types subscribed to"
    )
    active: Flag | None = Field(
        None,
        description=(
            "启用或停用；停用时待投递的记录转为失败 / on or off; turning it off drops its "
            "pending deliveries as dead"
        ),
    )
    description: Text200 | None = Field(None, description="说明 / what it is for")


class WebhookRead(BaseModel):
    id: str = Field(description="订阅编号 / subscription id (whs_...)")
    organ_code: str = Field(description="所属机关 / organ")
    url: str = Field(description="接收地址（http 或 https）/ the receiver's URL (http or https)")
    event_types: list[str] = Field(description="订阅的事件类型 / the event types subscribed to")
    active: bool = Field(description="是否启用 / whether deliveries are made")
    description: str = Field(description="说明 / what it is for")
    created_at: datetime = Field(description="创建时间 / when it was created")
    created_by: str = Field(description="创建人 / who created it")
    disabled_at: datetime | None = Field(description="停用时间 / when it was turned off")
    disabled_reason: str | None = Field(description="停用原因 / why it was turned off")


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description=(
            "签名密钥，仅显示一次 / signing secret (whsec_...), shown only once; receivers "
            "verify webhook-signature with it"
        )
    )


class SecretRotated(BaseModel):
    id: str = Field(description="订阅编号 / subscription id (whs_...)")
    secret: str = Field(description="新的签名密钥，仅显示一次 / the new signing secret, shown once")
