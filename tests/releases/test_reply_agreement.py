"""The reply and the released files cannot disagree: the draft's withheld parts are filled from
the redaction log when the reply is submitted; a change of the files or marks after that is
refused at issue (422) until the reply is submitted again; issuing freezes the files, and the
letter states how long they can be downloaded."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from app.runtime import Runtime
from tests.conftest import Staff
from tests.letters.helpers import act, pdf_text
from tests.releases.helpers import (
    CASES,
    PARTIAL,
    apply,
    mark,
    prepared,
    replied,
    text_pdf,
    upload,
)
from tests.reply.helpers import case_of, issued, ok, pdf, problem, submit


def _draft(client: TestClient, staff: Staff, case_id: int) -> dict:
    r = client.get(f"{CASES}/{case_id}/letters", headers=staff.headers("clerk"))
    return next(x for x in r.json() if x["kind"] == "reply" and x["status"] == "draft")


def test_submitting_fills_the_withheld_parts_from_the_redaction_log(
    client: TestClient, organ_a: Staff
) -> None:
    case, _ = prepared(client, organ_a)
    done = ok(
        submit(
            client, organ_a, case_of(client, organ_a, case["id"]), "partially_disclosed", **PARTIAL
        )
    )
    assert done["review"]["legal_review"] == "pending"
    draft = _draft(client, organ_a, case["id"])
    r = client.get(
        f"{CASES}/{case['id']}/letters/{draft['id']}/preview", headers=organ_a.headers("clerk")
    )
    text = pdf_text(r.content)
    # One part per document, ground and reason, naming the pages and the areas.
    # The two phrases (商业秘密) and the ID and mobile numbers (个人隐私), on each of 3 pages.
    assert "《采购合同》第1-3页遮盖的内容（共6处）。理由：投标报价属于商业秘密" in text
    assert "《采购合同》第1-3页遮盖的内容（共6处）。理由：个人隐私" in text
    assert "《采购合同》第1页遮盖的内容（共1处）。理由：内部审批签名" in text
    assert "第十六条第一款" in text
    assert "随本答复书向你提供以下文件" in text
    assert "《采购合同》，共4页" in text
    assert "自本答复书出具之日起60日内可凭登记编号和查询码在网上平台下载" in text


def test_a_reply_that_withholds_nothing_cannot_carry_redacted_files(
    client: TestClient, organ_a: Staff
) -> None:
    case, _ = prepared(client, organ_a)
    body = problem(
        submit(
            client,
            organ_a,
            case_of(client, organ_a, case["id"]),
            "disclosed",
            provided="合同",
            provided_form="electronic",
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "outcome"]
    assert "partially_disclosed" in body["errors"][0]["msg"]


def test_a_refusal_cannot_carry_released_files(client: TestClient, organ_a: Staff) -> None:
    case, _ = prepared(client, organ_a, marks=[])
    body = problem(
        submit(
            client,
            organ_a,
            case_of(client, organ_a, case["id"]),
            "withheld.state_secret",
            reasons="涉密",
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "outcome"]


def test_a_file_without_its_released_copy_stops_the_submission(
    client: TestClient, organ_a: Staff
) -> None:
    case, doc = prepared(client, organ_a)
    r = mark(client, organ_a, case["id"], doc["id"], kind="phrase", phrase="联系人",
             ground="withheld.third_party_rights", reason="个人信息")  # fmt: skip
    assert r.status_code == 201
    assert r.json()["current"] is False
    body = problem(
        submit(
            client, organ_a, case_of(client, organ_a, case["id"]), "partially_disclosed", **PARTIAL
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "released_documents"]
    assert "采购合同" in body["errors"][0]["msg"]


def test_marks_changed_after_submission_stop_the_issue_until_submitted_again(
    client: TestClient, organ_a: Staff
) -> None:
    case, doc = prepared(client, organ_a)
    c = ok(
        submit(
            client, organ_a, case_of(client, organ_a, case["id"]), "partially_disclosed", **PARTIAL
        )
    )
    c = ok(act(client, organ_a, c, "legal_approve", "legal", comments="合法"))
    c = ok(act(client, organ_a, c, "confidentiality_review", "approver", result="passed"))
    c = ok(act(client, organ_a, c, "approve_reply", "approver"))
    # Editable until the reply is issued ...
    r = mark(client, organ_a, case["id"], doc["id"], kind="phrase", phrase="联系人",
             ground="withheld.third_party_rights", reason="个人信息")  # fmt: skip
    assert r.status_code == 201, r.text
    assert apply(client, organ_a, case["id"], doc["id"]).status_code == 200
    # ... but what was reviewed is what is issued.
    body = problem(
        act(client, organ_a, case_of(client, organ_a, case["id"]), "issue_reply", "clerk"), 422
    )
    assert body["errors"][0]["loc"] == ["body", "released_documents"]
    c = ok(
        act(
            client,
            organ_a,
            case_of(client, organ_a, case["id"]),
            "return_for_revision",
            "approver",
            comments="遮盖有变化",
        )
    )
    c = ok(submit(client, organ_a, c, "partially_disclosed", **PARTIAL))
    c = ok(act(client, organ_a, c, "legal_approve", "legal", comments="合法"))
    c = ok(act(client, organ_a, c, "confidentiality_review", "approver", result="passed"))
    c = ok(act(client, organ_a, c, "approve_reply", "approver"))
    done = ok(act(client, organ_a, c, "issue_reply", "clerk"))
    assert done["state"] == "replied"


def test_issuing_freezes_the_files_and_the_letter_states_the_period(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    case, doc = replied(client, organ_a)
    r = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}", headers=organ_a.headers("clerk")
    )
    frozen = r.json()
    reply = issued(client, organ_a, case["id"], "reply")[0]
    assert frozen["frozen"] is True
    assert frozen["letter_id"] == reply["id"]
    # Issued Monday 2 March 2026; 60 days.
    assert frozen["available_until"] == date(2026, 5, 1).isoformat()
    text = pdf_text(pdf(client, organ_a, reply["id"]))
    assert "自本答复书出具之日起60日内（至2026年5月1日）可凭登记编号和查询码在网上平台下载" in text
    assert "《采购合同》第1-3页遮盖的内容（共6处）。理由：个人隐私" in text
    # Nothing about it changes any more: not by the API ...
    r = mark(client, organ_a, case["id"], doc["id"], kind="pattern", pattern="email",
             ground="withheld.third_party_rights", reason="个人信息")  # fmt: skip
    assert r.status_code == 409, r.text
    r = client.delete(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}", headers=organ_a.headers("clerk")
    )
    assert r.status_code == 409, r.text
    # ... nor behind its back: the database refuses.
    with pytest.raises(DBAPIError), runtime.engine.begin() as conn:
        conn.execute(
            sql("UPDATE released_documents SET title = 'x' WHERE id = :id"), {"id": doc["id"]}
        )
    with pytest.raises(DBAPIError), runtime.engine.begin() as conn:
        conn.execute(sql("DELETE FROM redaction_marks WHERE document_id = :id"), {"id": doc["id"]})
    # A new upload after the reply is refused too.
    assert upload(client, organ_a, case["id"], text_pdf(1)).status_code == 409


def test_the_reply_without_released_files_is_unchanged(client: TestClient, organ_a: Staff) -> None:
    from tests.letters.helpers import online
    from tests.reply.helpers import reply_through_review

    case = online(client)
    done = reply_through_review(client, organ_a, case, "partially_disclosed", **PARTIAL,
        withheld_parts=[{"part": "报价清单", "ground": "withheld.third_party_rights", "reasons": "商业秘密"}])  # fmt: skip
    text = pdf_text(pdf(client, organ_a, issued(client, organ_a, done["id"], "reply")[0]["id"]))
    assert "报价清单" in text
    assert "随本答复书" not in text
