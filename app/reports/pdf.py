"""The annual report as a PDF laid out like the published tables (A4 landscape).

The HTML comes from ``templates/reports/annual.html`` (Jinja2, autoescaped, StrictUndefined: an
organ's name or an override's reason is text) and goes through the letters' press
(app.letters.press): the same warm WeasyPrint processes, the same cut-down CJK faces (declared
by the letter stylesheet the press applies to every document) and the same font stack, and a
URL fetcher that loads nothing the page names. The report's own stylesheet is inlined in the
page, so the press needs no access to ``templates/reports/``; author styles outrank the letter
stylesheet, which WeasyPrint applies as a user stylesheet.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment

from app.letters.render import PROJECT_ROOT, template_environment
from app.reports import printed
from app.reports.schemas import AnnualReport
from app.runtime import Runtime

MEDIA_TYPE = "application/pdf"
TEMPLATES_DIR = PROJECT_ROOT / "templates" / "reports"


@cache
def _environment(directory: Path = TEMPLATES_DIR) -> Environment:
    """Built on first use, once per process."""
    return template_environment(directory)


def html(rt: Runtime, report: AnnualReport) -> str:
    """The report as self-contained HTML."""
    return (
        _environment()
        .get_template("annual.html")
        .render(
            fonts=rt.letter_templates.fonts,
            title=printed.title(report),
            lines=printed.status_lines(report, rt.tz),
            table3=report.table3,
            table4=report.table4,
            grid3=printed.table3_grid(report.table3),
            grid4=printed.table4_grid(report.table4),
            overrides_heading=printed.OVERRIDES_HEADING,
            override_columns=printed.OVERRIDE_COLUMNS,
            overrides=printed.override_rows(report, rt.tz, rt.workflow),
            changed_heading=printed.CHANGED_HEADING,
            changed_columns=printed.CHANGED_COLUMNS,
            changed=printed.changed_rows(report),
        )
    )


def render(rt: Runtime, report: AnnualReport) -> bytes:
    """Tables 三 and 四 (and the corrections after publication) as a PDF."""
    return rt.press.render([html(rt, report)]).pdf
