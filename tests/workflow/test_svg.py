"""The workflow diagram drawn by Graphviz on the server: every state, nothing external, cached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.workflow.definition import load_workflow
from app.workflow.diagram import edges
from app.workflow.svg import DiagramUnavailable, to_dot, workflow_svg

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
FOI = load_workflow(WORKFLOWS / "foi_application.yaml")
RC = load_workflow(WORKFLOWS / "record_correction.yaml")
SVG_NS = "http://www.w3.org/2000/svg"


def test_dot_names_every_state_and_doubles_the_final_ones() -> None:
    dot = to_dot(FOI)
    for s in FOI.states.values():
        line = next(x for x in dot.splitlines() if x.startswith(f'  "{s.code}" ['))
        assert f'label="{s.label}"' in line
        assert ("peripheries=2" in line) is s.final
    assert 'fontname="Noto Sans CJK SC"' in dot
    assert dot.count("start__ ->") == len(FOI.initial_states)


def test_dot_draws_every_arrow_with_its_action_labels() -> None:
    dot = to_dot(FOI)
    for src, target, action in edges(FOI):
        found = re.findall(rf'^  "{src}" -> "{target}" \[label="([^"]*)"', dot, re.M)
        labels = {x for label in found for x in label.split("\\n")}
        mark = "↩ " if action.may_return else ""
        assert mark + action.label in labels, (src, target, action.code)


def test_dot_strings_escape_quotes_and_backslashes() -> None:
    odd = FOI.model_copy(update={"title": 'a "quoted" \\ title'})
    assert 'label="a \\"quoted\\" \\\\ title（第 9 版）"' in to_dot(odd)


@pytest.mark.parametrize("wf", [FOI, RC], ids=lambda wf: wf.name)
def test_the_svg_holds_every_state_label_and_refers_to_nothing_outside(wf: object) -> None:
    svg = workflow_svg(wf)  # type: ignore[arg-type]
    assert svg.startswith('<svg role="img" aria-label="办理流程图：')
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    assert "<!--" not in svg
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for s in wf.states.values():  # type: ignore[attr-defined]
        assert s.label in texts
    assert set(re.findall(r"https?://[^\s\"'<>]*", svg)) == {SVG_NS}
    assert "href" not in svg
    assert 'font-family="Noto Sans CJK SC"' in svg


def test_the_svg_is_cached_per_workflow_version() -> None:
    first = workflow_svg(FOI)
    assert workflow_svg(FOI) is first
    newer = FOI.model_copy(update={"version": FOI.version + 100})
    drawn = workflow_svg(newer)
    assert drawn is not first
    assert f"第 {FOI.version + 100} 版" in drawn


def test_a_dot_that_takes_too_long_is_stopped_and_said_so() -> None:
    slow = FOI.model_copy(update={"version": 10_001})
    with pytest.raises(DiagramUnavailable, match="绘制流程图超时"):
        workflow_svg(slow, timeout=0.0001)


def test_without_graphviz_the_diagram_is_unavailable_in_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DiagramUnavailable, match="服务器未安装 Graphviz") as excinfo:
        workflow_svg(FOI)
    assert excinfo.value.status == 503
