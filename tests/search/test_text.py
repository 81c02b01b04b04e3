"""The bigram index terms and query plans (app.search.text, app.search.sources), pure: a phrase
of a query's terms occurs in a source's terms exactly when a segment contains the query."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.search import sources
from app.search.sources import Kind, Source
from app.search.text import (
    CHUNK,
    LEVELS,
    MAX_QUERY,
    bigrams,
    fts5_document,
    fts5_phrase,
    hex_term,
    id_number_of,
    normalise,
    pg_phrase,
    plan,
    trigrams,
    tsquery_literal,
    tsquery_window,
    tsvector_literal,
    window_terms,
)

# Few characters, so that hypothesis finds matches; with their full-width, upper-case and
# punctuated look-alikes and an ideographic space.
ALPHABET = "土地拆迁张三二0１2AaＢb-〔〕 　%_'\"\\:"


def _phrase_in(positions: list[str | None], query: list[str]) -> bool:
    """What the databases answer for a phrase: the terms at consecutive positions."""
    n = len(query)
    return any(positions[i : i + n] == query for i in range(len(positions) - n + 1))


def _index_finds(src: Source, text: str) -> bool:
    """What SQLite answers: the phrase of the query's bigram terms in a piece's FTS5 text."""
    query = fts5_phrase(bigrams(normalise(text))).strip('"').split()
    return any(
        _phrase_in(fts5_document(piece).split(), query)  # type: ignore[arg-type]
        for piece in sources.pieces(sources.terms(src))
    )


_ENTRY = re.compile(r"^'((?:[^'\\]|''|\\.)*)'(?::(\d+))?$")


def _tsvector(literal: str) -> dict[str, set[int]]:
    """A tsvector literal read back: each lexeme and its positions (none: no positions)."""
    out: dict[str, set[int]] = {}
    for entry in literal.split():
        match = _ENTRY.match(entry)
        assert match is not None, entry
        lexeme = re.sub(r"\\(.)", r"\1", match.group(1).replace("''", "'"))
        positions = out.setdefault(lexeme, set())
        if match.group(2):
            positions.add(int(match.group(2)))
    return out


def test_normalise_folds_width_and_case_and_drops_punctuation() -> None:
    assert normalise("２０２６－０００１") == normalise("2026-0001") == "20260001"
    assert normalise("沪府办〔2024〕12号") == "沪府办202412号"
    assert normalise("ＡＢc ｄ") == "abcd"
    assert normalise("张　三") == "张三"
    assert normalise("%_'\"\\") == ""


def test_sqlite_terms_are_ascii_letters_and_digits_whatever_the_characters() -> None:
    for text in ("土地", "a'", "𠀀𠀁", "x0", "Ωω"):
        for gram in bigrams(normalise(text) + "z"):
            assert hex_term(gram).isascii(), gram
            assert hex_term(gram).isalnum(), gram
    assert bigrams("土地") == ["土地"]
    assert hex_term("土地") == "571fx5730"
    assert bigrams("a") == []
    assert fts5_document(["土地", None, "12"]) == "571fx5730 x 31x32"
    assert fts5_phrase(["土地", "地块"]) == '"571fx5730 5730x5757"'


def _pg_finds(src: Source, text: str) -> bool:
    """What PostgreSQL answers: a two-character query's bigram anywhere in a piece's tsvector;
    a longer one's trigrams at consecutive positions."""
    query = pg_phrase(bigrams(normalise(text)))
    for piece in sources.pieces(sources.terms(src)):
        lexemes = _tsvector(tsvector_literal(piece))
        if len(query) == 1 and len(query[0]) == 2:
            if query[0] in lexemes:
                return True
            continue
        starts = lexemes.get(query[0], set())
        if any(all(p + k in lexemes.get(t, set()) for k, t in enumerate(query)) for p in starts):
            return True
    return False


def test_postgres_rows_hold_the_characters_bigrams_bare_and_trigrams_with_positions() -> None:
    land = bigrams("土地块")
    assert land == ["土地", "地块"]
    assert trigrams(land) == ["土地块"]
    assert tsvector_literal([*land, None, "12", "23"]) == (
        "'土地' '地块' '12' '23' '土地块':1 '123':4"
    )
    # A bigram once, however often it occurs.
    assert tsvector_literal(bigrams("土地土地")) == "'土地' '地土' '土地土':1 '地土地':2"
    assert tsvector_literal(["土地"]) == "'土地'"
    # Two characters ask for their bigram, three and more for their trigrams.
    assert pg_phrase(bigrams("土地")) == ["土地"]
    assert pg_phrase(bigrams("2525")) == ["252", "525"]
    assert tsquery_literal(["土地块", "地块2"]) == "'土地块' <-> '地块2'"
    # A quote or a backslash (never in normalised text) would be escaped, not end the lexeme.
    assert tsquery_literal(["a'b", "c\\d"]) == "'a''b' <-> 'c\\\\d'"
    assert _tsvector(tsvector_literal(["a'", "'\\"])) == {"a'": set(), "'\\": set(), "a'\\": {1}}


def test_a_query_under_two_characters_looks_only_at_number_beginnings() -> None:
    assert plan("%", names=True).terms is None
    assert plan("%", names=True).number_prefix == "%"
    assert plan("土", names=True).terms is None
    two = plan("土地", names=True)
    assert two.terms == ("土地",)
    assert two.number_prefix is None


def test_id_numbers_are_exact_and_only_for_name_searchers() -> None:
    assert id_number_of("11010519491231002x") == "11010519491231002X"
    assert id_number_of("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert id_number_of("1101051949123100") is None
    assert plan("11010519491231002X", names=True).id_number == "11010519491231002X"
    assert plan("11010519491231002X", names=False).id_number is None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(ALPHABET, max_size=30), min_size=1, max_size=4),
    st.text(ALPHABET, min_size=1, max_size=8),
)
def test_the_index_finds_a_source_exactly_when_a_segment_contains_the_query(
    texts: list[str], query: str
) -> None:
    src = sources.source(Kind.item, texts)
    q = normalise(query)
    if len(q) < 2:
        return
    contains = any(q in s for s in src.segments)
    assert _index_finds(src, query) == contains
    assert _pg_finds(src, query) == contains


def test_long_text_is_split_so_that_every_window_stays_findable() -> None:
    text = "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(3 * CHUNK + 123))
    src = sources.source(Kind.letter, [text])
    pieces = list(sources.pieces(sources.terms(src)))
    assert len(pieces) == 4
    assert all(len(p) <= CHUNK for p in pieces)
    for start in range(0, len(text) - MAX_QUERY, 97):
        assert _index_finds(src, text[start : start + MAX_QUERY])
        assert _pg_finds(src, text[start : start + MAX_QUERY])
    assert not _index_finds(src, text[:10] + "!" + "甲乙")


def test_a_letter_is_indexed_without_the_applicants_personal_data() -> None:
    context = {
        "title": "政府信息公开申请登记回执",
        "addressee": {"name": "欧阳锋", "address": "白驼山庄1号"},
        "case": {"applicant_name": "欧阳锋", "items": [{"description": "欧阳锋所在村的征地批复"}]},
        "contact_phone": "0571-88886666",
        "note": "联系电话13800138000，地址白驼山庄1号",
    }
    private = ["欧阳锋", "110105194912310029", "13800138000", None, "白驼山庄1号", None]
    src = sources.letter_source("沪府办〔2024〕12号", context, private)
    for hidden in ("欧阳", "阳锋", "13800138000", "白驼山庄", "驼山"):
        assert not _index_finds(src, hidden), hidden
    for shown in ("登记回执", "所在村的征地批复", "府办2024", "057188886666"):
        assert _index_finds(src, shown), shown
    # The cut leaves a gap: the text around the name does not join up.
    assert not _index_finds(src, "批复所在")
    assert not _index_finds(src, "电话地址")


def test_a_window_asks_for_the_phrase_within_the_blocks_of_ids() -> None:
    lexemes = pg_phrase(bigrams(normalise("土地规划")))
    assert tsquery_window(lexemes, ["z0_9", "z1_3"]) == (
        "('土地规' <-> '地规划') & ('z0_9' | 'z1_3')"
    )
    # No bigram or trigram can be a block's term: normalised text has no "_".
    grams = bigrams(normalise("z0_9 z1_3"))
    assert not {*grams, *trigrams(grams)} & {"z0_9", "z1_3"}


def _blocks_of(term: str) -> range:
    level, block = (int(x) for x in term[1:].split("_"))
    return range(block * 2**level, (block + 1) * 2**level)


@given(lo=st.integers(0, 5000), span=st.integers(0, 3000))
def test_window_terms_cover_exactly_the_blocks_asked_newest_first(lo: int, span: int) -> None:
    hi = lo + span
    terms = window_terms(lo, hi)
    covered = [b for t in terms for b in reversed(_blocks_of(t))]
    assert covered == list(range(hi, lo - 1, -1))
    # A handful of terms whatever the span: at most two per level, plus the largest blocks.
    assert len(terms) <= 2 * LEVELS + span // 2 ** (LEVELS - 1)
