"""What a redaction may cite and find, and what its log says (pure: no FastAPI, no SQLAlchemy).

- A mark's ground is a withholding ground of a partial disclosure (RULES §5): a `withheld.*`
  outcome, or content that is not government information (Art. 2). Each area is labelled with
  the ground's short article (第十五条), taken from the outcome's own legal basis, so the label,
  the log and the reply letter cite the same article.
- Text marks are a phrase, or a named pattern applied to every page.
- The log has one row per page and mark (with the number of areas); the reply's withheld parts
  are the log's rows grouped by document, ground and reason, naming the pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from app.outcomes import GROUND_OUTCOMES, NOT_GOVERNMENT_INFORMATION, OUTCOMES, WITHHOLDING_GROUNDS

GROUNDS: tuple[str, ...] = WITHHOLDING_GROUNDS
_ARTICLE: Final = re.compile(r"第[一二三四五六七八九十百零]+条")

# Named patterns a clerk can apply to every page: what they find, in words, and the regex.
PATTERNS: dict[str, tuple[str, str]] = {
    "id_number": (
        "居民身份证号码",
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
        r"\d{3}[\dXx](?![0-9A-Za-z])",
    ),
    "mobile_phone": ("手机号码", r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    "landline_phone": ("固定电话号码", r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),
    "email": ("电子邮箱地址", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "bank_card": ("银行卡号", r"(?<!\d)(?:62|4\d|5[1-5])\d{14,17}(?!\d)"),
}
KINDS: tuple[str, ...] = ("area", "phrase", "pattern")
KIND_LABELS = {"area": "区域", "phrase": "文字", "pattern": "同类信息"}


def pattern_regex(name: str) -> re.Pattern[str]:
    """The compiled regex of a named pattern (KeyError for an unknown name)."""
    return re.compile(PATTERNS[name][1])


def article(ground: str) -> str:
    """The short article a ground rests on, as the label of a redacted area: 第十五条."""
    basis = OUTCOMES[GROUND_OUTCOMES[ground]].basis
    found = _ARTICLE.search(basis)
    if found is None:  # every ground's outcome cites an article; guard the table anyway
        raise ValueError(f"no article in the basis of {ground}")
    return found.group(0)


def ground_label(ground: str) -> str:
    """The ground in words: 保护第三方合法权益, 不属于政府信息."""
    if ground == NOT_GOVERNMENT_INFORMATION:
        return "不属于政府信息"
    return OUTCOMES[ground].label.removeprefix("不予公开：")


def available_until(issued_on: date, days: int) -> date:
    """The last day the released files of a reply issued on `issued_on` can be downloaded."""
    return issued_on + timedelta(days=days)


@dataclass(frozen=True)
class LogRow:
    """One line of the redaction log: a mark's areas on one page."""

    page: int
    mark_id: int
    kind: str
    ground: str
    article: str
    reason: str
    areas: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "mark_id": self.mark_id,
            "kind": self.kind,
            "ground": self.ground,
            "article": self.article,
            "reason": self.reason,
            "areas": self.areas,
        }

    @classmethod
    def of(cls, row: dict[str, Any]) -> LogRow:
        return cls(
            page=int(row["page"]),
            mark_id=int(row["mark_id"]),
            kind=str(row["kind"]),
            ground=str(row["ground"]),
            article=str(row["article"]),
            reason=str(row["reason"]),
            areas=int(row["areas"]),
        )


def page_list(pages: Iterable[int]) -> str:
    """Pages as a letter names them: 第3、5、7-9页."""
    ordered = sorted(set(pages))
    runs: list[list[int]] = []
    for p in ordered:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return "第" + "、".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs) + "页"


@dataclass(frozen=True)
class DocumentLog:
    """A released document's title and the log of its released copy."""

    title: str
    rows: tuple[LogRow, ...]


def redacted_parts(documents: Sequence[DocumentLog]) -> list[dict[str, Any]]:
    """The reply's withheld parts that the released files' logs make: one per document,
    ground and reason, naming its pages and the number of areas (what the reply's
    `redacted_parts` holds; app.letters.bodies_reply words them)."""
    parts: list[dict[str, Any]] = []
    for doc in documents:
        grouped: dict[tuple[str, str], list[LogRow]] = defaultdict(list)
        for row in doc.rows:
            grouped[(row.ground, row.reason)].append(row)
        for (ground, reason), rows in grouped.items():
            parts.append(
                {
                    "document": doc.title,
                    "pages": sorted({r.page for r in rows}),
                    "areas": sum(r.areas for r in rows),
                    "ground": ground,
                    "reasons": reason,
                }
            )
    return parts
