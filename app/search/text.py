"""Text → index terms, and a query → what the index is asked; pure (no SQLAlchemy, no FastAPI).

Chinese has no spaces between words, so the index matches characters, not words: the standard
CJK technique (Lucene's CJKBigramFilter) of overlapping character **bigrams** with positions.
A text is normalised first — NFKC (full-width "２０２６" is "2026"), case folded, and only the
characters `str.isalnum` accepts kept, so "2026-0001" and "２０２６０００１" are the same text —
and a query of n ≥ 2 normalised characters becomes the phrase of its n−1 bigrams at
consecutive positions: exactly "the normalised text contains the normalised query".

Why bigrams and not the trigrams of pg_trgm / FTS5's `trigram` tokenizer: neither can answer a
two-character query (土地, 拆迁, 张三) from its index — pg_trgm extracts no trigram from
'%ab%' and FTS5 scans every row for a substring under three characters — and two-character
queries are the common ones. On PostgreSQL each position holds, beside its bigram, the trigram
starting there, and a query of three or more characters is asked as the phrase of its trigrams:
its GIN index re-checks every row that holds all the phrase's terms anywhere, and the bigrams
of a run of digits (2525, 609号) are in nearly every number, whereas its trigrams are not.
SQLite's FTS5 checks positions in its own posting lists and needs no trigram.

The index's unit is the bigram (two normalised characters) at each position. What a database
stores of it is its own:
- PostgreSQL's tsvector holds the characters themselves, quoted ("'土地'"): its input function
  takes any quoted lexeme as it is (no text-search parser, no configuration, no folding). A
  bigram is stored without positions (a two-character query asks for it alone, never in a
  phrase), the trigram starting at each position with its position (a longer query's phrase).
  The fewer bytes a row takes, the less a phrase's recheck reads: against hex terms with
  positions on both, a row is about a third smaller.
- SQLite's FTS5 gets the bigram's code points in hex joined by "x" ("571fx5730" for 土地):
  plain ASCII letters and digits, so its unicode61 tokenizer can neither split, fold nor strip
  diacritics from a term, whatever the characters are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Longest query text accepted (before normalisation), as the API says.
MAX_QUERY = 50
# PostgreSQL keeps tsvector positions up to 16,383 (and at most 256 per term): longer text
# is indexed in overlapping pieces of this many positions, each its own row. The overlap is a
# query's longest span, so a phrase that crosses a boundary is wholly inside the next piece.
CHUNK = 2000
OVERLAP = MAX_QUERY

_ID_NUMBER = re.compile(r"^(\d{17}[\dX]|\d{15})$")


def normalise(text: str) -> str:
    """NFKC, case folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in folded if c.isalnum())


def bigrams(normalised: str) -> list[str]:
    """A normalised text's overlapping bigrams, in order (position i+1 is the bigram starting
    at character i); a text under two characters has none."""
    return [normalised[i : i + 2] for i in range(len(normalised) - 1)]


def trigrams(grams: Sequence[str]) -> list[str]:
    """A phrase's trigrams from its consecutive bigrams ("ab", "bc" → "abc"): n − 2 of them
    for n characters."""
    return [grams[i] + grams[i + 1][1] for i in range(len(grams) - 1)]


def hex_term(gram: str) -> str:
    """SQLite's FTS5 term of a bigram: its code points in hex joined by "x"."""
    return "x".join(f"{ord(c):x}" for c in gram)


def _quoted(lexeme: str) -> str:
    """A lexeme as tsvector/tsquery input quotes it (normalised text holds neither a quote nor
    a backslash; escaped all the same)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(positions: Sequence[str | None]) -> str:
    """PostgreSQL's tsvector input for the bigrams at positions 1, 2, … (None: a position
    left empty): each bigram once, without positions, and the trigram starting at each position
    where the next position continues the text, with its position — "'ab' 'bc' 'abc':1 …"."""
    out = [_quoted(g) for g in dict.fromkeys(g for g in positions if g is not None)]
    for i, gram in enumerate(positions[:-1]):
        after = positions[i + 1]
        if gram is not None and after is not None:
            out.append(f"{_quoted(gram + after[1])}:{i + 1}")
    return " ".join(out)


def pg_phrase(grams: Sequence[str]) -> list[str]:
    """The lexemes PostgreSQL's index is asked for a query's bigrams: its trigrams (at
    consecutive positions) from three characters on, the one bigram of two."""
    return trigrams(grams) if len(grams) > 1 else list(grams)


def fts5_document(positions: Sequence[str | None]) -> str:
    """SQLite's FTS5 column text: the bigrams' terms separated by spaces (unicode61 keeps each
    whole); a gap is the lone term "x", never a bigram's."""
    return " ".join("x" if g is None else hex_term(g) for g in positions)


def tsquery_literal(lexemes: Sequence[str]) -> str:
    """The tsquery of a phrase: the lexemes at consecutive positions ('a' <-> 'b' <-> …)."""
    return " <-> ".join(_quoted(t) for t in lexemes)


# PostgreSQL: a trigger gives every index row the terms of the blocks of ids it lies in, at
# LEVELS sizes — BUCKET_ROWS ids, twice that, four times, … — "z<level>_<id // size>" (no bigram
# term starts with "z"), so a query can ask for the phrase among the newest ids, any span of
# blocks being a few aligned blocks of the right sizes (window_terms).
BUCKET_ROWS = 8192
LEVELS = 8


def block_term(level: int, block: int) -> str:
    """The term of block `block` of BUCKET_ROWS * 2**level ids."""
    return f"z{level}_{block}"


def window_terms(lo: int, hi: int) -> list[str]:
    """The terms whose blocks cover exactly the smallest blocks lo..hi (inclusive), newest
    first: from the top down, each time the largest aligned block that fits."""
    out: list[str] = []
    b = hi
    while b >= lo:
        level = 0
        while (
            level + 1 < LEVELS
            and (b + 1) % (2 ** (level + 1)) == 0
            and b + 1 - 2 ** (level + 1) >= lo
        ):
            level += 1
        out.append(block_term(level, (b + 1) // 2**level - 1))
        b -= 2**level
    return out


def tsquery_window(lexemes: Sequence[str], blocks: Iterable[str]) -> str:
    """The tsquery of a phrase within some blocks: (phrase) & ('z0_9' | 'z1_3' | …)."""
    within = " | ".join(f"'{b}'" for b in blocks)
    return f"({tsquery_literal(lexemes)}) & ({within})"


def fts5_phrase(grams: Sequence[str]) -> str:
    """FTS5's MATCH text of a phrase of bigrams: their terms in one double-quoted string."""
    return '"' + " ".join(hex_term(g) for g in grams) + '"'


def id_number_of(text: str) -> str | None:
    """The text as a resident ID number (15 or 18 characters, upper-case X), if it is one."""
    candidate = unicodedata.normalize("NFKC", text).strip().upper()
    return candidate if _ID_NUMBER.match(candidate) else None


@dataclass(frozen=True)
class SearchPlan:
    """What a query text asks the database: the index phrase (None under two normalised
    characters), the exact ID number (for callers who may look people up), and the beginning
    of a registration number (only for a query too short for a bigram)."""

    text: str
    terms: tuple[str, ...] | None
    id_number: str | None
    number_prefix: str | None


def plan(text: str, *, names: bool) -> SearchPlan:
    """The plan of a query text (1–50 characters, already trimmed) for a caller who may, or
    may not, look people up by name and ID number."""
    norm = normalise(text)
    terms = tuple(bigrams(norm)) if len(norm) >= 2 else None
    return SearchPlan(
        text=text,
        terms=terms,
        id_number=id_number_of(text) if names else None,
        number_prefix=text if terms is None else None,
    )
