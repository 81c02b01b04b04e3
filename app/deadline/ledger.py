"""A case's clock ledger and every deadline of RULES §4 derived from it (pure: no I/O, no ORM).

Where RULES §4 is not explicit (each choice is also stated in the explanation it affects):
- A corrected application restarts the reply clock from zero; an extension or Art. 35 date
  recorded before the restart belongs to the old clock and lapses with it.
- An excluded span covers the working days in (letter sent, last day]: the last day is the day
  the opinion or payment arrives, capped at the end of its window, or the window's end while
  none has arrived (the reply is then `paused`).  Only the part inside the running clock counts:
  nothing before the (re)start or after the stop, and a span opening after the clock has run out
  does not revive it.
- A stopped reply is `met` on/before the due date, else `late`; `ended` after a withdrawal.  A party's window that lapses
  unused is `overdue`; one still open when the case closes, and a correction-notice window that
  lapsed unused, no longer apply and are not listed.
- Re-answering (RULES §9): a `Reopened` entry starts a new clock from the organ's receipt of the
  decision — 20 WD [interpretation], or the date the decision sets.  Everything of the first
  answer (its stop, service, windows, extension, spans) stays with the old clock and lapses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from typing import Literal

from app.deadline import explain as ex
from app.deadline.calendar import WorkCalendar
from app.deadline.explain import Deadline as Deadline
from app.deadline.explain import RemedyFacts as RemedyFacts

REPLY_WD = 20  # Art. 33
CORRECTION_NOTICE_WD = 7  # Art. 30
CONSULTATION_WD = 15  # Arts. 32, 34
FEE_WD = 20  # 国办函〔2020〕109号
MAX_EXTENSION_WD = 20  # Art. 33

ReplyBasis = Literal["art33", "art41"]
ConsultationKind = Literal["third_party", "other_organ", "legal_office", "joint_meeting"]
EXTERNAL_KINDS: frozenset[str] = frozenset({"third_party", "other_organ"})
_KINDS = {
    "third_party": ("征求第三方意见", "third-party consultation", "第三十二条", "Art. 32"),
    "other_organ": ("征求其他机关意见", "consultation of another organ", "第三十四条", "Art. 34"),
    "legal_office": ("法制机构会商", "legal office consultation", "", ""),
    "joint_meeting": ("联席会商", "joint meeting", "", ""),
}
_REG = "《政府信息公开条例》"


def consultation_window_end(
    calendar: WorkCalendar, kind: str, dispatched_on: date, party_received_on: date | None
) -> date | None:
    """The last day of an external consultation's 15-WD window (Arts. 32, 34): from the party's
    receipt of the letter, assumed to be the dispatch day while unknown; None for internal kinds."""
    if kind not in EXTERNAL_KINDS:
        return None
    return calendar.add_working_days(party_received_on or dispatched_on, CONSULTATION_WD)


class LedgerError(ValueError):
    """The ledger's entries contradict each other (the workflow guards should prevent this)."""


def _date(value: object, what: str) -> None:
    # datetime is a date subclass that never equals a date, so it would silently miss lookups.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime.date, got {value!r}")


# --------------------------------------------------------------------------------------------
# Ledger entries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """Base of the ledger entries: every date field holds a plain date."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value, kind = getattr(self, f.name), str(f.type)
            if kind == "date" or (kind == "date | None" and value is not None):
                _date(value, f"{type(self).__name__}.{f.name}")


def _positive(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")


@dataclass(frozen=True)
class Received(_Entry):
    """Legal receipt of the application (Art. 31): starts the reply and correction-notice clocks.

    `period_wd` and `basis` are the reply period and its legal basis: 20 WD under Art. 33 for an
    FOI application; a correction request (Art. 41) records the organ's period when received."""

    on: date
    period_wd: int = REPLY_WD
    basis: ReplyBasis = "art33"

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive(self.period_wd, "Received.period_wd")


@dataclass(frozen=True)
class CorrectionRequested(_Entry):
    """Correction notice (Art. 30): suspends the reply clock until the corrected application."""

    notice_on: date
    applicant_received_on: date | None
    period_wd: int = 15  # organ setting; RULES §4 default

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive(self.period_wd, "CorrectionRequested.period_wd")


@dataclass(frozen=True)
class CorrectionNoticeReceived(_Entry):
    """The applicant received the correction notice (e.g. signed for the post): their period starts."""

    on: date


@dataclass(frozen=True)
class CorrectionReceived(_Entry):
    """The corrected application arrived: the reply clock restarts from zero on this day."""

    on: date


@dataclass(frozen=True)
class Extended(_Entry):
    """Approved extension of the reply deadline by `days` working days (Art. 33)."""

    days: int
    approved_by: str
    approved_on: date
    reason: str

    def __post_init__(self) -> None:
        super().__post_init__()
        _positive(self.days, "Extended.days")


@dataclass(frozen=True)
class ConsultationStarted(_Entry):
    """A consultation letter went out; external kinds exclude time from the reply clock."""

    consultation_id: str
    kind: ConsultationKind
    dispatched_on: date
    party_received_on: date | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kind not in _KINDS:
            raise ValueError(f"unknown consultation kind {self.kind!r}")


@dataclass(frozen=True)
class ConsultationLetterReceived(_Entry):
    """The consulted party received the letter (e.g. signed for the post): its window starts."""

    consultation_id: str
    on: date


@dataclass(frozen=True)
class ConsultationAnswered(_Entry):
    """The consulted party's opinion arrived."""

    consultation_id: str
    on: date


@dataclass(frozen=True)
class FeeNoticeSent(_Entry):
    """Fee notice (收费通知书) sent; the applicant has 20 WD from receiving it to pay."""

    sent_on: date
    applicant_received_on: date | None = None


@dataclass(frozen=True)
class FeeNoticeReceived(_Entry):
    """The applicant received the fee notice: the 20 WD to pay start the day after."""

    on: date


@dataclass(frozen=True)
class FeePaid(_Entry):
    """The fee was paid."""

    on: date


@dataclass(frozen=True)
class Art35DateSet(_Entry):
    """A reply date set under Art. 35 with the approver's consent; replaces the reply deadline."""

    reply_by: date
    approved_by: str
    approved_on: date


@dataclass(frozen=True)
class Stopped(_Entry):
    """Reply issued (handed over / posted) or case closed or withdrawn: the reply clock stops.
    `answered` is False for a withdrawal: no reply follows, the period is not met or missed."""

    on: date
    reason: str
    answered: bool = True


@dataclass(frozen=True)
class Served(_Entry):
    """The applicant received the reply: the remedy periods start."""

    on: date


@dataclass(frozen=True)
class Reopened(_Entry):
    """The case is reopened to answer again (重新答复, RULES §9): a new reply clock runs from the
    organ's receipt of the decision (`on`), or the decision sets the reply date (`reply_by`)."""

    on: date
    decision: str  # reconsideration | court | self_correction
    document_number: str | None
    reply_by: date | None
    approved_by: str


LedgerEntry = (
    Received
    | CorrectionRequested
    | CorrectionNoticeReceived
    | CorrectionReceived
    | Extended
    | ConsultationStarted
    | ConsultationLetterReceived
    | ConsultationAnswered
    | FeeNoticeSent
    | FeeNoticeReceived
    | FeePaid
    | Art35DateSet
    | Stopped
    | Served
    | Reopened
)
Ledger = Sequence[LedgerEntry]  # in the order the events were recorded


# --------------------------------------------------------------------------------------------
# Folding the ledger into the case's clock state
# --------------------------------------------------------------------------------------------


@dataclass
class _Consultation:
    entry: ConsultationStarted
    answered_on: date | None = None


@dataclass
class _Fee:
    entry: FeeNoticeSent
    paid_on: date | None = None


@dataclass
class _Case:
    received: Received
    start: date
    restarted: bool = False
    first_notice: CorrectionRequested | None = None
    correction: CorrectionRequested | None = None
    corrected_on: date | None = None
    extensions: list[Extended] = field(default_factory=list)
    art35: Art35DateSet | None = None
    dropped_at_restart: int = 0
    consultations: dict[str, _Consultation] = field(default_factory=dict)
    fees: list[_Fee] = field(default_factory=list)
    stopped: Stopped | None = None
    served: Served | None = None
    reopened: Reopened | None = None

    @property
    def suspended(self) -> bool:
        return self.correction is not None and self.corrected_on is None


def _fold(ledger: Ledger) -> _Case | None:
    if not ledger:
        return None
    first = ledger[0]
    if not isinstance(first, Received):
        raise LedgerError(f"账本应以收到申请开始 / the ledger must start with Received: {first!r}")
    case = _Case(received=first, start=first.on)
    for e in ledger[1:]:
        if isinstance(e, CorrectionRequested):
            case.first_notice = case.first_notice or e
            case.correction, case.corrected_on = e, None
        elif isinstance(e, CorrectionNoticeReceived):
            if not case.suspended or case.correction is None:
                raise LedgerError(f"没有待补正的告知 / no correction is pending: {e!r}")
            case.correction = replace(case.correction, applicant_received_on=e.on)
        elif isinstance(e, CorrectionReceived):
            if not case.suspended:
                raise LedgerError(f"没有待补正的告知 / no correction is pending: {e!r}")
            case.corrected_on, case.start, case.restarted = e.on, e.on, True
            # The clock restarts from zero: the old clock's extension and Art. 35 date go with it.
            case.dropped_at_restart += len(case.extensions) + (case.art35 is not None)
            case.extensions, case.art35 = [], None
        elif isinstance(e, Extended):
            case.extensions.append(e)
        elif isinstance(e, Art35DateSet):
            case.art35 = e
        elif isinstance(e, ConsultationStarted):
            if e.consultation_id in case.consultations:
                raise LedgerError(
                    f"征求意见编号重复 / duplicate consultation {e.consultation_id!r}"
                )
            case.consultations[e.consultation_id] = _Consultation(e)
        elif isinstance(e, ConsultationLetterReceived):
            c = case.consultations.get(e.consultation_id)
            if c is None or c.answered_on is not None:
                raise LedgerError(f"无对应的待答复征求意见 / no open consultation for {e!r}")
            c.entry = replace(c.entry, party_received_on=e.on)
        elif isinstance(e, ConsultationAnswered):
            c = case.consultations.get(e.consultation_id)
            if c is None or c.answered_on is not None:
                raise LedgerError(f"无对应的待答复征求意见 / no open consultation for {e!r}")
            c.answered_on = e.on
        elif isinstance(e, FeeNoticeSent):
            case.fees.append(_Fee(e))
        elif isinstance(e, FeeNoticeReceived):
            if not case.fees or case.fees[-1].paid_on is not None:
                raise LedgerError(f"没有待缴费的通知 / no unpaid fee notice: {e!r}")
            case.fees[-1].entry = replace(case.fees[-1].entry, applicant_received_on=e.on)
        elif isinstance(e, FeePaid):
            if not case.fees or case.fees[-1].paid_on is not None:
                raise LedgerError(f"没有待缴费的通知 / no unpaid fee notice: {e!r}")
            case.fees[-1].paid_on = e.on
        elif isinstance(e, Stopped):
            if case.stopped is not None:
                raise LedgerError(f"答复计时已停止 / the reply clock already stopped: {e!r}")
            case.stopped = e
        elif isinstance(e, Served):
            case.served = e
        elif isinstance(e, Reopened):
            if case.stopped is None:
                raise LedgerError(f"案件尚未答复，无从重新答复 / nothing answered to reopen: {e!r}")
            # A new clock: nothing of the first answer carries over.
            case = _Case(received=case.received, start=e.on, reopened=e)
        elif isinstance(e, Received):
            raise LedgerError(f"重复的收到申请 / a second Received: {e!r}")
        else:
            raise TypeError(f"not a ledger entry: {e!r}")
    return case


# --------------------------------------------------------------------------------------------
# The reply clock
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    due: date
    excluded: int
    spans: tuple[ex.ExcludedSpan, ...]


def _spans(case: _Case, cal: WorkCalendar, fee_pauses_clock: bool) -> list[ex.ExcludedSpan]:
    # Uncut spans: (sent, answer or payment capped at the window end, or the window end).
    out = []
    for cid, c in case.consultations.items():
        e, done = c.entry, c.answered_on
        if e.kind in EXTERNAL_KINDS:
            # An unknown receipt of the letter is assumed to be its dispatch day (the earliest).
            end = cal.add_working_days(e.party_received_on or e.dispatched_on, CONSULTATION_WD)
            zh, en, _, _ = _KINDS[e.kind]
            state: ex.SpanState = "closed" if done else "open"
            last = min(done, end) if done else end
            out.append(
                ex.ExcludedSpan(
                    f"consultation:{cid}",
                    f"{zh}（{cid}）",
                    f"{en} {cid}",
                    e.dispatched_on,
                    last,
                    0,
                    state,
                    False,
                )
            )
    for i, f in enumerate(case.fees if fee_pauses_clock else [], start=1):
        n = f.entry
        end = cal.add_working_days(n.applicant_received_on or n.sent_on, FEE_WD)
        last = min(f.paid_on, end) if f.paid_on else end
        state = "closed" if f.paid_on else "open"
        out.append(
            ex.ExcludedSpan(
                f"fee:{i}",
                "收费通知至缴费",
                "fee notice to payment",
                n.sent_on,
                last,
                0,
                state,
                False,
            )
        )
    return out


def _cut(case: _Case, spans: list[ex.ExcludedSpan]) -> list[tuple[date, date]]:
    # Only the running clock matters: nothing before its (re)start, and time after it stopped
    # cannot have been needed for the reply.
    stop = case.stopped.on if case.stopped else None
    return [
        (max(s.after, case.start), s.through if stop is None else min(s.through, stop))
        for s in spans
    ]


def _clock(case: _Case, cal: WorkCalendar, fee_pauses_clock: bool, today: date) -> _Clock:
    """Reply due date: 20 WD + extension + the working days of the counted excluded spans."""
    stop = case.stopped.on if case.stopped else None
    raw = _spans(case, cal, fee_pauses_clock)
    cut = _cut(case, raw)
    n = case.received.period_wd + sum(e.days for e in case.extensions)
    due, excluded, counted = cal.add_working_days_excluding(case.start, n, cut)
    spans = []
    for s, (a, b), ok in zip(raw, cut, counted, strict=True):
        state = s.state
        if state == "open" and (stop is not None or today > s.through):
            state = "lapsed"
        if ok:
            s = ex.ExcludedSpan(
                s.source, s.reason_zh, s.reason_en, a, b, cal.count_working_days(a, b), state, True
            )
        else:
            s = ex.ExcludedSpan(
                s.source, s.reason_zh, s.reason_en, s.after, s.through, 0, state, False
            )
        spans.append(s)
    return _Clock(due, excluded, tuple(spans))


def reply_due(
    ledger: Ledger, calendar: WorkCalendar, fee_pauses_clock: bool = True
) -> tuple[date | None, bool]:
    """(reply due date, provisional): None while unreceived or suspended for correction."""
    case = _fold(ledger)
    if case is None or case.suspended:
        return None, False
    if case.reopened is not None and case.reopened.reply_by is not None:
        return case.reopened.reply_by, False
    if case.art35 is not None:
        return case.art35.reply_by, False
    cut = _cut(case, _spans(case, calendar, fee_pauses_clock))
    n = case.received.period_wd + sum(e.days for e in case.extensions)
    due = calendar.add_working_days_excluding(case.start, n, cut)[0]
    years = range((case.start + timedelta(days=1)).year, due.year + 1)
    return due, any(y not in calendar.years for y in years)


def can_extend(
    ledger: Ledger,
    calendar: WorkCalendar,
    on: date,
    *,
    days: int | None = None,
    fee_pauses_clock: bool = True,
) -> str | None:
    """Why the reply deadline cannot be extended on `on` (by `days`), or None if it can."""
    case = _fold(ledger)
    if case is None:
        return "答复期限尚未起算 / the reply clock has not started"
    if (s := case.stopped) is not None:
        return f"答复计时已于{s.on}停止（{s.reason}） / the reply clock stopped on {s.on}"
    if case.suspended:
        return "答复期限因补正中止 / the reply clock is suspended for correction"
    if (a := case.art35) is not None:
        return f"已依第三十五条确定答复日期{a.reply_by} / an Art. 35 date ({a.reply_by}) applies"
    if case.extensions:
        e = case.extensions[0]
        return f"已于{e.approved_on}延长过一次 / already extended once (on {e.approved_on})"
    if days is not None and not 1 <= days <= MAX_EXTENSION_WD:
        return f"延长应为1至{MAX_EXTENSION_WD}个工作日 / an extension is 1-20 WD, not {days}"
    due, _ = reply_due(ledger, calendar, fee_pauses_clock)
    if due is not None and on > due:
        return f"当前答复期限{due}已届满 / the current deadline {due} has passed"
    return None


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------

_RECEIVED: ex.Event = ("received", "收到申请", "receipt of the application")
_CORRECTED: ex.Event = (
    "correction_received",
    "收到补正后的申请",
    "receipt of the corrected application",
)
_NOTICE: ex.Event = (
    "correction_notice_received",
    "申请人收到补正告知书",
    "the applicant's receipt of the correction notice",
)
_FEE_NOTICE: ex.Event = (
    "fee_notice_received",
    "申请人收到收费通知书",
    "the applicant's receipt of the fee notice",
)
_LETTER: ex.Event = (
    "letter_received",
    "被征求意见方收到函件",
    "the consulted party's receipt of the letter",
)
_REOPENED: ex.Event = (
    "decision_received",
    "本机关收到决定",
    "the organ's receipt of the decision",
)
_ART30: ex.Basis = (_REG + "第三十条", "Art. 30")
_FEE_BASIS: ex.Basis = ("国办函〔2020〕109号", "State Council Office letter [2020] No. 109")


def _reply(case: _Case, cal: WorkCalendar, today: date, fee_pauses_clock: bool) -> Deadline:
    notes = [ex.note("counting")]
    if case.restarted:
        key = "restarted_dropped" if case.dropped_at_restart else "restarted"
        notes.append(ex.note(key, on=case.start))
    for cid, c in case.consultations.items():
        if c.entry.kind not in EXTERNAL_KINDS:
            notes.append(ex.note("internal", zh=f"{_KINDS[c.entry.kind][0]}（{cid}）", en=cid))
    if case.fees:
        notes.append(ex.note("fee_on" if fee_pauses_clock else "fee_off"))
    event = _CORRECTED if case.restarted else _RECEIVED
    if case.reopened is not None:
        event = _REOPENED
        notes.append(ex.note("reopened"))
    st = case.stopped
    stop = ex.Stop(st.on, st.reason, st.answered) if st else None
    if case.correction is not None and case.suspended:
        notes.append(ex.note("suspended", on=case.correction.notice_on))
        facts = ex.ReplyFacts(
            event,
            case.start,
            case.received.period_wd,
            (),
            (),
            0,
            None,
            None,
            stop,
            tuple(notes),
            ex.REPLY_BASES[case.received.basis],
        )
        return ex.reply_deadline(cal, facts, today)
    clock = _clock(case, cal, fee_pauses_clock, today)
    if clock.spans:
        notes.append(ex.note("spans"))
    a = case.art35
    art35 = ex.Art35Info(a.reply_by, a.approved_by, a.approved_on, clock.due) if a else None
    extensions = tuple(
        ex.ExtensionInfo(e.days, e.approved_by, e.approved_on, e.reason) for e in case.extensions
    )
    facts = ex.ReplyFacts(
        event,
        case.start,
        case.received.period_wd,
        extensions,
        clock.spans,
        clock.excluded,
        clock.due,
        art35,
        stop,
        tuple(notes),
        ex.REPLY_BASES[case.received.basis],
    )
    if (r := case.reopened) is not None:
        info = ex.ReopenInfo(r.decision, r.document_number, r.on, r.reply_by, r.approved_by)
        return ex.reopened_deadline(cal, facts, info, today)
    return ex.reply_deadline(cal, facts, today)


def _windows(case: _Case) -> list[ex.Window]:
    first, r = case.first_notice, case.received.on
    # The correction-notice window belongs to the first receipt, not to a new answer.
    out = (
        []
        if case.reopened is not None
        else [
            ex.Window(
                "correction_notice",
                "补正告知期限",
                _RECEIVED,
                r,
                r,
                CORRECTION_NOTICE_WD,
                _ART30,
                first.notice_on if first else None,
                keep_lapsed=False,
            )
        ]
    )
    if (c := case.correction) is not None:
        out.append(
            ex.Window(
                "correction",
                "申请人补正期限",
                _NOTICE,
                c.applicant_received_on,
                c.notice_on,
                c.period_wd,
                _ART30,
                case.corrected_on,
            )
        )
    for cid, k in case.consultations.items():
        e = k.entry
        if e.kind in EXTERNAL_KINDS:
            zh, _, art_zh, art_en = _KINDS[e.kind]
            out.append(
                ex.Window(
                    f"consultation:{cid}",
                    f"{zh}期限（{cid}）",
                    _LETTER,
                    e.party_received_on,
                    e.dispatched_on,
                    CONSULTATION_WD,
                    (_REG + art_zh, art_en),
                    k.answered_on,
                    assume_sent=True,
                )
            )
    if case.fees:
        f = case.fees[-1]
        out.append(
            ex.Window(
                "fee_payment",
                "缴费期限",
                _FEE_NOTICE,
                f.entry.applicant_received_on,
                f.entry.sent_on,
                FEE_WD,
                _FEE_BASIS,
                f.paid_on,
            )
        )
    return out


def compute_deadlines(
    ledger: Ledger,
    calendar: WorkCalendar,
    *,
    today: date,
    fee_pauses_clock: bool = True,
    remedy: RemedyFacts = RemedyFacts(),
) -> list[Deadline]:
    """Every RULES §4 deadline that applies to the case on `today`, each with its explanation;
    `remedy` says which remedy windows the served decision opens (RULES §5)."""
    _date(today, "today")
    case = _fold(ledger)
    if case is None:
        return []
    out = [_reply(case, calendar, today, fee_pauses_clock)]
    stop_on = case.stopped.on if case.stopped else None
    for w in _windows(case):
        if w.name == "correction_notice" and case.received.basis == "art41":
            continue  # Art. 30's correction notice belongs to the FOI line, not to Art. 41
        d = ex.window_deadline(calendar, w, today=today, stop_on=stop_on)
        if d is not None:
            out.append(d)
    out += ex.remedy_deadlines(calendar, case.served.on if case.served else None, today, remedy)
    return out
