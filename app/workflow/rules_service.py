"""Proof of service of a notice to the applicant (RULES §4), shared by the correction notice and
the fee notice (pure).

A notice is received when its arrival is recorded, never assumed from consent to electronic
service. A recorded arrival of a notice that went electronically names what proves it
(`evidence`: 申请人通过平台下载, 短信回执, 邮件回执 ...); one that went on paper is proved by the
signed return the clerk holds, so `evidence` stays optional there (the payload as before).
`received_at`, when the moment is known (a download, a mail server's acceptance), must fall on
the day recorded, in the service's time zone.
"""

from __future__ import annotations

from datetime import datetime

from app.workflow.context import Change, Ctx

# What the service writes as the evidence of the applicant's own download (the access log).
PLATFORM_DOWNLOAD = "申请人通过平台下载"


def check_arrival(ctx: Ctx, change: Change) -> None:
    """The evidence an electronic notice's recorded arrival needs, and its moment's day."""
    p = ctx.payload
    if ctx.case.e_service_consent and not p.get("evidence"):
        change.error(
            "evidence",
            "电子送达的通知须登记送达凭证（如申请人通过平台下载、短信回执、邮件回执）/ the "
            "arrival of an electronically served notice needs its evidence",
        )
    at: datetime | None = p.get("received_at")
    if at is not None:
        day = at.astimezone(ctx.tz).date()
        if day != p["received_on"]:
            change.error("received_at", f"到达时间须在收到之日 / must fall on {p['received_on']}")
        if at > ctx.now:
            change.error("received_at", "不能是将来 / cannot be in the future")
