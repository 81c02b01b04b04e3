"""The letters consultations send, and disclosure over a third party's objection (Art. 32)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Staff
from tests.consultations.helpers import (
    PARTIES,
    QUESTIONS,
    conclude,
    consultation,
    opinion,
    start,
)
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, letters, online, pdf_text
from tests.reply.helpers import issued, ok, pdf, problem, submit


def letter_text(client: TestClient, staff: Staff, letter_id: int) -> str:
    return pdf_text(pdf(client, staff, letter_id))


def test_third_party_consultation_letter_names_the_party_the_question_and_the_reply_date(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(
        start(
            client,
            organ_a,
            case,
            "third_party",
            dispatch_method="in_person",
            party_address="示例区建设路1号",
            party_contact="李经理 010-12345678",
        )
    )
    [letter] = issued(client, organ_a, case["id"], "third_party_consultation")
    assert letter["action"] == "start_consultation"
    assert letter["number"]
    assert consultation(case, "C1")["letter_id"] == letter["id"]
    text = letter_text(client, organ_a, letter["id"])
    assert letter["number"] in text
    assert PARTIES["third_party"] in text
    assert QUESTIONS["third_party"] in text
    assert "第三十二条" in text
    # Handed over on Fri 3-20: 15 WD from then is Mon 4-13.
    assert "自收到本意见书之日起15个工作日内（即2026年4月13日前）" in text
    # The third party learns what is asked, not who asks.
    assert "张三" not in text


def test_organ_consultation_letter_goes_to_another_organ(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "other_organ"))
    assert issued(client, organ_a, case["id"], "third_party_consultation") == []
    [letter] = issued(client, organ_a, case["id"], "organ_consultation")
    assert consultation(case, "C1")["letter_id"] == letter["id"]
    text = letter_text(client, organ_a, letter["id"])
    for part in (letter["number"], PARTIES["other_organ"], QUESTIONS["other_organ"], "第三十四条"):
        assert part in text
    assert "自收到本函之日起15个工作日内（即2026年4月13日前）" in text
    assert "逾期未提出意见的，视为同意公开" in text


def test_a_posted_letter_states_the_period_without_a_date_it_cannot_know(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    """The window runs from the party's receipt, unknown when a letter is posted: a date
    counted from the dispatch day would shorten the statutory 15 WD."""
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", dispatch_method="post"))
    [letter] = issued(client, organ_a, case["id"], "third_party_consultation")
    text = letter_text(client, organ_a, letter["id"])
    assert "自收到本意见书之日起15个工作日内书面提出" in text
    assert "2026年4月13日" not in text


def test_a_question_ending_in_a_question_mark_gets_no_full_stop(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party", question="是否同意公开报价明细？"))
    case = ok(start(client, organ_a, case, "other_organ", question="是否同意公开拨付意见？"))
    texts = [letter_text(client, organ_a, c["letter_id"]) for c in case["consultations"]]
    assert "是否同意公开报价明细？根据" in texts[0]
    assert "是否同意公开拨付意见？根据" in texts[1]


def test_internal_consultations_send_no_letter(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    before = len(letters(client, organ_a, case["id"]))
    clock.set("2026-03-20T10:00+08:00")
    case = ok(start(client, organ_a, case, "legal_office"))
    case = ok(start(client, organ_a, case, "joint_meeting", meeting_on="2026-03-23"))
    assert len(letters(client, organ_a, case["id"])) == before
    assert [c["letter_id"] for c in case["consultations"]] == [None, None]


# --- disclosure in the public interest (Art. 32) ------------------------------------------


def objected_and_approved(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    """A case whose third party objected (C1), concluded, a disclosing reply signed off."""
    case = online(client)
    clock.set("2026-03-10T10:00+08:00")
    case = ok(start(client, staff, case, "third_party", party_address="示例区建设路1号"))
    clock.set("2026-03-16T10:00+08:00")
    case = ok(
        opinion(
            client,
            staff,
            case,
            "C1",
            "2026-03-16",
            "objection",
            objection_reasons="报价明细属于商业秘密",
        )
    )
    case = ok(conclude(client, staff, case))
    assert case["state"] == "received"
    case = ok(
        submit(client, staff, case, "disclosed", provided="见附件", provided_form="electronic")
    )
    case = ok(act(client, staff, case, "confidentiality_review", "approver", result="passed"))
    return ok(act(client, staff, case, "approve_reply", "approver", comments="同意"))


def test_a_disclosing_reply_over_an_objection_needs_the_notice(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = objected_and_approved(client, organ_a, clock)
    r = problem(act(client, organ_a, case, "issue_reply", "clerk"), 409)
    assert (r["code"], r["guard"]) == ("guard-failed", "third_party_objection_handled")
    assert "C1" in r["detail"]
    assert issued(client, organ_a, case["id"], "reply") == []
    # Saying to notify without the reasons and content is refused too.
    r = problem(
        act(
            client,
            organ_a,
            case,
            "issue_reply",
            "clerk",
            notify_third_party=True,
            consultation_id="C1",
        ),
        422,
    )
    assert "public_interest_reasons" in str(r)
    assert "disclosure_content" in str(r)


def test_disclosure_in_the_public_interest_sends_the_third_party_a_notice(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = objected_and_approved(client, organ_a, clock)
    reasons = "该项目涉及公共安全，不公开报价明细可能对公共利益造成重大影响"
    content = "老旧小区改造项目中标报价明细"
    case = ok(
        act(
            client,
            organ_a,
            case,
            "issue_reply",
            "clerk",
            notify_third_party=True,
            consultation_id="C1",
            public_interest_reasons=reasons,
            disclosure_content=content,
            disclosure_on="2026-03-27",
        )
    )
    assert (case["state"], case["outcome"]) == ("replied", "disclosed")
    [notice] = issued(client, organ_a, case["id"], "third_party_disclosure_notice")
    assert len(issued(client, organ_a, case["id"], "reply")) == 1
    c1 = consultation(case, "C1")
    assert c1["public_interest_reasons"] == reasons
    assert c1["disclosure_letter_id"] == notice["id"]
    assert c1["letter_id"] != notice["id"]
    text = letter_text(client, organ_a, notice["id"])
    for part in (notice["number"], PARTIES["third_party"], content, reasons, "2026年3月27日"):
        assert part in text
    # It cites the consultation letter that asked this party.
    [asked] = issued(client, organ_a, case["id"], "third_party_consultation")
    assert asked["number"] in text
    assert "张三" not in text


def test_the_notice_names_a_consultation_whose_third_party_objected(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = online(client)
    clock.set("2026-03-10T10:00+08:00")
    case = ok(start(client, organ_a, case, "third_party"))
    case = ok(start(client, organ_a, case, "other_organ"))
    case = ok(opinion(client, organ_a, case, "C1", "2026-03-10", "consent"))
    case = ok(
        opinion(client, organ_a, case, "C2", "2026-03-10", "objection", objection_reasons="未定稿")
    )
    case = ok(conclude(client, organ_a, case))
    case = ok(
        submit(client, organ_a, case, "disclosed", provided="见附件", provided_form="electronic")
    )
    case = ok(act(client, organ_a, case, "confidentiality_review", "approver", result="passed"))
    case = ok(act(client, organ_a, case, "approve_reply", "approver"))
    notice = {
        "notify_third_party": True,
        "public_interest_reasons": "公共利益",
        "disclosure_content": "报价明细",
    }
    for code in ("C1", "C2", "C9"):  # consented; not a third party; unknown
        r = act(client, organ_a, case, "issue_reply", "clerk", consultation_id=code, **notice)
        assert "consultation_id" in str(problem(r, 422))
    # Nobody objected as a third party: the reply goes out without a notice.
    case = ok(act(client, organ_a, case, "issue_reply", "clerk"))
    assert issued(client, organ_a, case["id"], "third_party_disclosure_notice") == []


def _two_objectors_signed_off(client: TestClient, staff: Staff, clock: Clock) -> dict[str, Any]:
    case = online(client)
    clock.set("2026-03-10T10:00+08:00")
    case = ok(start(client, staff, case, "third_party"))
    case = ok(start(client, staff, case, "third_party", party="示例监理咨询有限公司"))
    case = ok(
        opinion(client, staff, case, "C1", "2026-03-10", "objection", objection_reasons="商业秘密")
    )
    case = ok(
        opinion(client, staff, case, "C2", "2026-03-10", "partial", objection_reasons="部分涉密")
    )
    case = ok(conclude(client, staff, case))
    case = ok(submit(client, staff, case, "disclosed", provided="见附件"))
    case = ok(act(client, staff, case, "confidentiality_review", "approver", result="passed"))
    return ok(act(client, staff, case, "approve_reply", "approver"))


def test_every_objecting_third_party_is_notified_of_a_public_interest_disclosure(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = _two_objectors_signed_off(client, organ_a, clock)
    body = {
        "notify_third_party": True,
        "public_interest_reasons": "涉及公共安全",
        "disclosure_content": "中标报价明细",
    }
    # A partial objection counts too: naming one objector only is refused.
    r = problem(
        act(client, organ_a, case, "issue_reply", "clerk", consultation_id="C1", **body), 409
    )
    assert r["guard"] == "third_party_objection_handled"
    assert "C2" in r["detail"]

    case = ok(act(client, organ_a, case, "issue_reply", "clerk", **body))

    notices = issued(client, organ_a, case["id"], "third_party_disclosure_notice")
    assert len(notices) == 2
    by_code = {c["code"]: c for c in case["consultations"]}
    assert {by_code["C1"]["disclosure_letter_id"], by_code["C2"]["disclosure_letter_id"]} == {
        n["id"] for n in notices
    }
    texts = [letter_text(client, organ_a, n["id"]) for n in notices]
    assert any(PARTIES["third_party"] in t for t in texts)
    assert any("示例监理咨询有限公司" in t for t in texts)
