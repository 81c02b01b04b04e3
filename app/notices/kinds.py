"""The kinds of notice a user chooses how to receive, the methods, and the texts' kinds."""

from __future__ import annotations

from typing import Literal

from app.outbox import events as ev

NoticeKind = Literal["warnings", "digest", "calendar", "assignment", "transfer"]
Method = Literal["email", "sms", "in_app", "none"]

NOTICE_KINDS: tuple[NoticeKind, ...] = (
    "warnings",
    "digest",
    "calendar",
    "assignment",
    "transfer",
)
METHODS: tuple[Method, ...] = ("in_app", "email", "sms", "none")

KIND_LABELS: dict[str, str] = {
    "warnings": "期限提醒（到期前、逾期、征求意见期满、公开文件下载期限将满）",
    "digest": "每日摘要（工作日 8:30）",
    "calendar": "放假安排未录入提醒",
    "assignment": "分办与协办提醒（案件交给我或我所在的科室，协办请求及其答复）",
    "transfer": "转办提醒（其他机关转来的申请，待本机关确认收到）",
}
METHOD_LABELS: dict[str, str] = {
    "in_app": "站内提醒",
    "email": "电子邮件",
    "sms": "短信",
    "none": "不接收",
}
# In-app unless the user says otherwise; the digest only to those who ask for it.
DEFAULTS: dict[str, Method] = {
    "warnings": "in_app",
    "digest": "none",
    "calendar": "in_app",
    "assignment": "in_app",
    "transfer": "in_app",
}

# The event types each kind of notice covers.
EVENT_KIND: dict[str, NoticeKind] = {
    ev.DEADLINE_DUE_SOON: "warnings",
    ev.DEADLINE_OVERDUE: "warnings",
    ev.CONSULTATION_WINDOW_ENDED: "warnings",
    ev.RELEASE_EXPIRING: "warnings",
    ev.DIGEST_DUE: "digest",
    ev.CALENDAR_MISSING: "calendar",
    ev.CASE_ASSIGNED: "assignment",
    ev.ASSISTANCE_REQUESTED: "assignment",
    ev.ASSISTANCE_ANSWERED: "assignment",
    ev.CASE_TRANSFERRED_IN: "transfer",
}

# The texts an organ may give its own wording, one per event type.
TextKind = Literal[
    "due_soon",
    "overdue",
    "consultation_window_ended",
    "digest",
    "calendar_missing",
    "assigned",
    "assistance_requested",
    "assistance_answered",
    "transferred_in",
    "release_expiring",
]
TEXT_KINDS: tuple[TextKind, ...] = (
    "due_soon",
    "overdue",
    "consultation_window_ended",
    "digest",
    "calendar_missing",
    "assigned",
    "assistance_requested",
    "assistance_answered",
    "transferred_in",
    "release_expiring",
)
TEXT_OF_EVENT: dict[str, TextKind] = {
    ev.DEADLINE_DUE_SOON: "due_soon",
    ev.DEADLINE_OVERDUE: "overdue",
    ev.CONSULTATION_WINDOW_ENDED: "consultation_window_ended",
    ev.DIGEST_DUE: "digest",
    ev.CALENDAR_MISSING: "calendar_missing",
    ev.CASE_ASSIGNED: "assigned",
    ev.ASSISTANCE_REQUESTED: "assistance_requested",
    ev.ASSISTANCE_ANSWERED: "assistance_answered",
    ev.CASE_TRANSFERRED_IN: "transferred_in",
    ev.RELEASE_EXPIRING: "release_expiring",
}
TEXT_LABELS: dict[str, str] = {
    "due_soon": "答复期限即将届满",
    "overdue": "答复期限已过",
    "consultation_window_ended": "征求意见期限届满",
    "digest": "每日摘要",
    "calendar_missing": "下一年度放假安排未录入",
    "assigned": "案件分办给我或我的科室",
    "assistance_requested": "请我所在的科室协办",
    "assistance_answered": "协办请求已答复",
    "transferred_in": "其他机关转来申请",
    "release_expiring": "答复所附公开文件下载期限将满",
}
DEADLINE_LABELS: dict[str, str] = {"reply": "答复期限", "correction": "申请人补正期限"}
# How an assistance request was answered (app.assistance): the words notices and pages use.
ASSISTANCE_OUTCOME_LABELS: dict[str, str] = {
    "found": "已查到，提供相关信息",
    "not_held": "经检索，本科室未制作或保存该信息",
    "partly": "部分查到",
}
