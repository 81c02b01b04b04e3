"""`records_service_of`: which action records the service of which letter kind, declared in the
YAML and checked by the loader (the front desk's /staff/service picks the action from it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.workflow.definition import load_workflows
from app.workflow.records import SERVED_KINDS
from tests.workflow.test_definition import WF, problems_after, set_in_action

WORKFLOWS = load_workflows(Path(__file__).resolve().parents[2] / "workflows")


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        ("correction_notice", "record_notice_receipt"),
        ("third_party_consultation", "record_consultation_receipt"),
        ("organ_consultation", "record_consultation_receipt"),
        ("fee_notice", "record_fee_notice_receipt"),
        ("reply", "record_service"),
        ("closure_notice", "record_service"),
    ],
)
def test_each_served_letter_kind_has_its_recording_action(kind: str, action: str) -> None:
    found = WF.service_action(kind)
    assert found is not None
    assert found.code == action


@pytest.mark.parametrize(
    "kind", ["receipt", "extension_notice", "service_receipt", "delayed_reply_notice"]
)
def test_letters_whose_service_is_not_recorded_have_no_action(kind: str) -> None:
    assert WF.service_action(kind) is None


def test_the_record_correction_reply_is_served_by_its_record_service() -> None:
    action = WORKFLOWS["record_correction"].service_action("record_correction_reply")
    assert action is not None
    assert action.code == "record_service"
    assert WORKFLOWS["record_correction"].version == 5


def test_an_unknown_kind_is_reported() -> None:
    text = problems_after(set_in_action("record_service", "records_service_of", ["reply", "rpely"]))
    assert "unknown letter kind (records_service_of) 'rpely'" in text


def test_a_kind_no_action_issues_is_reported() -> None:
    text = problems_after(
        set_in_action("record_service", "records_service_of", ["record_correction_reply"])
    )
    assert "no action of the workflow issues 'record_correction_reply'" in text


def test_a_kind_recorded_by_two_actions_is_reported() -> None:
    text = problems_after(
        set_in_action("record_fee_notice_receipt", "records_service_of", ["fee_notice", "reply"])
    )
    assert "'reply' is recorded by 'record_fee_notice_receipt' already" in text


def test_an_action_without_a_date_field_is_reported() -> None:
    text = problems_after(set_in_action("archive", "records_service_of", ["receipt"]))
    assert "action 'archive': records_service_of: the payload declares no date field" in text


def test_a_bare_key_means_none() -> None:
    # `records_service_of:` with nothing after it is no list, as for guards and effects.
    text = problems_after(
        set_in_action("archive", "records_service_of", None), set_in_action("archive", "to", "x")
    )
    assert "records_service_of" not in text


def test_record_service_names_its_methods_in_chinese() -> None:
    method = WF.action("record_service").field("method")
    assert dict(method.options())["post"] == "邮寄送达"
    assert {code for code, _ in method.choice_labels} == set(method.choices)


def test_the_engines_served_kinds_are_what_record_service_records() -> None:
    # app.workflow.records.SERVED_KINDS (the remedy periods' document, the applicant's
    # download as service) must not drift from the YAML's record_service.
    recorded = {
        kind for wf in WORKFLOWS.values() for kind in wf.action("record_service").records_service_of
    }
    assert set(SERVED_KINDS) == recorded
