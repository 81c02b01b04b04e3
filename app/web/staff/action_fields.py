"""An action's payload declaration (the workflow YAML) as the fields of an HTML form: the case
page's action forms and the front desk's service form ask for exactly what the action takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.workflow.definition import ActionDef


@dataclass(frozen=True)
class FormField:
    """How one declared payload field is asked for on the page."""

    name: str
    label: str
    required: bool
    widget: str  # input | textarea | radios | select
    input_type: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    hint: str | None = None


_INPUTS = {"int": "number", "date": "date", "datetime": "datetime-local"}
_HINTS = {
    "list": "每行填写一项",
    "datetime": "当地时间",
    "object": "JSON 对象",
    "objects": "JSON 数组，每项为一个对象",
}


def form_fields(
    action: ActionDef,
    *,
    leave_out: frozenset[str] = frozenset(),
    sources: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> list[FormField]:
    """The action's payload declaration as form fields: its labels, choices and required marks
    (without the fields in ``leave_out``, which the page fills in itself); a field whose
    choices come from the code (`choices_from`) offers ``sources[name]``."""
    out = []
    for f in action.payload:
        if f.name in leave_out:
            continue
        hint = _HINTS.get(f.type)
        supplied = (sources or {}).get(f.choices_from) if f.choices_from else None
        if f.choices or supplied is not None:
            options = f.options() if f.choices else (supplied or ())
            widget = "radios" if len(options) <= 6 else "select"
            if widget == "select":
                options = (("", "请选择"), *options)
            out.append(FormField(f.name, f.label, f.required, widget, options=options))
        elif f.type == "bool":
            yes_no = (("true", "是"), ("false", "否"))
            out.append(FormField(f.name, f.label, f.required, "radios", options=yes_no))
        elif f.type in _INPUTS:
            out.append(FormField(f.name, f.label, f.required, "input", _INPUTS[f.type], hint=hint))
        else:
            out.append(FormField(f.name, f.label, f.required, "textarea", hint=hint))
    return out
