"""Information several applicants asked for, across one organ (条例第四十四条): grouping (pure).

Two requested items are linked when `item_similarity` (similarity.py: the same normalised
document number, or bigram Dice) reaches the threshold. Comparing every pair of 20,000 items
is 200 million comparisons; instead:

- items equal once normalised (same text and document number) are one node, compared once;
- equal document numbers meet in a dictionary;
- text meets through an inverted index of bigram prefixes. Dice(A, B) ≥ t needs the shared
  bigrams c ≥ t·(|A| + |B|)/2: at least t·|A|/(2 − t) for A against any B, at least t·|B| for
  the smaller B. Bigrams count as a multiset: the second "ab" of an item is a token of its own
  (similarity.Profile.tokens). Tokens are ordered rarest first; two items sharing c tokens
  share the first one within the first |A| − c + 1 tokens of each (`_Prefixes`), so only
  pairs meeting in their prefixes, and whose sizes allow Dice ≥ t, are scored — by
  `item_similarity` itself: the result is exactly that of comparing every pair (tests check
  it against brute force).

Chain drift. Single linkage (union-find over the links, `single_linkage`) joins A and Z when
A ~ B ~ … ~ Z though A and Z share nothing: requests follow templates ("{place}{year}
{subject}"), and "东湖街道老旧小区改造项目清单" ~ "东湖街道老旧小区改造资金安排" ~ … ~
"南山镇道路拓宽工程环评报告" links in five steps. On generated requests (bench/proactive.py:
300 topics, 20,000 items) single linkage put 238 topics, 46% of the items, into one
component; pairwise precision against the topics was 0.13. So the report groups around
centres instead (`centres`): the wordings asked most often come first, and each item joins
the centre it is most similar to if that reaches the threshold, or becomes a centre itself
(an item naming a document number already in a group joins that group). Every member of a
group reaches the threshold with the group's centre, or names the same document as a member
that does, so a group cannot drift; on the same requests precision was 0.93 and recall 0.99 (single linkage: 1.00). The
price: a far rewording linked only through a middle one may start a group of its own.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, compress
from typing import Final

from app.suggestions.similarity import Item, Profile, item_similarity, profile

# Applications received in this many days before today, and today, count for Art. 44: in the
# per-case suggestions and, by default, in the organ's report.
ART44_WINDOW_DAYS: Final = 365
# [interpretation] Art. 44 speaks of "several" (多个) applicants without a number: suggest when
# at least three distinct applicants asked for the same information.
ART44_MIN_APPLICANTS: Final = 3

# Slack on the bounds the filter derives from the threshold: a bound a little too loose only
# scores a few more pairs, one too tight would lose a pair the float comparison accepts.
_EPS: Final = 1e-9
# Prefixes are lengthened so that a pair must share this many tokens in them to be scored.
_SHARED: Final = 4


def art44_window(today: date) -> tuple[date, date]:
    """The default Art. 44 window, first and last day: the last ART44_WINDOW_DAYS days."""
    return today - timedelta(days=ART44_WINDOW_DAYS), today


def distinct_applicants(id_numbers: Iterable[str]) -> int:
    """Applicants are told apart by their ID number: one person applying twice counts once."""
    return len(set(id_numbers))


@dataclass(frozen=True)
class RequestedItem:
    """One item of one application in the window; `applicant` is never shown."""

    case_id: int
    position: int
    applicant: str
    received_on: date
    text: str
    document_number: str | None = None


@dataclass(frozen=True)
class ItemGroup:
    """Items asking for the same information; indices into the grouped sequence."""

    items: tuple[int, ...]
    representative: int
    applicants: int
    cases: int
    first_received_on: date
    last_received_on: date


class _Prefixes:
    """Each profile's tokens ranked rarest first, and the prefixes the filter looks at.

    A pair reaching the threshold shares m ≥ α tokens, α its minimum overlap; in the global
    order c₁ < … < cₘ, the j-th is followed by m − j others, so it lies within the first
    |X| − α + j tokens of X. An item cut with a bound α_X ≤ α and lengthened by k_X tokens
    (|X| − α_X + k_X, k_X = min(_SHARED, α_X)) therefore holds c₁ … c_min(α, _SHARED), as
    does its partner: two prefixes meeting in fewer than k_X tokens cannot reach the threshold.
    """

    def __init__(self, profiles: Sequence[Profile], threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("the threshold must be in (0, 1]")
        self.t = threshold
        df = Counter(tok for p in profiles for tok in p.tokens)
        rank = {tok: r for r, tok in enumerate(sorted(df, key=lambda tok: (df[tok], tok)))}
        self.ranked = [sorted(rank[tok] for tok in p.tokens) for p in profiles]
        self.sizes = [p.size for p in profiles]

    def smallest_partner(self, i: int) -> float:
        """No item with fewer tokens than this reaches the threshold with item i."""
        return self.t / (2.0 - self.t) * self.sizes[i] - _EPS

    def largest_partner(self, i: int) -> float:
        """No item with more tokens than this reaches the threshold with item i."""
        return (2.0 - self.t) / self.t * self.sizes[i] + _EPS

    def _prefix(self, i: int, ratio: float) -> tuple[list[int], int]:
        alpha = math.ceil(ratio * self.sizes[i] - _EPS)
        k = min(_SHARED, alpha)
        return self.ranked[i][: self.sizes[i] - alpha + k], k

    def probe(self, i: int) -> tuple[list[int], int]:
        """The tokens in which item i meets any item it reaches the threshold with (whatever
        its size), and in how many of them at least."""
        return self._prefix(i, self.t / (2.0 - self.t))

    def index_prefix(self, i: int) -> list[int]:
        """The tokens to index item i by, for probes no smaller than it (a shorter prefix)."""
        return self._prefix(i, self.t)[0]

    @staticmethod
    def meeting(postings: list[tuple[list[int], set[int]]], k: int) -> Iterable[int]:
        """Indexed items in at least k of the posting lists, each given as a list and a set.

        An item in k of m lists is in one of any m − k + 1 of them: candidates come from the
        shortest m − k + 1 lists, and the k − 1 longest (the commonest tokens) are only looked
        up. Counting, intersecting and filtering run in C.
        """
        postings.sort(key=lambda p: len(p[0]))
        split = len(postings) - k + 1
        if split <= 0:
            return ()
        counts = Counter(chain.from_iterable(entries for entries, _ in postings[:split]))
        for _, members in postings[split:]:
            counts.update(counts.keys() & members)
        return compress(counts.keys(), map(k.__le__, counts.values()))


class _Index:
    """Items by token: a list in the order they were added, and a set to look them up."""

    def __init__(self) -> None:
        self.lists: dict[int, list[int]] = {}
        self.sets: dict[int, set[int]] = {}

    def add(self, item: int, tokens: Iterable[int]) -> None:
        for r in tokens:
            if r in self.lists:
                self.lists[r].append(item)
                self.sets[r].add(item)
            else:
                self.lists[r] = [item]
                self.sets[r] = {item}


def single_linkage(profiles: Sequence[Profile], threshold: float) -> list[list[int]]:
    """Connected components of the links item_similarity ≥ threshold, without scoring every pair.

    Each component sorted, components ordered by their first member. Items are visited from
    the smallest, each probing the index of the smaller ones; a candidate already in the same
    component is not scored, so a dense group of rewordings costs about one score per item.
    """
    pre = _Prefixes(profiles, threshold)
    parent = list(range(len(profiles)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_with_number: dict[str, int] = {}
    for i, p in enumerate(profiles):
        if p.number:
            union(first_with_number.setdefault(p.number, i), i)
    sizes = pre.sizes
    index = _Index()
    # Per token, how many of its entries are too small for every later (larger) item.
    skip: defaultdict[int, int] = defaultdict(int)
    for x in sorted((i for i, s in enumerate(sizes) if s), key=lambda i: (sizes[i], i)):
        smallest = pre.smallest_partner(x)
        tokens, k = pre.probe(x)
        postings: list[tuple[list[int], set[int]]] = []
        for r in tokens:
            entries = index.lists.get(r)
            if not entries:
                continue
            j = skip[r]
            while j < len(entries) and sizes[entries[j]] < smallest:
                j += 1
            skip[r] = j
            # Looking an item up in the whole set is harmless: only listed ones are candidates.
            postings.append((entries[j:] if j else entries, index.sets[r]))
        for y in pre.meeting(postings, k):
            if find(y) != find(x) and item_similarity(profiles[x], profiles[y]) >= threshold:
                union(x, y)
        index.add(x, pre.index_prefix(x))
    found: defaultdict[int, list[int]] = defaultdict(list)
    for a in range(len(profiles)):
        found[find(a)].append(a)
    return sorted(found.values(), key=lambda c: c[0])


def centres(
    profiles: Sequence[Profile], order: Sequence[int], threshold: float
) -> list[tuple[int, list[int]]]:
    """Groups around centres: (centre, members sorted), in the order the centres were made.

    Items are taken in `order`. One naming a document number already in a group joins that
    group: the same number is the same information. Any other joins the centre it is most
    similar to (the earlier centre on a tie) if that reaches the threshold, or becomes a
    centre. So every member reaches the threshold with its centre, or names the document of a
    member that does. Candidate centres come from an index of their token prefixes.
    """
    pre = _Prefixes(profiles, threshold)
    sizes = pre.sizes
    index = _Index()
    home: dict[str, int] = {}  # document number → the centre of the group holding it
    made: dict[int, list[int]] = {}  # centre → members, in the order the centres were made
    made_as: dict[int, int] = {}  # centre → how many centres were made before it
    for x in order:
        px = profiles[x]
        if px.number in home:
            made[home[px.number]].append(x)
            continue
        tokens, k = pre.probe(x)
        lo, hi = pre.smallest_partner(x), pre.largest_partner(x)
        postings = [(index.lists[r], index.sets[r]) for r in tokens if r in index.lists]
        candidates = [c for c in pre.meeting(postings, k) if lo <= sizes[c] <= hi]
        best, best_score = -1, 0.0
        for c in sorted(candidates, key=made_as.__getitem__):
            score = item_similarity(px, profiles[c])
            if score >= threshold and score > best_score:
                best, best_score = c, score
        if best >= 0:
            made[best].append(x)
        else:
            best = x
            made_as[x] = len(made)
            made[x] = [x]
            index.add(x, tokens)
        if px.number:
            home[px.number] = best
    return [(c, sorted(m)) for c, m in made.items()]


def _nodes(items: Sequence[RequestedItem]) -> tuple[list[Profile], list[list[int]]]:
    """Distinct items (same normalised text and number), each with the items it stands for."""
    profiles: list[Profile] = []
    members: list[list[int]] = []
    by_key: dict[tuple[str, str], int] = {}
    by_raw: dict[tuple[str, str | None], Profile] = {}
    for i, it in enumerate(items):
        raw = (it.text, it.document_number)
        p = by_raw.get(raw)
        if p is None:
            p = by_raw[raw] = profile(Item(it.text, it.document_number))
        key = (p.text, p.number)
        # An item with neither text nor number left is like nothing, not even like another one.
        node = by_key.get(key) if p.text or p.number else None
        if node is None:
            node = len(profiles)
            profiles.append(p)
            members.append([])
            if p.text or p.number:
                by_key[key] = node
        members[node].append(i)
    return profiles, members


def _representative(items: Sequence[RequestedItem], indices: Sequence[int]) -> int:
    """The item whose wording is the most frequent among these; the first on a tie."""
    counts = Counter(items[i].text for i in indices)
    top = max(counts.values())
    return next(i for i in indices if counts[items[i].text] == top)


def _group(items: Sequence[RequestedItem], indices: list[int], representative: int) -> ItemGroup:
    days = [items[i].received_on for i in indices]
    return ItemGroup(
        items=tuple(indices),
        representative=representative,
        applicants=distinct_applicants(items[i].applicant for i in indices),
        cases=len({items[i].case_id for i in indices}),
        first_received_on=min(days),
        last_received_on=max(days),
    )


def group_requests(
    items: Sequence[RequestedItem],
    *,
    threshold: float,
    min_applicants: int,
    drift_guard: bool = True,
) -> list[ItemGroup]:
    """Groups of items asking for the same information, asked by at least `min_applicants`.

    With the drift guard, groups around centres, the most asked wordings first (`centres`);
    without, single-linkage components (for comparison: bench/proactive.py). Most applicants
    first, then most cases, then the most recently asked.
    """
    profiles, members = _nodes(items)
    if drift_guard:
        order = sorted(range(len(profiles)), key=lambda v: (-len(members[v]), v))
        parts = centres(profiles, order, threshold)
    else:
        parts = [
            (max(c, key=lambda v: (len(members[v]), -v)), c)
            for c in single_linkage(profiles, threshold)
        ]
    groups: list[ItemGroup] = []
    for centre, nodes in parts:
        indices = sorted(i for v in nodes for i in members[v])
        if distinct_applicants(items[i].applicant for i in indices) < min_applicants:
            continue
        groups.append(_group(items, indices, _representative(items, members[centre])))
    groups.sort(
        key=lambda g: (-g.applicants, -g.cases, -g.last_received_on.toordinal(), g.items[0])
    )
    return groups
