"""The reply and its released files agree (pure).

The reply's withheld parts are filled from the redaction log when the reply is submitted: the
draft gets the released files (title, pages) and one withheld part per document, ground and
reason, naming the pages (`redacted_parts`), so the legal office and the approver review the
letter as it will be. The marks stay editable until the reply is issued, but the reply is
issued only when its draft still states exactly the released files and their logs: a change
after submission is refused (422) until the reply is returned for revision and submitted
again — what was reviewed is what is issued, and the letter and the files cannot disagree.

A reply that provides nothing cannot carry released files, every file needs its released
copy made from its current marks, and redacted files make the reply a partial disclosure.
"""

from __future__ import annotations

from typing import Any

from app.item_outcomes import PARTIAL, PROVISION
from app.releases.rules import available_until
from app.workflow.context import Change, Ctx

FIELD = "released_documents"


def _not_current(ctx: Ctx, change: Change) -> bool:
    release = ctx.records.release
    assert release is not None
    stale = [f.title for f in release.files if not f.current]
    if stale:
        change.error(
            FIELD,
            "以下公开文件尚未按当前遮盖标记生成公开版本 / the released copy of these files is "
            f"missing or older than their marks: {'、'.join(stale)}",
        )
    return bool(stale)


def on_submission(ctx: Ctx, change: Change, outcome: str, items: list[Any]) -> None:
    """Fill the draft from the released files; refuse a reply that cannot carry them."""
    if change.reply_fields is not None:
        # Never a stale list of an earlier submission: only the files the case has now.
        change.reply_fields |= dict.fromkeys(("released_files", "redacted_parts", "released_days"))
    release = ctx.records.release
    if release is None or not release.files:
        return
    codes = {outcome, *(i.get("outcome") for i in items if isinstance(i, dict))}
    if not codes & (PROVISION | {PARTIAL}):
        change.error(
            "outcome",
            "答复不提供信息，不能附公开文件；请先删除公开文件 / a reply that provides no "
            "information cannot carry released files: remove them first",
        )
        return
    if release.parts and outcome != PARTIAL:
        change.error(
            "outcome",
            "公开文件有遮盖，答复应为部分公开 / the released files are redacted: the reply is "
            "a partial disclosure (partially_disclosed)",
        )
        return
    if _not_current(ctx, change):
        return
    if change.reply_fields is not None:
        change.reply_fields |= release.params()
        change.reply_fields["released_days"] = ctx.settings.released_files_days


def on_issue(ctx: Ctx, change: Change) -> None:
    """The files are current and what the reviewed draft says of them; the letter states how
    long they can be downloaded."""
    release = ctx.records.release
    if release is None:
        return
    if not release.files:
        change.error(
            FIELD,
            "答复草稿列有公开文件，但本案没有公开文件 / the draft names released files the "
            "case does not have",
        )
        return
    if _not_current(ctx, change):
        return
    if not release.matches_draft():
        change.error(
            FIELD,
            "答复提交审核后公开文件或遮盖标记有变化，请退回修改后重新提交 / the released files "
            "or their marks changed after the reply was submitted: return it for revision and "
            "submit it again",
        )
        return
    days = ctx.settings.released_files_days
    reply = change.letter_params.setdefault("reply", {})
    assert isinstance(reply, dict)
    reply["released_until"] = available_until(ctx.today, days).isoformat()
    reply["released_days"] = days
