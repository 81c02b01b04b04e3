"""Draw a workflow as SVG on the server: DOT text from the definition, laid out by Graphviz `dot`.

No browser script and nothing from another origin: the page embeds the SVG inline and the API
serves the same text (/api/v1/workflows/{name}/diagram.svg). `dot` runs with a timeout; its
output is cached per workflow version (and DOT text, so an edited definition is never answered
from an older drawing). Without `dot` (Debian package `graphviz`) DiagramUnavailable says so.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading

from app.errors import DomainError
from app.workflow.definition import WorkflowDef
from app.workflow.diagram import edges

DOT_TIMEOUT_S = 10.0
# The family fontconfig resolves for Chinese; the browser uses the same name when it has it.
FONT = "Noto Sans CJK SC"
_RETURN_MARK = "↩ "

_cache: dict[tuple[str, int, str], str] = {}
_lock = threading.Lock()


class DiagramUnavailable(DomainError):
    """The SVG could not be drawn; the detail says why, in Chinese and English."""

    status = 503
    code = "diagram-unavailable"
    title = "流程图暂不可用 / Diagram unavailable"


def _quoted(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, `&` kept literal, one line."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return '"' + " ".join(text.split()) + '"'


def to_dot(wf: WorkflowDef) -> str:
    """The workflow as Graphviz DOT with Chinese labels; final states drawn doubled and grey."""
    font = _quoted(FONT)
    # Left to right: the FOI chart comes out about as tall as wide (top to bottom it is three
    # times wider than tall), so it reads in a page column.
    lines = [
        f"digraph {_quoted(wf.name)} {{",
        f"  graph [label={_quoted(f'{wf.title}（第 {wf.version} 版）')}, labelloc=t,"
        f" fontname={font}, fontsize=16, rankdir=LR, nodesep=0.4, ranksep=0.5];",
        f"  node [fontname={font}, fontsize=12, shape=box, style=rounded];",
        f"  edge [fontname={font}, fontsize=10];",
        '  start__ [label="", shape=circle, style=filled, fillcolor=black, width=0.2];',
    ]
    for s in wf.states.values():
        extra = ', peripheries=2, style="rounded,filled", fillcolor="#e8e8e8"' if s.final else ""
        lines.append(f"  {_quoted(s.code)} [label={_quoted(s.label)}{extra}];")
    lines += [f"  start__ -> {_quoted(code)};" for code in wf.initial_states]
    # Several actions along the same arrow share it, one label line each.
    arrows: dict[tuple[str, str, bool], list[str]] = {}
    for src, target, action in edges(wf):
        mark = _RETURN_MARK if action.may_return else ""
        arrows.setdefault((src, target, action.may_return), []).append(mark + action.label)
    for (src, target, dashed), labels in arrows.items():
        label = "\\n".join(_quoted(x)[1:-1] for x in dict.fromkeys(labels))
        style = ", style=dashed" if dashed else ""
        lines.append(f'  {_quoted(src)} -> {_quoted(target)} [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_XLINK = re.compile(r'\s+xmlns:xlink="[^"]*"')
_SVG_OPEN = re.compile(r"<svg\b")


def _embeddable(raw: str, title: str) -> str:
    """dot's SVG without the XML prolog, doctype and comments, named for screen readers."""
    svg = _COMMENT.sub("", _PROLOG.sub("", raw, count=1)).strip()
    if "xlink:href" not in svg:
        # No links are drawn, so the xlink namespace (another URL) goes.
        svg = _XLINK.sub("", svg, count=1)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return _SVG_OPEN.sub(f'<svg role="img" aria-label="{label}"', svg, count=1)


def _dot_executable() -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise DiagramUnavailable(
            "服务器未安装 Graphviz（dot），无法绘制流程图 / Graphviz `dot` is not installed"
        )
    return exe


def workflow_svg(wf: WorkflowDef, *, timeout: float = DOT_TIMEOUT_S) -> str:
    """The workflow diagram as embeddable SVG text (cached), or DiagramUnavailable."""
    exe = _dot_executable()
    dot = to_dot(wf)
    key = (wf.name, wf.version, hashlib.sha256(dot.encode("utf-8")).hexdigest())
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        done = subprocess.run(  # noqa: S603 (a fixed executable; the DOT text goes to stdin)
            [exe, "-Tsvg"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DiagramUnavailable(
            f"绘制流程图超时（{timeout:g} 秒）/ dot took longer than {timeout:g} s"
        ) from None
    except OSError as exc:
        raise DiagramUnavailable(f"无法运行 Graphviz（dot）/ cannot run dot: {exc}") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise DiagramUnavailable(f"Graphviz（dot）绘图失败 / dot failed: {reason}")
    svg = _embeddable(done.stdout.decode("utf-8"), f"办理流程图：{wf.title}（第 {wf.version} 版）")
    with _lock:
        _cache[key] = svg
    return svg
