"""The remedy clause of a whole reply (RULES §5, app.outcomes.reply_remedy): the outcome, every
item's outcome and every withheld part's ground; reconsideration first wins, none only when
every decision carries none."""

from __future__ import annotations

import pytest

from app.outcomes import OUTCOMES, Remedy, reply_remedy

FIRST, EITHER, NONE = Remedy.reconsideration_first, Remedy.either, Remedy.none
ARTS_14_16 = [
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.security_stability",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_information",
    "withheld.enforcement_file",
]


@pytest.mark.parametrize("code", sorted(OUTCOMES))
def test_a_single_decision_carries_its_own_clause(code: str) -> None:
    expected = FIRST if code in ARTS_14_16 or code == "partially_disclosed" else EITHER
    if code == "other.other":
        expected = NONE
    assert reply_remedy(code) is expected


@pytest.mark.parametrize("ground", ARTS_14_16)
def test_a_partial_disclosure_withholding_under_arts_14_to_16_is_reconsideration_first(
    ground: str,
) -> None:
    assert reply_remedy("partially_disclosed", (), [ground]) is FIRST
    assert reply_remedy("partially_disclosed", (), ["withheld.administrative_query", ground]) is (
        FIRST
    )


def test_a_partial_disclosure_on_other_grounds_only_allows_either() -> None:
    assert reply_remedy("partially_disclosed", (), ["withheld.administrative_query"]) is EITHER
    assert reply_remedy("partially_disclosed", (), ["not_government_information"]) is EITHER
    both = ["withheld.administrative_query", "not_government_information"]
    assert reply_remedy("partially_disclosed", (), both) is EITHER


def test_a_partial_disclosure_naming_no_withheld_part_is_reconsideration_first() -> None:
    assert reply_remedy("partially_disclosed", (), ()) is FIRST
    assert reply_remedy("partially_disclosed", ["disclosed"], []) is FIRST


@pytest.mark.parametrize("item", ARTS_14_16)
def test_one_item_refused_under_arts_14_to_16_makes_the_whole_reply_reconsideration_first(
    item: str,
) -> None:
    assert reply_remedy("disclosed", ["disclosed", item]) is FIRST
    assert reply_remedy("unavailable.not_held", [item]) is FIRST
    assert reply_remedy("other.other", [item]) is FIRST


def test_an_item_partially_disclosed_counts_as_a_refusal_under_arts_14_to_16() -> None:
    assert reply_remedy("disclosed", ["partially_disclosed"]) is FIRST


def test_items_on_other_grounds_keep_either() -> None:
    items = ["disclosed", "withheld.administrative_query", "unavailable.not_held"]
    assert reply_remedy("disclosed", items) is EITHER


def test_none_only_when_every_decision_carries_none() -> None:
    assert reply_remedy("other.other", ["other.other"]) is NONE
    assert reply_remedy("other.other", ["other.other", "disclosed"]) is EITHER
    assert reply_remedy("other.other", (), ["withheld.administrative_query"]) is EITHER


def test_codes_the_table_does_not_know_count_as_either_and_never_crash() -> None:
    assert reply_remedy("disclosed", (), ["not_government_information"]) is EITHER
    assert reply_remedy("other.other", (), ["not_government_information"]) is EITHER
    assert reply_remedy("other.other", [None, 3, "made.up"]) is EITHER
    assert reply_remedy("withheld.state_secret", (), [None]) is FIRST
