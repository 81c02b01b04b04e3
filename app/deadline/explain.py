"""Deadline results, their explanations, and the builders that turn clock facts into them.

Pure: the ledger and the reply clock's arithmetic live in `app.deadline.ledger`.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from app.deadline.calendar import WorkCalendar, WorkingDaysExplanation
from app.outcomes import Remedy

# running: the clock runs; paused: an excluded span is open; suspended: waiting for a correction;
# met / late: the act was done on / after the due date; overdue: the due date passed without it;
# expired: a remedy period (reconsideration, litigation) ran out; not_started: the start event
# (a receipt of a letter) is not recorded yet; ended: the clock stopped without the act (the
# applicant withdrew), so the period neither was met nor ran late.
DeadlineStatus = Literal[
    "running",
    "paused",
    "suspended",
    "met",
    "late",
    "overdue",
    "expired",
    "not_started",
    "ended",
]
# The statuses in words, as pages show them (staff and applicants alike).
STATUS_LABELS: dict[str, str] = {
    "running": "计时中",
    "paused": "暂停计算",
    "suspended": "中止计算",
    "met": "已按期完成",
    "late": "逾期完成",
    "overdue": "已逾期",
    "expired": "已届满",
    "not_started": "尚未起算",
    "ended": "不再计算",
}
NoteKind = Literal["interpretation", "assumption", "info"]
# closed: the opinion/payment arrived; open: still awaited within its window; lapsed: it never
# came (the window ended or the case closed first).
SpanState = Literal["closed", "open", "lapsed"]

_NOTE_TAG_ZH = {"interpretation": "解释", "assumption": "推定", "info": "说明"}


@dataclass(frozen=True)
class Note:
    """One sentence of an explanation: an interpretation, an assumption, or a plain fact."""

    kind: NoteKind
    zh: str
    en: str


@dataclass(frozen=True)
class ExcludedSpan:
    """One stretch of time that does not count against the reply deadline (Art. 33 para 3)."""

    source: str  # "consultation:<id>" or "fee:<n>"
    reason_zh: str
    reason_en: str
    after: date  # sending day (or the clock's start, if later); the span starts the next day
    through: date  # the last day excluded, already clipped to the clock's start and stop
    working_days: int  # working days in (after, through] for this span alone
    state: SpanState  # open: counted through the end of its window
    counted: bool  # False when it lies wholly outside the running clock


@dataclass(frozen=True)
class ExtensionInfo:
    """An approved extension of the reply deadline (Art. 33)."""

    days: int
    approved_by: str
    approved_on: date
    reason: str


@dataclass(frozen=True)
class Art35Info:
    """A reply date the organ set under Art. 35, replacing the statutory deadline."""

    reply_by: date
    approved_by: str
    approved_on: date
    statutory_due_date: date  # what the reply deadline would have been without it


@dataclass(frozen=True)
class Explanation:
    """Everything a deadline was derived from, structured, plus Chinese and English text."""

    start_event: str
    start_event_zh: str
    start_event_en: str
    start_date: date
    basis_zh: str
    basis_en: str
    base_working_days: int | None  # None for periods counted in calendar days or months
    calendar_period_zh: str | None = None
    calendar_period_en: str | None = None
    extensions: tuple[ExtensionInfo, ...] = ()
    excluded_spans: tuple[ExcludedSpan, ...] = ()
    excluded_working_days: int = 0  # the union of the counted spans, overlaps counted once
    art35: Art35Info | None = None
    # Day-level detail of the counted period; for an Art. 35 date, of the statutory one.
    days: WorkingDaysExplanation | None = None
    notes: tuple[Note, ...] = ()
    calendar_version: str = ""

    @property
    def extension_working_days(self) -> int:
        """Sum of the approved extensions."""
        return sum(e.days for e in self.extensions)

    @property
    def working_days_counted(self) -> int:
        """Statutory days + extension + excluded days: the length of the statutory period."""
        base = self.base_working_days or 0
        return base + self.extension_working_days + self.excluded_working_days

    @property
    def days_off_skipped(self) -> tuple[tuple[date, str], ...]:
        """Official days off (Monday–Friday) skipped, with the holiday's name."""
        return self.days.days_off_skipped if self.days else ()

    @property
    def makeup_days_counted(self) -> tuple[tuple[date, str], ...]:
        """Make-up working days counted, with the holiday they make up for."""
        return self.days.makeup_days_counted if self.days else ()

    @property
    def years_used(self) -> tuple[tuple[int, str], ...]:
        """Calendar years touched and the notice each came from (or provisional)."""
        return self.days.years_used if self.days else ()

    def text_zh(self) -> str:
        """The explanation in Chinese."""
        head = f"自{self.start_date.isoformat()}（{self.start_event_zh}）起算，当日不计入；"
        if self.base_working_days is not None:
            head += f"{self.basis_zh}规定{self.base_working_days}个工作日"
        else:
            head += f"{self.basis_zh}规定{self.calendar_period_zh}"
        for ext in self.extensions:
            head += (
                f"，延长{ext.days}个工作日（{ext.approved_by}于{ext.approved_on.isoformat()}"
                f"批准，理由：{ext.reason}）"
            )
        if self.excluded_working_days:
            head += f"，另有{self.excluded_working_days}个工作日不计入期限"
        if self.base_working_days is not None:
            head += f"，共计{self.working_days_counted}个工作日"
        parts = [head + "。"]
        if self.excluded_spans:
            spans = "；".join(_span_zh(s) for s in self.excluded_spans)
            overlap = "（重叠部分只计一次）" if len(self.excluded_spans) > 1 else ""
            parts.append(f"不计入期限的期间：{spans}{overlap}。")
        if self.art35 is not None:
            a = self.art35
            parts.append(
                f"依《政府信息公开条例》第三十五条，经{a.approved_by}于{a.approved_on.isoformat()}"
                f"批准，答复期限确定为{a.reply_by.isoformat()}，取代法定期限"
                f"{a.statutory_due_date.isoformat()}。"
            )
        if self.days is not None:
            parts.append(self.days.text_zh())
        parts.extend(f"［{_NOTE_TAG_ZH[n.kind]}］{n.zh}" for n in self.notes)
        if self.days is None and self.calendar_version:
            parts.append(f"（日历版本 {self.calendar_version}）")
        return "".join(parts)

    def text_en(self) -> str:
        """The explanation in English."""
        head = (
            f"Counted from {self.start_event_en} on {self.start_date.isoformat()}, "
            f"that day not counted; {self.basis_en}: "
        )
        if self.base_working_days is not None:
            head += f"{self.base_working_days} working days"
        else:
            head += f"{self.calendar_period_en}"
        for ext in self.extensions:
            head += (
                f", extended by {ext.days} working days (approved by {ext.approved_by} "
                f"on {ext.approved_on.isoformat()}: {ext.reason})"
            )
        if self.excluded_working_days:
            head += f", plus {self.excluded_working_days} excluded working days"
        if self.base_working_days is not None:
            head += f", {self.working_days_counted} working days in all"
        parts = [head + "."]
        if self.excluded_spans:
            spans = "; ".join(_span_en(s) for s in self.excluded_spans)
            parts.append(f"Excluded time: {spans} (overlaps counted once).")
        if self.art35 is not None:
            a = self.art35
            parts.append(
                f"Under Art. 35, {a.approved_by} set the reply date {a.reply_by.isoformat()} on "
                f"{a.approved_on.isoformat()}, replacing the statutory deadline "
                f"{a.statutory_due_date.isoformat()}."
            )
        if self.days is not None:
            parts.append(self.days.text_en())
        parts.extend(f"[{n.kind}] {n.en}" for n in self.notes)
        if self.days is None and self.calendar_version:
            parts.append(f"(calendar version {self.calendar_version})")
        return " ".join(parts)


def _span_zh(s: ExcludedSpan) -> str:
    where = f"{s.reason_zh}，{s.after.isoformat()}之后至{s.through.isoformat()}"
    if not s.counted:
        return f"{where}（不在答复计时期间内，未扣除）"
    state = {"closed": "", "open": "，尚未收到，暂计至期限届满", "lapsed": "，未收到"}[s.state]
    return f"{where}，{s.working_days}个工作日{state}"


def _span_en(s: ExcludedSpan) -> str:
    where = f"{s.reason_en}, after {s.after.isoformat()} through {s.through.isoformat()}"
    if not s.counted:
        return f"{where} (outside the running reply clock, not excluded)"
    state = {
        "closed": "",
        "open": ", still awaited, counted through the end of its window",
        "lapsed": ", none arrived",
    }[s.state]
    return f"{where}, {s.working_days} working days{state}"


@dataclass(frozen=True)
class Deadline:
    """One deadline of a case at a given day, with how it was derived."""

    name: str
    label: str
    due_date: date | None  # None while the clock is suspended or has not started
    provisional: bool  # some counted day falls in a year without official calendar data
    working_days_total: int | None  # None for periods in calendar days or months
    working_days_elapsed: int | None
    working_days_left: int | None
    status: DeadlineStatus
    start_event: str
    start_date: date
    explanation: Explanation

    def text_zh(self) -> str:
        """Label, due date and explanation in Chinese."""
        due = self.due_date.isoformat() if self.due_date else "未定"
        mark = "（暂定）" if self.provisional else ""
        return f"{self.label}：{due}{mark}。{self.explanation.text_zh()}"

    def text_en(self) -> str:
        """Name, due date and explanation in English."""
        due = self.due_date.isoformat() if self.due_date else "not set"
        mark = " (provisional)" if self.provisional else ""
        return f"{self.name}: {due}{mark}. {self.explanation.text_en()}"


# --------------------------------------------------------------------------------------------
# Notes: the interpretations and assumptions RULES asks every explanation to state
# --------------------------------------------------------------------------------------------

_NOTES: dict[str, tuple[NoteKind, str, str]] = {
    "counting": (
        "interpretation",
        "期间以工作日计的，起算日不计入，其后第N个工作日为届满日（参照程序法）。",
        "A period of N working days from day D does not count D and ends on the N-th working "
        "day after D (following the procedure laws).",
    ),
    "spans": (
        "interpretation",
        "征求第三方或其他机关意见所需时间不计入答复期限（第三十三条第三款）：自发出征求意见函的次日起至"
        "收到意见之日止，未收到意见的计至15个工作日届满之日，届满后收到的不再延长；多项重叠的只计一次；"
        "答复计时开始前、停止后或期限已届满后的部分不扣除。",
        "Consultation time does not count (Art. 33 para 3): from the day after the letter is "
        "sent through the day the opinion arrives, or through the end of its 15-WD window if "
        "none arrives (a later opinion does not extend it); overlaps count once; time before "
        "the clock (re)starts, after it stops or after it has run out is not excluded.",
    ),
    "fee_on": (
        "interpretation",
        "按本机关设置，收费通知发出至缴费的期间不计入答复期限，未缴费的计至缴费期限届满；"
        "申请人收到通知的日期未记录的，暂按发出之日推算。",
        "Organ setting fee_pauses_clock is on: the time from the fee notice to payment (while "
        "unpaid, through the fee deadline, counted from the sending day if the applicant's "
        "receipt is not recorded) does not count.",
    ),
    "fee_off": (
        "info",
        "按本机关设置，收费通知不停止答复计时。",
        "Organ setting fee_pauses_clock is off: the fee notice does not stop the reply clock.",
    ),
    "internal": (
        "info",
        "{zh}属于内部会商，不停止答复计时。",
        "Internal consultation {en} does not stop the reply clock.",
    ),
    "restarted": (
        "info",
        "{on}收到补正后的申请，答复期限自该日起重新计算。",
        "The corrected application arrived on {on}: the reply clock restarted from zero.",
    ),
    "restarted_dropped": (
        "interpretation",
        "{on}收到补正后的申请，答复期限自该日起重新计算，此前的延期或第三十五条日期随之失效。",
        "The corrected application arrived on {on}: the reply clock restarted from zero and the "
        "earlier extension or Art. 35 date lapsed with the old clock.",
    ),
    "suspended": (
        "info",
        "{on}发出补正告知书，答复期限中止；自收到补正后的申请之日起重新计算20个工作日。",
        "Correction notice sent on {on}: the reply clock is suspended and restarts with 20 "
        "working days from the receipt of the corrected application.",
    ),
    "paused": (
        "info",
        "有尚未结束的不计入期间，答复期限暂按该期间计至其届满日推算。",
        "An excluded span is still open; the deadline counts it through the end of its window.",
    ),
    "stopped": (
        "info",
        "{on}停止计时（{reason}）；当面交付以签收之日、邮寄以交邮之日为准（国办公开办函〔2016〕235号）。",
        "The clock stopped on {on} ({reason}); a reply counts on the day the applicant signs "
        "for it or the day it is posted (国办公开办函〔2016〕235号).",
    ),
    "ended": (
        "info",
        "{on}停止计时（{reason}）：申请已撤回，不再答复，答复期限不再计算。",
        "The clock stopped on {on} ({reason}): the application was withdrawn, no reply follows "
        "and the reply period no longer runs.",
    ),
    "assumed": (
        "assumption",
        "收到函件的日期未记录，推定为发出之日{on}（最早可能的日期）。",
        "The receipt of the letter is not recorded: assumed to be the sending day {on}, the "
        "earliest it can be.",
    ),
    "not_started": (
        "info",
        "通知已于{on}发出，收到日期尚未记录，期限尚未起算。",
        "The notice went out on {on}; its receipt is not recorded, so the period has not started.",
    ),
    "reopened": (
        "interpretation",
        "重新答复：复议决定或裁判未确定答复期限的，自本机关收到该决定之日起20个工作日内重新答复"
        "（参照第三十三条）；原答复的计时、送达及救济期限不适用于重新答复。",
        "Re-answering: where the decision sets no date, the organ answers again within 20 working "
        "days of receiving it (following Art. 33); the first answer's clock, service and remedy "
        "periods do not carry over.",
    ),
    "reopened_date": (
        "info",
        "重新答复期限为{decision}确定的日期；原答复的计时、送达及救济期限不适用于重新答复。",
        "The reply date is the one {decision_en} sets; the first answer's clock, service and "
        "remedy periods do not carry over.",
    ),
    "roll": (
        "info",
        "期间的最后一日{on}是法定休假日，以休假日后的第一日{next}为期间届满的日期"
        "（《民事诉讼法》第八十五条，依《行政复议法》第八十八条、《行政诉讼法》第一百零一条适用）。",
        "The period's last day, {on}, is an official day off: the period ends on the first "
        "working day after it, {next} (Civil Procedure Law Art. 85, applied by Administrative "
        "Reconsideration Law Art. 88 and Administrative Litigation Law Art. 101).",
    ),
}


def note(key: str, **values: object) -> Note:
    """The note `key` with its placeholders filled in."""
    kind, zh, en = _NOTES[key]
    return Note(kind, zh.format(**values), en.format(**values))


# --------------------------------------------------------------------------------------------
# Builders shared by the ledger's deadlines
# --------------------------------------------------------------------------------------------

Event = tuple[str, str, str]  # (code, Chinese, English) of the start event
Basis = tuple[str, str]  # (Chinese, English) legal basis
ART33: Basis = ("《政府信息公开条例》第三十三条", "Art. 33")
# A correction request (Art. 41) has no statutory period: the organ's own, by its setting.
ART41: Basis = (
    "《政府信息公开条例》第四十一条（答复期限按本机关规定）",
    "Art. 41 (reply period set by the organ)",
)
REPLY_BASES: dict[str, Basis] = {"art33": ART33, "art41": ART41}
_SENT: Event = ("sent", "通知发出", "the sending of the letter")
_SERVED: Event = ("served", "申请人收到答复", "the applicant's receipt of the reply")


@dataclass(frozen=True)
class Window:
    """A period of `n` working days from a receipt, and the act that meets it."""

    name: str
    label: str
    event: Event
    received: date | None  # the receipt that starts it; None while not recorded
    sent: date
    n: int
    basis: Basis
    done_on: date | None
    assume_sent: bool = False  # an unrecorded receipt is assumed to be the sending day
    keep_lapsed: bool = True  # False: once lapsed unused it no longer applies


def _window_status(
    w: Window, due: date, today: date, stop_on: date | None
) -> DeadlineStatus | None:
    # None: the deadline no longer applies and is not listed.
    if w.done_on is not None:
        return "met" if w.done_on <= due else "late"
    if stop_on is not None:
        return "overdue" if w.keep_lapsed and stop_on > due else None
    if today > due:
        return "overdue" if w.keep_lapsed else None
    return "running"


def window_deadline(
    cal: WorkCalendar, w: Window, *, today: date, stop_on: date | None
) -> Deadline | None:
    """The window's deadline on `today`, or None once it no longer applies."""
    notes: tuple[Note, ...] = ()
    if w.received is None and not w.assume_sent:
        if stop_on is not None and w.done_on is None:
            return None
        notes = (note("not_started", on=w.sent),)
        ex = Explanation(*_SENT, w.sent, *w.basis, w.n, notes=notes, calendar_version=cal.version)
        status: DeadlineStatus = "met" if w.done_on is not None else "not_started"
        return Deadline(w.name, w.label, None, False, w.n, 0, w.n, status, _SENT[0], w.sent, ex)
    if w.received is None:
        notes = (note("assumed", on=w.sent),)
    start = w.received or w.sent
    why = cal.explain(start, w.n)
    found = _window_status(w, why.due_date, today, stop_on)
    if found is None:
        return None
    elapsed = cal.count_working_days(start, min(w.done_on or stop_on or today, why.due_date))
    ex = Explanation(
        *w.event, start, *w.basis, w.n, days=why, notes=notes, calendar_version=cal.version
    )
    return Deadline(
        w.name,
        w.label,
        why.due_date,
        why.provisional,
        w.n,
        elapsed,
        w.n - elapsed,
        found,
        w.event[0],
        start,
        ex,
    )


@dataclass(frozen=True)
class ReplyFacts:
    """What the ledger says about the reply clock."""

    event: Event
    start: date
    base: int
    extensions: tuple[ExtensionInfo, ...]
    spans: tuple[ExcludedSpan, ...]
    excluded: int  # working days in the union of the counted spans
    statutory_due: date | None  # None while suspended for correction
    art35: Art35Info | None
    stop: Stop | None
    notes: tuple[Note, ...]
    basis: Basis = ART33


@dataclass(frozen=True)
class Stop:
    """Why and when the reply clock stopped: `answered` unless the applicant withdrew."""

    on: date
    reason: str
    answered: bool = True

    def note(self) -> Note:
        return note("stopped" if self.answered else "ended", on=self.on, reason=self.reason)

    def status(self, due: date | None) -> DeadlineStatus:
        """met / late by the due date for an answer; ended when nothing was to be answered."""
        if not self.answered:
            return "ended"
        return "met" if due is None or self.on <= due else "late"


def reply_deadline(cal: WorkCalendar, f: ReplyFacts, today: date) -> Deadline:
    """The reply deadline on `today` with its explanation."""
    notes = f.notes + ((f.stop.note(),) if f.stop else ())
    if f.statutory_due is None:
        ex = Explanation(
            *f.event, f.start, *f.basis, f.base, notes=notes, calendar_version=cal.version
        )
        status: DeadlineStatus = f.stop.status(None) if f.stop else "suspended"
        return Deadline(
            "reply", "答复期限", None, False, f.base, 0, f.base, status, f.event[0], f.start, ex
        )
    n = f.base + sum(e.days for e in f.extensions) + f.excluded
    why = cal.explain(f.start, n)
    due = f.art35.reply_by if f.art35 else f.statutory_due
    total = n if f.art35 is None else cal.count_working_days(f.start, due)
    if f.stop:
        status = f.stop.status(due)
    elif f.art35 is None and any(s.counted and s.state == "open" for s in f.spans):
        status, notes = "paused", (*notes, note("paused"))
    else:
        status = "overdue" if today > due else "running"
    elapsed = cal.count_working_days(f.start, min(f.stop.on if f.stop else today, due))
    ex = Explanation(
        *f.event,
        f.start,
        *f.basis,
        f.base,
        extensions=f.extensions,
        excluded_spans=f.spans,
        excluded_working_days=f.excluded,
        art35=f.art35,
        days=why,
        notes=notes,
        calendar_version=cal.version,
    )
    provisional = why.provisional and f.art35 is None
    return Deadline(
        "reply",
        "答复期限",
        due,
        provisional,
        total,
        elapsed,
        total - elapsed,
        status,
        f.event[0],
        f.start,
        ex,
    )


def add_months(d: date, months: int) -> date:
    """Same day number `months` later, clamped to the end of a shorter month."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RemedyFacts:
    """What the remedy windows depend on beside the ledger (RULES §4, §5): the remedy clause of
    the decision the applicant received, and the day the applicant received a reconsideration
    decision (the latest, when several are recorded)."""

    clause: Remedy = Remedy.either
    decision_received_on: date | None = None


_RECONSIDERATION: Basis = (
    "《行政复议法》第二十条",
    "Administrative Reconsideration Law Art. 20",
)
_LITIGATION: Basis = ("《行政诉讼法》第四十六条", "Administrative Litigation Law Art. 46")
_AFTER_RECONSIDERATION: Basis = (
    "《行政诉讼法》第四十五条",
    "Administrative Litigation Law Art. 45",
)
_DECISION: Event = (
    "reconsideration_decision_received",
    "申请人收到行政复议决定书",
    "the applicant's receipt of the reconsideration decision",
)


def calendar_period_deadline(
    cal: WorkCalendar,
    name: str,
    label: str,
    event: Event,
    start: date,
    end: date,
    basis: Basis,
    period: tuple[str, str],
    today: date,
) -> Deadline:
    """A period in calendar days or months whose last day is `end`: one that ends on a day off
    ends on the next working day (民事诉讼法 Art. 85, applied by 行政复议法 Art. 88 and
    行政诉讼法 Art. 101), and the due date, the status and the explanation all say so."""
    due = end if cal.is_working_day(end) else cal.add_working_days(end, 1)
    notes = (note("roll", on=end, next=due),) if due != end else ()
    ex = Explanation(
        *event, start, *basis, None, *period, notes=notes, calendar_version=cal.version
    )
    status: DeadlineStatus = "running" if today <= due else "expired"
    provisional = cal.is_provisional(end)
    return Deadline(name, label, due, provisional, None, None, None, status, event[0], start, ex)


def remedy_deadlines(
    cal: WorkCalendar, served_on: date | None, today: date, facts: RemedyFacts = RemedyFacts()
) -> list[Deadline]:
    """The remedy windows: from service of the decision, reconsideration (60 days) and, where
    the clause allows suing directly, litigation (6 months); none where the decision carries no
    clause; from the applicant's receipt of a reconsideration decision, 15 days to sue."""
    out = []
    if served_on is not None and facts.clause is not Remedy.none:
        out.append(
            calendar_period_deadline(
                cal,
                "reconsideration_until",
                "申请行政复议期限",
                _SERVED,
                served_on,
                served_on + timedelta(days=60),
                _RECONSIDERATION,
                ("60日", "60 calendar days"),
                today,
            )
        )
    if served_on is not None and facts.clause is Remedy.either:
        out.append(
            calendar_period_deadline(
                cal,
                "litigation_until",
                "提起行政诉讼期限",
                _SERVED,
                served_on,
                add_months(served_on, 6),
                _LITIGATION,
                ("6个月", "6 months (same day number, or the month's last day)"),
                today,
            )
        )
    if (received := facts.decision_received_on) is not None:
        out.append(
            calendar_period_deadline(
                cal,
                "litigation_after_reconsideration_until",
                "复议后提起行政诉讼期限",
                _DECISION,
                received,
                received + timedelta(days=15),
                _AFTER_RECONSIDERATION,
                ("15日", "15 calendar days"),
                today,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Re-answering (重新答复, RULES §9)
# --------------------------------------------------------------------------------------------

REOPENED_LABEL = "重新答复期限"
_DECISIONS = {
    "reconsideration": ("行政复议决定", "the reconsideration decision"),
    "court": ("人民法院裁判", "the court's judgment"),
    "self_correction": ("本机关自行纠正决定", "the organ's own correction decision"),
}


@dataclass(frozen=True)
class ReopenInfo:
    """The decision a case is answered again under."""

    decision: str  # reconsideration | court | self_correction
    document_number: str | None
    received_on: date  # the organ's receipt of the decision
    reply_by: date | None  # the date the decision sets, if it sets one
    approved_by: str

    def title(self) -> tuple[str, str]:
        zh, en = _DECISIONS.get(self.decision, ("决定", "the decision"))
        if self.document_number:
            return f"{zh}（{self.document_number}）", f"{en} ({self.document_number})"
        return zh, en


def reopened_deadline(cal: WorkCalendar, f: ReplyFacts, info: ReopenInfo, today: date) -> Deadline:
    """The reply deadline of a re-answer: the date the decision sets, else the 20-WD clock from
    the organ's receipt of the decision (`f`, already built from that start)."""
    if info.reply_by is None:
        d = reply_deadline(cal, f, today)
        return replace(d, label=REOPENED_LABEL)
    due = info.reply_by
    zh, en = info.title()
    notes: tuple[Note, ...] = (note("reopened_date", decision=zh, decision_en=en),)
    if f.stop:
        notes += (f.stop.note(),)
        status: DeadlineStatus = f.stop.status(due)
    else:
        status = "overdue" if today > due else "running"
    total = cal.count_working_days(info.received_on, due)
    elapsed = cal.count_working_days(info.received_on, min(f.stop.on if f.stop else today, due))
    ex = Explanation(
        *f.event,
        info.received_on,
        zh,
        en,
        None,
        f"于{due.isoformat()}前重新答复",
        f"an answer by {due.isoformat()}",
        notes=notes,
        calendar_version=cal.version,
    )
    return Deadline(
        "reply",
        REOPENED_LABEL,
        due,
        False,
        total,
        elapsed,
        total - elapsed,
        status,
        f.event[0],
        info.received_on,
        ex,
    )
