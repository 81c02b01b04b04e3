"""Guards of the transfer between organs (转办): only to another organ on the platform.

The from-states keep a transfer before receipt is confirmed (after it, and after a reply, the
action is not allowed in the case's state); these guards read the organs the engine loaded.
"""

from __future__ import annotations

from app.workflow.context import Ctx, Guard


def transfer_not_to_own_organ(ctx: Ctx) -> str | None:
    if ctx.payload.get("to_organ") == ctx.records.own_organ:
        return "不能转办给本机关 / a case cannot be transferred to its own organ"
    return None


def transfer_to_platform_organ(ctx: Ctx) -> str | None:
    to = ctx.payload.get("to_organ")
    if to not in ctx.records.platform_organs:
        return (
            f"机关 {to} 不在本平台上，不能转办；请告知申请人向该机关提出申请 / organ {to} is "
            "not on the platform: tell the applicant where to apply"
        )
    return None


GUARDS: dict[str, Guard] = {
    "transfer_not_to_own_organ": transfer_not_to_own_organ,
    "transfer_to_platform_organ": transfer_to_platform_organ,
}
