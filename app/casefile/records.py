"""The records of a case file rendered from what the case holds (the proofs of service, the
consultation opinions, the review and sign-off records, the communication log, the timeline),
read up to the archiving event, and the reader the parts share (app.casefile.parts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.casefile import repository
from app.casefile.assembly import Source
from app.casefile.schemas import RecordSection, RecordSheet
from app.consultations.service import KIND_LABELS as CONSULTATION_KINDS
from app.models import Case, CaseEvent, CaseFile
from app.releases.delivery import DOWNLOAD, MAIL
from app.runtime import Runtime
from app.workflow.definition import WorkflowDef
from app.workflow.write import SIDE_EVENTS

# Values longer than this are cut in the timeline's details column (the full text is in the
# records above it and in the event chain).
DETAIL_MAX = 300
REVIEW_STATE = "under_review"
CONTACT_METHODS = {
    "phone": "电话",
    "visit": "来访",
    "message": "短信或即时消息",
    "email": "电子邮件",
    "letter": "信函",
    "other": "其他",
}
PARTY_KINDS = {"applicant": "申请人", "third_party": "第三方", "other": "其他"}
REVIEW_STATUS = {
    "pending": "待审",
    "approved": "同意",
    "passed": "审查通过",
    "not_required": "无需",
}
# Results a consultation reaches without an opinion (app.workflow.rules_consultation.SILENCE);
# the recorded ones take the workflow's labels.
SILENT_RESULTS = {"no_reply": "逾期未答复", "deemed_consent": "视为同意"}
# How the applicant got a released file (app.releases.delivery).
RELEASE_CHANNELS = {DOWNLOAD: "申请人通过平台下载", MAIL: "随答复邮件发送"}


def fmt_time(dt: datetime, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def fmt_day(value: date | None) -> str:
    return value.isoformat() if value else "—"


class CaseReader:
    """Reads the case's records (one read session) and renders the records' HTML."""

    def __init__(self, session: Session, rt: Runtime, row: CaseFile, case: Case, organ: str):
        self.session, self.rt, self.row, self.case, self.organ = session, rt, row, case, organ
        self.tz = rt.tz
        self.wf: WorkflowDef = rt.workflow_for(case)
        self.events = repository.events(session, case.id, row.event_seq)
        self.until = row.created_at

    # -- helpers -----------------------------------------------------------------------------

    def _sheet(self, title: str, sections: list[RecordSection]) -> str:
        doc = RecordSheet(
            title=title, organ_name=self.organ, case_number=self.case.number, sections=sections
        )
        return self.rt.letter_templates.render("casefile_record.html", doc=doc)

    def action_label(self, code: str) -> str:
        if code in self.wf.actions:
            return self.wf.actions[code].label
        if code in self.wf.applicant_timeline:
            return self.wf.applicant_timeline[code].label
        return SIDE_EVENTS.get(code, code)

    def state_label(self, code: str | None) -> str:
        if code is None:
            return "—"
        state = self.wf.states.get(code)
        return state.label if state else code

    def result_label(self, code: str | None) -> str:
        """A consultation's result as the workflow's opinion form words it."""
        if code is None:
            return "—"
        for action in self.wf.actions.values():
            for f in action.payload:
                if f.name == "result" and code in f.choices:
                    return dict(f.options())[code]
        return SILENT_RESULTS.get(code, code)

    def details(self, event: CaseEvent, limit: int | None = DETAIL_MAX) -> str:
        """The event's input, by the action's field labels (choices by their labels)."""
        data: dict[str, Any] = event.payload.get("input") or {}
        action = self.wf.actions.get(event.action)
        fields = {f.name: f for f in action.payload} if action else {}
        lines = []
        for key, value in data.items():
            if value in (None, "", [], {}) or key == "version":
                continue
            f = fields.get(key)
            label = f.label if f else key
            shown = dict(f.options()).get(value, value) if f and isinstance(value, str) else value
            lines.append(f"{label}：{_plain(shown)}")
        text = "；".join(lines)
        if limit is not None and len(text) > limit:
            text = text[: limit - 1] + "…"
        return text

    def service(self) -> Source | None:
        rows = []
        for e in self.events:
            action = self.wf.actions.get(e.action)
            if action is None or not action.records_service_of:
                continue
            rows.append(
                [
                    fmt_time(e.occurred_at, self.tz),
                    self.action_label(e.action),
                    e.actor_label,
                    self.details(e, None),
                ]
            )
        accesses = repository.letter_accesses(self.session, self.case.id, self.until)
        sections = []
        if rows:
            sections.append(
                RecordSection(
                    heading="送达登记",
                    headers=["登记时间", "事项", "登记人", "送达情况"],
                    rows=rows,
                    widths=[14, 16, 14, 56],
                )
            )
        if accesses:
            numbers = {
                x.id: x.number or str(x.id)
                for x in repository.issued_letters(self.session, self.case.id, self.row.event_id)
            }
            sections.append(
                RecordSection(
                    heading="申请人在平台下载文书（电子送达凭证）",
                    headers=["时间", "文书", "方式"],
                    widths=[20, 40, 40],
                    rows=[
                        [
                            fmt_time(a.accessed_at, self.tz),
                            numbers.get(a.letter_id, str(a.letter_id)),
                            "申请人通过平台下载",
                        ]
                        for a in accesses
                    ],
                )
            )
        downloads = repository.release_downloads(self.session, self.case.id, self.until)
        if downloads:
            titles = {
                d.id: d.title
                for d in repository.released_copies(self.session, [x.letter_id for x in downloads])
            }
            sections.append(
                RecordSection(
                    heading="公开文件的提供（电子送达凭证）",
                    headers=["时间", "公开文件", "方式"],
                    widths=[20, 40, 40],
                    rows=[
                        [
                            fmt_time(d.at, self.tz),
                            titles.get(d.document_id, str(d.document_id)),
                            RELEASE_CHANNELS.get(d.channel, d.channel),
                        ]
                        for d in downloads
                    ],
                )
            )
        if not sections:
            return None
        on = local_day(self.case.served_on, self.tz) if self.case.served_on else None
        html = self._sheet("送达记录", sections)
        return Source("service", "送达记录", "service", on=on, html=html)

    def consultations(self) -> Source | None:
        found = repository.consultations(self.session, self.case.id, self.until)
        if not found:
            return None
        sections = [
            RecordSection(
                heading=f"{c.code}　{CONSULTATION_KINDS.get(c.kind, c.kind)}",
                fields=[
                    ("被征求意见方", c.party),
                    ("征求意见事项", c.question),
                    ("发出日期", fmt_day(c.dispatched_on)),
                    ("对方收到日期", fmt_day(c.party_received_on)),
                    ("会商日期", fmt_day(c.meeting_on)),
                    ("意见", c.opinion or "未收到意见"),
                    ("意见日期", fmt_day(c.opinion_on)),
                    ("结论", self.result_label(c.result)),
                    ("不同意公开的理由", c.objection_reasons or "—"),
                    ("公共利益考量", c.public_interest_reasons or "—"),
                    ("登记人", c.recorded_by or c.started_by),
                ],
            )
            for c in found
        ]
        last = max((c.opinion_on or c.dispatched_on for c in found), default=None)
        html = self._sheet("征求意见记录", sections)
        return Source("consultation", "征求意见记录", "consultations", on=last, html=html)

    def review(self) -> Source | None:
        events = [e for e in self.events if REVIEW_STATE in (e.from_state, e.to_state)]
        if not events:
            return None
        rows = [
            [
                fmt_time(e.occurred_at, self.tz),
                self.action_label(e.action),
                e.actor_label,
                self.details(e, None) or "—",
            ]
            for e in events
        ]
        c = self.case
        summary = [
            ("法制审核", REVIEW_STATUS.get(c.legal_review or "", c.legal_review or "—")),
            (
                "保密审查",
                REVIEW_STATUS.get(c.confidentiality_review or "", c.confidentiality_review or "—"),
            ),
            ("负责人签发", REVIEW_STATUS.get(c.sign_off or "", c.sign_off or "—")),
        ]
        html = self._sheet(
            "审核签发记录",
            [
                RecordSection(
                    heading="审核、签发经过",
                    headers=["时间", "环节", "经办人", "意见"],
                    rows=rows,
                    widths=[14, 16, 14, 56],
                ),
                RecordSection(heading="归档时的审核状态", fields=summary),
            ],
        )
        on = local_day(events[-1].occurred_at, self.tz)
        return Source("review", "审核签发记录", "review", on=on, html=html)

    def communications(self) -> Source | None:
        found = repository.communications(self.session, self.case.id, self.until)
        if not found:
            return None
        rows = [
            [
                fmt_time(r.occurred_at, self.tz),
                f"{r.party_name}（{PARTY_KINDS.get(r.party_kind, r.party_kind)}）",
                CONTACT_METHODS.get(r.method, r.method),
                r.summary,
                r.follow_up or "—",
                r.created_by,
            ]
            for r in found
        ]
        html = self._sheet(
            "沟通记录",
            [
                RecordSection(
                    headers=["时间", "对象", "方式", "内容", "后续", "记录人"],
                    rows=rows,
                    widths=[14, 14, 9, 35, 16, 12],
                )
            ],
        )
        on = local_day(found[-1].occurred_at, self.tz)
        return Source("communication", "沟通记录", "communications", on=on, html=html)

    def timeline(self) -> Source:
        rows = [
            [
                str(e.seq),
                fmt_time(e.occurred_at, self.tz),
                self.action_label(e.action),
                f"{self.state_label(e.from_state)} → {self.state_label(e.to_state)}",
                e.actor_label,
                self.details(e) or "—",
            ]
            for e in self.events
        ]
        last = self.events[-1]
        html = self._sheet(
            "办理过程记录",
            [
                RecordSection(
                    headers=["序号", "时间", "事项", "状态", "经办人", "内容"],
                    rows=rows,
                    widths=[7, 14, 13, 19, 12, 35],
                    note=(
                        f"本记录取自案件事件链（共{len(self.events)}条，末条哈希 {last.hash}），"
                        "可据此核验。"
                    ),
                )
            ],
        )
        return Source(
            "timeline",
            "办理过程记录",
            "timeline",
            on=local_day(last.occurred_at, self.tz),
            html=html,
        )


def local_day(dt: datetime | date, tz: ZoneInfo) -> date:
    return dt.astimezone(tz).date() if isinstance(dt, datetime) else dt


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{_plain(v)}" for k, v in value.items())
    return str(value)
