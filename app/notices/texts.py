"""Notice texts: Jinja2 templates rendered in a sandbox, the defaults in templates/notices/ and
an organ's own wording stored in `notice_texts`.

A text is a subject line and a body; the default files hold the subject on the first line and
the body on the rest. Templates are plain text (no HTML escaping: pages escape when they show a
notice). The sandbox refuses attribute access to internals (``''.__class__``), undefined names
are errors (a typo is caught by the preview and on saving), and a rendered text is cut at a
bounded length, so an organ's text can neither read the server's objects nor flood a mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.config import PROJECT_ROOT
from app.errors import InvalidInput
from app.notices.kinds import TEXT_KINDS

DEFAULTS_DIR = PROJECT_ROOT / "templates" / "notices"
MAX_SUBJECT = 200
MAX_BODY = 8000
MAX_SOURCE = 8000


@dataclass(frozen=True)
class NoticeTemplate:
    subject: str
    body: str


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    body: str


class _Env(ImmutableSandboxedEnvironment):
    pass


@cache
def environment() -> ImmutableSandboxedEnvironment:
    return _Env(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
    )


@cache
def default_template(kind: str) -> NoticeTemplate:
    """The shipped text of a kind (templates/notices/<kind>.txt)."""
    if kind not in TEXT_KINDS:
        raise KeyError(kind)
    text = (DEFAULTS_DIR / f"{kind}.txt").read_text(encoding="utf-8")
    subject, _, body = text.partition("\n")
    return NoticeTemplate(subject=subject.strip(), body=body.rstrip("\n"))


class NoticeTextInvalid(InvalidInput):
    code = "notice-text-invalid"
    title = "提醒文本模板有误 / The notice text does not render"


def render(template: NoticeTemplate, context: dict[str, Any]) -> RenderedNotice:
    """Render a text; any failure (syntax, an undefined name, a refused attribute, an error
    the template raises) is a NoticeTextInvalid naming the part and the reason."""
    env = environment()
    out: dict[str, str] = {}
    for part, source in (("subject", template.subject), ("body", template.body)):
        if len(source) > MAX_SOURCE:
            raise NoticeTextInvalid(part, f"模板过长（最多 {MAX_SOURCE} 字）/ template too long")
        try:
            text = env.from_string(source).render(context)
        except Exception as exc:  # a template's own error is the author's to fix, never a 500
            reason = f"{type(exc).__name__}: {exc}"[:300]
            raise NoticeTextInvalid(
                part, f"模板无法渲染：{reason} / the template does not render: {reason}"
            ) from exc
        out[part] = text
    subject = " ".join(out["subject"].split())[:MAX_SUBJECT]
    return RenderedNotice(subject=subject, body=out["body"][:MAX_BODY])


def sample_context(kind: str) -> dict[str, Any]:
    """Sample data a preview renders with: the same names a real notice has."""
    case = {"id": 1, "number": "示例依申〔2026〕0001号", "case_type": "foi_application"}
    case["state"] = "processing"
    common: dict[str, Any] = {
        "organ_name": "示例区人民政府办公室",
        "link": "https://gongkai.example.gov.cn/staff/cases/1",
    }
    if kind == "due_soon":
        return {
            **common,
            "case": case,
            "deadline": "reply",
            "deadline_label": "答复期限",
            "due": "2026-12-14",
            "threshold": 5,
            "remaining_wd": 5,
        }
    if kind == "overdue":
        return {
            **common,
            "case": case,
            "deadline": "reply",
            "deadline_label": "答复期限",
            "due": "2026-12-14",
        }
    if kind == "consultation_window_ended":
        return {
            **common,
            "case": case,
            "consultation": {
                "code": "Z1",
                "kind": "third_party",
                "kind_label": "征求第三方意见",
                "window_due": "2026-12-10",
            },
        }
    if kind == "digest":
        return {
            **common,
            "user_name": "李静",
            "date": date(2026, 12, 7).isoformat(),
            "overdue": [{"id": 1, "number": case["number"], "due": "2026-12-04"}],
            "overdue_count": 1,
            "due_this_week": [{"id": 2, "number": "示例依申〔2026〕0002号", "due": "2026-12-10"}],
            "due_this_week_count": 1,
            "awaiting": [{"label": "办理中", "count": 3}],
        }
    if kind == "release_expiring":
        return {
            **common,
            "case": case,
            "until": "2026-12-14",
            "files": [{"id": 1, "title": "采购合同"}],
            "downloaded": False,
        }
    if kind == "calendar_missing":
        return {
            **common,
            "year": 2027,
            "cases": [{"id": 1, "number": case["number"], "due": "2027-01-08", "organ_id": 1}],
            "case_count": 1,
        }
    if kind == "assigned":
        return {**common, "case": case, "to_department": False}
    if kind == "assistance_requested":
        return {**common, "case": case, "due_on": "2026-12-10"}
    if kind == "assistance_answered":
        return {
            **common,
            "case": case,
            "outcome": "found",
            "outcome_label": "已查到，提供相关信息",
        }
    if kind == "transferred_in":
        return {
            **common,
            "case": case,
            "from_organ": {"code": "demo-b", "name": "示例区住房和城乡建设局"},
            "from_case": {"id": 7, "number": "示例住建依申〔2026〕0007号"},
        }
    raise KeyError(kind)
