"""What the reply's effects read of the released documents (pure data; app.releases.reply
loads it, app.workflow.rules_release decides with it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReleasedFile:
    """A document of the reply being drafted, as the reply letter names it."""

    id: int
    title: str
    # The released copy's pages (the original's plus the log's), None before it is made.
    pages: int | None
    # The released copy is made from the current marks (and no job is pending).
    current: bool
    redacted: bool

    def as_param(self) -> dict[str, Any]:
        return {"title": self.title, "pages": self.pages, "redacted": self.redacted}


@dataclass(frozen=True)
class ReleaseFacts:
    """The drafted documents and their logs' withheld parts, beside what the reply draft holds
    of them (set when the reply was submitted; None before)."""

    files: tuple[ReleasedFile, ...]
    parts: tuple[dict[str, Any], ...]
    draft_files: tuple[dict[str, Any], ...] | None
    draft_parts: tuple[dict[str, Any], ...] | None

    def params(self) -> dict[str, Any]:
        """What the reply letter takes from the released files (its `released_files` and
        `redacted_parts`)."""
        return {
            "released_files": [f.as_param() for f in self.files],
            "redacted_parts": [dict(p) for p in self.parts],
        }

    @property
    def grounds(self) -> list[str]:
        return [str(p["ground"]) for p in self.parts]

    def matches_draft(self) -> bool:
        """Whether the draft states exactly these files and withheld parts."""
        p = self.params()
        return (
            self.draft_files is not None
            and self.draft_parts is not None
            and [dict(x) for x in self.draft_files] == p["released_files"]
            and [dict(x) for x in self.draft_parts] == p["redacted_parts"]
        )
