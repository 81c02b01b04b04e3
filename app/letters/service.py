"""Letters of a case: drafts, issuing (number, render once, freeze), reading and downloads.

Issuing happens inside the transaction of the action that sends the letter: the number comes
from the organ's gapless sequence, a verification code is allocated, and the context (with the
code) is frozen on the row (the event records its hash). The PDF is rendered after the commit,
from that frozen context, by the outbox worker or by the first download, whichever comes first;
it is signed for the organ and stored once by its SHA-256 with the template's hash
(`stored_form`); a render failure then fails that render (retried later), never the action.
Drafts and previews are never signed or stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.principal import Actor
from app.auth.secrets import new_verify_code
from app.db import end_read, table_of
from app.db_insert import Rows
from app.deadline import repository as clock_repo
from app.deadline.ledger import Ledger, compute_deadlines
from app.errors import Conflict, InvalidInput, NotFound
from app.letters import repository
from app.letters.builders import build, frozen_context
from app.letters.context import (
    CaseSnapshot,
    DueDate,
    ItemRef,
    LetterContext,
    LetterSource,
    OrganBlock,
    Verification,
    due_dates_of,
)
from app.letters.kinds import KINDS, LetterKind, LetterOrder, kind_info
from app.letters.press import Rendered
from app.models import Case, Letter
from app.organs import repository as organs_repo
from app.organs.directory import OrganInfo
from app.organs.numbering import format_number
from app.outbox.service import LetterRef
from app.runtime import Runtime
from app.signing.service import signing_identity
from app.signing.signer import SigningIdentity
from app.workflow.definition import ActionDef

log = logging.getLogger("gongkai.letters")

# Which closure a closing action's outcome means (RULES §5 other.*).
CLOSURES = {
    "other.no_correction": "no_correction",
    "other.fee_unpaid": "fee_unpaid",
    "other.other": "withdrawn",
}


class LetterTemplateChanged(Conflict):
    code = "letter-template-changed"
    title = "文书模板已变更 / The letter's template changed since it was issued"


# --- inputs of the builders ---------------------------------------------------------------


def organ_block(organ: OrganInfo) -> OrganBlock:
    return OrganBlock(
        name=organ.name,
        code=organ.code,
        address=organ.address,
        phone=organ.phone,
        reconsideration_body=organ.reconsideration_body,
        court=organ.court,
        seal_url=f"seal:{organ.seal_sha256}" if organ.seal_sha256 else None,
    )


def case_snapshot(case: Case, tz: ZoneInfo) -> CaseSnapshot:
    """The case's letter-relevant facts (its items must be loaded)."""
    return CaseSnapshot(
        id=case.id,
        number=case.number,
        state=case.state,
        channel=case.channel,
        arrived_on=case.arrived_at.astimezone(tz).date(),
        receipt_date=case.receipt_date,
        receipt_basis=case.receipt_basis,
        applicant_category=case.applicant_category,
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
        applicant_email=case.applicant_email,
        applicant_address=case.applicant_address,
        applicant_postal_code=case.applicant_postal_code,
        applicant_contact_person=case.applicant_contact_person,
        delivery_form=case.delivery_form,
        delivery_method=case.delivery_method,
        e_service_consent=case.e_service_consent,
        e_service_address=case.e_service_address,
        items=tuple(
            ItemRef(
                position=i.position, description=i.description, document_number=i.document_number
            )
            for i in case.items
        ),
    )


def due_dates(ledger: Ledger, rt: Runtime, organ: OrganInfo, today: date) -> dict[str, DueDate]:
    """The case's deadlines as letters cite them."""
    return due_dates_of(
        compute_deadlines(
            ledger, rt.calendar, today=today, fee_pauses_clock=organ.settings.fee_pauses_clock
        )
    )


def _earlier(
    session: Session, case_id: int
) -> dict[str, tuple[tuple[str | None, date | None], ...]]:
    found: dict[str, list[tuple[str | None, date | None]]] = defaultdict(list)
    for letter in reversed(repository.letters_of_case(session, case_id)):
        if letter.status == "issued":
            found[letter.kind].append((letter.number, letter.letter_date))
    return {k: tuple(v) for k, v in found.items()}


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}


def letter_source(
    session: Session,
    rt: Runtime,
    snapshot: CaseSnapshot,
    organ: OrganInfo,
    kind: str,
    params: Mapping[str, Any],
    *,
    number: str | None,
    on: date,
    handler: str,
    deadlines: dict[str, DueDate] | None = None,
    new_case: bool = False,
) -> LetterSource:
    if deadlines is None:
        deadlines = due_dates(clock_repo.ledger_of(session, snapshot.id), rt, organ, on)
    return LetterSource(
        kind=kind,
        case=snapshot,
        organ=organ_block(organ),
        on=on,
        number=number,
        handler=handler,
        params=dict(params),
        deadlines=deadlines,
        earlier={} if new_case else _earlier(session, snapshot.id),
    )


# --- issuing ------------------------------------------------------------------------------


# Who a letter names as handler when no staff member acted (portal intake, an applicant's
# withdrawal): the organ's disclosure office itself.
OFFICE = "政府信息公开工作机构"


def handler_of(actor: Actor) -> str:
    return actor.label if actor.kind == "user" else OFFICE


def _allocate_number(session: Session, organ: OrganInfo, kind: str, year: int) -> tuple[str, int]:
    shared = organ.settings.letter_sequence == "shared"
    seq = organs_repo.next_counter_value(
        session, organ_id=organ.id, year=year, kind="letter" if shared else f"letter:{kind}"
    )
    number = format_number(
        organ.settings.letter_number_pattern,
        code=organ.code,
        year=year,
        seq=seq,
        mark=kind_info(kind).mark,
    )
    return number, seq


def _verification(session: Session, rt: Runtime) -> Verification:
    """A fresh verification code, unused by any letter, and the address that checks it."""
    code = new_verify_code()
    # 50 random bits: a clash is a once-in-a-lifetime event, but the check costs one lookup.
    while repository.verify_code_taken(session, code):
        code = new_verify_code()
    return Verification(code=code, url=f"{rt.settings.verify_base_url}/verify/{code}")


@dataclass(frozen=True)
class StoredPdf:
    """What is recorded of a letter's stored PDF."""

    sha256: str
    size: int
    pages: int
    certificate_id: int | None


def stored_form(
    rt: Runtime, identity: SigningIdentity, ctx: LetterContext, rendered: Rendered
) -> StoredPdf:
    """A rendered letter turned into the form it is kept and served in: signed for its organ
    (app/signing/: unsigned when the organ has no certificate), then put in the store. Its
    SHA-256 is the signed file's. Drafts and previews never come here."""
    url = ctx.verification.url if ctx.verification is not None else None
    signed = rt.signer.sign(rendered.pdf, identity, verify_url=url, at=rt.clock())
    return StoredPdf(
        sha256=rt.store.put(signed.pdf),
        size=len(signed.pdf),
        pages=rendered.pages,
        certificate_id=signed.certificate_id,
    )


def _record_pdf(letter: Letter, stored: StoredPdf, template_sha256: str) -> None:
    letter.pdf_sha256 = stored.sha256
    letter.pdf_size = stored.size
    letter.pages = stored.pages
    letter.certificate_id = stored.certificate_id
    letter.template_sha256 = template_sha256


def issue(
    session: Session,
    rt: Runtime,
    snapshot: CaseSnapshot,
    organ: OrganInfo,
    kind: str,
    params: Mapping[str, Any],
    *,
    actor: Actor,
    action: str | None,
    now: datetime,
    render: bool = True,
    deadlines: dict[str, DueDate] | None = None,
    new_case: bool = False,
) -> Letter:
    """Issue one letter: number it, render it (unless deferred), store and freeze it.

    An open draft of the kind on the case is issued (its fields under `params`); otherwise a
    new letter is. With ``render=False`` the number and context are frozen now and the PDF (and
    the template hash) are fixed on first use — no HTML work while the write lock is held.
    ``new_case`` says the case was created in this transaction: no drafts or earlier letters.
    """
    today = now.astimezone(rt.tz).date()
    draft = None if new_case else repository.open_draft(session, snapshot.id, kind)
    merged = {**(draft.fields if draft is not None else {}), **params}
    number, seq = (None, None)
    if kind_info(kind).registration_number:
        number = snapshot.number
    elif kind_info(kind).numbered:
        number, seq = _allocate_number(session, organ, kind, today.year)
    src = letter_source(
        session,
        rt,
        snapshot,
        organ,
        kind,
        merged,
        number=number,
        on=today,
        handler=handler_of(actor),
        deadlines=deadlines,
        new_case=new_case,
    )
    verification = _verification(session, rt)
    ctx = build(src).model_copy(update={"verification": verification})
    ref = rt.letter_templates.ref(kind)
    rendered = rt.press.render([rt.letter_templates.html(ctx)]) if render else None

    letter = draft or Letter(
        case_id=snapshot.id,
        organ_id=organ.id,
        kind=kind,
        fields={},
        created_at=now,
        created_by_id=actor.user_id,
    )
    letter.status = "issued"
    letter.number = number
    letter.year = today.year if seq is not None else None
    letter.seq = seq
    letter.letter_date = today
    letter.action = action
    letter.issued_at = now
    letter.issued_by = actor.label if actor.kind == "user" else "系统自动出具"
    letter.context = ctx.model_dump(mode="json")
    letter.verify_code = verification.code
    letter.template_name = ref.name
    if rendered is not None:
        identity = signing_identity(session, organ.id, organ.code, now=now)
        _record_pdf(letter, stored_form(rt, identity, ctx, rendered), ref.sha256)
    # A new letter is added by the caller once the action's event exists, so it is inserted
    # once, with its event id (see record_letters).
    return letter


def record_letters(session: Session, letters: list[Letter], event_id: int) -> None:
    """Attach issued letters to the timeline event of the action that issued them."""
    for letter in letters:
        letter.event_id = event_id
        session.add(letter)


_LETTERS = table_of(Letter)
_LETTER_COLUMNS = tuple(c.key for c in _LETTERS.columns)


def new_letter_rows(letter: Letter, *, letter_id: int, event_id: int) -> Rows:
    """The row of a letter issued for a case created in this transaction (its id reserved:
    app.db_insert.next_id), tied to its event, for app.db_insert.insert_rows: no unit of work
    for a row the request never reads back. Sets the letter's id and event id; the object
    stays outside the session."""
    letter.id = letter_id
    letter.event_id = event_id
    return Rows(_LETTERS, [{key: getattr(letter, key) for key in _LETTER_COLUMNS}])


def action_params(
    action: ActionDef, kind: str, payload: Mapping[str, Any], organ: OrganInfo
) -> dict[str, Any]:
    """The letter's parameters from the action's payload, with what the action itself implies."""
    params = {**kind_defaults(kind, organ), **_jsonable(payload)}
    if kind == LetterKind.closure_notice and action.outcome in CLOSURES:
        params.setdefault("closure", CLOSURES[action.outcome])
    return params


def kind_defaults(kind: str, organ: OrganInfo) -> dict[str, Any]:
    """Parameters that come from the organ's settings unless the letter says otherwise."""
    if kind == LetterKind.correction_notice:
        return {"correction_period_wd": organ.settings.correction_period_wd}
    return {}


def letter_orders(
    action: ActionDef,
    payload: Mapping[str, Any],
    organ: OrganInfo,
    extra: Mapping[str, Mapping[str, Any] | list[dict[str, Any]]] | None = None,
) -> list[LetterOrder]:
    """Every letter the workflow says this action sends (RULES §7), with its parameters: the
    payload's, what the action implies, and what its effects computed for the kind in `extra`
    (a fee's tiers, a consultation's reply date; a list asks for one letter per entry)."""
    out = []
    for kind in (rule.kind for rule in action.letters if rule.applies(payload)):
        wanted = (extra or {}).get(kind, {})
        for extra_params in wanted if isinstance(wanted, list) else [wanted]:
            params = {**action_params(action, kind, payload, organ), **extra_params}
            out.append(LetterOrder(kind, params))
    return out


def issue_orders(
    session: Session,
    rt: Runtime,
    case: Case,
    organ: OrganInfo,
    orders: Sequence[LetterOrder],
    *,
    action: str,
    ledger: Ledger,
    actor: Actor,
    now: datetime,
) -> list[Letter]:
    """Number and freeze the ordered letters, citing the deadlines of the case's ledger after
    the action. Their PDFs are rendered after the commit (the worker, or the first download),
    so no action waits for WeasyPrint."""
    if not orders:
        return []
    snapshot = case_snapshot(case, rt.tz)
    deadlines = due_dates(ledger, rt, organ, now.astimezone(rt.tz).date())
    return [
        issue(
            session,
            rt,
            snapshot,
            organ,
            order.kind,
            order.params,
            actor=actor,
            action=action,
            now=now,
            deadlines=deadlines,
            render=False,
        )
        for order in orders
    ]


def letter_ref(letter: Letter) -> LetterRef:
    """What an outbox event says of a letter (its id once the letter is flushed)."""
    return LetterRef(
        id=letter.id,
        kind=letter.kind,
        number=letter.number,
        letter_date=letter.letter_date,
        to_applicant=kind_info(letter.kind).to_applicant,
    )


def letter_summary(letter: Letter) -> dict[str, Any]:
    """What a timeline event records of a letter it issued: its kind, number and the hash of
    the frozen context (what the letter says). The PDF is rendered after the commit from that
    context; its hash and the template's are stored on the letter when it is."""
    return {
        "kind": letter.kind,
        "number": letter.number,
        "context_sha256": context_sha256(letter.context or {}),
    }


def context_sha256(context: Mapping[str, Any]) -> str:
    """The SHA-256 of a letter's frozen context in a canonical JSON form."""
    text = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- drafts and previews ------------------------------------------------------------------


def check_kind(kind: str) -> LetterKind:
    try:
        return LetterKind(kind)
    except ValueError:
        raise InvalidInput(
            ("body", "kind"),
            f"未知的文书种类 / unknown letter kind; one of: {', '.join(KINDS)}",
        ) from None


class UnknownResponsibleOrgan(InvalidInput):
    code = "responsible-organ-unknown"
    title = "负责机关代码不是本平台的其他机关 / The responsible organ's code names no other organ on the platform"


def check_responsible_organ(
    session: Session, rt: Runtime, case: Case, fields: Mapping[str, Any]
) -> None:
    """A reply draft's responsible organ may carry a platform code (the linked filing goes
    there): the code must name another organ on the platform; an organ outside it is named
    without a code."""
    named = fields.get("responsible_organ")
    code = named.get("code") if isinstance(named, dict) else None
    if not isinstance(code, str) or not code:
        return
    organ = rt.organs.by_code(session, code)
    if organ is None or organ.id == case.organ_id:
        raise UnknownResponsibleOrgan(
            ("fields", "responsible_organ", "code"),
            f"“{code}”不是本平台其他机关的代码；平台外的机关只填名称 / “{code}” is not the code "
            "of another organ on the platform; name an organ outside it without a code",
            organ_code=code,
        )


def draft_context(
    session: Session, rt: Runtime, case: Case, organ: OrganInfo, letter: Letter, handler: str
) -> LetterContext:
    """A draft as it would read now: from the current case, unnumbered."""
    check_responsible_organ(session, rt, case, letter.fields)
    today = rt.clock().astimezone(rt.tz).date()
    snapshot = case_snapshot(case, rt.tz)
    src = letter_source(
        session,
        rt,
        snapshot,
        organ,
        letter.kind,
        {**kind_defaults(letter.kind, organ), **letter.fields},
        number=None,
        on=today,
        handler=handler,
    )
    return build(src)


def check_reply_draft(
    session: Session, rt: Runtime, case: Case, organ: OrganInfo, draft: Letter, handler: str
) -> None:
    """Build the reply draft's context: a 422 names each field its outcome still lacks."""
    draft_context(session, rt, case, organ, draft, handler)


def issued_context(letter: Letter) -> LetterContext:
    assert letter.context is not None
    return frozen_context(letter.kind, letter.context)


def reproducible(rt: Runtime, letter: Letter) -> bool:
    """Whether an issued letter laid out again from its frozen context is the letter as issued:
    its template is unchanged (a letter not rendered yet takes today's template, which its
    first render then records)."""
    recorded = letter.template_sha256
    return recorded is None or rt.letter_templates.ref(letter.kind).sha256 == recorded


def reproducible_html(rt: Runtime, letter: Letter) -> str:
    """An issued letter's HTML from its frozen context, only while its template is unchanged."""
    if not reproducible(rt, letter):
        raise LetterTemplateChanged(
            f"文书 {letter.number or letter.id} 出具后模板已变更，只能下载原件 / the template of "
            "this letter changed after it was issued; download the stored PDF instead",
            letter_id=letter.id,
        )
    return rt.letter_templates.html(issued_context(letter))


def stored_pdf(read: Session, rt: Runtime, letter: Letter) -> Rendered:
    """An issued letter's PDF and page count. A letter issued without its PDF (a receipt at
    intake: its number and context were frozen then) is rendered now from the frozen context,
    and the PDF and the hash of the template used are stored once, in a short write
    transaction of its own; `read`, the read session the letter came from, is ended first."""
    if letter.pdf_sha256 is not None:
        return Rendered(rt.store.read(letter.pdf_sha256), letter.pages or 0)
    organ = rt.organs.by_id(read, letter.organ_id)
    assert organ is not None
    identity = signing_identity(read, organ.id, organ.code, now=rt.clock())
    # Nothing more to read: the connection goes back before the render and the write.
    end_read(read)
    ref = rt.letter_templates.ref(letter.kind)
    ctx = issued_context(letter)
    kept = stored_form(rt, identity, ctx, rt.press.render([rt.letter_templates.html(ctx)]))
    sha, pages = kept.sha256, kept.pages
    with rt.sessions.write() as session, session.begin():
        stored = repository.letter_by_id(session, letter.id)
        assert stored is not None
        if stored.pdf_sha256 is None:
            _record_pdf(stored, kept, ref.sha256)
        else:
            # Someone else rendered it first: theirs is the record.
            sha, pages = stored.pdf_sha256, stored.pages or 0
    return Rendered(rt.store.read(sha), pages)


def render_pending(rt: Runtime, *, limit: int | None = None) -> int:
    """Render and store the PDFs of issued letters that have none yet (the worker's job; a
    download renders on demand what the worker has not reached). Returns how many it rendered;
    a letter that fails to render is logged and left for the next pass."""
    with rt.sessions.read() as session:
        pending = repository.pending_letters(session, limit)
    done = 0
    for letter in pending:
        try:
            with rt.sessions.read() as session:
                stored_pdf(session, rt, letter)
        except Exception:
            log.exception("letter %s could not be rendered", letter.id)
            continue
        done += 1
    return done


def not_found(letter_id: int) -> NotFound:
    return NotFound(f"文书 {letter_id} 不存在 / letter {letter_id} not found", letter_id=letter_id)
