"""The ledger's columns and its row for one application (pure: no FastAPI, no SQLAlchemy).

What a row shows, and why:

- 收到日期 is the legal receipt date (RULES §3); an application whose receipt is not confirmed
  yet has none, and 到达日期 (the Beijing date it arrived) says why it is in the range.
- 申请人: a natural person's family-name character only ("张*", as every masked list shows
  it); an organisation's name in full — it is public (business register), and a clerk needs it
  to tell companies apart. 证件号码 is masked the same way for both (`mask_id_number`: the
  first and last four characters kept), so the ledger matches the worklist; the full number
  and a person's full name never leave the database through this export.
- 答复期限 is marked （暂定） when it reaches a year whose holiday notice is not loaded yet.
- 答复日期 is the conclusion date the annual report counts (RULES §8): the reply's issue date,
  or the day a closure (no correction, fee unpaid, withdrawal) ended the case. 答复书文号 is
  the issued reply's number; a case closed without a reply shows its 终止办理告知书 number in
  a column of its own.
- 是否按期 says whether the reply was issued by its due date (是/否; empty until answered, and
  for closures, which have no reply to judge); 是否按期送达 judges service by the posting,
  signature or arrival day (国办公开办函〔2016〕235号).
- 申请行政复议期限, 提起行政诉讼期限 and 复议后起诉期限 are the remedy windows the case detail
  shows (RULES §4, §5): only those the served decision opens — a reconsideration-first
  decision has no direct lawsuit window — each ending on a working day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from app.deadline.calendar import WorkCalendar
from app.deadline.explain import RemedyFacts, remedy_deadlines
from app.outcomes import OUTCOMES
from app.validation.masking import mask_id_number, mask_name
from app.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, ApplicantCategory


@dataclass(frozen=True, slots=True)
class Provisional:
    """A due date computed with weekends only: its year's holiday notice is not loaded."""

    on: date


Cell = str | date | Provisional | None
PROVISIONAL_MARK = "（暂定）"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: float  # in Excel's character widths
    is_date: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("申请编号", 26),
    Column("收到日期", 12, is_date=True),
    Column("到达日期", 12, is_date=True),
    Column("收到渠道", 13),
    Column("申请人类别", 13),
    Column("申请人", 24),
    Column("证件号码", 22),
    Column("所需信息", 60),
    Column("状态", 14),
    Column("办理结果", 30),
    Column("答复期限", 18, is_date=True),
    Column("补正告知期限", 13, is_date=True),
    Column("补正期限", 12, is_date=True),
    Column("是否延期", 9),
    Column("答复日期", 12, is_date=True),
    Column("答复书文号", 28),
    Column("终止办理告知书文号", 28),
    Column("送达日期", 12, is_date=True),
    Column("送达方式", 10),
    Column("是否按期", 9),
    Column("是否按期送达", 12),
    Column("申请行政复议期限", 18, is_date=True),
    Column("提起行政诉讼期限", 18, is_date=True),
    Column("复议后起诉期限", 16, is_date=True),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)


@dataclass(frozen=True, slots=True)
class LedgerCase:
    """The case columns the ledger reads (the applicant's still unmasked)."""

    id: int
    number: str
    year: int
    seq: int
    state: str
    channel: str
    arrived_at: datetime
    receipt_date: date | None
    applicant_category: str
    applicant_name: str
    applicant_id_number: str
    reply_due: date | None
    reply_due_provisional: bool
    correction_notice_due: date | None
    correction_due: date | None
    outcome: str | None
    concluded_on: date | None
    reply_late: bool | None
    served_on: date | None
    service_method: str | None
    served_on_time: bool | None


@dataclass(frozen=True, slots=True)
class LedgerItem:
    position: int
    description: str
    document_number: str | None


@dataclass(frozen=True, slots=True)
class CaseLetters:
    """The issued letters a row cites: the latest reply and closure notice, and an extension."""

    reply_number: str | None = None
    closure_number: str | None = None
    extended: bool = False


NO_LETTERS = CaseLetters()


@dataclass(frozen=True, slots=True)
class RemedyWindows:
    """The due dates of the remedy windows the case shows (none until service)."""

    reconsideration_until: Cell = None
    litigation_until: Cell = None
    litigation_after_reconsideration_until: Cell = None


NO_WINDOWS = RemedyWindows()


def remedy_windows(
    calendar: WorkCalendar, served_on: date | None, facts: RemedyFacts, today: date
) -> RemedyWindows:
    """The remedy windows as the case detail computes them, by name."""
    found: dict[str, Cell] = {}
    for d in remedy_deadlines(calendar, served_on, today, facts):
        assert d.due_date is not None
        found[d.name] = Provisional(d.due_date) if d.provisional else d.due_date
    return RemedyWindows(**found)


def ledger_day(case: LedgerCase, tz: tzinfo) -> date:
    """The date a case is filed under: its receipt date, else the day it arrived (local)."""
    if case.receipt_date is not None:
        return case.receipt_date
    return case.arrived_at.astimezone(tz).date()


def sort_key(case: LedgerCase, tz: tzinfo) -> tuple[date, int, int, int]:
    """Ledger order: by date, then by registration number (year and sequence)."""
    return (ledger_day(case, tz), case.year, case.seq, case.id)


def items_text(items: Sequence[LedgerItem]) -> str:
    """The items sought, numbered and joined with "；" (a document number in brackets)."""
    parts = []
    for n, item in enumerate(items, start=1):
        ref = f"（文号：{item.document_number}）" if item.document_number else ""
        parts.append(f"{n}. {item.description}{ref}")
    return "；".join(parts)


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("是" if flag else "否")


def _label(labels: dict[str, str], code: str | None) -> str | None:
    if code is None:
        return None
    return labels.get(code, code)


_CHANNELS = {str(k): v for k, v in CHANNEL_LABELS.items()}
_CATEGORIES = {str(k): v for k, v in CATEGORY_LABELS.items()}
# As the proof of service prints them (app.letters.bodies_service.METHOD_LABELS, which a test
# holds this to); not imported, to keep this module free of the web stack.
SERVICE_METHOD_LABELS = {
    "in_person": "直接送达",
    "direct": "直接送达",
    "entrusted": "委托送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
}


def ledger_row(
    case: LedgerCase,
    items: Sequence[LedgerItem],
    letters: CaseLetters,
    *,
    state_label: Callable[[str], str],
    tz: tzinfo,
    windows: RemedyWindows = NO_WINDOWS,
) -> tuple[Cell, ...]:
    """One ledger row, in the order of COLUMNS; personal data masked."""
    person = case.applicant_category == ApplicantCategory.natural_person
    outcome = OUTCOMES.get(case.outcome) if case.outcome else None
    reply_due: Cell = case.reply_due
    if case.reply_due is not None and case.reply_due_provisional:
        reply_due = Provisional(case.reply_due)
    return (
        case.number,
        case.receipt_date,
        case.arrived_at.astimezone(tz).date(),
        _label(_CHANNELS, case.channel),
        _label(_CATEGORIES, case.applicant_category),
        mask_name(case.applicant_name, is_person=person),
        mask_id_number(case.applicant_id_number),
        items_text(items),
        state_label(case.state),
        outcome.label if outcome else case.outcome,
        reply_due,
        case.correction_notice_due,
        case.correction_due,
        "是" if letters.extended else "否",
        case.concluded_on,
        letters.reply_number,
        letters.closure_number,
        case.served_on,
        _label(SERVICE_METHOD_LABELS, case.service_method),
        # Closures have no reply to judge: their reply_late stays NULL, the cell empty.
        _yes_no(None if case.reply_late is None else not case.reply_late),
        _yes_no(case.served_on_time),
        windows.reconsideration_until,
        windows.litigation_until,
        windows.litigation_after_reconsideration_until,
    )
