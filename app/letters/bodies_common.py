"""Pieces the letter kinds share: parameter types for free text, citations, earlier letters,
deadlines as letters cite them, and field errors raised after a model validated (pure)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from app.errors import InvalidInput
from app.letters.context import DueDate, Frozen, LetterSource, Party
from app.letters.kinds import LetterKind, kind_info

_SPACE = re.compile(r"\s+")
# Sentence ends the templates add themselves.
_TRAILING = "。；;，,.、：:"


def _clause(text: str) -> str:
    """Free text as a clause the template ends: one line, no trailing punctuation."""
    out = _SPACE.sub(" ", text).strip().rstrip(_TRAILING).strip()
    if not out:
        raise ValueError("不能为空 / must not be empty")
    return out


def _line(text: str) -> str:
    out = _SPACE.sub(" ", text).strip()
    if not out:
        raise ValueError("不能为空 / must not be empty")
    return out


# A clause of running text (reasons, descriptions): a template adds the full stop.
Text = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_clause)]
# A name, number or address printed as it is.
Line = Annotated[str, StringConstraints(max_length=300), AfterValidator(_line)]


def field_error(field: str | tuple[str | int, ...], message: str) -> InvalidInput:
    """A 422 naming a parameter, for rules that need several fields together."""
    loc = (field,) if isinstance(field, str) else field
    return InvalidInput(("body", "fields", *map(str, loc)), message)


def raise_all(errors: list[InvalidInput]) -> None:
    """Raise every collected field error at once (nothing when there are none)."""
    if errors:
        raise InvalidInput.many([e.extra["errors"][0] for e in errors])


def citations(*bases: str) -> tuple[str, ...]:
    """Legal bases split into single citations, each with its instrument, without repeats.

    "《条例》第十四条、第三十六条第（三）项" becomes two citations, so letters that combine
    several grounds cite each article once; the template joins consecutive citations of the
    same instrument again ("《条例》第三十七条、第十四条").
    """
    out: list[str] = []
    for basis in bases:
        instrument, sep, rest = basis.partition("》")
        if not sep or not rest.startswith("第"):
            out.extend([basis] if basis else [])
            continue
        out.extend(f"{instrument}》{article}" for article in rest.split("、") if article)
    return tuple(dict.fromkeys(out))


class EarlierLetter(Frozen):
    """A letter issued before on the same case, as a later letter cites it."""

    title: str
    number: str | None
    date: date | None


def earlier_letter(src: LetterSource, kind: LetterKind) -> EarlierLetter | None:
    """The latest issued letter of a kind on the case, or None."""
    found = src.earlier.get(kind.value, ())
    if not found:
        return None
    number, on = found[0]
    return EarlierLetter(title=kind_info(kind).title, number=number, date=on)


class Due(Frozen):
    """A deadline a letter states."""

    date: date
    provisional: bool


def due(src: LetterSource, name: str) -> Due | None:
    """The named deadline of the case as computed for this letter, or None when it has none."""
    found: DueDate | None = src.deadlines.get(name)
    if found is None or found.due_date is None:
        return None
    return Due(date=found.due_date, provisional=found.provisional)


def party(name: str, address: str | None) -> Party:
    """A third party or another organ as the addressee."""
    return Party(name=name, address=address)
