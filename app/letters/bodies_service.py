"""The proof of service (送达回证, RULES §7): a form, printed with what is known and blank cells
for what the recipient and the officer fill in by hand. It cites the served letter's number and
takes none of its own."""

from __future__ import annotations

from datetime import date
from typing import Literal

from app.letters.bodies_common import Line, Text
from app.letters.builders import Params, builder, common, params
from app.letters.context import LetterContext, LetterSource, Party
from app.letters.kinds import LetterKind

ServiceMethod = Literal["in_person", "direct", "entrusted", "post", "electronic"]
# The methods as the form prints them, in the order of the tick boxes.
METHOD_LABELS: dict[str, str] = {
    "direct": "直接送达",
    "entrusted": "委托送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
}
_ALIASES = {"in_person": "direct"}


class ServiceParams(Params):
    document_title: Line
    document_number: Line | None = None
    recipient: Line
    address: Line | None = None
    method: ServiceMethod | None = None
    served_on: date | None = None
    signature: Line | None = None
    officer: Line | None = None
    tracking_number: Line | None = None
    posted_on: date | None = None
    refusal_reason: Text | None = None
    witness: Line | None = None


class ServiceReceiptContext(LetterContext):
    document_title: str
    document_number: str | None
    recipient: str
    address: str | None
    # One of METHOD_LABELS, or None when the officer ticks it by hand.
    method: str | None
    method_label: str | None
    method_labels: tuple[str, ...]
    served_on: date | None
    signature: str | None
    officer: str | None
    tracking_number: str | None
    posted_on: date | None
    refusal_reason: str | None
    witness: str | None


@builder(LetterKind.service_receipt)
def service_receipt(src: LetterSource) -> ServiceReceiptContext:
    p = params(ServiceParams, src)
    method = _ALIASES.get(p.method, p.method) if p.method else None
    return ServiceReceiptContext(
        **common(src, addressee=Party(name=p.recipient, address=p.address)),
        document_title=p.document_title,
        document_number=p.document_number,
        recipient=p.recipient,
        address=p.address,
        method=method,
        method_label=METHOD_LABELS[method] if method else None,
        method_labels=tuple(METHOD_LABELS.values()),
        served_on=p.served_on,
        signature=p.signature,
        officer=p.officer,
        tracking_number=p.tracking_number,
        posted_on=p.posted_on,
        refusal_reason=p.refusal_reason,
        witness=p.witness,
    )
