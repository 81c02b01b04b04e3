"""The two flags that let an action leave the usual shape, checked when the workflow loads:
`leaves_final` (re-answering leaves a final state) and `returns_when` (a failed review sends
the draft back to the previous state)."""

from __future__ import annotations

from app.workflow.definition import PREVIOUS
from tests.workflow.test_definition import WF, problems_after, set_in_action


def test_only_an_action_marked_leaves_final_may_leave_a_final_state() -> None:
    assert WF.action("reopen").leaves_final
    assert WF.is_final("archived")
    assert WF.allowed_actions("archived", ["approver"]) == ["reopen"]
    text = problems_after(set_in_action("reopen", "leaves_final", False))
    assert "final state 'archived' has an outgoing action 'reopen'" in text
    text = problems_after(set_in_action("archive", "leaves_final", True))
    assert "action 'archive': leaves_final, but none of its from-states is final" in text


def test_returns_when_goes_back_only_when_the_payload_matches() -> None:
    review = WF.action("confidentiality_review")
    assert review.targets == ("under_review", "received", "extended")
    assert review.resolve_target("extended", {"result": "failed"}) == "extended"
    assert review.resolve_target("extended", {"result": "passed"}) == "under_review"


def test_returns_when_is_checked_like_a_letter_condition_and_a_previous_action() -> None:
    assert "returns_when condition on 'verdict': no such payload field" in problems_after(
        set_in_action("confidentiality_review", "returns_when", {"verdict": "failed"})
    )
    assert "returns_when condition on 'result': 'void' is not one of" in problems_after(
        set_in_action("confidentiality_review", "returns_when", {"result": "void"})
    )
    text = problems_after(set_in_action("confidentiality_review", "previous_states", ["received"]))
    assert "can enter 'under_review' from 'extended'" in text
    text = problems_after(set_in_action("confidentiality_review", "to", PREVIOUS))
    assert "returns_when is only meaningful with a fixed to-state" in text
    text = problems_after(set_in_action("confidentiality_review", "returns_when", {}))
    assert "previous_states is only meaningful" in text
