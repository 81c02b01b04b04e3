"""Editing a draft letter's own texts on an action's preview step (/staff/cases/{id}/actions/…).

What a clerk may change in a letter is declared once, next to its kind (KindInfo.editable);
texts the action's payload carries are edited in the action's form instead, since the payload
is what the event records and it wins over a draft's fields when the letter is issued. Each
letter the action will issue gets a fieldset in the form, its inputs named
``letter.<kind>.<field>``; the texts are stored in the draft (re-previewed) and the issued
letter carries them (app.letters.service.issue issues the open draft).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.letters import repository as letters_repo
from app.letters.kinds import DraftField, kind_info
from app.validation.text import clean_text
from app.web.forms import FieldErrors
from app.workflow.definition import ActionDef

MAX_TEXT = 4000  # a letter text's length (app.letters.bodies_common.Text)
MAX_LINES = 50


@dataclass
class DraftForm:
    """The editable texts of one letter the action will issue, as the form shows them."""

    kind: str
    title: str
    fields: tuple[DraftField, ...]
    values: dict[str, str] = field(default_factory=dict)

    def input_name(self, name: str) -> str:
        return input_name(self.kind, name)


def input_name(kind: str, name: str) -> str:
    return f"letter.{kind}.{name}"


def draft_fields(action: ActionDef, kind: str) -> tuple[DraftField, ...]:
    """The kind's editable texts that the action's own form does not ask for."""
    asked = {f.name for f in action.payload}
    return tuple(f for f in kind_info(kind).editable if f.name not in asked)


def _kinds(action: ActionDef, payload: Mapping[str, Any]) -> list[str]:
    return [rule.kind for rule in action.letters if rule.applies(payload)]


def _text(form: FormData, name: str) -> str | None:
    """The posted text of an input (None: the form did not carry it)."""
    texts = [v for v in form.getlist(name) if isinstance(v, str)]
    return "\n".join(texts)[: MAX_TEXT * 2] if texts else None


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def posted_edits(
    action: ActionDef, payload: Mapping[str, Any], form: FormData
) -> tuple[dict[str, dict[str, Any]], FieldErrors]:
    """kind -> the letter's edited texts, for each letter whose fieldset the form carried (a
    blank text is left out of the letter); bad texts are errors beside their inputs."""
    edits: dict[str, dict[str, Any]] = {}
    errors = FieldErrors()
    for kind in _kinds(action, payload):
        for f in draft_fields(action, kind):
            name = input_name(kind, f.name)
            text = _text(form, name)
            if text is None:
                continue
            texts = edits.setdefault(kind, {})
            try:
                if f.lines:
                    lines = [line.strip() for line in text.splitlines() if line.strip()]
                    if len(lines) > MAX_LINES:
                        raise ValueError(f"至多{MAX_LINES}项 / at most {MAX_LINES} lines")
                    cleaned = [clean_text(line, field_max=MAX_TEXT) for line in lines]
                    texts[f.name] = cleaned or None
                else:
                    value = clean_text(text, field_max=MAX_TEXT, multiline=True, field_min=0)
                    texts[f.name] = value or None
            except ValueError as exc:
                errors.add(name, str(exc))
    return edits, errors


def changed(session: Session, case_id: int, edits: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether the posted texts differ from what the drafts previewed last hold."""
    for kind, texts in edits.items():
        draft = letters_repo.open_draft(session, case_id, kind)
        held = draft.fields if draft is not None else {}
        if any(held.get(name) != value for name, value in texts.items()):
            return True
    return False


def draft_forms(
    session: Session,
    case_id: int,
    action: ActionDef,
    payload: Mapping[str, Any],
    form: FormData | None,
) -> list[DraftForm]:
    """A fieldset for each letter with texts to edit: what was posted, else the draft's text."""
    out = []
    for kind in _kinds(action, payload):
        fields = draft_fields(action, kind)
        if not fields:
            continue
        draft = letters_repo.open_draft(session, case_id, kind)
        held = draft.fields if draft is not None else {}
        values = {}
        for f in fields:
            posted = _text(form, input_name(kind, f.name)) if form is not None else None
            values[f.name] = posted if posted is not None else _shown(held.get(f.name))
        out.append(DraftForm(kind, kind_info(kind).title, fields, values))
    return out


def with_edits(fields: Mapping[str, Any], texts: Mapping[str, Any]) -> dict[str, Any]:
    """A draft's fields with the edited texts (a cleared text is removed)."""
    merged = {**fields, **texts}
    return {k: v for k, v in merged.items() if v is not None}
