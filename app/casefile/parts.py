"""What a case file holds, read from the case as it stood when it was archived, as `Source`s in
the file's order: the application form and its attachments, every issued letter as stored,
the proofs of service, the consultation opinions, the review and sign-off records, the
communication log and the timeline.

Records are read up to the archiving event (events by sequence, letters by their event, the
rest by time), so a file built after later events (a reopening) still shows the case as it
was archived. PDF attachments go in as stored, images as a page of their own; other formats
(OFD) are listed in the index and placed in the ZIP only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.casefile import repository
from app.casefile.assembly import Source
from app.casefile.schemas import ImageSheet, RecordSection, RecordSheet
from app.consultations.service import KIND_LABELS as CONSULTATION_KINDS
from app.letters.builders import DELIVERY_FORM_LABELS, DELIVERY_METHOD_LABELS
from app.letters.kinds import kind_info
from app.models import Case, CaseEvent, CaseFile
from app.runtime import Runtime
from app.validation.identity import ID_TYPES
from app.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, RECEIPT_BASIS_LABELS
from app.workflow.definition import WorkflowDef
from app.workflow.write import SIDE_EVENTS

IMAGE_TYPES = {"image/jpeg", "image/png"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
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


def _t(dt: datetime, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _d(value: date | None) -> str:
    return value.isoformat() if value else "—"


class Collector:
    """Reads the case's records (one read session) and renders their HTML with the templates."""

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

    # -- the parts ---------------------------------------------------------------------------

    def collect(self) -> list[Source]:
        """Every document of the file, in order."""
        sources = [self.application(), *self.attachments(), *self.letters()]
        for part in (
            self.service(),
            self.consultations(),
            self.review(),
            self.communications(),
        ):
            if part is not None:
                sources.append(part)
        sources.append(self.timeline())
        return sources

    def application(self) -> Source:
        c = self.case
        applicant = [
            ("申请人类别", CATEGORY_LABELS.get(c.applicant_category, c.applicant_category)),  # type: ignore[call-overload]
            ("申请人", c.applicant_name),
            ("证件类型", ID_TYPES.get(c.applicant_id_type, c.applicant_id_type)),
            ("证件号码", c.applicant_id_number),
            ("联系电话", c.applicant_phone),
            ("电子邮箱", c.applicant_email or "—"),
            ("通信地址", c.applicant_address or "—"),
            ("邮政编码", c.applicant_postal_code or "—"),
        ]
        if c.applicant_legal_representative:
            applicant.append(("法定代表人", c.applicant_legal_representative))
        if c.applicant_contact_person:
            applicant.append(("联系人", c.applicant_contact_person))
        receipt = [
            ("申请登记号", c.number),
            ("提交方式", CHANNEL_LABELS.get(c.channel, c.channel)),  # type: ignore[call-overload]
            ("到达时间", _t(c.arrived_at, self.tz)),
            ("收到申请日期", _d(c.receipt_date)),
            (
                "认定依据",
                RECEIPT_BASIS_LABELS.get(c.receipt_basis, c.receipt_basis)  # type: ignore[call-overload]
                if c.receipt_basis
                else "—",
            ),
            ("收到凭证", c.receipt_evidence or "—"),
            ("获取信息的方式", DELIVERY_FORM_LABELS.get(c.delivery_form, c.delivery_form)),
            ("送达方式", DELIVERY_METHOD_LABELS.get(c.delivery_method, c.delivery_method)),
            ("同意电子送达", "是" if c.e_service_consent else "否"),
        ]
        items = repository.items(self.session, c.id)
        html = self._sheet(
            "政府信息公开申请表",
            [
                RecordSection(heading="申请人", fields=applicant),
                RecordSection(
                    heading="所需政府信息",
                    headers=["序号", "信息描述", "文号"],
                    rows=[
                        [str(i.position), i.description, i.document_number or "—"] for i in items
                    ],
                ),
                RecordSection(heading="收件", fields=receipt),
            ],
        )
        return Source(
            "application",
            "政府信息公开申请表",
            "application",
            c.number,
            _local(c.arrived_at, self.tz),
            html=html,
        )

    def attachments(self) -> list[Source]:
        out = []
        for n, a in enumerate(repository.attachments(self.session, self.case.id, self.until), 1):
            title = "补正材料" if a.purpose == "correction" else "申请附件"
            title = f"{title}：{a.filename}"
            on = _local(a.created_at, self.tz)
            slug = f"attachment-{n}"
            data = self.rt.store.read(a.sha256)
            if a.content_type == "application/pdf":
                out.append(Source("attachment", title, slug, on=on, pdf=data))
            elif a.content_type in IMAGE_TYPES:
                sheet = ImageSheet(
                    title=title.split("：")[0],
                    case_number=self.case.number,
                    filename=a.filename,
                    sha256=a.sha256,
                )
                html = self.rt.letter_templates.render("casefile_image.html", doc=sheet)
                out.append(
                    Source(
                        "attachment",
                        title,
                        slug,
                        on=on,
                        html=html,
                        note="图片转为一页 PDF，原件另存于 ZIP / the image as a page; the original is in the ZIP",
                    )
                )
                out.append(
                    Source(
                        "attachment_original",
                        f"{title}（原件）",
                        f"{slug}-original",
                        on=on,
                        raw=data,
                        ext=EXTENSIONS[a.content_type],
                        note="原件，仅存于 ZIP / the original, in the ZIP only",
                    )
                )
            else:
                ext = "." + (a.filename.rsplit(".", 1)[-1].lower() if "." in a.filename else "bin")
                if not ext[1:].isalnum() or len(ext) > 6:
                    ext = ".bin"
                out.append(
                    Source(
                        "attachment",
                        title,
                        slug,
                        on=on,
                        raw=data,
                        ext=ext,
                        note="非 PDF 格式，仅存于 ZIP / not a PDF or image, in the ZIP only",
                    )
                )
        return out

    def letters(self) -> list[Source]:
        out = []
        for letter in repository.issued_letters(self.session, self.case.id, self.row.event_id):
            if letter.pdf_sha256 is None:
                raise RuntimeError(f"letter {letter.id} has no PDF yet")
            out.append(
                Source(
                    "letter",
                    kind_info(letter.kind).title,
                    f"letter-{letter.kind.replace('_', '-')}-{letter.id}",
                    number=letter.number,
                    on=letter.letter_date,
                    pdf=self.rt.store.read(letter.pdf_sha256),
                )
            )
        return out

    def service(self) -> Source | None:
        rows = []
        for e in self.events:
            action = self.wf.actions.get(e.action)
            if action is None or not action.records_service_of:
                continue
            rows.append(
                [
                    _t(e.occurred_at, self.tz),
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
                            _t(a.accessed_at, self.tz),
                            numbers.get(a.letter_id, str(a.letter_id)),
                            "申请人通过平台下载",
                        ]
                        for a in accesses
                    ],
                )
            )
        if not sections:
            return None
        on = _local(self.case.served_on, self.tz) if self.case.served_on else None
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
                    ("发出日期", _d(c.dispatched_on)),
                    ("对方收到日期", _d(c.party_received_on)),
                    ("会商日期", _d(c.meeting_on)),
                    ("意见", c.opinion or "未收到意见"),
                    ("意见日期", _d(c.opinion_on)),
                    ("结论", c.result or "—"),
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
                _t(e.occurred_at, self.tz),
                self.action_label(e.action),
                e.actor_label,
                self.details(e, None) or "—",
            ]
            for e in events
        ]
        c = self.case
        summary = [
            ("法制审核", c.legal_review or "—"),
            ("保密审查", c.confidentiality_review or "—"),
            ("负责人签发", c.sign_off or "—"),
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
        on = _local(events[-1].occurred_at, self.tz)
        return Source("review", "审核签发记录", "review", on=on, html=html)

    def communications(self) -> Source | None:
        found = repository.communications(self.session, self.case.id, self.until)
        if not found:
            return None
        rows = [
            [
                _t(r.occurred_at, self.tz),
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
        on = _local(found[-1].occurred_at, self.tz)
        return Source("communication", "沟通记录", "communications", on=on, html=html)

    def timeline(self) -> Source:
        rows = [
            [
                str(e.seq),
                _t(e.occurred_at, self.tz),
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
            "timeline", "办理过程记录", "timeline", on=_local(last.occurred_at, self.tz), html=html
        )


def _local(dt: datetime | date, tz: ZoneInfo) -> date:
    return dt.astimezone(tz).date() if isinstance(dt, datetime) else dt


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{_plain(v)}" for k, v in value.items())
    return str(value)


def collect(
    session: Session, rt: Runtime, row: CaseFile, case: Case, organ: str
) -> Sequence[Source]:
    """The file's documents in order (the index is made from them)."""
    return Collector(session, rt, row, case, organ).collect()
