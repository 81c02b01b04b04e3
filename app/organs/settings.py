"""Per-organ settings: the [interpretation] choices of RULES, in one place."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OrganSettings(BaseModel):
    """Settings an organ may change; unknown keys are refused so a typo cannot pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    online_auto_confirm: bool = Field(
        True,
        description=(
            "网上申请平台即时回执的，提交日即为收到申请之日 / an online submission acknowledged "
            "instantly with a registration number is received on the day it is submitted "
            "(RULES §3 [interpretation])"
        ),
    )
    fee_pauses_clock: bool = Field(
        True,
        description="收费通知至缴费期间不计入答复期限 / fee notice to payment does not count",
    )
    correction_period_wd: int = Field(
        15,
        ge=1,
        le=60,
        description="申请人补正期限（工作日）/ working days the applicant has to correct",
    )


def organ_settings(raw: dict[str, Any] | None) -> OrganSettings:
    """Stored settings with defaults filled in."""
    return OrganSettings.model_validate(raw or {})
