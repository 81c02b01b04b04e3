"""The reply (答复书, Arts. 36–39): one letter, one block per outcome of RULES §5.

What each outcome must say is checked here (422 naming the field): the reasons of a refusal,
what is provided, where published information is, each withheld part with its ground, the
earlier reply a repeat refers to, the search behind "not held".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.item_outcomes import WITHHOLDING, counted_outcome, item_errors
from app.letters.bodies_common import (
    EarlierLetter,
    Line,
    Text,
    citations,
    earlier_letter,
    field_error,
    raise_all,
)
from app.letters.builders import Params, builder, common, params, remedy
from app.letters.context import Frozen, LetterContext, LetterSource
from app.letters.formatting import cn_date, cn_datetime
from app.letters.kinds import LetterKind, kind_info
from app.outcomes import (
    GROUND_OUTCOMES,
    NOT_GOVERNMENT_INFORMATION,
    OUTCOMES,
    WITHHOLDING_GROUNDS,
    reply_remedy,
)
from app.releases.rules import page_list
from app.workflow.rules_inspection import parse_moment

_NOT_GOVERNMENT_INFORMATION = "不属于《中华人民共和国政府信息公开条例》第二条所指的政府信息"
# What the organ found, as the letter states it, for each ground of refusal (Arts. 14–16, 36)
# and for content that is not government information (Art. 2), whole or in part.
FINDINGS: dict[str, str] = {
    "withheld.state_secret": "属于国家秘密",
    "withheld.prohibited_by_law": "属于法律、行政法规禁止公开的政府信息",
    "withheld.security_stability": "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    "withheld.third_party_rights": "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
    "withheld.internal_affairs": "属于人事管理、后勤管理、内部工作流程等方面的内部事务信息",
    "withheld.process_information": (
        "属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息"
    ),
    "withheld.enforcement_file": "属于行政执法案卷信息",
    "withheld.administrative_query": (
        "属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定"
    ),
    "other.not_government_information": _NOT_GOVERNMENT_INFORMATION,
    NOT_GOVERNMENT_INFORMATION: _NOT_GOVERNMENT_INFORMATION,
}

# Outcomes whose letter must give reasons (RULES §5; 其他 has no basis, so reasons it must have).
_GIVES_REASONS = (
    "partially_disclosed",
    "withheld.",
    "unavailable.",
    "not_processed.",
    "other.not_government_information",
    "other.other",
)
# Optional fields and the outcomes whose letter prints them (a draft may keep stale ones).
_USED_BY: dict[str, frozenset[str]] = {
    "provided": frozenset({"disclosed", "partially_disclosed"}),
    "where_published": frozenset({"already_public", "not_processed.publication"}),
    "withheld_parts": frozenset({"partially_disclosed"}),
    "redacted_parts": frozenset({"partially_disclosed"}),
    "responsible_organ": frozenset({"unavailable.not_this_organ"}),
    "earlier_reply": frozenset({"not_processed.repeat"}),
    "search_description": frozenset({"unavailable.not_held"}),
    "channel": frozenset({"not_processed.petition", "withheld.administrative_query"}),
}
# Fields an outcome cannot do without.
_REQUIRED_BY: dict[str, frozenset[str]] = {
    "provided": frozenset({"disclosed", "partially_disclosed"}),
    "where_published": frozenset({"already_public", "not_processed.publication"}),
    "withheld_parts": frozenset({"partially_disclosed"}),
    "earlier_reply": frozenset({"not_processed.repeat"}),
    "search_description": frozenset({"unavailable.not_held"}),
}
# In which form the information is provided (条例第四十条).
PROVIDED_FORMS = {
    "paper": "纸质文本",
    "electronic": "电子数据",
    "inspection": "安排查阅",
    "copy": "复制件",
}
ProvidedForm = Literal["paper", "electronic", "inspection", "copy"]


def _known_outcome(code: str) -> str:
    if code not in OUTCOMES:
        raise ValueError(f"未知的答复类型 / unknown outcome {code[:60]!r}")
    return code


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def _withholding_ground(v: str) -> str:
    if v not in WITHHOLDING_GROUNDS:
        raise ValueError(
            "不予公开的理由应为以下之一 / ground must be one of: " + ", ".join(WITHHOLDING_GROUNDS)
        )
    return v


class WithheldPartParams(_Part):
    part: Text
    ground: str
    reasons: Text

    _ground = field_validator("ground")(_withholding_ground)


class RedactedPartParams(_Part):
    """A withheld part the redaction log of a released file makes (app.releases.rules)."""

    document: Line
    pages: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=100_000)]
    areas: Annotated[int, Field(ge=1)]
    ground: str
    reasons: Text

    _ground = field_validator("ground")(_withholding_ground)


class ReleasedFileParams(_Part):
    title: Line
    pages: Annotated[int, Field(ge=1)] | None = None
    redacted: bool = False


class ResponsibleOrgan(_Part):
    name: Line
    contact: Line | None = None
    # Its code where it is an organ on the platform: with the applicant's consent (同意转交),
    # issuing the reply files the application there (app.transfers).
    code: Line | None = None


class FiledAt(_Part):
    """The application the service filed at the responsible organ for the applicant."""

    organ: Line
    number: Line


class EarlierReplyParams(_Part):
    number: Line
    date: date


class ItemOutcomeParams(_Part):
    position: Annotated[int, Field(ge=1)]
    outcome: str
    note: Text | None = None

    _outcome = field_validator("outcome")(_known_outcome)


class ReanswerParams(_Part):
    """The decision a re-answer is made under (set by issue_reply, not by the clerk)."""

    decision: Literal["reconsideration", "court", "self_correction"]
    document_number: Line | None = None


# How the re-answer's opening sentence says what became of the earlier letter (RULES §9).
_REANSWERED_BY = {
    "reconsideration": "已经行政复议决定{number}责令重新答复",
    "court": "已经人民法院裁判{number}责令重新答复",
    "self_correction": "经本机关审查发现有误，予以纠正",
}


class ReplyParams(Params):
    outcome: str
    reasons: Text | None = None
    # A further legal basis the organ cites beside the outcome's own (e.g. another statute).
    legal_basis: Line | None = None
    provided: Text | None = None
    provided_form: ProvidedForm | None = None
    where_published: Text | None = None
    withheld_parts: Annotated[list[WithheldPartParams], Field(max_length=50)] | None = None
    # Filled from the released files when the reply is submitted (app.workflow.rules_release):
    # never typed by the clerk.
    redacted_parts: Annotated[list[RedactedPartParams], Field(max_length=500)] | None = None
    released_files: Annotated[list[ReleasedFileParams], Field(max_length=100)] | None = None
    released_days: Annotated[int, Field(ge=1)] | None = None
    released_until: date | None = None
    responsible_organ: ResponsibleOrgan | None = None
    filed_at: FiledAt | None = None
    earlier_reply: EarlierReplyParams | None = None
    search_description: Text | None = None
    channel: Text | None = None
    item_outcomes: Annotated[list[ItemOutcomeParams], Field(max_length=200)] | None = None
    reanswer: ReanswerParams | None = None
    # Inspection on site (Art. 40): where, when (from/to, ISO dates or date-times), whom to call.
    inspection_place: Line | None = None
    inspection_from: Line | None = None
    inspection_to: Line | None = None
    inspection_contact: Line | None = None

    _outcome = field_validator("outcome")(_known_outcome)


class Inspection(Frozen):
    """The appointment the letter states."""

    place: str
    window: str
    contact: str


class WithheldPart(Frozen):
    part: str
    ground: str
    finding: str
    basis: tuple[str, ...]
    reasons: str


class ReleasedFileRef(Frozen):
    title: str
    pages: int | None
    redacted: bool


class ItemOutcome(Frozen):
    position: int
    outcome: str
    label: str
    # What the organ found about this item, where the outcome has a finding of its own.
    finding: str | None
    basis: tuple[str, ...]
    note: str | None


class ReplyContext(LetterContext):
    outcome: str
    outcome_label: str
    # The outcome's own basis; legal_basis adds the grounds of withheld parts and items.
    outcome_basis: tuple[str, ...]
    finding: str | None
    reasons: str | None
    provided: str | None
    provided_form: str | None
    where_published: str | None
    withheld_parts: tuple[WithheldPart, ...]
    # The released files the reply provides, and until when they can be downloaded.
    released_files: tuple[ReleasedFileRef, ...] = ()
    released_days: int | None = None
    released_until: date | None = None
    responsible_organ: ResponsibleOrgan | None
    filed_at: FiledAt | None = None
    earlier_reply: EarlierLetter | None
    search_description: str | None
    channel: str | None
    item_outcomes: tuple[ItemOutcome, ...]
    inspection: Inspection | None = None
    # A re-answer: the letter it replaces (which stays as issued) and what became of it.
    earlier_letter: EarlierLetter | None = None
    reanswered_by: str | None = None
    # Earlier letters of the case some outcomes cite.
    correction_notice: EarlierLetter | None
    fee_notice: EarlierLetter | None
    reasons_request: EarlierLetter | None


def _needs_reasons(code: str) -> bool:
    return any(code == g or (g.endswith(".") and code.startswith(g)) for g in _GIVES_REASONS)


def check_required(p: ReplyParams, src: LetterSource) -> None:
    """Every field the outcome needs is there; the items' decisions answer every item of the
    case once, each refusal with its reasons, and agree with the outcome (422)."""
    code = p.outcome
    items = p.item_outcomes
    # Items refused one by one state their grounds themselves: no withheld part is needed.
    itemised = {i.outcome for i in items or ()} & WITHHOLDING
    errors = [
        field_error(name, f"答复类型 {code} 须填写此项 / required for outcome {code}")
        for name, outcomes in _REQUIRED_BY.items()
        if code in outcomes
        and not getattr(p, name)
        and not (name == "withheld_parts" and (itemised or p.redacted_parts))
    ]
    if _needs_reasons(code) and not p.reasons:
        errors.insert(0, field_error("reasons", f"答复类型 {code} 须说明理由 / reasons required"))
    if items is not None:
        entries = [i.model_dump() for i in items]
        found = item_errors(entries, {item.position for item in src.case.items})
        errors += [field_error(loc, msg) for loc, msg in found]
        for n, item in enumerate(items):
            if _needs_reasons(item.outcome) and not item.note:
                errors.append(
                    field_error(
                        ("item_outcomes", n, "note"),
                        f"第{item.position}项须说明理由 / reasons required for item "
                        f"{item.position}",
                    )
                )
        if not found:
            try:
                counted_outcome([i.outcome for i in items], code)
            except ValueError as exc:
                errors.append(field_error("outcome", str(exc)))
    raise_all(errors)


def _used(p: ReplyParams, name: str) -> bool:
    return p.outcome in _USED_BY[name]


def _withheld_part(w: WithheldPartParams) -> WithheldPart:
    return WithheldPart(
        part=w.part,
        ground=w.ground,
        finding=FINDINGS[w.ground],
        basis=citations(OUTCOMES[GROUND_OUTCOMES[w.ground]].basis),
        reasons=w.reasons,
    )


def _redacted_part(r: RedactedPartParams) -> WithheldPart:
    return WithheldPart(
        part=f"《{r.document}》{page_list(r.pages)}遮盖的内容（共{r.areas}处）",
        ground=r.ground,
        finding=FINDINGS[r.ground],
        basis=citations(OUTCOMES[GROUND_OUTCOMES[r.ground]].basis),
        reasons=r.reasons,
    )


def _item_outcome(i: ItemOutcomeParams) -> ItemOutcome:
    o = OUTCOMES[i.outcome]
    return ItemOutcome(
        position=i.position,
        outcome=o.code,
        label=o.label,
        finding=FINDINGS.get(o.code),
        basis=citations(o.basis),
        note=i.note,
    )


def _earlier_answer(src: LetterSource) -> EarlierLetter | None:
    """The latest letter that answered the application: a reply, or a closure notice."""
    found = [
        x
        for x in (
            earlier_letter(src, LetterKind.reply),
            earlier_letter(src, LetterKind.closure_notice),
        )
        if x is not None
    ]
    return max(found, key=lambda x: x.date or date.min, default=None)


def _when(value: str) -> str:
    moment = parse_moment(value)
    return cn_datetime(moment) if isinstance(moment, datetime) else cn_date(moment)


def _inspection(p: ReplyParams) -> Inspection | None:
    """The appointment, for a reply that provides information by inspection (the submission
    has checked that every part of it is there)."""
    if p.provided_form != "inspection" or not _used(p, "provided"):
        return None
    if not (p.inspection_place and p.inspection_from and p.inspection_to and p.inspection_contact):
        return None
    start, end = _when(p.inspection_from), _when(p.inspection_to)
    return Inspection(
        place=p.inspection_place,
        window=start if start == end else f"{start}至{end}",
        contact=p.inspection_contact,
    )


def _reanswered_by(r: ReanswerParams) -> str:
    return _REANSWERED_BY[r.decision].format(
        number=f"（{r.document_number}）" if r.document_number else ""
    )


@builder(LetterKind.reply)
def reply(src: LetterSource) -> ReplyContext:
    p = params(ReplyParams, src)
    check_required(p, src)
    o = OUTCOMES[p.outcome]
    parts = (
        (*map(_redacted_part, p.redacted_parts or ()), *map(_withheld_part, p.withheld_parts or ()))
        if _used(p, "withheld_parts")
        else ()
    )
    items = tuple(map(_item_outcome, p.item_outcomes or ()))
    decided = [
        o,
        *(OUTCOMES[GROUND_OUTCOMES[w.ground]] for w in parts),
        *(OUTCOMES[i.outcome] for i in items),
    ]
    earlier = p.earlier_reply if _used(p, "earlier_reply") else None
    return ReplyContext(
        **common(
            src,
            legal_basis=citations(
                *(d.basis for d in decided), *((p.legal_basis,) if p.legal_basis else ())
            ),
            remedy_clause=remedy(
                src,
                reply_remedy(o.code, (i.outcome for i in items), (w.ground for w in parts)),
                letter="本答复书",
            ),
        ),
        outcome=o.code,
        outcome_label=o.label,
        outcome_basis=citations(o.basis),
        finding=FINDINGS.get(o.code),
        reasons=p.reasons,
        provided=p.provided if _used(p, "provided") else None,
        provided_form=PROVIDED_FORMS[p.provided_form]
        if p.provided_form and _used(p, "provided")
        else None,
        where_published=p.where_published if _used(p, "where_published") else None,
        withheld_parts=parts,
        released_files=tuple(
            ReleasedFileRef(title=f.title, pages=f.pages, redacted=f.redacted)
            for f in p.released_files or ()
        ),
        released_days=p.released_days if p.released_files else None,
        released_until=p.released_until if p.released_files else None,
        responsible_organ=p.responsible_organ if _used(p, "responsible_organ") else None,
        filed_at=p.filed_at if _used(p, "responsible_organ") else None,
        earlier_reply=EarlierLetter(
            title=kind_info(LetterKind.reply).title, number=earlier.number, date=earlier.date
        )
        if earlier
        else None,
        search_description=p.search_description if _used(p, "search_description") else None,
        channel=p.channel if _used(p, "channel") else None,
        item_outcomes=items,
        inspection=_inspection(p),
        earlier_letter=_earlier_answer(src) if p.reanswer else None,
        reanswered_by=_reanswered_by(p.reanswer) if p.reanswer else None,
        correction_notice=earlier_letter(src, LetterKind.correction_notice),
        fee_notice=earlier_letter(src, LetterKind.fee_notice),
        reasons_request=earlier_letter(src, LetterKind.reasons_request),
    )
