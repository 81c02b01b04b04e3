"""How alike two requested items are: normalised text, Dice coefficient over bigrams (pure).

Used to suggest, never to decide: a repeat application (条例第三十六条第（六）项) and information
several applicants asked for (条例第四十四条) are the clerk's call; these scores only rank what the
clerk is shown.

The thresholds are an interpretation [interpretation]: the regulations set no measure of "the
same information". 0.6 on bigram Dice keeps rewordings of one request ("申请公开……的征收补偿方案"
against "……征收补偿方案": 0.92) and drops requests that share only a place and a year with a
different subject ("2025年某某区旧城改造项目征收补偿方案" against "2025年某某区财政预算执行情况":
0.41). It misses abbreviations ("环境影响评价报告" against "环评报告") and can join neighbours
("低保发放名单" against "低保资金发放情况": 0.73): the clerk reads both texts side by side.
"""

from __future__ import annotations

import operator
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

REPEAT_THRESHOLD: Final = 0.6
ART44_THRESHOLD: Final = 0.6

# Words in almost every request that say nothing about which information is sought; longest
# first, so "政府信息" goes before "信息". Kept short on purpose: every word dropped here is
# dropped from every request, and with it whatever it meant there.
BOILERPLATE: Final = (
    "政府信息",
    "申请公开",
    "请求公开",
    "申请获取",
    "的有关",
    "关于",
    "相关",
    "信息",
    "文件",
)

# Unicode categories dropped (first letter): punctuation (ASCII, full-width and Chinese:
# 《》“”、，。〔〕…), separators (spaces, including the ideographic space), control and format.
_DROPPED_CATEGORIES: Final = "PZC"
_MAX_PASSES: Final = 3
# Characters remembered by the translation table; any further ones are looked up each time.
_TABLE_LIMIT: Final = 65536


class _DropTable(dict[int, str | None]):
    """A str.translate table deleting dropped characters, filled in as characters are met."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        value = None if unicodedata.category(ch)[0] in _DROPPED_CATEGORIES else ch
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


_DROP = _DropTable()


class Item(NamedTuple):
    """One requested item: what the applicant wrote, and the document number if they gave one."""

    text: str
    document_number: str | None = None


def _drop_boilerplate(s: str) -> str:
    # Until nothing changes: dropping one word may join the halves of another ("申请申请公开公开").
    while True:
        before = s
        for word in BOILERPLATE:
            s = s.replace(word, "")
        if s == before:
            return s


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower().translate(_DROP)
    return _drop_boilerplate(s)


def normalise(text: str) -> str:
    """NFKC, lower case, without whitespace, punctuation and request boilerplate."""
    s = _fold(text)
    # Folding again changes nothing unless lower-casing or a dropped space or word left
    # something to normalise ("A´" → "a" + U+0301); then fold again, a bounded number of times.
    for _ in range(_MAX_PASSES):
        if unicodedata.is_normalized("NFKC", s) and s.lower() == s:
            break
        s = _fold(s)
    return s


@dataclass(frozen=True)
class Profile:
    """An item prepared for comparison: its bigrams, normalised text and document number."""

    grams: Counter[str]
    size: int
    number: str
    # The normalised text the bigrams were taken from: equal texts compare equal.
    text: str
    # The bigram multiset as a set: the k-th occurrence (k ≥ 1) of "ab" is "ab\x00k" (a
    # normalised text has no control characters), so two items share as many tokens as their
    # multisets share bigrams, and a C-level set intersection counts them.
    tokens: frozenset[str]


def _grams(s: str) -> Counter[str]:
    if len(s) == 1:
        return Counter(s)
    return Counter(map(operator.add, s, s[1:]))


def _tokens(grams: Counter[str]) -> frozenset[str]:
    tokens = set(grams)
    for g, c in grams.items():
        if c > 1:
            tokens.update(f"{g}\x00{k}" for k in range(1, c))
    return frozenset(tokens)


def profile(item: Item | str | Profile) -> Profile:
    """Normalise once, compare many times."""
    if isinstance(item, Profile):
        return item
    it = item if isinstance(item, Item) else Item(item)
    text = normalise(it.text)
    grams = _grams(text)
    number = normalise(it.document_number) if it.document_number else ""
    return Profile(grams, grams.total(), number, text, _tokens(grams))


def _dice(a: Profile, b: Profile) -> float:
    total = a.size + b.size
    if total == 0:
        return 0.0
    # The size of the multiset intersection (Counter's & is slow; the token sets are not).
    return 2 * len(a.tokens & b.tokens) / total


def similarity(a: str, b: str) -> float:
    """Dice coefficient over the character bigrams (as multisets) of the normalised texts.

    In [0, 1]; 1.0 for texts equal once normalised, 0.0 when either normalises to nothing.
    A text of one character is compared by that character.
    """
    return _dice(profile(a), profile(b))


def item_similarity(a: Item | str | Profile, b: Item | str | Profile) -> float:
    """Text similarity, or 1.0 when both name the same document number once normalised."""
    pa, pb = profile(a), profile(b)
    if pa.number and pa.number == pb.number:
        return 1.0
    return _dice(pa, pb)


def best_per_item(
    items_a: Sequence[Item | str | Profile], items_b: Sequence[Item | str | Profile]
) -> list[tuple[float, int]]:
    """For each item of items_a, its closest item of items_b: (score, index); (0.0, -1) if none.

    The first item wins a tie.
    """
    pb = [profile(b) for b in items_b]
    found: list[tuple[float, int]] = []
    for a in items_a:
        pa = profile(a)
        best = (0.0, -1)
        for j, b in enumerate(pb):
            score = item_similarity(pa, b)
            if score > best[0] or best[1] < 0:
                best = (score, j)
        found.append(best)
    return found


def best_match(
    items_a: Sequence[Item | str | Profile], items_b: Sequence[Item | str | Profile]
) -> tuple[float, int, int]:
    """The closest pair of items: (score, index in items_a, index in items_b).

    The first pair wins a tie; (0.0, -1, -1) when either list is empty.
    """
    best = (0.0, -1, -1)
    for i, (score, j) in enumerate(best_per_item(items_a, items_b)):
        if j >= 0 and (score > best[0] or best[1] < 0):
            best = (score, i, j)
    return best
