"""Normalised text similarity of requested items (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.suggestions.similarity import (
    ART44_THRESHOLD,
    REPEAT_THRESHOLD,
    Item,
    best_match,
    best_per_item,
    item_similarity,
    normalise,
    profile,
    similarity,
)

# Chinese characters, ASCII, full-width forms, punctuation and spaces, and the boilerplate words'
# own characters, so normalising has something to do.
TEXT = st.text(
    alphabet=st.sampled_from(
        list("某区旧城改造项目征收补偿方案年的有关相信息文件政府申请公开获取请求于")
        + list("abcXYZ0123 \u3000\n《》“”、，。；：？！（）【】〔〕-.,")
        + list("ＡＢＣ１２３")
    ),
    max_size=40,
)
ANY_TEXT = st.text(max_size=30)
MIXED = st.one_of(TEXT, ANY_TEXT)

PLAN = "2025年某某区旧城改造项目征收补偿方案"
PLAN_AGAIN = "申请公开2025年某某区旧城改造项目的征收补偿方案"


def test_normalise_folds_width_and_case_and_drops_spaces_and_punctuation() -> None:
    assert normalise("《ＡＢＣ 规划》（2025 年）") == "abc规划2025年"
    assert normalise("“某某路”、【拓宽】工程；\t\n") == "某某路拓宽工程"


def test_normalise_drops_request_boilerplate() -> None:
    assert normalise("申请公开关于某某项目的有关政府信息") == "某某项目"
    assert normalise("请求公开某某项目相关文件") == "某某项目"
    assert normalise("申请获取某某项目信息") == "某某项目"


def test_normalise_drops_boilerplate_joined_by_an_earlier_drop() -> None:
    assert normalise("申请申请公开公开某某项目") == "某某项目"


def test_a_reworded_request_for_the_same_plan_scores_high() -> None:
    score = similarity(PLAN, PLAN_AGAIN)
    assert score >= 0.9
    assert score >= REPEAT_THRESHOLD
    assert score >= ART44_THRESHOLD


def test_texts_equal_after_normalising_score_one() -> None:
    assert similarity("关于《某某区旧城改造》的有关信息", "某某区 旧城改造") == 1.0


@pytest.mark.parametrize(
    "other",
    [
        "2025年某某区财政预算执行情况",
        "某某街道低保对象名单",
        "某某路拓宽工程环境影响评价报告",
        "2024年度政府信息公开工作年度报告",
    ],
)
def test_unrelated_requests_score_below_the_thresholds(other: str) -> None:
    score = similarity(PLAN, other)
    assert score < min(REPEAT_THRESHOLD, ART44_THRESHOLD)
    assert score < 0.5


def test_two_empty_texts_score_zero() -> None:
    assert similarity("", "") == 0.0
    # Boilerplate and punctuation only: nothing is left to compare.
    assert similarity("申请公开相关信息。", "《政府信息》") == 0.0
    assert similarity("", PLAN) == 0.0


def test_a_single_character_is_compared_by_itself() -> None:
    assert similarity("桥", "桥") == 1.0
    assert similarity("桥", "路") == 0.0
    assert similarity("桥", "某桥") == 0.0  # a unigram shares no bigram


def test_dice_counts_bigrams_as_a_multiset() -> None:
    # "abab": ab, ba, ab; "ab": ab → 2·1 / (3 + 1)
    assert similarity("abab", "ab") == pytest.approx(0.5)


def test_an_equal_document_number_matches_whatever_the_text() -> None:
    a = Item("请提供该通知", "沪府办〔2025〕12号")
    b = Item("关于加强管理的通知全文", "沪府办[2025]12号")
    assert item_similarity(a, b) == 1.0
    assert item_similarity(a, Item("关于加强管理的通知全文", "沪府办〔2025〕13号")) < 0.6
    # A missing number on either side falls back to the text.
    assert item_similarity(a, Item("请提供该通知")) == 1.0
    assert item_similarity(Item("甲乙丙", None), Item("丁戊己", None)) == 0.0


def test_best_match_finds_the_closest_pair() -> None:
    mine = ["某某街道低保对象名单", PLAN]
    theirs = ["2025年某某区财政预算执行情况", "申请公开2025年某某区旧城改造项目的征收补偿方案"]
    score, i, j = best_match(mine, theirs)
    assert (i, j) == (1, 1)
    assert score == pytest.approx(similarity(PLAN, theirs[1]))


def test_best_match_counts_an_equal_document_number_as_one() -> None:
    mine = [Item("某某通知", "沪府办〔2025〕12号")]
    theirs = [Item(PLAN), Item("那份文件", "沪府办（2025）12号")]
    assert best_match(mine, theirs) == (1.0, 0, 1)


def test_best_match_of_an_empty_list_is_no_match() -> None:
    assert best_match([], [PLAN]) == (0.0, -1, -1)
    assert best_match([PLAN], []) == (0.0, -1, -1)


def test_best_match_keeps_the_first_pair_on_a_tie() -> None:
    assert best_match(["甲乙", "甲乙"], ["丙丁", "丙丁"]) == (0.0, 0, 0)


def test_best_per_item_gives_each_item_its_closest_match() -> None:
    mine = [PLAN, "某某街道低保对象名单", "甲乙丙"]
    theirs = ["某某街道低保对象名单（2025年）", PLAN_AGAIN]
    [(s0, j0), (s1, j1), (s2, _)] = best_per_item(mine, theirs)
    assert (j0, j1) == (1, 0)
    assert s0 == similarity(PLAN, PLAN_AGAIN)
    assert s1 == similarity(mine[1], theirs[0])
    assert s2 == 0.0
    assert best_per_item([PLAN], []) == [(0.0, -1)]


def test_a_profile_compares_like_the_item_it_was_made_from() -> None:
    a = Item("某某通知", "沪府办〔2025〕12号")
    b = Item(PLAN_AGAIN)
    assert item_similarity(profile(a), profile(b)) == item_similarity(a, b)
    assert best_match([profile(PLAN)], [b]) == best_match([PLAN], [b])


@given(MIXED, MIXED)
def test_similarity_is_symmetric(a: str, b: str) -> None:
    assert similarity(a, b) == similarity(b, a)


@given(ANY_TEXT, ANY_TEXT)
def test_similarity_is_between_zero_and_one(a: str, b: str) -> None:
    assert 0.0 <= similarity(a, b) <= 1.0


@given(ANY_TEXT)
def test_a_text_is_identical_to_itself_unless_nothing_is_left(a: str) -> None:
    assert similarity(a, a) == (1.0 if normalise(a) else 0.0)


@given(MIXED, MIXED)
def test_similarity_depends_only_on_the_normalised_texts(a: str, b: str) -> None:
    assert similarity(a, b) == similarity(normalise(a), normalise(b))


@given(MIXED)
def test_normalising_twice_changes_nothing(a: str) -> None:
    assert normalise(normalise(a)) == normalise(a)


@given(st.lists(TEXT, max_size=4), st.lists(TEXT, max_size=4))
def test_best_match_is_the_maximum_pairwise_score(a: list[str], b: list[str]) -> None:
    score, i, j = best_match(a, b)
    if not a or not b:
        assert (score, i, j) == (0.0, -1, -1)
        return
    assert score == max(similarity(x, y) for x in a for y in b)
    assert score == similarity(a[i], b[j])
    assert best_match(b, a)[0] == score


@given(MIXED, MIXED)
def test_shared_tokens_count_the_bigrams_both_multisets_hold(a: str, b: str) -> None:
    pa, pb = profile(a), profile(b)
    shared = sum((pa.grams & pb.grams).values())
    assert len(pa.tokens & pb.tokens) == shared
    assert len(pa.tokens) == pa.size == pa.grams.total()
    total = pa.size + pb.size
    assert similarity(a, b) == (2 * shared / total if total else 0.0)
