"""What the DSN route answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DsnRead(BaseModel):
    matched: bool = Field(
        description="是否对应本系统发出的邮件 / whether it names a mail this service sent"
    )
    delivery_id: int | None = Field(description="投递记录 / the delivery it names")
    action: str = Field(
        description="送达状态 delivered / failed / delayed / relayed / expanded / the action"
    )
    arrival_recorded: bool = Field(
        description="已登记文书送达 / whether a letter's arrival was recorded now"
    )
