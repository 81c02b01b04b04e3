"""Builders: one function per letter kind that turns a `LetterSource` into its typed context.

Builders are pure. Parameters an action or a draft supplies are validated here with a small
model per kind, so a bad draft is refused with the field that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError

from app.errors import InvalidInput
from app.letters.context import CaseRef, LetterContext, LetterSource, Party, RemedyClause
from app.letters.kinds import LetterKind, kind_info
from app.letters.remedy import remedy_text
from app.outcomes import Remedy
from app.vocabulary import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    RECEIPT_BASIS_LABELS,
    ApplicantCategory,
    Channel,
    ReceiptBasis,
)

DELIVERY_FORM_LABELS = {"paper": "纸质", "electronic": "电子文件", "inspection": "查阅、抄录"}
DELIVERY_METHOD_LABELS = {
    "pickup": "自行领取",
    "post": "邮寄",
    "email": "电子邮件",
    "online": "网上下载",
}

REGULATION = "《中华人民共和国政府信息公开条例》"

Builder = Callable[[LetterSource], LetterContext]
BUILDERS: dict[LetterKind, Builder] = {}
# The context class of each kind, to read a frozen context back from its stored JSON.
CONTEXTS: dict[LetterKind, type[LetterContext]] = {}

_P = TypeVar("_P", bound=BaseModel)


class Params(BaseModel):
    """Base for a kind's parameters: action payloads carry other fields too, which are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def params(model: type[_P], src: LetterSource) -> _P:
    """The source's parameters as the kind's model, or a 422 naming each wrong field."""
    try:
        return model.model_validate(src.params)
    except ValidationError as exc:
        raise InvalidInput.many(
            [
                {"loc": ["body", "fields", *map(str, e["loc"])], "msg": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None


def builder(kind: LetterKind) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[kind] = fn
        CONTEXTS[kind] = get_type_hints(fn)["return"]
        return fn

    return register


def case_ref(src: LetterSource) -> CaseRef:
    c = src.case
    return CaseRef(
        number=c.number,
        applicant_name=c.applicant_name,
        applicant_category_label=CATEGORY_LABELS[ApplicantCategory(c.applicant_category)],
        channel_label=CHANNEL_LABELS[Channel(c.channel)],
        arrived_on=c.arrived_on,
        receipt_date=c.receipt_date,
        receipt_basis_label=RECEIPT_BASIS_LABELS[ReceiptBasis(c.receipt_basis)]
        if c.receipt_basis
        else None,
        items=c.items,
        delivery_form_label=DELIVERY_FORM_LABELS.get(c.delivery_form, c.delivery_form),
        delivery_method_label=DELIVERY_METHOD_LABELS.get(c.delivery_method, c.delivery_method),
    )


def applicant_party(src: LetterSource) -> Party:
    c = src.case
    return Party(
        name=c.applicant_name,
        address=c.applicant_address,
        postal_code=c.applicant_postal_code,
        phone=c.applicant_phone,
        contact_person=c.applicant_contact_person,
    )


def remedy(src: LetterSource, kind: Remedy, *, letter: str) -> RemedyClause | None:
    """The remedy clause with the organ's reconsideration body and court, or None."""
    text = remedy_text(
        kind, body=src.organ.reconsideration_body, court=src.organ.court, letter=letter
    )
    return RemedyClause(kind=kind, text=text) if text else None


def common(
    src: LetterSource,
    *,
    legal_basis: tuple[str, ...] = (),
    remedy_clause: RemedyClause | None = None,
    addressee: Party | None = None,
) -> dict[str, Any]:
    """The fields every letter carries (RULES §7), as keyword arguments for a context."""
    return {
        "kind": src.kind,
        "title": kind_info(src.kind).title,
        "number": src.number,
        "draft": src.number is None and kind_info(src.kind).numbered,
        "date": src.on,
        "organ": src.organ,
        "addressee": addressee or applicant_party(src),
        "case": case_ref(src),
        "handler": src.handler,
        "contact_phone": src.organ.phone,
        "legal_basis": legal_basis,
        "remedy": remedy_clause,
    }


def build(src: LetterSource) -> LetterContext:
    """The context of one letter."""
    return BUILDERS[LetterKind(src.kind)](src)


def frozen_context(kind: str, stored: dict[str, Any]) -> LetterContext:
    """An issued letter's context, read back from its stored JSON."""
    return CONTEXTS[LetterKind(kind)].model_validate(stored)


# The kinds themselves live in app.letters.kinds_*; importing them registers their builders.
from app.letters import bodies as _bodies  # noqa: E402, F401
