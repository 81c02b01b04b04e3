"""The outcome list of RULES §5 (Arts. 36–39): one table drives the reply letter, the
statistics and the annual report. Pure data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Remedy(StrEnum):
    """Which remedy clause a decision carries (RULES §5)."""

    # 行政复议法 (2023) Art. 23: refusals under Arts. 14–16 go to reconsideration before court.
    reconsideration_first = "reconsideration_first"
    either = "either"
    none = "none"


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str  # 答复类型 as the letter and the annual report name it
    basis: str  # the legal basis by article and item
    annual_row: str  # row of table 三 (RULES §8)
    remedy: Remedy

    @property
    def group(self) -> str:
        """The part before the dot: disclosed, withheld, unavailable, not_processed, other…"""
        return self.code.split(".", 1)[0]


_T = "《中华人民共和国政府信息公开条例》"

OUTCOMES: dict[str, Outcome] = {
    o.code: o
    for o in (
        Outcome(
            "disclosed", "予以公开", f"{_T}第三十六条第（二）项、第四十条", "(一)", Remedy.either
        ),
        Outcome("already_public", "已主动公开", f"{_T}第三十六条第（一）项", "(一)", Remedy.either),
        Outcome(
            "partially_disclosed",
            "部分公开",
            f"{_T}第三十七条",
            "(二)",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.state_secret",
            "不予公开：属于国家秘密",
            f"{_T}第十四条、第三十六条第（三）项",
            "(三)1",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.prohibited_by_law",
            "不予公开：其他法律行政法规禁止公开",
            f"{_T}第十四条、第三十六条第（三）项",
            "(三)2",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.security_stability",
            "不予公开：危及“三安全一稳定”",
            f"{_T}第十四条、第三十六条第（三）项",
            "(三)3",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.third_party_rights",
            "不予公开：保护第三方合法权益",
            f"{_T}第十五条、第三十六条第（三）项",
            "(三)4",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.internal_affairs",
            "不予公开：属于三类内部事务信息",
            f"{_T}第十六条第一款、第三十六条第（三）项",
            "(三)5",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.process_information",
            "不予公开：属于四类过程性信息",
            f"{_T}第十六条第二款、第三十六条第（三）项",
            "(三)6",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.enforcement_file",
            "不予公开：属于行政执法案卷",
            f"{_T}第十六条第二款、第三十六条第（三）项",
            "(三)7",
            Remedy.reconsideration_first,
        ),
        Outcome(
            "withheld.administrative_query",
            "不予公开：属于行政查询事项",
            f"{_T}第三十六条第（七）项",
            "(三)8",
            Remedy.either,
        ),
        Outcome(
            "unavailable.not_held",
            "无法提供：本机关不掌握相关政府信息",
            f"{_T}第三十六条第（四）项",
            "(四)1",
            Remedy.either,
        ),
        Outcome(
            "unavailable.not_this_organ",
            "无法提供：不属于本机关负责公开",
            f"{_T}第三十六条第（五）项",
            "(四)1",
            Remedy.either,
        ),
        Outcome(
            "unavailable.needs_creation",
            "无法提供：没有现成信息需要另行制作",
            f"{_T}第三十八条",
            "(四)2",
            Remedy.either,
        ),
        Outcome(
            "unavailable.still_unclear",
            "无法提供：补正后申请内容仍不明确",
            f"{_T}第三十条",
            "(四)3",
            Remedy.either,
        ),
        Outcome(
            "not_processed.petition",
            "不予处理：信访举报投诉类申请",
            f"{_T}第三十九条第一款",
            "(五)1",
            Remedy.either,
        ),
        Outcome(
            "not_processed.repeat",
            "不予处理：重复申请",
            f"{_T}第三十六条第（六）项",
            "(五)2",
            Remedy.either,
        ),
        Outcome(
            "not_processed.publication",
            "不予处理：要求提供公开出版物",
            f"{_T}第三十九条第二款",
            "(五)3",
            Remedy.either,
        ),
        Outcome(
            "not_processed.excessive",
            "不予处理：无正当理由大量反复申请",
            f"{_T}第三十五条",
            "(五)4",
            Remedy.either,
        ),
        Outcome(
            "not_processed.confirmation",
            "不予处理：要求行政机关确认或重新出具已获取信息",
            # RULES gives "practice"; the letter cites the definition of government information
            # (Art. 2), which a request to confirm or re-issue does not seek. [interpretation]
            f"{_T}第二条",
            "(五)5",
            Remedy.either,
        ),
        Outcome(
            "other.no_correction",
            "其他处理：申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            f"{_T}第三十条",
            "(六)1",
            Remedy.either,
        ),
        Outcome(
            "other.fee_unpaid",
            "其他处理：申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
            "(六)2",
            Remedy.either,
        ),
        # [interpretation] RULES §5: the whole application asks for something that is not
        # government information (Art. 2); counted under (六)3 其他.
        Outcome(
            "other.not_government_information",
            "其他处理：申请内容不属于政府信息",
            f"{_T}第二条",
            "(六)3",
            Remedy.either,
        ),
        Outcome("other.other", "其他处理：其他", "", "(六)3", Remedy.none),
    )
}

# A withheld part of a partial disclosure that is not government information (Art. 37 with
# Art. 2): a ground beside the withheld.* codes, carrying the basis of the whole-application
# outcome of the same name.
NOT_GOVERNMENT_INFORMATION = "not_government_information"
# The grounds a withheld part of a partial disclosure may cite (RULES §5), each with the
# outcome whose basis and remedy it carries.
GROUND_OUTCOMES: dict[str, str] = {
    **{c: c for c in OUTCOMES if c.startswith("withheld.")},
    NOT_GOVERNMENT_INFORMATION: "other.not_government_information",
}
WITHHOLDING_GROUNDS: tuple[str, ...] = tuple(GROUND_OUTCOMES)


def outcome(code: str) -> Outcome:
    """The outcome with this code (KeyError names it when unknown)."""
    return OUTCOMES[code]


# Arts. 14–16: the grounds a court will not hear before reconsideration (行政复议法 2023 Art. 23).
_RECONSIDERATION_FIRST_GROUNDS = frozenset(
    code for code, o in OUTCOMES.items() if o.remedy is Remedy.reconsideration_first
) - {"partially_disclosed"}


def _remedy_of(code: object) -> Remedy:
    # A code this table does not know (a ground such as "not_government_information", or
    # a stray value in stored data) allows both remedies: it is never a refusal under 14–16.
    found = OUTCOMES.get(code) if isinstance(code, str) else None
    return found.remedy if found is not None else Remedy.either


def reply_remedy(
    outcome: str, item_outcomes: Iterable[object] = (), withheld_grounds: Iterable[object] = ()
) -> Remedy:
    """The remedy clause of a whole reply: its outcome, every item's and every withheld part's.

    Reconsideration first wins over either; none only when every decision carries none. A code
    that is not an outcome counts as either. [interpretation] A partial disclosure is
    reconsideration first when any withheld part rests on Arts. 14–16, or when no withheld
    part is given; when every withheld part rests on another ground (a query register, not
    government information) it is either.
    """
    grounds = list(withheld_grounds)
    if outcome == "partially_disclosed":
        own = (
            Remedy.reconsideration_first
            if not grounds or any(g in _RECONSIDERATION_FIRST_GROUNDS for g in grounds)
            else Remedy.either
        )
    else:
        own = _remedy_of(outcome)
    decided = [own, *map(_remedy_of, item_outcomes), *map(_remedy_of, grounds)]
    if Remedy.reconsideration_first in decided:
        return Remedy.reconsideration_first
    if all(r is Remedy.none for r in decided):
        return Remedy.none
    return Remedy.either
