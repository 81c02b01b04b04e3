"""app.item_outcomes, pure: the counted outcome of a multi-item application for every
combination of item outcomes, the check of a given outcome against them, and the check that the
items' decisions answer every item of the application once (RULES §5)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.item_outcomes import counted_outcome, derived_outcome, item_errors
from app.outcomes import OUTCOMES

ITEM_CODES = [c for c in OUTCOMES if c not in ("other.no_correction", "other.fee_unpaid")]

# An oracle written from RULES §5's words, independent of the module's sets: provision is what
# Art. 36(1)(2) give; withholding is a refusal resting on Arts. 14–16, an Art. 37 partial
# disclosure, or content that is not government information (Art. 2).
_ARTS_14_16 = re.compile(r"第十[四五六]条")


def provides(code: str) -> bool:
    return code in ("disclosed", "already_public")


def withholds(code: str) -> bool:
    return (
        code == "partially_disclosed"
        or code == "other.not_government_information"
        or bool(_ARTS_14_16.search(OUTCOMES[code].basis))
    )


def oracle(codes: list[str]) -> str | None:
    if any(withholds(c) for c in codes) and (
        any(provides(c) for c in codes) or "partially_disclosed" in codes
    ):
        return "partially_disclosed"
    return codes[0] if len(set(codes)) == 1 else None


def test_the_sets_are_what_the_rules_name() -> None:
    assert {c for c in ITEM_CODES if provides(c)} == {"disclosed", "already_public"}
    held = {c for c in ITEM_CODES if withholds(c)}
    assert "withheld.administrative_query" not in held  # Art. 36(7): another channel
    assert {"withheld.state_secret", "withheld.enforcement_file"} <= held


@pytest.mark.parametrize(("a", "b"), list(itertools.product(ITEM_CODES, repeat=2)))
def test_every_pair_of_item_outcomes(a: str, b: str) -> None:
    want = oracle([a, b])
    assert derived_outcome([a, b]) == want
    if want is None:
        # The clerk chooses one of the two; anything else, or no choice, is refused.
        assert counted_outcome([a, b], a) == a
        assert counted_outcome([a, b], b) == b
        with pytest.raises(ValueError, match="choose"):
            counted_outcome([a, b], None)
        other = next(c for c in ITEM_CODES if c not in (a, b))
        with pytest.raises(ValueError, match="one of the items'"):
            counted_outcome([a, b], other)
    else:
        assert counted_outcome([a, b], None) == want
        assert counted_outcome([a, b], want) == want
        wrong = next(c for c in (a, b, "disclosed", "unavailable.not_held") if c != want)
        with pytest.raises(ValueError):
            counted_outcome([a, b], wrong)


@given(st.lists(st.sampled_from(ITEM_CODES), min_size=1, max_size=8))
def test_any_list_of_item_outcomes(codes: list[str]) -> None:
    assert derived_outcome(codes) == oracle(codes)
    # The order of the items does not matter.
    assert derived_outcome(list(reversed(codes))) == derived_outcome(codes)


def test_worked_examples() -> None:
    assert derived_outcome(["disclosed", "withheld.third_party_rights"]) == "partially_disclosed"
    assert derived_outcome(["already_public", "other.not_government_information"]) == (
        "partially_disclosed"
    )
    assert derived_outcome(["partially_disclosed"]) == "partially_disclosed"
    assert derived_outcome(["partially_disclosed", "unavailable.not_held"]) == (
        "partially_disclosed"
    )
    # Refusing every item is not a partial disclosure; nor is an administrative query.
    assert derived_outcome(["withheld.state_secret", "withheld.state_secret"]) == (
        "withheld.state_secret"
    )
    assert derived_outcome(["withheld.state_secret", "withheld.internal_affairs"]) is None
    assert derived_outcome(["disclosed", "withheld.administrative_query"]) is None
    assert derived_outcome(["disclosed", "unavailable.not_held"]) is None


def test_every_item_is_answered_once() -> None:
    ok = [{"position": 1, "outcome": "disclosed"}, {"position": 2, "outcome": "disclosed"}]
    assert item_errors(ok, {1, 2}) == []
    [(loc, msg)] = item_errors(ok[:1], {1, 2, 3})
    assert loc == ("item_outcomes",)
    assert "第2项、第3项" in msg
    assert item_errors([*ok, {"position": 2, "outcome": "disclosed"}], {1, 2}) == [
        (("item_outcomes", "2", "position"), "第2项重复 / item 2 repeated")
    ]
    assert [loc for loc, _ in item_errors([*ok, {"position": 7, "outcome": "x"}], {1, 2})] == [
        ("item_outcomes", "2", "position"),
        ("item_outcomes", "2", "outcome"),
    ]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("1", None),
        ({"position": True, "outcome": "disclosed"}, "position"),
        ({"position": "1", "outcome": "disclosed"}, "position"),
        ({"outcome": "disclosed"}, "position"),
        ({"position": 1}, "outcome"),
        ({"position": 1, "outcome": 5}, "outcome"),
        ({"position": 1, "outcome": "other.no_correction"}, "outcome"),
    ],
)
def test_malformed_entries_are_named(entry: object, field: str | None) -> None:
    locs = [loc for loc, _ in item_errors([entry], {1})]
    assert locs[0] == ("item_outcomes", "0", *((field,) if field else ()))
