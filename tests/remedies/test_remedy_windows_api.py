"""The remedy windows a served case shows (RULES §4, §5), over HTTP with the real roles: the
case detail, the applicant's own view and the ledger export say the same thing — a partial
disclosure withholding under Arts. 14–16 shows only the reconsideration window, and the 15 days
to sue appear once the applicant's receipt of a reconsideration decision is recorded."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.letters.samples import reply_params
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.ledger_export.helpers import csv_dicts, fetch
from tests.letters.helpers import act, online
from tests.reply.helpers import case_of, ok, problem, reply_through_review

CASES = "/api/v1/cases"
WINDOWS = ("reconsideration_until", "litigation_until", "litigation_after_reconsideration_until")
COLUMNS = {
    "reconsideration_until": "申请行政复议期限",
    "litigation_until": "提起行政诉讼期限",
    "litigation_after_reconsideration_until": "复议后起诉期限",
}
RECONSIDERATION = {
    "kind": "reconsideration",
    "body": "示例区人民政府",
    "filed_on": "2026-04-10",
    "case_number": "示区府复〔2026〕7号",
}


def served_reply(
    client: TestClient,
    staff: Staff,
    clock: Clock,
    outcome: str,
    *,
    applied: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """An online application (received Mon 2026-03-02) answered on Fri 2026-03-20 and served
    electronically the same day."""
    receipt = online(client, **(applied or {}))
    clock.set("2026-03-20T10:00+08:00")
    case = reply_through_review(client, staff, receipt, outcome, **fields)
    case = ok(
        act(
            client,
            staff,
            case,
            "record_service",
            "front_desk",
            method="electronic",
            delivered_at="2026-03-20T15:00:00+08:00",
            evidence="电子邮件回执",
        )
    )
    assert case["state"] == "served"
    return {**case, "query_code": receipt["query_code"]}


def windows(deadlines: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {d["name"]: (d["due_date"], d["status"]) for d in deadlines if d["name"] in WINDOWS}


def applicant_windows(client: TestClient, case: dict[str, Any]) -> dict[str, tuple[str, str]]:
    r = client.get(
        f"/api/v1/applications/{case['number']}", headers={"X-Query-Code": case["query_code"]}
    )
    assert r.status_code == 200, r.text
    return windows(r.json()["deadlines"])


def ledger_windows(client: TestClient, staff: Staff, case: dict[str, Any]) -> dict[str, str]:
    r = fetch(client, staff.headers("supervisor"), "2026-03-01", "2026-03-31", "csv")
    assert r.status_code == 200, r.text
    [row] = [x for x in csv_dicts(r.content) if x["申请编号"] == case["number"]]
    return {name: row[column] for name, column in COLUMNS.items() if row[column]}


def test_a_served_partial_disclosure_shows_only_the_reconsideration_window_everywhere(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = served_reply(client, organ_a, clock, **reply_params("partially_disclosed"))
    clock.set("2026-03-23T10:00+08:00")
    # 60 days from Fri 20 March: Tue 19 May. No six-month window: a court would not hear it.
    want = {"reconsideration_until": ("2026-05-19", "running")}
    assert windows(case_of(client, organ_a, case["id"])["deadlines"]) == want
    r = client.get(f"{CASES}/{case['id']}/deadlines", headers=organ_a.headers("supervisor"))
    assert windows(r.json()) == want
    assert applicant_windows(client, case) == want
    assert ledger_windows(client, organ_a, case) == {"reconsideration_until": "2026-05-19"}


def test_a_served_disclosure_shows_both_windows_everywhere(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = served_reply(client, organ_a, clock, **reply_params("disclosed"))
    clock.set("2026-03-23T10:00+08:00")
    # Six months end on Sun 20 September, a make-up working day: it stays.
    want = {
        "reconsideration_until": ("2026-05-19", "running"),
        "litigation_until": ("2026-09-20", "running"),
    }
    assert windows(case_of(client, organ_a, case["id"])["deadlines"]) == want
    assert applicant_windows(client, case) == want
    assert ledger_windows(client, organ_a, case) == {k: v[0] for k, v in want.items()}


def test_a_partial_disclosure_withholding_only_a_query_register_allows_both_windows(
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
    case = served_reply(client, organ_a, clock, **fields)
    names = set(windows(case_of(client, organ_a, case["id"])["deadlines"]))
    assert names == {"reconsideration_until", "litigation_until"}
    assert set(applicant_windows(client, case)) == names
    assert set(ledger_windows(client, organ_a, case)) == names


def test_a_refused_item_makes_the_reply_reconsideration_first(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    # Neither item provides information, so the counted outcome is the one the clerk names
    # among the items' (a repeat, remedy "either"); the item refused under Art. 14 decides.
    fields = {
        **reply_params("not_processed.repeat"),
        "item_outcomes": [
            {"position": 1, "outcome": "not_processed.repeat", "note": "重复申请"},
            {"position": 2, "outcome": "withheld.state_secret", "note": "涉密"},
        ],
    }
    two = [
        {"description": "2025年某某区旧城改造项目征收补偿方案", "document_number": None},
        {"description": "某某街道2024年度部门预算及决算说明", "document_number": None},
    ]
    case = served_reply(client, organ_a, clock, applied={"items": two}, **fields)
    assert set(windows(case_of(client, organ_a, case["id"])["deadlines"])) == {
        "reconsideration_until"
    }
    assert set(ledger_windows(client, organ_a, case)) == {"reconsideration_until"}


def test_after_a_reconsideration_decision_is_received_the_fifteen_day_window_appears(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = served_reply(client, organ_a, clock, **reply_params("partially_disclosed"))
    url = f"{CASES}/{case['id']}/remedies"
    legal = organ_a.headers("legal")
    clock.set("2026-04-12T10:00+08:00")
    r = client.post(url, json=RECONSIDERATION, headers=organ_a.headers("clerk"))
    assert r.status_code == 201, r.text
    assert r.json()["subject"] == "reply"
    assert r.json()["decision_received_on"] is None
    record = f"{url}/{r.json()['id']}"
    assert set(windows(case_of(client, organ_a, case["id"])["deadlines"])) == {
        "reconsideration_until"
    }

    clock.set("2026-06-10T10:00+08:00")
    decided = {**RECONSIDERATION, "result": "upheld", "result_on": "2026-06-05"}
    ok(client.put(record, json=decided, headers=legal))
    # The decision exists, its receipt is not recorded: no window yet.
    assert set(windows(case_of(client, organ_a, case["id"])["deadlines"])) == {
        "reconsideration_until"
    }
    received = {**decided, "decision_received_on": "2026-06-08"}
    body = ok(client.put(record, json=received, headers=legal))
    assert body["decision_received_on"] == "2026-06-08"
    # 15 days from Mon 8 June: Tue 23 June; still no direct six-month lawsuit.
    want = {
        "reconsideration_until": ("2026-05-19", "expired"),
        "litigation_after_reconsideration_until": ("2026-06-23", "running"),
    }
    detail = case_of(client, organ_a, case["id"])
    assert windows(detail["deadlines"]) == want
    after = next(
        d for d in detail["deadlines"] if d["name"] == "litigation_after_reconsideration_until"
    )
    assert after["start_date"] == "2026-06-08"
    assert "第四十五条" in after["explanation"]
    assert applicant_windows(client, case) == want
    assert ledger_windows(client, organ_a, case) == {
        "reconsideration_until": "2026-05-19",
        "litigation_after_reconsideration_until": "2026-06-23",
    }
    events = client.get(f"{CASES}/{case['id']}/events", headers=organ_a.headers("clerk")).json()
    assert events[-1]["action"] == "update_remedy"
    assert events[-1]["payload"]["after"]["decision_received_on"] == "2026-06-08"


def test_a_decision_receipt_that_cannot_be_is_refused_naming_the_field(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    case = served_reply(client, organ_a, clock, **reply_params("withheld.state_secret"))
    url = f"{CASES}/{case['id']}/remedies"
    h = organ_a.headers("legal")
    clock.set("2026-06-10T10:00+08:00")
    decided = {**RECONSIDERATION, "result": "upheld", "result_on": "2026-06-05"}
    for bad in (
        {**decided, "decision_received_on": "2026-06-04"},  # before the decision
        {**decided, "decision_received_on": "2026-06-11"},  # in the future
        {**RECONSIDERATION, "decision_received_on": "2026-06-08"},  # no decision yet
    ):
        body = problem(client.post(url, json=bad, headers=h), 422)
        assert body["errors"][0]["loc"] == ["body", "decision_received_on"], bad
    assert client.get(url, headers=h).json() == []
    # On the day of the decision, or later, it is kept.
    for day in ("2026-06-05", "2026-06-10"):
        r = client.post(url, json={**decided, "decision_received_on": day}, headers=h)
        assert r.status_code == 201, r.text
        assert r.json()["decision_received_on"] == day
