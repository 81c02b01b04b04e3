"""Released files in a print batch: a paper reply's released copies follow its letter (the
front desk puts them in the same envelope). Never the originals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.models import Letter
from app.releases import repository
from app.runtime import Runtime


@dataclass(frozen=True)
class Enclosure:
    title: str
    pages: int
    path: Path


def enclosures_of(
    session: Session, rt: Runtime, letters: Sequence[Letter]
) -> dict[int, list[Enclosure]]:
    """The released copies frozen with each of these letters (replies), in order."""
    found = repository.of_letters(session, [x.id for x in letters])
    return {
        letter_id: [
            Enclosure(d.title, d.released_pages or 0, rt.store.path_for(d.released_sha256))
            for d in docs
            if d.released_sha256 and d.frozen_at is not None
        ]
        for letter_id, docs in found.items()
    }
