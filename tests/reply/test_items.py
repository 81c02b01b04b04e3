"""Several items in one application (RULES §5) through submit_reply, review and issue, over
HTTP with the real roles: every item gets its decision in the letter, the application is counted
once — as (二) 部分公开 when the items split between provision and withholding — and a reply that
leaves an item unanswered, or whose outcome disagrees with its items, is refused naming the field.
Not government information (Art. 2) as an item, as a withheld part and as the whole answer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.ledger_export.helpers import csv_rows, fetch
from tests.letters.helpers import body_text, letters, online
from tests.reply.helpers import case_of, issued, ok, pdf, problem, reply_through_review, submit
from tests.reply.test_outcomes import sign_and_issue
from tests.reports.helpers import REPORTS, drill, nonzero, report, table3

NOT_GOVERNMENT_INFORMATION = "不属于《中华人民共和国政府信息公开条例》第二条所指的政府信息"

THREE_ITEMS = {
    "items": [
        {"description": "2025年本区老旧小区改造项目清单", "document_number": None},
        {"description": "改造项目施工单位的材料采购单价", "document_number": None},
        {"description": "请解释本区选择改造小区的政策考虑", "document_number": None},
    ]
}
PROVIDED = "2025年本区老旧小区改造项目清单1份（共3页），随本答复书以电子邮件发送"
SPLIT: list[dict[str, Any]] = [
    {"position": 1, "outcome": "disclosed"},
    {
        "position": 2,
        "outcome": "withheld.third_party_rights",
        "note": "材料采购单价系施工单位的报价，属于其商业秘密，该单位书面表示不同意公开",
    },
    {
        "position": 3,
        "outcome": "other.not_government_information",
        "note": "该项系要求本机关作出解释、说明，并非已制作或者获取的信息",
    },
]
REASONS = "你申请获取的三项信息，本机关区分处理"


def text_of(client: TestClient, staff: Staff, letter_id: int) -> str:
    return body_text(pdf(client, staff, letter_id))


def test_items_split_between_provision_and_withholding_count_once_as_partially_disclosed(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client, **THREE_ITEMS)
    clock.set("2026-03-20T10:00+08:00")
    # The outcome is left out: the service derives it from the items.
    submitted = ok(
        submit(client, organ_a, case, None, reasons=REASONS, provided=PROVIDED, item_outcomes=SPLIT)
    )
    assert submitted["review"]["outcome"] == "partially_disclosed"
    assert submitted["review"]["legal_review"] == "pending"
    done = sign_and_issue(client, organ_a, submitted)
    assert (done["outcome"], done["concluded_on"]) == ("partially_disclosed", "2026-03-20")

    [reply] = issued(client, organ_a, case["id"], "reply")
    text = text_of(client, organ_a, reply["id"])
    for phrase in (
        "对可以公开的部分予以公开",
        PROVIDED,
        "分别答复如下",
        "第1项：予以公开",
        "第2项：不予公开：保护第三方合法权益",
        "属于其商业秘密",
        "第3项：其他处理：申请内容不属于政府信息，该项" + NOT_GOVERNMENT_INFORMATION,
        "并非已制作或者获取的信息",
        "第二条",
        "第十五条",
        "第三十七条",
    ):
        assert phrase in text, phrase

    # Counted once, under (二) only: not under (一), (三)4 or (六)3.
    t3 = table3(report(client, organ_a, 2026))
    assert nonzero(t3) == {
        ("new", "natural_person"): 1,
        ("new", "total"): 1,
        ("partially_disclosed", "natural_person"): 1,
        ("partially_disclosed", "total"): 1,
        ("total", "natural_person"): 1,
        ("total", "total"): 1,
    }
    cell = drill(
        client,
        f"{REPORTS}/2026/cells/partially_disclosed/total",
        organ_a.headers("supervisor"),
    )
    assert [c["number"] for c in cell["cases"]] == [case["number"]]


def test_the_clerk_may_state_the_derived_outcome(client: TestClient, organ_a: Staff) -> None:
    case = online(client, **THREE_ITEMS)
    fields = {"reasons": REASONS, "provided": PROVIDED, "item_outcomes": SPLIT}
    assert ok(submit(client, organ_a, case, "partially_disclosed", **fields))["review"][
        "outcome"
    ] == ("partially_disclosed")


def test_items_all_alike_give_their_outcome(client: TestClient, organ_a: Staff) -> None:
    case = online(client, **THREE_ITEMS)
    items = [{"position": p, "outcome": "disclosed"} for p in (1, 2, 3)]
    # Without the items there is nothing to derive from: the outcome is needed.
    r = problem(submit(client, organ_a, case, None, provided=PROVIDED), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "outcome"]]
    done = reply_through_review(client, organ_a, case, None, provided=PROVIDED, item_outcomes=items)
    assert done["outcome"] == "disclosed"


def test_without_a_split_the_clerk_chooses_one_of_the_items_outcomes(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client, **THREE_ITEMS)
    items = [
        {"position": 1, "outcome": "disclosed"},
        {"position": 2, "outcome": "unavailable.not_held", "note": "本机关未制作该信息"},
        {"position": 3, "outcome": "disclosed"},
    ]
    # Not split between provision and withholding: there is a choice, and nobody made it.
    r = problem(submit(client, organ_a, case, None, provided=PROVIDED, item_outcomes=items), 422)
    assert [e["loc"] for e in r["errors"]] == [["body", "outcome"]]
    assert "unavailable.not_held" in r["detail"]
    # Outside the items' outcomes: refused.
    r = problem(
        submit(
            client, organ_a, case, "unavailable.needs_creation", reasons="需加工",
            provided=PROVIDED, item_outcomes=items,
        ),
        422,
    )  # fmt: skip
    assert [e["loc"] for e in r["errors"]] == [["body", "outcome"]]
    assert case_of(client, organ_a, case["id"])["review"] is None
    # One of them: counted as chosen, and each item answered in the letter.
    done = reply_through_review(
        client, organ_a, case, "disclosed", provided=PROVIDED, item_outcomes=items
    )
    assert done["outcome"] == "disclosed"
    [reply] = issued(client, organ_a, case["id"], "reply")
    text = text_of(client, organ_a, reply["id"])
    assert "第2项：无法提供：本机关不掌握相关政府信息" in text
    assert "第3项：予以公开" in text


@pytest.mark.parametrize("outcome", ["disclosed", "withheld.third_party_rights"])
def test_an_outcome_other_than_partial_for_split_items_is_refused_naming_it(
    outcome: str, client: TestClient, organ_a: Staff
) -> None:
    case = online(client, **THREE_ITEMS)
    r = problem(
        submit(
            client, organ_a, case, outcome, reasons=REASONS, provided=PROVIDED, item_outcomes=SPLIT
        ),
        422,
    )
    assert [e["loc"] for e in r["errors"]] == [["body", "outcome"]]
    assert "partially_disclosed" in r["detail"]
    after = case_of(client, organ_a, case["id"])
    assert (after["state"], after["version"], after["review"]) == (
        "received",
        case["version"],
        None,
    )


def test_a_reply_leaving_an_item_unanswered_is_refused(client: TestClient, organ_a: Staff) -> None:
    case = online(client, **THREE_ITEMS)
    r = problem(
        submit(
            client, organ_a, case, None, reasons=REASONS, provided=PROVIDED,
            item_outcomes=SPLIT[:2],
        ),
        422,
    )  # fmt: skip
    assert [e["loc"] for e in r["errors"]] == [["body", "item_outcomes"]]
    assert "第3项" in r["detail"]
    after = case_of(client, organ_a, case["id"])
    assert (after["state"], after["review"]) == ("received", None)
    assert [x["kind"] for x in letters(client, organ_a, case["id"])] == ["receipt"]


@pytest.mark.parametrize(
    ("items", "loc"),
    [
        ([*SPLIT, {"position": 2, "outcome": "disclosed"}], ["item_outcomes", "3", "position"]),
        ([*SPLIT, {"position": 4, "outcome": "disclosed"}], ["item_outcomes", "3", "position"]),
        ([*SPLIT[:2], {"position": 3, "outcome": "granted"}], ["item_outcomes", "2", "outcome"]),
        ([*SPLIT[:2], {"position": "3", "outcome": "disclosed"}], ["item_outcomes", "2", "position"]),
        ([*SPLIT[:2], {"position": 3, "outcome": "other.fee_unpaid"}], ["item_outcomes", "2", "outcome"]),
        ([*SPLIT[:2], {"position": 3, "outcome": "other.not_government_information"}],
         ["item_outcomes", "2", "note"]),
    ],
)  # fmt: skip
def test_duplicate_unknown_or_unreasoned_items_are_refused_naming_them(
    items: list[dict[str, Any]], loc: list[str], client: TestClient, organ_a: Staff
) -> None:
    case = online(client, **THREE_ITEMS)
    r = problem(
        submit(
            client, organ_a, case, None, reasons=REASONS, provided=PROVIDED, item_outcomes=items
        ),
        422,
    )
    # Checked by the workflow (body.item_outcomes…) or by the letter (body.fields.item_outcomes…).
    assert loc in [e["loc"][-len(loc) :] for e in r["errors"]], r["errors"]
    assert case_of(client, organ_a, case["id"])["review"] is None


def test_a_withheld_part_that_is_not_government_information_counts_under_partial(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    part = {
        "part": "申请中要求解释改造小区选择标准的部分",
        "ground": "not_government_information",
        "reasons": "该部分系要求本机关作出解释、说明",
    }
    done = reply_through_review(
        client, organ_a, case, "partially_disclosed", reasons="申请内容中有一部分不属于政府信息",
        provided=PROVIDED, withheld_parts=[part],
    )  # fmt: skip
    assert done["outcome"] == "partially_disclosed"
    [reply] = issued(client, organ_a, case["id"], "reply")
    text = text_of(client, organ_a, reply["id"])
    assert "该部分" + NOT_GOVERNMENT_INFORMATION in text
    assert "本机关不作为政府信息予以提供" in text
    assert table3(report(client, organ_a, 2026))["partially_disclosed"]["total"] == 1


def test_a_whole_application_not_government_information_is_counted_as_other_and_labelled(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    done = reply_through_review(
        client, organ_a, case, "other.not_government_information",
        reasons="你要求本机关对改造政策作出解释，并非获取已有的信息",
    )  # fmt: skip
    assert done["outcome"] == "other.not_government_information"
    assert done["outcome_label"] == "其他处理：申请内容不属于政府信息"
    [reply] = issued(client, organ_a, case["id"], "reply")
    text = text_of(client, organ_a, reply["id"])
    assert NOT_GOVERNMENT_INFORMATION in text
    assert "不作为政府信息公开申请予以提供" in text
    t3 = table3(report(client, organ_a, 2026))
    assert t3["other.3"]["total"] == 1
    assert t3["total"]["total"] == 1
    rows = csv_rows(
        fetch(client, organ_a.headers("clerk"), "2026-03-01", "2026-03-31", "csv").content
    )
    header, [row] = rows[0], rows[1:]
    assert row[header.index("办理结果")] == "其他处理：申请内容不属于政府信息"
