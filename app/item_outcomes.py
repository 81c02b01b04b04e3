"""Several items in one application (RULES §5): every item gets its own decision, and the
application is counted once, by an outcome derived from the items' decisions. Pure data and
functions: no FastAPI, no SQLAlchemy.

- Items split between provision and withholding count once as (二) `partially_disclosed`
  ("区分处理的，只计这一情形"). Provision: `disclosed`, `already_public`. Withholding: a refusal
  under Arts. 14–16 (`withheld.*` but the administrative query of Art. 36(7), which points to
  another channel), an item itself partially disclosed (Art. 37), or an item that is not
  government information (Art. 2).
- Otherwise the counted outcome is one of the items' outcomes: the one they share, or the one
  the clerk chooses among them, which the service checks.

The shape of submit_reply: `outcome` may be left out when `item_outcomes` are given; it is then
derived (and a 422 names `outcome` when the items leave a choice to make). Given, it must agree
with the derivation (422 naming `outcome`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from app.outcomes import OUTCOMES

PARTIAL = "partially_disclosed"
PROVISION: frozenset[str] = frozenset({"disclosed", "already_public"})
WITHHOLDING: frozenset[str] = frozenset(
    {c for c in OUTCOMES if c.startswith("withheld.") and c != "withheld.administrative_query"}
    | {PARTIAL, "other.not_government_information"}
)
# Whole-application closures: no item can end that way on its own.
CLOSURES: frozenset[str] = frozenset({"other.no_correction", "other.fee_unpaid"})

Error = tuple[tuple[str, ...], str]


def derived_outcome(item_codes: Sequence[str]) -> str | None:
    """The counted outcome the items' decisions fix, or None when the clerk must choose."""
    codes = set(item_codes)
    if PARTIAL in codes or (codes & PROVISION and codes & WITHHOLDING):
        return PARTIAL
    if len(codes) == 1:
        return next(iter(codes))
    return None


def counted_outcome(item_codes: Sequence[str], given: str | None) -> str:
    """The outcome the application is counted under; ValueError says why `given` cannot be."""
    derived = derived_outcome(item_codes)
    choices = ", ".join(dict.fromkeys(item_codes))
    if derived == PARTIAL and given not in (None, PARTIAL):
        raise ValueError(
            "各项处理结果区分公开与不予公开，只计为部分公开 / the items split between provision "
            f"and withholding: the application counts once as {PARTIAL}, not {given}"
        )
    if given is None:
        if derived is None:
            raise ValueError(
                "各项处理结果不同，须从中选定计入统计的答复类型 / the items' outcomes differ: "
                f"choose the counted outcome among {choices}"
            )
        return derived
    if derived is None and given not in item_codes:
        raise ValueError(
            f"答复类型须为各项处理结果之一 / the outcome must be one of the items': {choices}"
        )
    if derived is not None and given != derived:
        raise ValueError(
            f"各项处理结果均为 {derived} / every item's outcome is {derived}, not {given}"
        )
    return given


def item_errors(entries: Sequence[Any], positions: Collection[int]) -> list[Error]:
    """What is wrong with the items' decisions: each must name an item of the application
    once, with a known outcome, and every item of the application must have one."""
    errors: list[Error] = []
    seen: set[int] = set()
    for i, entry in enumerate(entries):
        at = ("item_outcomes", str(i))
        if not isinstance(entry, dict):
            errors.append((at, "须为对象 / must be an object"))
            continue
        position, code = entry.get("position"), entry.get("outcome")
        if isinstance(position, bool) or not isinstance(position, int):
            errors.append(((*at, "position"), "须为信息项序号 / must be an item's number"))
        elif position not in positions:
            errors.append(((*at, "position"), f"本申请没有第{position}项 / no such item"))
        elif position in seen:
            errors.append(((*at, "position"), f"第{position}项重复 / item {position} repeated"))
        else:
            seen.add(position)
        if not isinstance(code, str) or code not in OUTCOMES:
            errors.append(((*at, "outcome"), "未知的答复类型 / unknown outcome"))
        elif code in CLOSURES:
            errors.append(
                (
                    (*at, "outcome"),
                    "此类办结针对整个申请 / this closure is for the whole application",
                )
            )
    missing = sorted(set(positions) - seen)
    if missing and not any(loc[-1] == "position" for loc, _ in errors):
        listed = "、".join(f"第{p}项" for p in missing)
        errors.append(
            (
                ("item_outcomes",),
                f"{listed}未作答复：申请的每一项都须有处理结果 / every item of the application "
                f"needs a decision; unanswered: {', '.join(map(str, missing))}",
            )
        )
    return errors
