"""Grouping an organ's requested items for proactive disclosure (pure): against brute force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from itertools import combinations, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.suggestions.proactive import (
    ART44_MIN_APPLICANTS,
    ART44_WINDOW_DAYS,
    RequestedItem,
    art44_window,
    centres,
    group_requests,
    single_linkage,
)
from app.suggestions.similarity import ART44_THRESHOLD, Item, Profile, item_similarity, profile

# Fragments that make near-duplicates, repeated bigrams (the multiset's second "ab") and
# items that normalise to nothing ("申请公开", punctuation), so every branch gets inputs.
FRAGMENTS = st.sampled_from(
    [
        *("东湖", "街道", "2024", "年", "低保", "对象", "名单", "资金", "发放", "的", "，"),
        *("申请公开", "ab", "a", "b", "ba", "《", "》", "信息", "改造", "项目", "清单"),
    ]
)
TEXT = st.lists(FRAGMENTS, max_size=9).map("".join)
NUMBER = st.one_of(
    st.none(),
    st.sampled_from(["示政办〔2025〕1号", "示政办[2025]1号", "示政办〔2025〕2号", " ", "《》"]),
)
ITEM = st.builds(Item, TEXT, NUMBER)
THRESHOLD = st.one_of(st.just(ART44_THRESHOLD), st.sampled_from([0.2, 0.5, 0.75, 0.9, 1.0]))
SMALL = settings(max_examples=300, deadline=None)

CHAIN = [
    "东湖街道老旧小区改造项目清单",
    "东湖街道老旧小区改造资金安排",
    "东湖街道道路改造资金安排",
    "东湖街道道路拓宽工程资金安排",
    "南山镇道路拓宽工程资金安排",
    "南山镇道路拓宽工程环评报告",
]
DAY = date(2026, 1, 5)


# --- brute-force references, written without the index ----------------------------------------


def brute_components(profiles: Sequence[Profile], t: float) -> list[list[int]]:
    """Single linkage by scoring every pair and walking the links."""
    links: dict[int, set[int]] = {i: set() for i in range(len(profiles))}
    for i, j in combinations(range(len(profiles)), 2):
        if item_similarity(profiles[i], profiles[j]) >= t:
            links[i].add(j)
            links[j].add(i)
    seen: set[int] = set()
    out = []
    for start in range(len(profiles)):
        if start in seen:
            continue
        part, todo = {start}, [start]
        while todo:
            for nxt in links[todo.pop()] - part:
                part.add(nxt)
                todo.append(nxt)
        seen |= part
        out.append(sorted(part))
    return out


def brute_centres(
    profiles: Sequence[Profile], order: Sequence[int], t: float
) -> list[tuple[int, list[int]]]:
    """A known document number joins its group; else each item is scored against every centre
    made before it."""
    made: list[tuple[int, list[int]]] = []
    home: dict[str, tuple[int, list[int]]] = {}
    for x in order:
        number = profiles[x].number
        if number in home:
            home[number][1].append(x)
            continue
        best, best_score = None, -1.0
        for group in made:
            score = item_similarity(profiles[x], profiles[group[0]])
            if score >= t and score > best_score:
                best, best_score = group, score
        if best is None:
            best = (x, [x])
            made.append(best)
        else:
            best[1].append(x)
        if number:
            home[number] = best
    return [(c, sorted(m)) for c, m in made]


def requests(
    texts: Sequence[str | Item], applicants: Sequence[str] | None = None
) -> list[RequestedItem]:
    """One item per case; applicant k asks item k unless told otherwise."""
    out = []
    for k, t in enumerate(texts):
        item = t if isinstance(t, Item) else Item(t)
        who = applicants[k] if applicants else f"applicant-{k}"
        out.append(
            RequestedItem(k + 1, 1, who, DAY + timedelta(days=k), item.text, item.document_number)
        )
    return out


def linked_within(members: Sequence[int], profiles: Sequence[Profile], t: float) -> bool:
    """The links among the members alone connect them all."""
    reached, todo = {members[0]}, [members[0]]
    while todo:
        a = todo.pop()
        for b in members:
            if b not in reached and item_similarity(profiles[a], profiles[b]) >= t:
                reached.add(b)
                todo.append(b)
    return reached == set(members)


# --- the index finds what brute force finds ---------------------------------------------------


@SMALL
@given(st.lists(ITEM, max_size=30), THRESHOLD)
def test_single_linkage_finds_the_components_of_scoring_every_pair(
    items: list[Item], t: float
) -> None:
    profiles = [profile(i) for i in items]
    assert single_linkage(profiles, t) == brute_components(profiles, t)


@SMALL
@given(st.lists(ITEM, max_size=30), THRESHOLD, st.randoms(use_true_random=False))
def test_centres_match_scoring_every_item_against_every_centre(
    items: list[Item], t: float, rnd: object
) -> None:
    profiles = [profile(i) for i in items]
    order = list(range(len(profiles)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    assert centres(profiles, order, t) == brute_centres(profiles, order, t)


@SMALL
@given(st.lists(ITEM, max_size=30))
def test_single_linkage_groups_are_chains_of_links_and_nothing_links_across(
    items: list[Item],
) -> None:
    reqs = requests(items)
    profiles = [profile(i) for i in items]
    groups = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1, drift_guard=False)
    assert sorted(i for g in groups for i in g.items) == list(range(len(items)))
    for g in groups:
        # Two members below the threshold are joined through a chain inside the group...
        assert linked_within(g.items, profiles, ART44_THRESHOLD)
        # ...and no member reaches the threshold with an item of another group.
        for i in g.items:
            for j in set(range(len(items))) - set(g.items):
                assert item_similarity(profiles[i], profiles[j]) < ART44_THRESHOLD


@SMALL
@given(st.lists(ITEM, max_size=30))
def test_with_the_drift_guard_every_member_reaches_the_threshold_with_the_representative(
    items: list[Item],
) -> None:
    reqs = requests(items)
    profiles = [profile(i) for i in items]
    groups = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1)
    assert sorted(i for g in groups for i in g.items) == list(range(len(items)))
    chained = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1, drift_guard=False)
    for g in groups:
        assert g.representative in g.items
        near = {
            i
            for i in g.items
            if i == g.representative
            or item_similarity(profiles[i], profiles[g.representative]) >= ART44_THRESHOLD
        }
        # The others name the same document as one that reaches it.
        for i in set(g.items) - near:
            assert profiles[i].number
            assert any(profiles[j].number == profiles[i].number for j in near)
        # A group around a centre lies inside one single-linkage group.
        assert any(set(g.items) <= set(c.items) for c in chained)


def test_items_naming_one_document_stay_in_one_group_whoever_joins_first() -> None:
    reqs = requests(
        [
            Item("2025年某某区旧城改造项目征收补偿方案"),
            Item("2025年某某区旧城改造项目征收补偿方案全文"),
            # Joins the plan by its text, and brings its number into the plan's group...
            Item("2025年某某区旧城改造征收补偿方案", "示政办〔2025〕12号"),
            # ...so a request naming only the number joins it there, not a group of its own.
            Item("那份文件", "示政办[2025]12号"),
        ]
    )

    [group] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1)

    assert group.items == (0, 1, 2, 3)


# --- what the groups say ----------------------------------------------------------------------


def test_rewordings_by_three_applicants_form_one_group() -> None:
    reqs = requests(
        [
            "2025年某某区旧城改造项目征收补偿方案",
            "申请公开2025年某某区旧城改造项目的征收补偿方案。",
            "《2025年 某某区旧城改造项目征收补偿方案》",
            "某某街道2024年度部门预算及决算说明",
        ]
    )

    [group] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=ART44_MIN_APPLICANTS)

    assert group.items == (0, 1, 2)
    assert (group.applicants, group.cases) == (3, 3)
    assert (group.first_received_on, group.last_received_on) == (DAY, DAY + timedelta(days=2))


def test_one_applicant_asking_three_times_is_one_applicant() -> None:
    reqs = requests(["某区低保对象名单"] * 3, applicants=["same"] * 3)

    assert group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=2) == []
    [group] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1)
    assert (group.applicants, group.cases) == (1, 3)


def test_applicants_are_counted_once_and_cases_once_per_group() -> None:
    reqs = [
        RequestedItem(1, 1, "A", DAY, "某区低保对象名单"),
        RequestedItem(1, 2, "A", DAY, "某区的低保对象名单"),
        RequestedItem(2, 1, "B", DAY, "某区低保对象名单。"),
    ]

    [group] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=2)

    assert (group.applicants, group.cases, group.items) == (2, 2, (0, 1, 2))


def test_an_equal_document_number_is_the_same_information_whatever_the_wording() -> None:
    reqs = requests(
        [
            Item("关于加强城市管理工作的通知", "示政办〔2025〕12号"),
            Item("请提供区政府办公室去年发布的那份通知全文", "示政办[2025]12号"),
            Item("那份文件", "示政办（2025）12号"),
            Item("关于加强城市管理工作的通知", "示政办〔2025〕13号"),
        ]
    )

    groups = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=3)

    # The fourth names another document, but its text is the first one's: it joins too.
    assert [g.items for g in groups] == [(0, 1, 2, 3)]
    assert group_requests(reqs[1:], threshold=ART44_THRESHOLD, min_applicants=3) == []


def test_items_with_nothing_left_after_normalising_are_like_nothing() -> None:
    reqs = requests(["申请公开相关信息", "申请公开相关信息。", "《政府信息》", ""])

    groups = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=1)

    assert sorted(g.items for g in groups) == [(0,), (1,), (2,), (3,)]


def test_single_linkage_drifts_along_a_chain_and_the_guard_cuts_it() -> None:
    # Each wording links to the next; the first and the last share almost nothing.
    assert all(item_similarity(a, b) >= ART44_THRESHOLD for a, b in pairwise(CHAIN))
    assert item_similarity(CHAIN[0], CHAIN[-1]) < 0.2
    reqs = requests([text for text in CHAIN for _ in range(3)])

    [chained] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=3, drift_guard=False)
    guarded = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=3)

    assert chained.items == tuple(range(len(reqs)))
    assert len(guarded) >= 3
    profiles = [profile(r.text) for r in reqs]
    for g in guarded:
        assert all(
            item_similarity(profiles[i], profiles[g.representative]) >= ART44_THRESHOLD
            for i in g.items
        )
    assert not any({0, len(reqs) - 1} <= set(g.items) for g in guarded)


def test_the_representative_is_the_most_frequent_wording_of_the_centre() -> None:
    reqs = requests(
        [
            "2025年某某区旧城改造项目征收补偿方案全文",
            "2025年某某区旧城改造项目征收补偿方案",
            "2025年某某区旧城改造项目征收补偿方案",
            "2025年某某区旧城改造项目征收补偿方案。",
        ]
    )

    [group] = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=3)

    # Items 1–3 are one wording once normalised (the centre); 1 and 2 are written alike.
    assert reqs[group.representative].text == "2025年某某区旧城改造项目征收补偿方案"
    assert group.representative == 1


def test_groups_come_most_applicants_first() -> None:
    small = ["某区低保对象名单"] * 3
    large = ["某区老旧小区改造项目清单"] * 4
    reqs = requests(small + large)

    groups = group_requests(reqs, threshold=ART44_THRESHOLD, min_applicants=3)

    assert [g.applicants for g in groups] == [4, 3]
    assert reqs[groups[0].representative].text == large[0]


def test_a_threshold_outside_zero_to_one_is_refused() -> None:
    for t in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError):
            single_linkage([profile("某区低保对象名单")], t)


def test_the_default_window_is_the_per_case_window() -> None:
    assert ART44_WINDOW_DAYS == 365
    assert art44_window(date(2026, 3, 2)) == (date(2025, 3, 2), date(2026, 3, 2))
