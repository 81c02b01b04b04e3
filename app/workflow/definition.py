"""The case workflow as data: frozen models, registries, and a loader that validates.

Each case type has its workflow in ``workflows/<name>.yaml`` (``foi_application``,
``record_correction``); ``load_workflows`` reads them all. Everything here is pure
(pydantic + PyYAML + stdlib): the engine that applies actions to stored cases builds on
these models and implements the guards and effects named in the registries below.

``"@previous"`` (``PREVIOUS``) as an action's ``to`` means "back to the state the case
was in immediately before it entered its current state". The engine derives that state
from the last state-changing transition (from != to); self-loops leave it unchanged. An
action that goes to ``"@previous"`` lists the states that can be in ``previous_states``,
and the loader checks that list is exactly the set of states the action's from-states
can be entered from. For reachability and dead-end checks such an action counts as an
edge to every state in ``previous_states``.

An action with ``returns_when`` goes to ``to`` unless its payload has the given values, and
then back to the previous state like ``"@previous"`` (a review that fails sends the draft
back). ``"@same"`` (``SAME``) as ``to`` keeps the case in whichever of its from-states it is
in (a record taken in several states). An action with ``leaves_final: true`` may leave a final state (re-answering a concluded
case); no other action may.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from app.outcomes import OUTCOMES

PREVIOUS = "@previous"
SAME = "@same"

# Lengths follow the columns that store them (cases.state, case_events.action).
STATE_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
STATE_CODE_MAX = 32
ACTION_CODE_MAX = 50
OUTCOME_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"


def receipt_waits(*workflows: WorkflowDef) -> dict[str, str]:
    """State -> the letter kind whose arrival it waits for, in any of the workflows given."""
    return {
        code: st.awaits_receipt_of
        for wf in workflows
        for code, st in wf.states.items()
        if st.awaits_receipt_of is not None
    }


def code_registries() -> Registries:
    """What the code implements — the guards and effects (app.workflow.rules), the roles
    (app.auth.roles) and the letter kinds (app.letters.kinds): a workflow file is checked
    against these, so no list here repeats them. Imported on use: those modules import this one.
    """
    from app.auth.roles import Role
    from app.letters.kinds import LetterKind
    from app.workflow.rules import EFFECTS, GUARDS

    return Registries(
        guards=frozenset(GUARDS),
        effects=frozenset(EFFECTS),
        roles=frozenset(Role),
        letter_kinds=frozenset(LetterKind),
    )


@dataclass(frozen=True)
class Registries:
    guards: frozenset[str]
    effects: frozenset[str]
    roles: frozenset[str]
    letter_kinds: frozenset[str]


# `list` is a list of texts; `objects` a list of objects (checked by whatever uses them).
PayloadType = Literal["str", "int", "date", "datetime", "bool", "list", "object", "objects"]
ClockMode = Literal["not_started", "running", "suspended", "paused", "stopped"]


_M = TypeVar("_M", bound=BaseModel)


class WorkflowDefinitionError(ValueError):
    """The workflow definition is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid workflow definition ({len(self.problems)} problems):\n{lines}")


class PayloadField(BaseModel):
    """One field of an action's payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=STATE_CODE_PATTERN, max_length=64)
    type: PayloadType
    required: bool = False
    label: str = Field(min_length=1)
    # Allowed values, for str fields that are enumerations; empty means free text.
    choices: tuple[str, ...] = ()
    # Their Chinese labels when the YAML gives `choices` as a mapping code -> label. Forms show
    # the labels; payloads, conditions and the JSON API keep the codes (not dumped).
    choice_labels: tuple[tuple[str, str], ...] = Field(default=(), exclude=True)
    # Choices the code supplies when a form asks (the organs on the platform, for 转办): the
    # payload stays free text checked by the action's guards; forms offer the current list.
    choices_from: Literal["organs"] | None = None

    @model_serializer(mode="wrap")
    def _without_unset_source(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Only a field whose choices the code supplies says so: the others dump as before.
        out: dict[str, Any] = handler(self)
        if out.get("choices_from", 0) is None:
            del out["choices_from"]
        return out

    def options(self) -> tuple[tuple[str, str], ...]:
        """The (code, label) pairs of the choices; a code without a label stands for itself."""
        labels = dict(self.choice_labels)
        return tuple((code, labels.get(code, code)) for code in self.choices)


class LetterRule(BaseModel):
    """A letter an action issues: always, or only when payload fields have given values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    # Payload field -> value; every pair must match for the letter to be issued.
    when: dict[str, str | bool] = Field(default_factory=dict)

    def applies(self, payload: Mapping[str, Any]) -> bool:
        """Whether this letter is issued for the given action payload."""
        return all(name in payload and payload[name] == v for name, v in self.when.items())


class ApplicantTask(BaseModel):
    """What the applicant must do while a case is in a state (the portal's 下一步)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    todo: str = Field(min_length=1)
    # The deadline (DeadlineRead.name) by which, if the case has one running.
    deadline: str | None = None


class TimelineEntry(BaseModel):
    """An event the applicant sees on their timeline, in plain words.

    Only events listed in the workflow's ``applicant_timeline`` are shown; with ``when``, only
    if every listed payload field has one of the given values.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    when: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def applies(self, payload: Mapping[str, Any]) -> bool:
        return all(payload.get(name) in values for name, values in self.when.items())


# Events that open a case's chain (app.intake.service), not actions of the workflow.
CREATION_EVENTS: frozenset[str] = frozenset({"submit", "register", "transfer_in"})


class StateDef(BaseModel):
    """One state a case can be in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=STATE_CODE_PATTERN, max_length=STATE_CODE_MAX)
    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    final: bool
    # Informational: what the reply clock does while a case is in this state. The
    # clock itself is driven by the actions' effects, not by this field.
    clock: ClockMode
    description: str = ""
    applicant_task: ApplicantTask | None = None
    # A final state that ends the case without an answer on the merits (a withdrawal): what
    # the applicant reads instead of the outcome's statistical label.
    applicant_note: str = ""
    # Flags the code outside the engine reads instead of state names: the case has an answer
    # (or a closure) the applicant could challenge; the notice whose arrival the state waits
    # for (its letter kind: the applicant's window runs from its receipt, RULES §4); a reply
    # issued and waiting to be served.
    answered: bool = False
    awaits_receipt_of: Literal["correction_notice", "fee_notice"] | None = None
    awaits_service: bool = False


class ActionDef(BaseModel):
    """One action: which states it leaves, where it goes, who may take it, what it does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=STATE_CODE_PATTERN, max_length=ACTION_CODE_MAX)
    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    from_states: tuple[str, ...]
    to: str
    previous_states: tuple[str, ...] = ()
    roles: tuple[str, ...]
    payload: tuple[PayloadField, ...] = ()
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    letters: tuple[LetterRule, ...] = ()
    outcome: str | None = Field(default=None, pattern=OUTCOME_PATTERN)
    # Payload field -> value: when every pair matches, back to the previous state, not `to`.
    returns_when: dict[str, str | bool] = Field(default_factory=dict)
    # The action may leave a final state (the only kind that may).
    leaves_final: bool = False
    # Letter kinds whose service (arrival at the addressee) this action records: the front
    # desk finds an issued letter by number and takes this action for it (/staff/service).
    records_service_of: tuple[str, ...] = ()
    description: str = ""

    @property
    def returns_to_previous(self) -> bool:
        """Whether the action goes back to the case's previous state."""
        return self.to == PREVIOUS

    @property
    def stays(self) -> bool:
        """Whether the action keeps the case in the state it is in."""
        return self.to == SAME

    @property
    def may_return(self) -> bool:
        """Whether the action can go back to the case's previous state."""
        return self.returns_to_previous or bool(self.returns_when)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every state the action can lead to."""
        if self.returns_to_previous:
            return self.previous_states
        if self.stays:
            return self.from_states
        if self.returns_when:
            return tuple(dict.fromkeys((self.to, *self.previous_states)))
        return (self.to,)

    def targets_from(self, src: str) -> tuple[str, ...]:
        """Every state the action can lead to from ``src``."""
        return (src,) if self.stays else self.targets

    @property
    def letter_kinds(self) -> tuple[str, ...]:
        """Every letter kind the action may issue, conditional ones included."""
        return tuple(rule.kind for rule in self.letters)

    def field(self, name: str) -> PayloadField:
        """The payload field called ``name``; KeyError if there is none."""
        for f in self.payload:
            if f.name == name:
                return f
        raise KeyError(f"action {self.code!r} has no payload field {name!r}")

    def returns_for(self, payload: Mapping[str, Any]) -> bool:
        """Whether, with this payload, the action goes back to the previous state."""
        if self.returns_to_previous:
            return True
        return bool(self.returns_when) and all(
            name in payload and payload[name] == v for name, v in self.returns_when.items()
        )

    def resolve_target(
        self,
        previous_state: str | None,
        payload: Mapping[str, Any] | None = None,
        current: str | None = None,
    ) -> str:
        """The state this action leads to, given the case's recorded previous state (and, for
        an action with ``returns_when``, its payload; for ``"@same"``, the current state)."""
        if self.stays:
            if current not in self.from_states:
                raise ValueError(f"action {self.code!r} cannot be taken in state {current!r}")
            return current
        if not self.returns_for(payload or {}):
            return self.to
        if previous_state not in self.previous_states:
            raise ValueError(
                f"action {self.code!r} returns to the previous state, which must be one of "
                f"{list(self.previous_states)}, not {previous_state!r}"
            )
        return previous_state


class WorkflowDef(BaseModel):
    """A whole workflow. Build it with ``load_workflow``/``parse_workflow`` so it is checked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=STATE_CODE_PATTERN)
    version: int = Field(strict=True, ge=1)
    title: str = Field(min_length=1)
    initial_states: tuple[str, ...]
    # Insertion order is the declaration order of the YAML; lookups and the diagram keep it.
    states: dict[str, StateDef]
    actions: dict[str, ActionDef]
    # Event (action) code -> how the applicant's timeline names it; nothing else is shown there.
    applicant_timeline: dict[str, TimelineEntry] = Field(default_factory=dict)

    def state(self, code: str) -> StateDef:
        """The state called ``code``; KeyError if there is none."""
        try:
            return self.states[code]
        except KeyError:
            raise KeyError(f"unknown state {code!r} in workflow {self.name!r}") from None

    def action(self, code: str) -> ActionDef:
        """The action called ``code``; KeyError if there is none."""
        try:
            return self.actions[code]
        except KeyError:
            raise KeyError(f"unknown action {code!r} in workflow {self.name!r}") from None

    def is_final(self, state: str) -> bool:
        """Whether ``state`` is final (only an action marked ``leaves_final`` leaves it)."""
        return self.state(state).final

    def label(self, state: str) -> str:
        """The Chinese label of ``state``."""
        return self.state(state).label

    def allowed_actions(self, state: str, roles: Collection[str]) -> list[str]:
        """Codes of actions that leave ``state`` and that any of ``roles`` may take.

        Guards are not evaluated here: they need the case, which is the engine's job.
        """
        # A bare string is a Collection[str] of characters and would silently match nothing.
        if isinstance(roles, str):
            raise TypeError("roles must be a collection of role codes, not a single string")
        self.state(state)
        held = set(roles)
        return [
            code
            for code, action in self.actions.items()
            if state in action.from_states and not held.isdisjoint(action.roles)
        ]

    def entered_from(self, state: str) -> list[str]:
        """States from which an action moves a case into ``state`` (self-loops aside)."""
        self.state(state)
        found = {
            src: None
            for action in self.actions.values()
            for src in action.from_states
            if src != state and state in action.targets_from(src)
        }
        return [code for code in self.states if code in found]

    def service_action(self, kind: str) -> ActionDef | None:
        """The action that records the service of a letter of ``kind`` (None: none does)."""
        for action in self.actions.values():
            if kind in action.records_service_of:
                return action
        return None

    def actions_from(self, state: str) -> list[ActionDef]:
        """Every action that leaves ``state``, whatever the role."""
        self.state(state)
        return [a for a in self.actions.values() if state in a.from_states]


# --------------------------------------------------------------------------- loading


def load_workflow(
    path: Path,
    *,
    known_guards: Collection[str] | None = None,
    known_effects: Collection[str] | None = None,
    known_roles: Collection[str] | None = None,
    known_letter_kinds: Collection[str] | None = None,
) -> WorkflowDef:
    """Read, parse and validate a workflow YAML file."""
    text = path.read_text(encoding="utf-8")
    return parse_workflow_text(
        text,
        known_guards=known_guards,
        known_effects=known_effects,
        known_roles=known_roles,
        known_letter_kinds=known_letter_kinds,
    )


def load_workflows(
    directory: Path,
    *,
    known_guards: Collection[str] | None = None,
    known_effects: Collection[str] | None = None,
    known_roles: Collection[str] | None = None,
    known_letter_kinds: Collection[str] | None = None,
) -> dict[str, WorkflowDef]:
    """Every workflow file (``*.yaml``) of a directory, keyed by its ``name``.

    A file's name must be its workflow's name (``foi_application.yaml``), so the file a case
    type runs on can be found by looking; sub-directories (the calendar) are not workflows.
    """
    found: dict[str, WorkflowDef] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            wf = load_workflow(
                path,
                known_guards=known_guards,
                known_effects=known_effects,
                known_roles=known_roles,
                known_letter_kinds=known_letter_kinds,
            )
        except WorkflowDefinitionError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
            continue
        if wf.name != path.stem:
            problems.append(f"{path.name}: declares name {wf.name!r}, not {path.stem!r}")
            continue
        found[wf.name] = wf
    if not found and not problems:
        problems.append(f"no workflow file (*.yaml) in {directory}")
    if problems:
        raise WorkflowDefinitionError(problems)
    return found


def parse_workflow_text(
    text: str,
    *,
    known_guards: Collection[str] | None = None,
    known_effects: Collection[str] | None = None,
    known_roles: Collection[str] | None = None,
    known_letter_kinds: Collection[str] | None = None,
) -> WorkflowDef:
    """Parse and validate a workflow given as YAML text."""
    try:
        data, duplicates = _load_yaml(text)
    except yaml.YAMLError as exc:
        raise WorkflowDefinitionError([f"not valid YAML: {exc}"]) from exc
    return _parse(
        data,
        duplicates,
        known_guards=known_guards,
        known_effects=known_effects,
        known_roles=known_roles,
        known_letter_kinds=known_letter_kinds,
    )


def parse_workflow(
    data: Any,
    *,
    known_guards: Collection[str] | None = None,
    known_effects: Collection[str] | None = None,
    known_roles: Collection[str] | None = None,
    known_letter_kinds: Collection[str] | None = None,
) -> WorkflowDef:
    """Build and validate a workflow from already-parsed YAML data (nested dicts/lists)."""
    return _parse(
        data,
        [],
        known_guards=known_guards,
        known_effects=known_effects,
        known_roles=known_roles,
        known_letter_kinds=known_letter_kinds,
    )


def _parse(
    data: Any,
    problems: list[str],
    *,
    known_guards: Collection[str] | None,
    known_effects: Collection[str] | None,
    known_roles: Collection[str] | None,
    known_letter_kinds: Collection[str] | None,
) -> WorkflowDef:
    problems = list(problems)
    wf = _build(data, problems)
    # Semantic checks need the whole structure; on structural errors they would only
    # repeat them (e.g. a state that failed to parse reappears as "unknown state").
    if wf is not None:
        problems += workflow_problems(
            wf,
            known_guards=known_guards,
            known_effects=known_effects,
            known_roles=known_roles,
            known_letter_kinds=known_letter_kinds,
        )
    if problems or wf is None:
        raise WorkflowDefinitionError(problems or ["workflow could not be built"])
    return wf


class _DuplicateKeyLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate mapping keys instead of keeping the last one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []


def _construct_mapping_checked(loader: _DuplicateKeyLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        # Merge keys ("<<") may legitimately be overridden; only plain keys are checked.
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            is_dup = key in seen
            seen.add(key)
        except TypeError:  # unhashable key; SafeLoader reports it below
            continue
        if is_dup:
            loader.duplicates.append(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1}: "
                "a later entry would silently replace the earlier one"
            )
    return loader.construct_mapping(node, deep=True)


_DuplicateKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping_checked,
)


def _load_yaml(text: str) -> tuple[Any, list[str]]:
    loader = _DuplicateKeyLoader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    return data, loader.duplicates


_TOP_LEVEL_KEYS = (
    "name",
    "version",
    "title",
    "initial_states",
    "states",
    "actions",
    "applicant_timeline",
)


def _build(data: Any, problems: list[str]) -> WorkflowDef | None:
    """Turn raw data into models, appending every structural problem to ``problems``."""
    start = len(problems)
    if not isinstance(data, Mapping):
        problems.append("the workflow must be a mapping at the top level")
        return None
    problems.extend(
        f"unknown top-level key {key!r} (allowed: {', '.join(_TOP_LEVEL_KEYS)})"
        for key in data
        if key not in _TOP_LEVEL_KEYS
    )

    states: dict[str, StateDef] = {}
    for key, raw in _entries(data, "states", problems):
        state = _validated(StateDef, _with_code(key, raw, f"state {key!r}", problems), problems)
        if state is not None:
            states[state.code] = state

    actions: dict[str, ActionDef] = {}
    for key, raw in _entries(data, "actions", problems):
        where = f"action {key!r}"
        fields = _with_code(key, raw, where, problems)
        if isinstance(fields, dict):
            fields = _normalise_action(fields, where, problems)
        action = _validated(ActionDef, fields, problems)
        if action is not None:
            actions[action.code] = action

    header = {k: data[k] for k in ("name", "version", "title", "initial_states") if k in data}
    raw_timeline = data.get("applicant_timeline") or {}
    if not isinstance(raw_timeline, Mapping):
        problems.append("'applicant_timeline' must be a mapping of event code -> label")
        raw_timeline = {}
    timeline = {
        code: {"label": raw} if isinstance(raw, str) else raw for code, raw in raw_timeline.items()
    }
    wf = _validated(
        WorkflowDef,
        {**header, "states": states, "actions": actions, "applicant_timeline": timeline},
        problems,
    )
    # Any structural problem means some entry is missing from wf: checking it further
    # would report that entry's absence as if it were a separate problem.
    return None if len(problems) > start else wf


def _entries(data: Mapping[Any, Any], key: str, problems: list[str]) -> list[tuple[Any, Any]]:
    section = data.get(key)
    if not isinstance(section, Mapping) or not section:
        problems.append(f"{key!r} must be a non-empty mapping of code -> definition")
        return []
    return list(section.items())


def _with_code(key: Any, raw: Any, where: str, problems: list[str]) -> Any:
    """The entry's fields with ``code`` taken from its key in the mapping."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: definition must be a mapping")
        return None
    if "code" in raw and raw["code"] != key:
        problems.append(f"{where}: 'code' {raw['code']!r} differs from its key")
    return {**raw, "code": key}


def _normalise_action(fields: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """YAML shorthands to model shape: payload mapping -> list, bare letter kind -> rule."""
    payload = fields.get("payload")
    if payload is None:
        fields.pop("payload", None)
    elif isinstance(payload, Mapping):
        items: list[Any] = []
        for name, spec in payload.items():
            if isinstance(spec, Mapping):
                if "name" in spec and spec["name"] != name:
                    problems.append(f"{where}: payload field {name!r} has a different 'name'")
                items.append(_choices_normalised({**spec, "name": name}, where, problems))
            else:
                problems.append(f"{where}: payload field {name!r} must be a mapping")
        fields["payload"] = items
    letters = fields.get("letters")
    if isinstance(letters, list):
        fields["letters"] = [{"kind": x} if isinstance(x, str) else x for x in letters]
    for key in ("guards", "effects", "letters", "previous_states", "records_service_of"):
        if key in fields and fields[key] is None:
            fields.pop(key)  # `guards:` with nothing after it means none
    return fields


# `choices: <name>` takes a vocabulary the code keeps, in its order with its labels.
VOCABULARIES: dict[str, Callable[[], dict[str, str]]] = {
    "outcomes": lambda: {code: o.label for code, o in OUTCOMES.items()},
}


def _choices_normalised(spec: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """`choices` given as a mapping code -> Chinese label (or as the name of a vocabulary, such
    as `outcomes`): the codes and their labels apart."""
    choices = spec.get("choices")
    if isinstance(choices, str):
        if choices not in VOCABULARIES:
            problems.append(
                f"{where}: payload field {spec['name']!r}: no vocabulary {choices!r} "
                f"(known: {sorted(VOCABULARIES)})"
            )
            return {**spec, "choices": []}
        choices = VOCABULARIES[choices]()
    if not isinstance(choices, Mapping):
        return spec
    field = f"{where}: payload field {spec['name']!r}"
    if not choices:
        problems.append(f"{field}: choices is an empty mapping (leave it out for free text)")
    codes: list[str] = []
    labels: list[tuple[str, str]] = []
    for code, label in choices.items():
        # YAML reads a bare yes/no/on/off or number as bool/int: such a code is not text.
        if not isinstance(code, str) or not code.strip():
            problems.append(f"{field}: choice code {code!r} must be text (quote it in the YAML)")
        elif not isinstance(label, str) or not label.strip():
            problems.append(
                f"{field}: choice {code!r} needs a Chinese label (choices: {{code: 标签}}), "
                f"got {label!r}"
            )
        else:
            codes.append(code)
            labels.append((code, label.strip()))
    return {**spec, "choices": codes, "choice_labels": labels}


def _validated(model: type[_M], fields: Any, problems: list[str]) -> _M | None:
    if fields is None:
        return None
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        where = _describe(model, fields)
        for err in exc.errors(include_url=False):
            loc = ".".join(str(part) for part in _readable_loc(err["loc"], fields))
            problems.append(f"{where}: {loc or '(entry)'}: {err['msg']}")
        return None


def _readable_loc(loc: tuple[int | str, ...], fields: Any) -> tuple[int | str, ...]:
    """Name payload fields in error locations: the YAML keys them by name, not position."""
    if len(loc) >= 2 and loc[0] == "payload" and isinstance(loc[1], int):
        try:
            return ("payload", str(fields["payload"][loc[1]]["name"]), *loc[2:])
        except (KeyError, IndexError, TypeError):
            pass
    return loc


def _describe(model: type[BaseModel], fields: Any) -> str:
    code = fields.get("code") if isinstance(fields, Mapping) else None
    if model is StateDef:
        return f"state {code!r}"
    if model is ActionDef:
        return f"action {code!r}"
    return "workflow"


# --------------------------------------------------------------------------- checking


def workflow_problems(
    wf: WorkflowDef,
    *,
    known_guards: Collection[str] | None = None,
    known_effects: Collection[str] | None = None,
    known_roles: Collection[str] | None = None,
    known_letter_kinds: Collection[str] | None = None,
) -> list[str]:
    """Every semantic problem of a structurally valid workflow; empty if it is sound. Names
    are checked against the registries given, or the code's (`code_registries`)."""
    code = code_registries()
    known_guards = code.guards if known_guards is None else known_guards
    known_effects = code.effects if known_effects is None else known_effects
    known_roles = code.roles if known_roles is None else known_roles
    known_letter_kinds = code.letter_kinds if known_letter_kinds is None else known_letter_kinds
    problems: list[str] = []
    problems += _check_keys(wf)
    problems += _check_initial_states(wf)
    for action in wf.actions.values():
        problems += _check_action(
            wf,
            action,
            known_guards=known_guards,
            known_effects=known_effects,
            known_roles=known_roles,
            known_letter_kinds=known_letter_kinds,
        )
    problems += _check_service_records(wf)
    problems += _check_previous(wf)
    problems += _check_graph(wf)
    problems += _check_applicant_view(wf)
    return problems


def _check_applicant_view(wf: WorkflowDef) -> list[str]:
    """The applicant's timeline names real events and payload fields."""
    problems: list[str] = []
    for code, entry in wf.applicant_timeline.items():
        if code in CREATION_EVENTS:
            continue
        if code not in wf.actions:
            problems.append(f"applicant_timeline names {code!r}, which is no action or event")
            continue
        names = {f.name for f in wf.actions[code].payload}
        problems += [
            f"applicant_timeline {code!r}: 'when' names {n!r}, no payload field of the action"
            for n in entry.when
            if n not in names
        ]
    return problems


def _check_keys(wf: WorkflowDef) -> list[str]:
    # Only reachable when a WorkflowDef is built by hand rather than parsed.
    problems = [
        f"state stored under {key!r} has code {s.code!r}"
        for key, s in wf.states.items()
        if key != s.code
    ]
    problems += [
        f"action stored under {key!r} has code {a.code!r}"
        for key, a in wf.actions.items()
        if key != a.code
    ]
    return problems


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for item in items:
        if item in seen and item not in dups:
            dups.append(item)
        seen.add(item)
    return dups


def _check_initial_states(wf: WorkflowDef) -> list[str]:
    problems: list[str] = []
    if not wf.initial_states:
        problems.append("initial_states is empty: no case could ever be created")
    problems += [
        f"initial_states lists {s!r} more than once" for s in _duplicates(wf.initial_states)
    ]
    for s in dict.fromkeys(wf.initial_states):
        if s not in wf.states:
            problems.append(f"initial state {s!r} is not a declared state")
        elif wf.states[s].final:
            problems.append(f"initial state {s!r} is final: a new case would be closed at once")
    return problems


def _check_action(
    wf: WorkflowDef,
    action: ActionDef,
    *,
    known_guards: Collection[str],
    known_effects: Collection[str],
    known_roles: Collection[str],
    known_letter_kinds: Collection[str],
) -> list[str]:
    where = f"action {action.code!r}"
    problems: list[str] = []

    if not action.from_states:
        problems.append(f"{where}: from_states is empty: the action can never be taken")
    problems += [
        f"{where}: ambiguous: from_states lists {s!r} more than once"
        for s in _duplicates(action.from_states)
    ]
    for s in dict.fromkeys(action.from_states):
        if s not in wf.states:
            problems.append(f"{where}: from-state {s!r} is not a declared state")
        elif wf.states[s].final and not action.leaves_final:
            problems.append(f"final state {s!r} has an outgoing action {action.code!r}")
    if action.leaves_final and not any(
        s in wf.states and wf.states[s].final for s in action.from_states
    ):
        problems.append(f"{where}: leaves_final, but none of its from-states is final")

    if action.returns_to_previous and action.returns_when:
        problems.append(f"{where}: returns_when is only meaningful with a fixed to-state")
    if action.may_return:
        if not action.previous_states:
            problems.append(f"{where}: goes to {PREVIOUS!r} but lists no previous_states")
        problems += [
            f"{where}: previous_states lists {s!r} more than once"
            for s in _duplicates(action.previous_states)
        ]
        problems += [
            f"{where}: previous state {s!r} is not a declared state"
            for s in dict.fromkeys(action.previous_states)
            if s not in wf.states
        ]
    if action.stays and action.may_return:
        problems.append(f"{where}: {SAME!r} cannot also return to a previous state")
    if not action.returns_to_previous and not action.stays:
        if action.to not in wf.states:
            problems.append(f"{where}: to-state {action.to!r} is not a declared state")
        if action.previous_states and not action.returns_when:
            problems.append(f"{where}: previous_states is only meaningful with to: {PREVIOUS!r}")

    if not action.roles:
        problems.append(f"{where}: roles is empty: nobody could take the action")
    registries: tuple[tuple[str, Collection[str], Iterable[str]], ...] = (
        ("role", known_roles, action.roles),
        ("guard", known_guards, action.guards),
        ("effect", known_effects, action.effects),
        ("letter kind", known_letter_kinds, action.letter_kinds),
        ("letter kind (records_service_of)", known_letter_kinds, action.records_service_of),
    )
    for what, known, used in registries:
        used = list(used)
        problems += [
            f"{where}: unknown {what} {name!r}" for name in dict.fromkeys(used) if name not in known
        ]
        problems += [
            f"{where}: {what} {name!r} listed more than once" for name in _duplicates(used)
        ]

    problems += [
        f"{where}: payload field {name!r} declared more than once"
        for name in _duplicates(f.name for f in action.payload)
    ]
    fields = {f.name: f for f in action.payload}
    for f in action.payload:
        if f.choices and f.type != "str":
            problems.append(f"{where}: payload field {f.name!r}: choices need type 'str'")
        stray = [code for code, _ in f.choice_labels if code not in f.choices]
        if stray:
            problems.append(f"{where}: payload field {f.name!r}: labels for no choice: {stray}")
    conditions = [(f"letter {rule.kind!r}", rule.when) for rule in action.letters]
    conditions.append(("returns_when", action.returns_when))
    for what, when in conditions:
        for name, value in when.items():
            field = fields.get(name)
            cond = f"{where}: {what} condition on {name!r}"
            if field is None:
                problems.append(f"{cond}: no such payload field")
            elif field.type == "bool" and not isinstance(value, bool):
                problems.append(f"{cond}: the field is bool, {value!r} is not")
            elif field.type == "str" and not isinstance(value, str):
                problems.append(f"{cond}: the field is str, {value!r} is not")
            elif field.choices and value not in field.choices:
                problems.append(f"{cond}: {value!r} is not one of {list(field.choices)}")
            elif field.type not in ("str", "bool"):
                problems.append(f"{cond}: conditions are only supported on str and bool fields")
    return problems


# The payload types that can say when a letter arrived.
_SERVICE_DATE_TYPES = frozenset({"date", "datetime"})


def _check_service_records(wf: WorkflowDef) -> list[str]:
    """`records_service_of`: each kind is issued by some action of the workflow, is recorded by
    one action only, and that action's payload can say when the letter arrived."""
    problems: list[str] = []
    issued = {kind for a in wf.actions.values() for kind in a.letter_kinds}
    recorder: dict[str, str] = {}
    for action in wf.actions.values():
        where = f"action {action.code!r}: records_service_of"
        for kind in dict.fromkeys(action.records_service_of):
            if kind not in issued:
                problems.append(f"{where}: no action of the workflow issues {kind!r}")
            if kind in recorder:
                problems.append(
                    f"{where}: {kind!r} is recorded by {recorder[kind]!r} already: "
                    "one action records a letter's service"
                )
            recorder.setdefault(kind, action.code)
        if action.records_service_of and not any(
            f.type in _SERVICE_DATE_TYPES for f in action.payload
        ):
            problems.append(f"{where}: the payload declares no date field for the arrival")
    return problems


def _entry_sources(wf: WorkflowDef) -> dict[str, dict[str, list[str]]]:
    """For each state: entering state -> actions that enter it from there (self-loops aside)."""
    sources: dict[str, dict[str, list[str]]] = {code: {} for code in wf.states}
    for action in wf.actions.values():
        for src in action.from_states:
            for target in action.targets_from(src):
                if target in sources and src != target:
                    sources[target].setdefault(src, []).append(action.code)
    return sources


def _check_previous(wf: WorkflowDef) -> list[str]:
    """Check that every "@previous" action can tell where to go back to."""
    problems: list[str] = []
    sources = _entry_sources(wf)
    entered_by_previous = {
        target: a.code for a in wf.actions.values() if a.may_return for target in a.previous_states
    }
    for action in wf.actions.values():
        if not action.may_return:
            continue
        where = f"action {action.code!r}"
        possible: set[str] = set()
        for src in dict.fromkeys(action.from_states):
            if src not in wf.states:
                continue  # already reported
            if src in wf.initial_states:
                problems.append(
                    f"{where}: ambiguous: cannot tell the previous state of {src!r}, "
                    "an initial state (a case created there has none)"
                )
            if src in entered_by_previous:
                problems.append(
                    f"{where}: ambiguous: cannot tell the previous state of {src!r}, "
                    f"which is itself entered by {PREVIOUS!r} "
                    f"(action {entered_by_previous[src]!r}): that would need a history stack"
                )
            entries = sources[src]
            if not entries:
                problems.append(f"{where}: from-state {src!r} is never entered from another state")
            possible.update(entries)
            for prev, via in entries.items():
                if prev not in action.previous_states:
                    problems.append(
                        f"{where}: a case can enter {src!r} from {prev!r} "
                        f"(via {', '.join(via)}) but {prev!r} is not in previous_states"
                    )
        problems += [
            f"{where}: previous state {s!r} can never be the state before "
            f"{' / '.join(action.from_states)}"
            for s in dict.fromkeys(action.previous_states)
            if s in wf.states and s not in possible
        ]
    return problems


def _successors(wf: WorkflowDef) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {code: set() for code in wf.states}
    for action in wf.actions.values():
        for src in action.from_states:
            if src in graph:
                graph[src].update(t for t in action.targets_from(src) if t in wf.states)
    return graph


def _closure(starts: Iterable[str], graph: Mapping[str, Iterable[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_graph(wf: WorkflowDef) -> list[str]:
    """Reachability from the initial states, and a way out of every non-final state."""
    problems: list[str] = []
    graph = _successors(wf)
    reachable = _closure((s for s in wf.initial_states if s in wf.states), graph)
    problems += [
        f"state {code!r} is unreachable from the initial states"
        for code in wf.states
        if code not in reachable
    ]

    reverse: dict[str, set[str]] = {code: set() for code in wf.states}
    for src, targets in graph.items():
        for t in targets:
            reverse[t].add(src)
    finals = [code for code, s in wf.states.items() if s.final]
    can_finish = _closure(finals, reverse)
    for code, state in wf.states.items():
        if state.final:
            continue
        if not graph[code] - {code}:
            problems.append(f"non-final state {code!r} is a dead end: no action leads out of it")
        elif code not in can_finish:
            problems.append(
                f"non-final state {code!r} is a dead end: no path leads to a final state"
            )
    if not finals:
        problems.append("no state is final: no case could ever be closed")
    return problems
