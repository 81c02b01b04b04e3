"""The shipped workflow loads and is sound; every validation rule catches what it should."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.outcomes import OUTCOMES
from app.workflow.definition import (
    PREVIOUS,
    WorkflowDef,
    WorkflowDefinitionError,
    code_registries,
    load_workflow,
    load_workflows,
    parse_workflow,
    parse_workflow_text,
    workflow_problems,
)
from app.workflow.diagram import to_mermaid

WORKFLOW_PATH = Path(__file__).resolve().parents[2] / "workflows" / "foi_application.yaml"
RAW: dict[str, Any] = yaml.safe_load(WORKFLOW_PATH.read_text(encoding="utf-8"))
WF = load_workflow(WORKFLOW_PATH)

Mutation = Callable[[dict[str, Any]], None]


def problems_after(*mutations: Mutation) -> str:
    """Apply the mutations to a copy of the shipped definition; return the error text."""
    data = copy.deepcopy(RAW)
    for mutate in mutations:
        mutate(data)
    with pytest.raises(WorkflowDefinitionError) as excinfo:
        parse_workflow(data)
    assert excinfo.value.problems, "an error must list its problems"
    return str(excinfo.value)


def add_state(code: str, *, final: bool = False) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["states"][code] = {
            "label": "测试",
            "label_en": "Test",
            "final": final,
            "clock": "running",
        }

    return mutate


def add_action(code: str, from_states: list[str], to: str, **extra: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["actions"][code] = {
            "label": "测试动作",
            "label_en": "Test action",
            "from_states": from_states,
            "to": to,
            "roles": ["clerk"],
            **extra,
        }

    return mutate


def set_in_action(code: str, key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["actions"][code][key] = value

    return mutate


def drop_action(code: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del data["actions"][code]

    return mutate


# --------------------------------------------------------------------------- shipped YAML


def test_the_correction_step_cites_art_30() -> None:
    # Art. 30 governs the one-time correction notice; Art. 29 is what an application holds.
    description = WF.actions["request_correction"].description
    assert "第三十条" in description
    assert "第二十九条" not in description


def test_shipped_workflow_loads_with_header() -> None:
    assert WF.name == "foi_application"
    assert WF.version == 9
    assert WF.title == "政府信息依申请公开办理流程"
    assert WF.initial_states == ("awaiting_confirmation", "received")


def test_shipped_workflow_has_no_problems() -> None:
    assert workflow_problems(WF) == []


def test_every_state_is_reachable_and_every_non_final_state_can_finish() -> None:
    reached = set(WF.initial_states)
    frontier = list(reached)
    while frontier:
        for action in WF.actions_from(frontier.pop()):
            for target in set(action.targets) - reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(WF.states)


def test_only_archived_withdrawn_and_transferred_are_final() -> None:
    finals = {code for code in WF.states if WF.is_final(code)}
    assert finals == {"archived", "withdrawn", "transferred"}


def test_registries_name_exactly_the_guards_and_effects_the_yaml_uses() -> None:
    # Every case type's workflow together uses exactly the registered guards and effects.
    flows = load_workflows(WORKFLOW_PATH.parent).values()
    actions = [a for wf in flows for a in wf.actions.values()]
    code = code_registries()
    # Nothing implemented goes unused (loading already refuses a name the code lacks).
    assert {g for a in actions for g in a.guards} == code.guards
    assert {e for a in actions for e in a.effects} == code.effects
    assert {k for a in actions for k in a.letter_kinds} <= code.letter_kinds
    assert {r for a in actions for r in a.roles} <= code.roles


@pytest.mark.parametrize(
    ("code", "from_states", "to"),
    [
        ("confirm_receipt", ("awaiting_confirmation",), "received"),
        ("request_correction", ("received",), "awaiting_correction"),
        ("record_correction", ("awaiting_correction",), "received"),
        ("close_uncorrected", ("awaiting_correction",), "replied"),
        ("extend", ("received",), "extended"),
        ("start_consultation", ("received", "extended", "consulting"), "consulting"),
        ("record_opinion", ("consulting",), "consulting"),
        ("conclude_consultation", ("consulting",), PREVIOUS),
        ("request_reasons", ("received", "extended"), "awaiting_reasons"),
        ("record_reasons", ("awaiting_reasons",), PREVIOUS),
        ("issue_fee_notice", ("received", "extended"), "awaiting_fee"),
        ("record_payment", ("awaiting_fee",), PREVIOUS),
        ("close_unpaid", ("awaiting_fee",), "replied"),
        ("submit_reply", ("received", "extended"), "under_review"),
        ("legal_approve", ("under_review",), "under_review"),
        ("legal_return", ("under_review",), PREVIOUS),
        ("approve_reply", ("under_review",), "under_review"),
        ("return_for_revision", ("under_review",), PREVIOUS),
        ("issue_reply", ("under_review",), "replied"),
        ("record_service", ("replied",), "served"),
        ("archive", ("served",), "archived"),
    ],
)
def test_shipped_transition_table(code: str, from_states: tuple[str, ...], to: str) -> None:
    action = WF.action(code)
    assert action.from_states == from_states
    assert action.to == to


def test_every_previous_action_returns_to_received_or_extended() -> None:
    previous_actions = [a for a in WF.actions.values() if a.returns_to_previous]
    assert {a.code for a in previous_actions} == {
        "conclude_consultation",
        "record_reasons",
        "record_payment",
        "legal_return",
        "return_for_revision",
    }
    assert all(a.previous_states == ("received", "extended") for a in previous_actions)


def test_withdraw_leaves_every_open_state_before_the_reply() -> None:
    withdraw = WF.action("withdraw")
    assert withdraw.to == "withdrawn"
    assert set(withdraw.from_states) == set(WF.states) - {
        "replied",
        "served",
        "archived",
        "withdrawn",
        "transferred",
    }


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("close_uncorrected", "other.no_correction"),
        ("close_unpaid", "other.fee_unpaid"),
        ("withdraw", "other.other"),
        ("issue_reply", None),
    ],
)
def test_actions_set_their_outcome(code: str, outcome: str | None) -> None:
    assert WF.action(code).outcome == outcome


def test_payload_fields_keep_type_required_flag_and_choices() -> None:
    confirm = WF.action("confirm_receipt")
    assert [(f.name, f.type, f.required) for f in confirm.payload] == [
        ("receipt_date", "date", True),
        ("receipt_basis", "str", True),
        ("receipt_evidence", "str", True),
    ]
    assert WF.action("record_service").field("method").choices == (
        "in_person",
        "post",
        "electronic",
        "entrusted",
    )
    assert WF.action("submit_reply").field("withheld_parts").type == "objects"
    with pytest.raises(KeyError):
        confirm.field("nope")


def test_receipt_basis_choices_match_the_intake_vocabulary() -> None:
    from app.vocabulary import ReceiptBasis

    choices = WF.action("confirm_receipt").field("receipt_basis").choices
    assert set(choices) == {basis.value for basis in ReceiptBasis}


def test_conditional_letters_follow_the_payload() -> None:
    rules = WF.action("start_consultation").letters
    issued = [r.kind for r in rules if r.applies({"kind": "other_organ"})]
    assert issued == ["organ_consultation"]
    reply_rules = WF.action("issue_reply").letters
    assert [r.kind for r in reply_rules if r.applies({})] == ["reply"]
    assert [r.kind for r in reply_rules if r.applies({"notify_third_party": True})] == [
        "reply",
        "third_party_disclosure_notice",
    ]


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(
    ("state", "roles", "expected"),
    [
        ("awaiting_confirmation", {"front_desk"}, ["confirm_receipt", "withdraw"]),
        ("awaiting_confirmation", {"legal"}, []),
        ("received", {"approver"}, ["extend"]),
        (
            "received",
            {"clerk"},
            [
                "request_correction",
                "start_consultation",
                "request_reasons",
                "issue_fee_notice",
                "submit_reply",
                "withdraw",
            ],
        ),
        (
            "under_review",
            {"legal"},
            ["legal_approve", "legal_return", "return_for_revision", "confidentiality_review"],
        ),
        (
            "under_review",
            ["approver", "applicant"],
            [
                "approve_reply",
                "return_for_revision",
                "issue_reply",
                "withdraw",
                "confidentiality_review",
            ],
        ),
        ("replied", {"front_desk"}, ["record_service", "record_inspection"]),
        ("archived", code_registries().roles, ["reopen"]),
        ("withdrawn", code_registries().roles, []),
        ("received", set(), []),
    ],
)
def test_allowed_actions_by_state_and_roles(
    state: str, roles: set[str] | list[str], expected: list[str]
) -> None:
    assert WF.allowed_actions(state, roles) == expected


def test_allowed_actions_rejects_a_bare_role_string() -> None:
    with pytest.raises(TypeError):
        WF.allowed_actions("received", "clerk")


def test_lookups_raise_key_error_for_unknown_codes() -> None:
    with pytest.raises(KeyError, match="nowhere"):
        WF.allowed_actions("nowhere", {"clerk"})
    with pytest.raises(KeyError, match="fly"):
        WF.action("fly")
    with pytest.raises(KeyError):
        WF.is_final("nowhere")
    with pytest.raises(KeyError):
        WF.label("nowhere")


def test_label_is_the_chinese_label() -> None:
    assert WF.label("received") == "办理中"
    assert WF.label("withdrawn") == "已撤回"


def test_resolve_target_uses_the_recorded_previous_state_only_for_previous_actions() -> None:
    assert WF.action("extend").resolve_target(None) == "extended"
    assert WF.action("record_payment").resolve_target("extended") == "extended"
    with pytest.raises(ValueError, match="previous state"):
        WF.action("record_payment").resolve_target("consulting")
    with pytest.raises(ValueError, match="previous state"):
        WF.action("record_payment").resolve_target(None)


def test_entered_from_lists_states_that_lead_in_without_self_loops() -> None:
    assert WF.entered_from("consulting") == ["received", "extended"]
    assert WF.entered_from("awaiting_confirmation") == []


@given(
    state=st.sampled_from(sorted(WF.states)),
    roles=st.frozensets(st.sampled_from(sorted(code_registries().roles))),
)
def test_allowed_actions_are_exactly_those_leaving_the_state_for_a_held_role(
    state: str, roles: frozenset[str]
) -> None:
    allowed = WF.allowed_actions(state, roles)
    expected = [
        a.code for a in WF.actions.values() if state in a.from_states and roles & set(a.roles)
    ]
    assert allowed == expected
    # More roles never take an action away.
    assert set(allowed) <= set(WF.allowed_actions(state, roles | {"clerk"}))


def test_models_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        WF.action("extend").to = "received"  # type: ignore[misc]


# --------------------------------------------------------------------------- validation


def test_unreachable_state_is_reported() -> None:
    text = problems_after(add_state("orphan"), add_action("leave_orphan", ["orphan"], "archived"))
    assert "state 'orphan' is unreachable" in text


def test_final_state_with_outgoing_action_is_reported() -> None:
    text = problems_after(add_action("reopen", ["archived"], "received"))
    assert "final state 'archived' has an outgoing action 'reopen'" in text


def test_unknown_from_state_is_reported() -> None:
    text = problems_after(set_in_action("archive", "from_states", ["served", "sevred"]))
    assert "action 'archive': from-state 'sevred' is not a declared state" in text


def test_unknown_to_state_is_reported() -> None:
    text = problems_after(set_in_action("archive", "to", "archvied"))
    assert "action 'archive': to-state 'archvied' is not a declared state" in text


def test_unknown_previous_state_is_reported() -> None:
    text = problems_after(
        set_in_action("record_payment", "previous_states", ["received", "extended", "limbo"])
    )
    assert "action 'record_payment': previous state 'limbo' is not a declared state" in text


def test_duplicate_from_state_is_reported_as_ambiguous() -> None:
    text = problems_after(set_in_action("archive", "from_states", ["served", "served"]))
    assert "action 'archive': ambiguous: from_states lists 'served' more than once" in text


def test_previous_from_an_initial_state_is_ambiguous() -> None:
    text = problems_after(
        add_action("undo", ["received"], PREVIOUS, previous_states=["awaiting_confirmation"])
    )
    assert "action 'undo': ambiguous: cannot tell the previous state of 'received'" in text


def test_previous_from_a_state_entered_by_previous_is_ambiguous() -> None:
    # A fee notice during a consultation would return to `consulting`, whose own
    # previous state would then have been overwritten.
    text = problems_after(
        set_in_action("issue_fee_notice", "from_states", ["received", "extended", "consulting"]),
        set_in_action("record_payment", "previous_states", ["received", "extended", "consulting"]),
    )
    assert "action 'conclude_consultation': ambiguous: cannot tell the previous state of" in text
    assert "history stack" in text


def test_previous_states_missing_an_entry_is_reported() -> None:
    text = problems_after(set_in_action("conclude_consultation", "previous_states", ["received"]))
    assert "can enter 'consulting' from 'extended'" in text
    assert "'extended' is not in previous_states" in text


def test_previous_state_that_can_never_be_previous_is_reported() -> None:
    text = problems_after(
        set_in_action(
            "conclude_consultation", "previous_states", ["received", "extended", "awaiting_fee"]
        )
    )
    assert "previous state 'awaiting_fee' can never be the state before consulting" in text


def test_previous_without_previous_states_is_reported() -> None:
    text = problems_after(set_in_action("record_payment", "previous_states", []))
    assert "action 'record_payment': goes to '@previous' but lists no previous_states" in text


def test_previous_states_on_an_ordinary_action_is_reported() -> None:
    text = problems_after(set_in_action("archive", "previous_states", ["served"]))
    assert "action 'archive': previous_states is only meaningful with to: '@previous'" in text


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("guards", ["reply_approved", "moon_is_full"], "unknown guard 'moon_is_full'"),
        ("effects", ["stop_reply_clock", "send_fax"], "unknown effect 'send_fax'"),
        ("letters", ["reply", "love_letter"], "unknown letter kind 'love_letter'"),
        ("roles", ["clerk", "janitor"], "unknown role 'janitor'"),
    ],
)
def test_unknown_registry_names_are_reported(key: str, value: list[str], expected: str) -> None:
    text = problems_after(set_in_action("issue_reply", key, value))
    assert f"action 'issue_reply': {expected}" in text


def test_load_workflow_checks_against_the_given_registries() -> None:
    with pytest.raises(WorkflowDefinitionError, match="unknown guard 'reply_approved'"):
        load_workflow(WORKFLOW_PATH, known_guards=code_registries().guards - {"reply_approved"})
    with pytest.raises(WorkflowDefinitionError, match="unknown effect 'start_remedy_periods'"):
        load_workflow(
            WORKFLOW_PATH, known_effects=code_registries().effects - {"start_remedy_periods"}
        )


def test_action_nobody_may_take_is_reported() -> None:
    text = problems_after(set_in_action("archive", "roles", []))
    assert "action 'archive': roles is empty" in text


def test_final_initial_state_is_reported() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["initial_states"] = ["received", "withdrawn"]

    text = problems_after(mutate)
    assert "initial state 'withdrawn' is final" in text


def test_unknown_initial_state_is_reported() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["initial_states"] = ["received", "draft"]

    assert "initial state 'draft' is not a declared state" in problems_after(mutate)


def test_non_final_state_with_no_way_out_is_a_dead_end() -> None:
    # Re-answering (reopen) is also a way out of `served`: drop it too.
    text = problems_after(drop_action("archive"), drop_action("reopen"))
    assert "non-final state 'served' is a dead end: no action leads out of it" in text


def test_non_final_state_with_only_a_self_loop_is_a_dead_end() -> None:
    text = problems_after(
        add_state("limbo"),
        add_action("to_limbo", ["received"], "limbo"),
        add_action("stay", ["limbo"], "limbo"),
    )
    assert "non-final state 'limbo' is a dead end: no action leads out of it" in text


def test_cycle_that_never_reaches_a_final_state_is_a_dead_end() -> None:
    text = problems_after(
        add_state("limbo_a"),
        add_state("limbo_b"),
        add_action("to_limbo", ["received"], "limbo_a"),
        add_action("a_to_b", ["limbo_a"], "limbo_b"),
        add_action("b_to_a", ["limbo_b"], "limbo_a"),
    )
    assert "'limbo_a' is a dead end: no path leads to a final state" in text
    assert "'limbo_b' is a dead end: no path leads to a final state" in text


def test_duplicate_action_code_in_yaml_is_reported() -> None:
    text = WORKFLOW_PATH.read_text(encoding="utf-8")
    duplicate = (
        "\n  archive:\n    label: 再归档\n    label_en: Archive again\n"
        "    from_states: [served]\n    to: archived\n    roles: [clerk]\n"
    )
    with pytest.raises(WorkflowDefinitionError) as excinfo:
        parse_workflow_text(text + duplicate)
    assert "duplicate key 'archive'" in str(excinfo.value)


def test_duplicate_payload_field_in_yaml_is_reported() -> None:
    text = WORKFLOW_PATH.read_text(encoding="utf-8").replace(
        "      reason: {type: str, required: true, label: 延期理由}\n",
        "      reason: {type: str, required: true, label: 延期理由}\n"
        "      reason: {type: int, required: false, label: 重复}\n",
    )
    with pytest.raises(WorkflowDefinitionError, match="duplicate key 'reason'"):
        parse_workflow_text(text)


def test_invalid_yaml_is_a_definition_error() -> None:
    with pytest.raises(WorkflowDefinitionError, match="not valid YAML"):
        parse_workflow_text("states: [unclosed\n")


def test_every_problem_is_listed_not_just_the_first() -> None:
    with pytest.raises(WorkflowDefinitionError) as excinfo:
        parse_workflow(
            _mutated(
                set_in_action("archive", "to", "archvied"),
                set_in_action("issue_reply", "guards", ["moon_is_full"]),
                set_in_action("extend", "roles", ["janitor"]),
            )
        )
    problems = excinfo.value.problems
    assert any("'archvied' is not a declared state" in p for p in problems)
    assert any("unknown guard 'moon_is_full'" in p for p in problems)
    assert any("unknown role 'janitor'" in p for p in problems)
    # The broken archive action also strands `archived` and leaves `served` nowhere to go.
    assert any("'archived' is unreachable" in p for p in problems)


def _mutated(*mutations: Mutation) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    for mutate in mutations:
        mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (set_in_action("extend", "gaurds", []), "action 'extend': gaurds: Extra inputs"),
        (
            set_in_action("extend", "payload", {"days": {"type": "float", "label": "天"}}),
            "action 'extend': payload.days.type",
        ),
        (set_in_action("extend", "outcome", "Not A Code"), "action 'extend': outcome"),
        (set_in_action("extend", "code", "lengthen"), "'code' 'lengthen' differs from its key"),
        (lambda d: d["states"]["received"].pop("label"), "state 'received': label: Field required"),
        (lambda d: d["states"]["received"].update(clock="ticking"), "state 'received': clock"),
        (lambda d: d.update(version="1"), "workflow: version"),
        (lambda d: d.update(version=0), "workflow: version"),
        (lambda d: d.update(stats={}), "unknown top-level key 'stats'"),
        (lambda d: d.pop("actions"), "'actions' must be a non-empty mapping"),
    ],
)
def test_structural_errors_name_the_entry_and_field(mutation: Mutation, expected: str) -> None:
    assert expected in problems_after(mutation)


def test_letter_condition_must_name_a_payload_field_and_a_valid_choice() -> None:
    text = problems_after(
        set_in_action(
            "start_consultation",
            "letters",
            [
                {"kind": "third_party_consultation", "when": {"kind": "third"}},
                {"kind": "organ_consultation", "when": {"whom": "organ"}},
            ],
        )
    )
    assert "condition on 'kind': 'third' is not one of" in text
    assert "condition on 'whom': no such payload field" in text


def test_choices_on_a_non_string_field_are_reported() -> None:
    text = problems_after(
        set_in_action(
            "extend",
            "payload",
            {"days": {"type": "int", "required": True, "label": "天数", "choices": ["5"]}},
        )
    )
    assert "payload field 'days': choices need type 'str'" in text


def _choice_field(choices: Any) -> Mutation:
    return set_in_action(
        "extend",
        "payload",
        {"basis": {"type": "str", "required": True, "label": "依据", "choices": choices}},
    )


def test_choices_given_as_a_mapping_keep_codes_for_the_api_and_labels_for_forms() -> None:
    data = copy.deepcopy(RAW)
    _choice_field({"law": "法律规定", "practice": "工作惯例"})(data)
    field = parse_workflow(data).action("extend").field("basis")
    assert field.choices == ("law", "practice")
    assert field.options() == (("law", "法律规定"), ("practice", "工作惯例"))
    dumped = parse_workflow(data).model_dump(mode="json")["actions"]["extend"]["payload"]
    assert dumped == [
        {
            "name": "basis",
            "type": "str",
            "required": True,
            "label": "依据",
            "choices": ["law", "practice"],
        }
    ]


def test_choices_as_a_list_stay_valid_and_label_themselves() -> None:
    data = copy.deepcopy(RAW)
    _choice_field(["law", "practice"])(data)
    field = parse_workflow(data).action("extend").field("basis")
    assert field.options() == (("law", "law"), ("practice", "practice"))


def test_the_reply_type_offers_every_outcome_of_the_statute_in_words() -> None:
    field = WF.action("submit_reply").field("outcome")
    assert field.choices == tuple(OUTCOMES)
    assert dict(field.options())["withheld.state_secret"] == OUTCOMES["withheld.state_secret"].label
    assert "no vocabulary 'verdicts'" in problems_after(_choice_field("verdicts"))


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"law": "法律规定", "practice": ""}, "choice 'practice' needs a Chinese label"),
        ({"law": None}, "choice 'law' needs a Chinese label"),
        ({"law": ["法律"]}, "choice 'law' needs a Chinese label"),
        ({True: "是", "law": "法律规定"}, "choice code True must be text (quote it in the YAML)"),
        ({}, "choices is an empty mapping"),
    ],
)
def test_a_bad_choices_mapping_fails_to_load_with_a_clear_message(
    choices: Any, message: str
) -> None:
    text = problems_after(_choice_field(choices))
    assert "action 'extend': payload field 'basis': " + message in text


def test_a_yaml_bare_yes_as_a_choice_code_is_refused_when_loading(tmp_path: Path) -> None:
    text = WORKFLOW_PATH.read_text(encoding="utf-8").replace(
        "          per_piece: 按件计收", "          yes: 按件计收"
    )
    path = tmp_path / "foi_application.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as excinfo:
        load_workflow(path)
    assert "payload field 'method': choice code True must be text" in str(excinfo.value)


@pytest.mark.parametrize("name", ["foi_application", "record_correction"])
def test_every_shipped_choice_has_a_chinese_label(name: str) -> None:
    wf = load_workflow(WORKFLOW_PATH.with_name(f"{name}.yaml"))
    fields = [f for a in wf.actions.values() for f in a.payload if f.choices]
    assert fields
    for f in fields:
        for code, label in f.options():
            assert label != code, (f.name, code)
            assert re.search(r"[\u4e00-\u9fff]", label), (f.name, code)


def test_too_long_state_code_is_reported() -> None:
    # cases.state is VARCHAR(32).
    long_code = "s" * 33
    text = problems_after(add_state(long_code))
    assert f"state '{long_code}': code" in text


# --------------------------------------------------------------------------- diagram


def test_mermaid_declares_every_state_with_its_chinese_label() -> None:
    text = to_mermaid(WF)
    assert text.splitlines()[1] == "stateDiagram-v2"
    for state in WF.states.values():
        assert f'state "{state.label}" as {state.code}' in text


def test_mermaid_draws_every_action() -> None:
    text = to_mermaid(WF)
    for action in WF.actions.values():
        assert f"{action.label} ({action.code})" in text
    assert "served --> archived: 归档 (archive)" in text
    assert "consulting --> consulting: 登记意见 (record_opinion)" in text


def test_mermaid_draws_previous_back_to_each_possible_state() -> None:
    text = to_mermaid(WF)
    assert "awaiting_fee --> received: ↩ 登记缴费 (record_payment)" in text
    assert "awaiting_fee --> extended: ↩ 登记缴费 (record_payment)" in text
    assert PREVIOUS not in text


def test_mermaid_marks_initial_and_final_states() -> None:
    lines = to_mermaid(WF).splitlines()
    assert "    [*] --> awaiting_confirmation" in lines
    assert "    [*] --> received" in lines
    assert "    archived --> [*]" in lines
    assert "    withdrawn --> [*]" in lines
    assert "    served --> [*]" not in lines


def test_mermaid_is_deterministic() -> None:
    assert to_mermaid(WF) == to_mermaid(load_workflow(WORKFLOW_PATH))


def test_mermaid_escapes_label_syntax() -> None:
    data = _mutated(set_in_action("archive", "label", '归档: "完成"; #1'))
    text = to_mermaid(parse_workflow(data))
    assert "served --> archived: 归档： ＂完成＂； ＃1 (archive)" in text


def test_parse_workflow_returns_a_workflow_def() -> None:
    assert isinstance(parse_workflow(copy.deepcopy(RAW)), WorkflowDef)


def test_the_applicant_sees_only_listed_events_and_what_to_do_by_when() -> None:
    assert set(WF.applicant_timeline) >= {"submit", "request_correction", "issue_reply"}
    # Internal steps never reach the applicant.
    for internal in ("legal_approve", "approve_reply", "confidentiality_review", "record_opinion"):
        assert internal not in WF.applicant_timeline
    consult = WF.applicant_timeline["start_consultation"]
    assert consult.applies({"kind": "third_party"})
    assert not consult.applies({"kind": "legal_office"})
    task = WF.state("awaiting_correction").applicant_task
    assert task is not None
    assert task.deadline == "correction"


@pytest.mark.parametrize(
    ("timeline", "problem"),
    [
        ({"fly_away": "飞走"}, "applicant_timeline names 'fly_away'"),
        (
            {"start_consultation": {"label": "征求意见", "when": {"colour": ["red"]}}},
            "'when' names 'colour'",
        ),
        (["submit"], "'applicant_timeline' must be a mapping"),
    ],
)
def test_the_applicant_timeline_must_name_real_events(timeline: Any, problem: str) -> None:
    data = copy.deepcopy(RAW)
    data["applicant_timeline"] = timeline
    with pytest.raises(WorkflowDefinitionError, match=re.escape(problem)):
        parse_workflow(data)
