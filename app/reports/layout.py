"""The layout of the annual report's application tables (RULES §8, 国办公开办函〔2021〕30号):
table 三's 25 rows and 7 columns and table 四's 15 numbers, with their labels. Pure data.

Every cell has a stable address (row key, column key) for the drill-down URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.outcomes import OUTCOMES
from app.vocabulary import CATEGORY_LABELS, ApplicantCategory


@dataclass(frozen=True)
class Row:
    key: str  # the drill-down address: new, carried_over, withheld.4, total…
    label: str  # as printed in the published table
    annual_row: str | None = None  # the outcome table's annual_row code, for result rows
    # Printed under a group heading: the heading's label for (三)…(六) sub-items.
    group: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    heading: str | None = None  # a spanning heading above it in the printed table


_WITHHELD = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

# The result rows (三、本年度办理结果) in print order, each tied to an annual_row code of
# app.outcomes. "(七)" is the total of them.
RESULT_ROWS: tuple[Row, ...] = (
    Row("disclosed", "（一）予以公开", "(一)"),
    Row("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "(二)"),
    Row("withheld.1", "1.属于国家秘密", "(三)1", _WITHHELD),
    Row("withheld.2", "2.其他法律行政法规禁止公开", "(三)2", _WITHHELD),
    Row("withheld.3", '3.危及"三安全一稳定"', "(三)3", _WITHHELD),
    Row("withheld.4", "4.保护第三方合法权益", "(三)4", _WITHHELD),
    Row("withheld.5", "5.属于三类内部事务信息", "(三)5", _WITHHELD),
    Row("withheld.6", "6.属于四类过程性信息", "(三)6", _WITHHELD),
    Row("withheld.7", "7.属于行政执法案卷", "(三)7", _WITHHELD),
    Row("withheld.8", "8.属于行政查询事项", "(三)8", _WITHHELD),
    Row("unavailable.1", "1.本机关不掌握相关政府信息", "(四)1", _UNAVAILABLE),
    Row("unavailable.2", "2.没有现成信息需要另行制作", "(四)2", _UNAVAILABLE),
    Row("unavailable.3", "3.补正后申请内容仍不明确", "(四)3", _UNAVAILABLE),
    Row("not_processed.1", "1.信访举报投诉类申请", "(五)1", _NOT_PROCESSED),
    Row("not_processed.2", "2.重复申请", "(五)2", _NOT_PROCESSED),
    Row("not_processed.3", "3.要求提供公开出版物", "(五)3", _NOT_PROCESSED),
    Row("not_processed.4", "4.无正当理由大量反复申请", "(五)4", _NOT_PROCESSED),
    Row("not_processed.5", "5.要求行政机关确认或重新出具已获取信息", "(五)5", _NOT_PROCESSED),
    Row(
        "other.1",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "(六)1",
        _OTHER,
    ),
    Row(
        "other.2",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "(六)2",
        _OTHER,
    ),
    Row("other.3", "3.其他", "(六)3", _OTHER),
)

NEW = Row("new", "一、本年新收政府信息公开申请数量")
CARRIED_OVER = Row("carried_over", "二、上年结转政府信息公开申请数量")
RESULTS_HEADING = "三、本年度办理结果"
TOTAL = Row("total", "（七）总计")
CARRIED_FORWARD = Row("carried_forward", "四、结转下年度继续办理")

# Table 三's 25 numeric rows in print order.
TABLE3_ROWS: tuple[Row, ...] = (NEW, CARRIED_OVER, *RESULT_ROWS, TOTAL, CARRIED_FORWARD)
TABLE3_ROW_KEYS: dict[str, Row] = {r.key: r for r in TABLE3_ROWS}

APPLICANT_HEADING = "申请人情况"
ORGANISATIONS_HEADING = "法人或其他组织"  # spans the five organisation kinds

# The six applicant categories in print order, then 总计.
CATEGORY_COLUMNS: tuple[Column, ...] = tuple(
    Column(
        c.value,
        CATEGORY_LABELS[c],
        None if c is ApplicantCategory.natural_person else ORGANISATIONS_HEADING,
    )
    for c in ApplicantCategory
)
TOTAL_COLUMN = Column("total", "总计")
TABLE3_COLUMNS: tuple[Column, ...] = (*CATEGORY_COLUMNS, TOTAL_COLUMN)
TABLE3_COLUMN_KEYS: dict[str, Column] = {c.key: c for c in TABLE3_COLUMNS}


# Which result row each outcome code is counted in.
ROW_OF_OUTCOME: dict[str, str] = {
    code: next(r.key for r in RESULT_ROWS if r.annual_row == o.annual_row)
    for code, o in OUTCOMES.items()
}

# Table 四: three groups of five numbers.
TABLE4_GROUPS: tuple[Column, ...] = (
    Column("reconsideration", "行政复议", "行政复议"),
    Column("litigation_direct", "未经复议直接起诉", "行政诉讼"),
    Column("litigation_after_reconsideration", "复议后起诉", "行政诉讼"),
)
TABLE4_GROUP_KEYS: dict[str, Column] = {g.key: g for g in TABLE4_GROUPS}
TABLE4_RESULTS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
)
TABLE4_COLUMNS: tuple[Column, ...] = (*TABLE4_RESULTS, Column("total", "总计"))
TABLE4_COLUMN_KEYS: dict[str, Column] = {c.key: c for c in TABLE4_COLUMNS}

TABLE3_TITLE = "三、收到和处理政府信息公开申请情况"
TABLE4_TITLE = "四、政府信息公开行政复议、行政诉讼情况"
