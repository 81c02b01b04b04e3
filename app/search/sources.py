"""What of a case is searchable, as index rows: its number, the applicant's name, each item
(description and document number) and each issued letter's text. Pure: values in, rows out.

A source is a list of normalised segments; a phrase never spans two segments (a gap in the
positions between them), so a source matches a query exactly when one of its segments
contains the normalised query — which is what the brute-force check in the tests computes.

A letter is addressed to the applicant: its text is indexed without the applicant's name, ID
number, phone, e-mail, address and contact person (cut out, leaving a gap), else a role that may
not look cases up by name would find them by name through the letters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.search.text import CHUNK, OVERLAP, bigrams, fts5_document, normalise, tsvector_literal


class Kind(StrEnum):
    """What a row indexes, in the order results rank (number first)."""

    number = "number"
    name = "name"
    item = "item"
    letter = "letter"


RANK = {Kind.number: 0, Kind.name: 1, Kind.item: 2, Kind.letter: 3}

# In a letter's frozen context: the block addressed to the applicant, and values that are not
# text a reader searches for (codes, the seal's file reference, the verification code and link).
_SKIPPED_KEYS = frozenset(
    {"addressee", "applicant_name", "kind", "seal_url", "draft", "verification"}
)
# The applicant's columns whose values are cut out of letter text.
PRIVATE_COLUMNS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_contact_person",
)


@dataclass(frozen=True)
class Source:
    kind: Kind
    segments: tuple[str, ...]


def source(kind: Kind, texts: Iterable[str | None]) -> Source:
    """A source from raw texts, each normalised into a segment (empty ones dropped)."""
    return Source(kind, tuple(s for s in (normalise(t) for t in texts if t) if s))


def case_sources(values: Mapping[str, Any], items: Iterable[Mapping[str, Any]]) -> list[Source]:
    """The number, the applicant's name and the items of a new case (its row's values)."""
    out = [source(Kind.number, [values["number"]]), source(Kind.name, [values["applicant_name"]])]
    out += [source(Kind.item, [i["description"], i.get("document_number")]) for i in items]
    return out


def letter_source(
    number: str | None, context: Mapping[str, Any], private: Sequence[str | None]
) -> Source:
    """An issued letter's number and the text of its frozen context, without the applicant's
    personal data (`private`: the values of PRIVATE_COLUMNS) and the addressee block."""
    cut = sorted({p for p in (normalise(v) for v in private if v) if p}, key=len, reverse=True)
    segments: list[str] = []
    for text in [number or "", *_strings(context)]:
        segments += _cut_out(normalise(text), cut)
    return Source(Kind.letter, tuple(s for s in segments if s))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if key not in _SKIPPED_KEYS:
                yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def _cut_out(text: str, private: Sequence[str]) -> list[str]:
    pieces = [text]
    for value in private:
        pieces = [part for piece in pieces for part in piece.split(value)]
    return pieces


def terms(src: Source) -> list[str | None]:
    """The source's bigrams by position; None is the gap between two segments."""
    out: list[str | None] = []
    for segment in src.segments:
        grams = bigrams(segment)
        if not grams:
            continue
        if out:
            out.append(None)
        out += grams
    return out


def pieces(positions: list[str | None]) -> Iterator[list[str | None]]:
    """The positions in overlapping pieces of at most CHUNK (see app.search.text.CHUNK)."""
    if len(positions) <= CHUNK:
        yield positions
        return
    start = 0
    while True:
        yield positions[start : start + CHUNK]
        if start + CHUNK >= len(positions):
            return
        start += CHUNK - OVERLAP


# A tsvector input for positions (app.search.text.tsvector_literal; a migration going back
# writes a format of before).
PgLiteral = Callable[[Sequence[str | None]], str]


def grams_value(
    positions: list[str | None], dialect: str, pg_literal: PgLiteral = tsvector_literal
) -> str:
    """The `grams` column's value: tsvector input on PostgreSQL, FTS5 text elsewhere (a gap is
    a skipped position in both, see app.search.text)."""
    if dialect == "postgresql":
        return pg_literal(positions)
    return fts5_document(positions)


def rows(
    case_id: int,
    organ_id: int,
    sources: Iterable[Source],
    dialect: str,
    pg_literal: PgLiteral = tsvector_literal,
) -> list[dict[str, Any]]:
    """The case_search rows of these sources (none for a source with no bigram)."""
    out = []
    for src in sources:
        positions = terms(src)
        if not positions:
            continue
        for piece in pieces(positions):
            out.append(
                {
                    "case_id": case_id,
                    "organ_id": organ_id,
                    "kind": src.kind.value,
                    "grams": grams_value(piece, dialect, pg_literal),
                }
            )
    return out
