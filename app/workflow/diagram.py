"""Draw a workflow as a Mermaid state diagram (stateDiagram-v2)."""

from __future__ import annotations

from app.workflow.definition import ActionDef, WorkflowDef

# Characters Mermaid reads as syntax inside labels, swapped for full-width look-alikes
# so labels render as written instead of breaking the diagram.
_LABEL_ESCAPES = str.maketrans(
    {
        '"': "＂",
        ":": "：",
        ";": "；",
        "#": "＃",
        "{": "｛",
        "}": "｝",
        "<": "＜",
        ">": "＞",
        "\n": " ",
        "\r": " ",
    }
)

_RETURN_MARK = "↩ "


def _text(label: str) -> str:
    return label.translate(_LABEL_ESCAPES)


def _edge_label(action: ActionDef) -> str:
    mark = _RETURN_MARK if action.may_return else ""
    return f"{mark}{_text(action.label)} ({action.code})"


def edges(wf: WorkflowDef) -> list[tuple[str, str, ActionDef]]:
    """Every (from state, to state, action) arrow of the workflow, in declaration order.

    An action that may return draws one edge back to each state a case in its source state can
    have come from (and to its declared target unless it always returns).
    """
    found: list[tuple[str, str, ActionDef]] = []
    for action in wf.actions.values():
        for src in action.from_states:
            targets = action.targets_from(src)
            if action.may_return:
                came_from = wf.entered_from(src)
                back = tuple(t for t in action.previous_states if t in came_from)
                targets = back if action.returns_to_previous else (action.to, *back)
            found += [(src, target, action) for target in targets]
    return found


def to_mermaid(wf: WorkflowDef) -> str:
    """The workflow as Mermaid stateDiagram-v2 source, with Chinese labels; deterministic."""
    lines = [
        f"%% {_text(wf.title)} — {wf.name} v{wf.version}",
        "stateDiagram-v2",
    ]
    # Declaration order throughout, so the same definition always gives the same text.
    lines += [f'    state "{_text(s.label)}" as {s.code}' for s in wf.states.values()]
    lines += [f"    [*] --> {code}" for code in wf.initial_states]
    lines += [f"    {src} --> {target}: {_edge_label(action)}" for src, target, action in edges(wf)]
    lines += [f"    {s.code} --> [*]" for s in wf.states.values() if s.final]
    return "\n".join(lines) + "\n"
