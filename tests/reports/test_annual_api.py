"""The annual report over HTTP: counting by RULES §8, the layout, the drill-down and who may
read it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.reports import layout
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock, company, make_organ
from tests.letters.helpers import act, online
from tests.reply.helpers import ok, problem, reply_through_review
from tests.reports.helpers import REPORTS, drill, nonzero, report, table3, table4


def _two_cases(client: TestClient, staff: Staff) -> tuple[dict[str, Any], dict[str, Any]]:
    """A person's application answered (state secret) and a company's still open, both
    received on Monday 2 March 2026."""
    answered = reply_through_review(
        client, staff, online(client), "withheld.state_secret", reasons="涉密"
    )
    open_case = online(client, applicant=company())
    return answered, open_case


def test_rows_and_columns_are_labelled_as_published(client: TestClient, organ_a: Staff) -> None:
    rep = report(client, organ_a, 2026)
    rows = rep["table3"]["rows"]
    assert len(rows) == 25
    assert [c["label"] for c in rep["table3"]["columns"]] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计",
    ]  # fmt: skip
    labels = [r["label"] for r in rows]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert labels[1] == "二、上年结转政府信息公开申请数量"
    assert labels[2] == "（一）予以公开"
    assert labels[6] == '3.危及"三安全一稳定"'
    assert rows[6]["group"] == "（三）不予公开"
    assert labels[-2:] == ["（七）总计", "四、结转下年度继续办理"]
    assert rep["table3"]["results_heading"] == "三、本年度办理结果"
    groups = rep["table4"]["groups"]
    assert [(g["heading"], g["label"]) for g in groups] == [
        ("行政复议", "行政复议"),
        ("行政诉讼", "未经复议直接起诉"),
        ("行政诉讼", "复议后起诉"),
    ]
    assert [c["label"] for c in rep["table4"]["columns"]] == [
        "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
    ]  # fmt: skip
    assert sum(len(g["cells"]) for g in groups) == 15
    assert rep["identities_checked"] == 7 * 2 + 25 + 3


def test_a_year_is_counted_by_receipt_and_conclusion(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    _two_cases(client, organ_a)
    online(client, organ_code="org-b")  # another organ's case is never counted
    cells = nonzero(table3(report(client, organ_a, 2026)))
    assert cells == {
        ("new", "natural_person"): 1,
        ("new", "commercial_enterprise"): 1,
        ("new", "total"): 2,
        ("withheld.1", "natural_person"): 1,
        ("withheld.1", "total"): 1,
        ("total", "natural_person"): 1,
        ("total", "total"): 1,
        ("carried_forward", "commercial_enterprise"): 1,
        ("carried_forward", "total"): 1,
    }


def test_the_next_year_carries_over_what_was_open(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    _, open_case = _two_cases(client, organ_a)
    clock.set("2027-01-05T10:00+08:00")
    ok(act(client, organ_a, open_case, "withdraw", "clerk", withdrawn_on="2027-01-05"))
    cells = nonzero(table3(report(client, organ_a, 2027)))
    assert cells == {
        ("carried_over", "commercial_enterprise"): 1,
        ("carried_over", "total"): 1,
        ("other.3", "commercial_enterprise"): 1,
        ("other.3", "total"): 1,
        ("total", "commercial_enterprise"): 1,
        ("total", "total"): 1,
    }
    # 2026 is unchanged by a withdrawal in 2027: still carried forward.
    assert table3(report(client, organ_a, 2026))["carried_forward"]["total"] == 1


def test_every_number_links_to_exactly_the_cases_it_counts(
    client: TestClient, organ_a: Staff
) -> None:
    answered, open_case = _two_cases(client, organ_a)
    rep = report(client, organ_a, 2026)
    h = organ_a.headers("supervisor")
    for row in rep["table3"]["rows"]:
        for cell in row["cells"]:
            listed = drill(client, cell["href"], h)
            assert listed["count"] == cell["value"] == len(listed["cases"]), cell["href"]
    ids = {
        (row["key"], c["column"]): [x["id"] for x in drill(client, c["href"], h)["cases"]]
        for row in rep["table3"]["rows"]
        for c in row["cells"]
        if c["value"]
    }
    assert ids[("withheld.1", "natural_person")] == [answered["id"]]
    assert ids[("carried_forward", "total")] == [open_case["id"]]
    assert ids[("new", "total")] == [answered["id"], open_case["id"]]
    one = drill(client, f"{REPORTS}/2026/cells/withheld.1/total", h)
    assert one["row"]["label"] == "1.属于国家秘密"
    assert one["row"]["heading"] == "（三）不予公开"
    assert one["cases"][0]["outcome_label"] == "不予公开：属于国家秘密"


def test_table_four_counts_records_filed_in_the_year_as_they_stood_at_its_end(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    answered, _ = _two_cases(client, organ_a)
    clock.set("2026-12-20T10:00+08:00")
    url = f"/api/v1/cases/{answered['id']}/remedies"
    h = organ_a.headers("legal")
    filed = {"kind": "reconsideration", "body": "示例区人民政府", "filed_on": "2026-04-01"}
    r1 = client.post(url, json={**filed, "result": "upheld", "result_on": "2026-06-01"}, headers=h)
    assert r1.status_code == 201, r1.text
    suit = {"kind": "litigation_direct", "body": "示例区人民法院", "filed_on": "2026-11-01"}
    r2 = client.post(url, json=suit, headers=h)
    assert r2.status_code == 201, r2.text
    clock.set("2027-02-01T10:00+08:00")
    # The court decides in January 2027: 2026's table still says pending.
    decided = {**suit, "result": "corrected", "result_on": "2027-01-20"}
    ok(client.put(f"{url}/{r2.json()['id']}", json=decided, headers=h))
    t4 = table4(report(client, organ_a, 2026))
    assert t4["reconsideration"] == {
        "upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1,
    }  # fmt: skip
    assert t4["litigation_direct"] == {
        "upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1,
    }  # fmt: skip
    assert table4(report(client, organ_a, 2027))["litigation_direct"]["total"] == 0
    listed = drill(
        client, f"{REPORTS}/2026/cells/litigation_direct/pending", organ_a.headers("clerk")
    )
    assert listed["count"] == 1
    assert (listed["cases"][0]["remedy_kind"], listed["cases"][0]["remedy_result"]) == (
        "litigation_direct",
        "corrected",
    )


def test_table_four_counts_a_challenge_to_a_failure_to_answer_like_any_record(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    answered, unanswered = _two_cases(client, organ_a)  # the second is due Mon 30 March 2026
    h = organ_a.headers("clerk")

    def record(case: dict[str, Any], **body: Any) -> int:
        r = client.post(f"/api/v1/cases/{case['id']}/remedies", json=body, headers=h)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    clock.set("2026-12-20T10:00+08:00")
    gov, court = "示例区人民政府", "示例区人民法院"
    # Against the reply: reconsideration upheld, then a lawsuit after it, ended otherwise.
    record(answered, kind="reconsideration", body=gov, filed_on="2026-04-10", result="upheld",
           result_on="2026-06-01", decision_received_on="2026-06-03")  # fmt: skip
    record(answered, kind="litigation_after_reconsideration", body=court, filed_on="2026-06-15",
           result="other", result_on="2026-09-01")  # fmt: skip
    # Against the failure to answer: a reconsideration ordering an answer, a direct lawsuit.
    record(unanswered, kind="reconsideration", body=gov, filed_on="2026-04-01",
           result="corrected", result_on="2026-06-30", subject="failure_to_answer")  # fmt: skip
    record(unanswered, kind="litigation_direct", body=court, filed_on="2026-05-01")
    # Filed in 2027: counted in 2027 only.
    clock.set("2027-01-10T10:00+08:00")
    record(unanswered, kind="reconsideration", body=gov, filed_on="2027-01-05")

    zero = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
    assert table4(report(client, organ_a, 2026)) == {
        "reconsideration": {**zero, "upheld": 1, "corrected": 1, "total": 2},
        "litigation_direct": {**zero, "pending": 1, "total": 1},
        "litigation_after_reconsideration": {**zero, "other": 1, "total": 1},
    }
    assert table4(report(client, organ_a, 2027)) == {
        "reconsideration": {**zero, "pending": 1, "total": 1},
        "litigation_direct": zero,
        "litigation_after_reconsideration": zero,
    }

    def listed(row: str, column: str, year: int = 2026) -> list[tuple[int, str, str]]:
        found = drill(client, f"{REPORTS}/{year}/cells/{row}/{column}", h)["cases"]
        return [(x["id"], x["remedy_kind"], x["remedy_subject"]) for x in found]

    assert listed("reconsideration", "total") == [
        (unanswered["id"], "reconsideration", "failure_to_answer"),
        (answered["id"], "reconsideration", "reply"),
    ]
    assert listed("litigation_direct", "pending") == [
        (unanswered["id"], "litigation_direct", "failure_to_answer")
    ]
    assert listed("litigation_after_reconsideration", "other") == [
        (answered["id"], "litigation_after_reconsideration", "reply")
    ]
    assert listed("reconsideration", "pending", 2027) == [
        (unanswered["id"], "reconsideration", "failure_to_answer")
    ]


def test_who_may_read_which_organ(
    client: TestClient, organ_a: Staff, organ_b: Staff, admin: dict[str, str]
) -> None:
    for role in ("clerk", "approver", "supervisor"):
        report(client, organ_a, 2026, role)
    for role in ("front_desk", "legal"):
        problem(client.get(f"{REPORTS}/2026", headers=organ_a.headers(role)), 403)
    problem(
        client.get(f"{REPORTS}/2026", params={"organ": "org-b"}, headers=organ_a.headers("clerk")),
        403,
    )
    assert problem(client.get(f"{REPORTS}/2026", headers=admin), 422)["errors"][0]["loc"] == [
        "query",
        "organ",
    ]
    r = client.get(f"{REPORTS}/2026", params={"organ": "org-b"}, headers=admin)
    assert r.status_code == 200
    assert r.json()["organ"]["code"] == "org-b"
    problem(client.get(f"{REPORTS}/2026", params={"organ": "nope"}, headers=admin), 404)
    problem(client.get(f"{REPORTS}/2026"), 401)


def test_bad_years_cells_and_formats_are_clear_problems(client: TestClient, organ_a: Staff) -> None:
    h = organ_a.headers("clerk")
    for year in (2018, 2027, 0, 99999):
        assert client.get(f"{REPORTS}/{year}", headers=h).status_code == 422
    problem(client.get(f"{REPORTS}/2026/cells/new/martians", headers=h), 404)
    problem(client.get(f"{REPORTS}/2026/cells/withheld.9/total", headers=h), 404)
    problem(client.get(f"{REPORTS}/2026/cells/reconsideration/natural_person", headers=h), 404)
    problem(client.get(f"{REPORTS}/2026/cells/new/total?page=0", headers=h), 422)
    problem(client.get(f"{REPORTS}/2026", headers={**h, "Accept": "image/png"}), 406)
    problem(client.get(f"{REPORTS}/2026?format=docx", headers=h), 422)


def test_layout_covers_every_outcome_once() -> None:
    assert len(layout.TABLE3_ROWS) == 25
    assert set(layout.ROW_OF_OUTCOME.values()) == {r.key for r in layout.RESULT_ROWS}
    # (六)3 其他 counts two outcomes: a withdrawal and a whole application that is not
    # government information (RULES §5 [interpretation]).
    assert sorted(c for c, row in layout.ROW_OF_OUTCOME.items() if row == "other.3") == [
        "other.not_government_information",
        "other.other",
    ]


def test_a_government_sums_its_departments(
    client: TestClient, runtime: Runtime, organ_a: Staff, admin: dict[str, str]
) -> None:
    with runtime.sessions.write.begin() as session:
        make_organ(session, "gov", name="示例区人民政府")
    body = {"code": "dept", "name": "示例区教育局", "reconsideration_body": "示例区人民政府",
            "court": "示例区人民法院", "parent_code": "gov"}  # fmt: skip
    r = client.post("/api/v1/admin/organs", json=body, headers=admin)
    assert r.status_code == 201, r.text
    problem(
        client.post(
            "/api/v1/admin/organs", json={**body, "code": "x", "parent_code": "nope"}, headers=admin
        ),
        422,
    )
    dept, gov = Staff(runtime, "dept"), Staff(runtime, "gov")
    online(client, organ_code="dept")
    online(client, organ_code="dept", applicant=company())
    online(client, organ_code="gov")
    online(client)  # org-a is not part of it
    assert table3(report(client, gov, 2026))["new"]["total"] == 1
    summed = report(client, gov, 2026, include_departments="true")
    assert [o["code"] for o in summed["organs_included"]] == ["gov", "dept"]
    assert table3(summed)["new"] == {
        "natural_person": 2, "commercial_enterprise": 1, "research_institution": 0,
        "public_welfare_org": 0, "legal_service_org": 0, "other_org": 0, "total": 3,
    }  # fmt: skip
    cell = next(c for c in summed["table3"]["rows"][0]["cells"] if c["column"] == "total")
    assert "include_departments=true" in cell["href"]
    listed = drill(client, cell["href"], gov.headers("supervisor"))
    assert sorted(x["organ"] for x in listed["cases"]) == ["dept", "dept", "gov"]
    # A department sees only itself.
    assert table3(report(client, dept, 2026, include_departments="true"))["new"]["total"] == 2
