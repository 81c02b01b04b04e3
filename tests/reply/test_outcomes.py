"""Every outcome of RULES §5 through submit_reply, review and issue, over HTTP: the issued
reply's PDF states the decision, cites its basis by article, and carries the remedy clause the
outcome calls for; the review chain the organ's defaults require; closure-only outcomes refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.letters.bodies_common import citations
from app.letters.remedy import remedy_text
from app.letters.samples import reply_params
from app.outcomes import OUTCOMES, Remedy
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, make_organ
from tests.letters.helpers import act, body_text, letters, online, pdf_text
from tests.reply.helpers import case_of, issued, ok, pdf, problem, submit

# make_organ's reconsideration body and court.
BODY, COURT = "示例区人民政府", "示例区人民法院"
CLOSURE_ONLY = {"other.no_correction": "close_uncorrected", "other.fee_unpaid": "close_unpaid"}
SUBMITTABLE = [code for code in OUTCOMES if code not in CLOSURE_ONLY]

# The decision each outcome's block states, in the letter's words.
DECISION: dict[str, tuple[str, ...]] = {
    "disclosed": ("本机关决定予以公开",),
    "already_public": ("已经主动公开", "获取该政府信息的方式和途径"),
    "partially_disclosed": ("对可以公开的部分予以公开", "不予公开的部分及理由如下"),
    "withheld.state_secret": ("属于国家秘密", "本机关决定不予公开"),
    "withheld.prohibited_by_law": ("法律、行政法规禁止公开", "本机关决定不予公开"),
    "withheld.security_stability": ("国家安全、公共安全、经济安全、社会稳定", "本机关决定不予公开"),
    "withheld.third_party_rights": ("第三方合法权益", "本机关决定不予公开"),
    "withheld.internal_affairs": ("内部事务信息", "本机关决定不予公开"),
    "withheld.process_information": ("过程性信息", "本机关决定不予公开"),
    "withheld.enforcement_file": ("行政执法案卷", "本机关决定不予公开"),
    "withheld.administrative_query": ("本机关不予公开", "依照有关法律、行政法规的规定办理"),
    "unavailable.not_held": ("进行了检索", "该政府信息不存在"),
    "unavailable.not_this_organ": ("不属于本机关负责公开", "北京市西城区住房和城市建设委员会"),
    "unavailable.needs_creation": ("加工、分析", "本机关决定不予提供"),
    "unavailable.still_unclear": ("仍不明确", "无法向你提供所申请的政府信息"),
    "not_processed.petition": ("信访、投诉、举报", "不作为政府信息公开申请处理"),
    "not_processed.repeat": ("重复申请", "XCFGW依申答〔2025〕96号", "不予重复处理"),
    "not_processed.publication": ("公开出版物", "不作为政府信息公开申请处理"),
    "not_processed.excessive": ("明显超过合理范围", "本机关不予处理"),
    "not_processed.confirmation": ("确认或者重新出具", "不作为政府信息公开申请处理"),
    "other.not_government_information": ("第二条所指的政府信息", "不作为政府信息公开申请予以提供"),
    "other.other": ("终止办理",),
}

# Refusals under Arts. 14–16 go to reconsideration first (行政复议法 2023 Art. 23), and so does a
# partial disclosure (it withholds on those grounds); 其他 carries no clause; the rest, either.
_ARTS_14_16 = re.compile(r"第十[四五六]条")


def expected_remedy(code: str) -> Remedy:
    if code == "other.other":
        return Remedy.none
    if code == "partially_disclosed" or _ARTS_14_16.search(OUTCOMES[code].basis):
        return Remedy.reconsideration_first
    return Remedy.either


def needs_legal_review(code: str) -> bool:
    """The organ default: partial disclosure, every refusal and every not-processed reply."""
    return code == "partially_disclosed" or code.startswith(("withheld.", "not_processed."))


def sign_and_issue(client: TestClient, staff: Staff, case: dict[str, Any]) -> dict[str, Any]:
    """A submitted reply through legal review (where pending), sign-off and issue."""
    if case["review"]["legal_review"] == "pending":
        case = ok(act(client, staff, case, "legal_approve", "legal", comments="合法"))
    if case["review"]["confidentiality_review"] == "pending":
        case = ok(act(client, staff, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, staff, case, "approve_reply", "approver", comments="同意"))
    return ok(act(client, staff, case, "issue_reply", "clerk"))


def letter_text(client: TestClient, staff: Staff, letter_id: int) -> str:
    """The issued letter's text, without the margins a clause may break around."""
    return body_text(pdf(client, staff, letter_id))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_outcome_but_the_closures_is_covered() -> None:
    assert set(DECISION) == set(SUBMITTABLE)
    assert set(OUTCOMES) - set(SUBMITTABLE) == set(CLOSURE_ONLY)


@pytest.mark.parametrize("code", SUBMITTABLE)
def test_issued_reply_states_decision_basis_and_remedy(
    code: str, client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    submitted = ok(submit(client, organ_a, case, **reply_params(code)))
    review = submitted["review"]
    assert review["outcome"] == code
    assert review["outcome_label"] == OUTCOMES[code].label
    assert review["legal_review"] == ("pending" if needs_legal_review(code) else "not_required")
    assert review["sign_off"] == "pending"

    done = sign_and_issue(client, organ_a, submitted)
    assert done["state"] == "replied"
    assert done["outcome"] == code
    assert done["outcome_label"] == OUTCOMES[code].label
    assert done["concluded_on"] == "2026-03-20"
    assert done["reply_late"] is False

    [reply] = issued(client, organ_a, case["id"], "reply")
    text = letter_text(client, organ_a, reply["id"])
    assert reply["number"] in text
    for phrase in DECISION[code]:
        assert phrase in text, phrase
    for citation in citations(OUTCOMES[code].basis):
        assert citation.split("》")[-1] in text, citation
    remedy = expected_remedy(code)
    assert OUTCOMES[code].remedy is remedy
    if remedy is Remedy.none:
        assert "行政复议" not in text
        assert "行政诉讼" not in text
        return
    clause = squash(remedy_text(remedy, body=BODY, court=COURT, letter="本答复书"))
    assert clause in text
    if remedy is Remedy.reconsideration_first:
        assert "对行政复议决定不服的，可以自收到行政复议决定书之日起15日内" in text
        assert "6个月" not in text
    else:
        assert f"或者在6个月内向{COURT}提起行政诉讼" in text
        assert "15日内" not in text


@pytest.mark.parametrize(("code", "action"), sorted(CLOSURE_ONLY.items()))
def test_closure_outcomes_are_refused_by_submit_reply(
    code: str, action: str, client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    r = problem(submit(client, organ_a, case, code, reasons="逾期"), 422)
    assert r["errors"][0]["loc"][-1] == "outcome"
    assert action in r["detail"]
    after = case_of(client, organ_a, case["id"])
    assert after["state"] == "received"
    assert after["version"] == case["version"]
    assert after["review"] is None
    assert [x["kind"] for x in letters(client, organ_a, case["id"])] == ["receipt"]


def test_unknown_outcome_is_refused(client: TestClient, organ_a: Staff) -> None:
    case = online(client)
    r = problem(submit(client, organ_a, case, "withheld.because", reasons="不公开"), 422)
    assert r["errors"][0]["loc"][-1] == "outcome"


@pytest.mark.parametrize(
    ("code", "missing"),
    [
        ("disclosed", "provided"),
        ("already_public", "where_published"),
        ("partially_disclosed", "withheld_parts"),
        ("withheld.state_secret", "reasons"),
        ("unavailable.not_held", "search_description"),
        ("not_processed.repeat", "earlier_reply"),
        ("other.other", "reasons"),
    ],
)
def test_a_reply_missing_what_its_outcome_needs_is_refused_naming_the_field(
    code: str, missing: str, client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    fields = reply_params(code)
    fields.pop(missing, None)
    r = problem(submit(client, organ_a, case, **fields), 422)
    assert missing in {e["loc"][-1] for e in r["errors"]}
    after = case_of(client, organ_a, case["id"])
    assert after["state"] == "received"
    assert after["review"] is None


def test_legal_review_can_be_asked_for_an_outcome_the_organ_does_not_require_it_for(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)
    plain = ok(submit(client, organ_a, case, **reply_params("disclosed")))
    assert plain["review"]["legal_review"] == "not_required"

    other = online(client)
    forced = ok(
        submit(client, organ_a, other, **reply_params("disclosed"), legal_review_required=True)
    )
    assert forced["review"]["legal_review"] == "pending"
    r = problem(act(client, organ_a, forced, "approve_reply", "approver"), 409)
    assert r["guard"] == "legal_review_done_if_required"
    forced = ok(act(client, organ_a, forced, "legal_approve", "legal", comments="合法"))
    assert forced["review"]["legal_review"] == "approved"


def test_a_withdrawal_is_dated_between_the_receipt_and_today(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)  # received Monday 2 March 2026
    clock.set("2026-03-20T10:00+08:00")
    for bad in ("2026-03-01", "2026-03-21"):
        r = problem(act(client, organ_a, case, "withdraw", "clerk", withdrawn_on=bad), 422)
        assert r["errors"][0]["loc"][-1] == "withdrawn_on"
    assert case_of(client, organ_a, case["id"])["state"] == "received"
    done = ok(act(client, organ_a, case, "withdraw", "clerk", withdrawn_on="2026-03-02"))
    assert done["concluded_on"] == "2026-03-02"


def test_withdrawal_concludes_as_other_with_no_remedy_clause(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(
        act(
            client,
            organ_a,
            case,
            "withdraw",
            "clerk",
            withdrawn_on="2026-03-18",
            reason="已通过其他途径获取所需信息",
        )
    )
    assert case["state"] == "withdrawn"
    assert case["outcome"] == "other.other"
    assert case["concluded_on"] == "2026-03-18"
    [notice] = issued(client, organ_a, case["id"], "closure_notice")
    text = pdf_text(pdf(client, organ_a, notice["id"]))
    assert "撤回" in text
    assert "终止办理" in text
    assert "行政复议" not in text
    assert "行政诉讼" not in text


TWO_ITEMS = {
    "items": [
        {"description": "2025年本区老旧小区改造项目清单", "document_number": None},
        {"description": "改造项目施工单位的材料采购单价", "document_number": None},
    ]
}


def test_a_reply_refusing_one_item_is_reviewed_and_carries_the_strictest_remedy(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client, **TWO_ITEMS)
    items = [
        {"position": 1, "outcome": "disclosed"},
        {"position": 2, "outcome": "withheld.third_party_rights", "note": "涉及商业秘密"},
    ]
    fields = {**reply_params("disclosed"), "reasons": "两项信息区分处理", "outcome": None}
    case = ok(submit(client, organ_a, case, **fields, item_outcomes=items))
    # One item provided, one withheld: counted as partially disclosed.
    assert case["review"]["outcome"] == "partially_disclosed"
    # Refusing an item is a refusal: the organ's default sends it to the legal office.
    assert case["review"]["legal_review"] == "pending"
    case = sign_and_issue(client, organ_a, case)
    [reply] = issued(client, organ_a, case["id"], "reply")
    text = letter_text(client, organ_a, reply["id"])
    assert "第2项：不予公开：保护第三方合法权益" in text
    assert "第十五条" in text
    clause = remedy_text(Remedy.reconsideration_first, body=BODY, court=COURT, letter="本答复书")
    assert squash(clause) in text


def test_item_outcomes_must_name_items_of_the_application(
    client: TestClient, organ_a: Staff
) -> None:
    case = online(client)  # one item
    items = [{"position": 2, "outcome": "withheld.third_party_rights"}]
    r = problem(
        submit(client, organ_a, case, **reply_params("disclosed"), item_outcomes=items), 422
    )
    assert [e["loc"][-3:] for e in r["errors"]] == [["item_outcomes", "0", "position"]]
    assert case_of(client, organ_a, case["id"])["review"] is None


def test_a_withheld_part_is_reviewed_where_the_organ_reviews_its_ground(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "org-w", settings={"legal_review_outcomes": ["withheld."]})
    staff = Staff(runtime, "org-w")
    # Partial disclosure itself is not on this organ's list; its withheld parts are.
    case = ok(
        submit(
            client, staff, online(client, organ_code="org-w"), **reply_params("partially_disclosed")
        )
    )
    assert case["review"]["legal_review"] == "pending"
    case = ok(
        submit(client, staff, online(client, organ_code="org-w"), **reply_params("disclosed"))
    )
    assert case["review"]["legal_review"] == "not_required"


def _issued_text(
    client: TestClient,
    staff: Staff,
    clock: Clock,
    outcome: str | None,
    *,
    applied: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    case = online(client, **(applied or {}))
    clock.set("2026-03-20T10:00+08:00")
    sign_and_issue(client, staff, ok(submit(client, staff, case, outcome, **fields)))
    [reply] = issued(client, staff, case["id"], "reply")
    return squash(letter_text(client, staff, reply["id"]))


def test_reconsideration_first_says_first_and_not_to_court_directly(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    text = _issued_text(client, organ_a, clock, **reply_params("withheld.state_secret"))
    for phrase in (
        f"应当自收到本答复书之日起60日内先向{BODY}申请行政复议",
        "不得直接向人民法院提起行政诉讼",
        "对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼",
        "行政复议机关逾期不作决定的，可以在复议期满之日起15日内依法向人民法院提起行政诉讼",
        "《中华人民共和国行政诉讼法》第四十五条",
    ):
        assert phrase in text, phrase
    assert "6个月" not in text


def test_a_partial_disclosure_withholding_only_a_query_register_tells_both_remedies(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    fields = reply_params("partially_disclosed")
    fields["withheld_parts"] = [
        {
            "part": "第1项信息所附的不动产登记簿",
            "ground": "withheld.administrative_query",
            "reasons": "不动产登记资料的查询依《不动产登记暂行条例》办理",
        }
    ]
    text = _issued_text(client, organ_a, clock, **fields)
    assert squash(remedy_text(Remedy.either, body=BODY, court=COURT)) in text
    assert "不得直接" not in text


def test_one_item_refused_under_art_14_makes_the_letter_reconsideration_first(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # Two items, neither split between provision and withholding: the clerk names the counted
    # outcome (a repeat, remedy "either"), and the refused item still makes the letter
    # reconsideration first.
    fields = {
        **reply_params("not_processed.repeat"),
        "item_outcomes": [
            {"position": 1, "outcome": "not_processed.repeat", "note": "重复申请"},
            {"position": 2, "outcome": "withheld.state_secret", "note": "涉密"},
        ],
    }
    text = _issued_text(client, organ_a, clock, applied=TWO_ITEMS, **fields)
    assert "不得直接向人民法院提起行政诉讼" in text
    assert "6个月" not in text
