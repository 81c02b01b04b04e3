"""The case file (归档) over HTTP: a case received, consulted on, answered after review and
served is archived; the worker assembles its file; the index lists every document at the page
it starts on; the merged PDF is the sum of its parts; the ZIP's manifest hashes its files; the
file stays as built; other organs never see it; a reopened case archived again gets version 2."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.casefile.build import build_pending
from app.outbox.worker import Worker
from app.runtime import Runtime
from tests.casefile.helpers import ATTACHMENTS, CASES, archived_case, get_file, unzip
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act, online
from tests.reply.helpers import ok, problem, reply_through_review

DECISION = {
    "reason": "复议机关责令重新答复",
    "decision_kind": "reconsideration",
    "decision_number": "示府复〔2026〕12号",
    "decision_received_on": "2026-05-20",
}


def _page_texts(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in reader.pages]


def _built(client: TestClient, staff: Staff, clock: Clock, runtime: Runtime) -> dict[str, Any]:
    case = archived_case(client, staff, clock)
    assert build_pending(runtime) == 1
    return case


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    return dict(json.loads(files["manifest.json"]))


def test_the_file_is_building_until_the_worker_assembles_it_then_ready(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = archived_case(client, organ_a, clock)
    r = problem(get_file(client, organ_a, case["id"]), 409)
    assert (r["code"], r["version"], r["file_status"]) == ("case-file-building", 1, "building")
    [listed] = ok_list(client, organ_a, case["id"])
    assert (listed["status"], listed["pages"], listed["pdf_sha256"]) == ("building", None, None)
    assert build_pending(runtime) == 1
    assert build_pending(runtime) == 0  # nothing left: a ready file is never built again
    [listed] = ok_list(client, organ_a, case["id"])
    assert listed["status"] == "ready"
    assert (listed["archived_on"], listed["retention_years"], listed["retention_until"]) == (
        "2026-03-13",
        10,
        "2036-03-13",
    )
    r = get_file(client, organ_a, case["id"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{hashlib.sha256(r.content).hexdigest()}"'
    assert r.headers["etag"] == f'"{listed["pdf_sha256"]}"'
    assert len(PdfReader(io.BytesIO(r.content)).pages) == listed["pages"]
    again = client.get(
        f"{CASES}/{case['id']}/file",
        headers={**organ_a.headers("clerk"), "If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304


def ok_list(client: TestClient, staff: Staff, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"{CASES}/{case_id}/files", headers=staff.headers("clerk"))
    assert r.status_code == 200, r.text
    return list(r.json())


def test_the_index_lists_every_document_and_the_pdf_is_the_sum_of_its_parts(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = _built(client, organ_a, clock, runtime)
    r = get_file(client, organ_a, case["id"], "zip")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    files = unzip(r.content)
    manifest = _manifest(files)
    entries = manifest["files"]
    # Every file of the ZIP but the manifest is described, with its hash and size.
    assert sorted(files) == sorted(
        [e["name"] for e in entries] + ["case-file.pdf", "manifest.json"]
    )
    for e in entries:
        assert hashlib.sha256(files[e["name"]]).hexdigest() == e["sha256"], e["name"]
        assert len(files[e["name"]]) == e["size"]
    merged = files["case-file.pdf"]
    assert hashlib.sha256(merged).hexdigest() == manifest["pdf"]["sha256"]
    assert merged == get_file(client, organ_a, case["id"]).content

    # The documents, in order: the case's letters as issued, every attachment, every record.
    kinds = [e["kind"] for e in entries]
    assert kinds[:2] == ["index", "application"]
    assert kinds[-1] == "timeline"
    for kind in ("service", "consultation", "review", "communication"):
        assert kind in kinds
    letters = client.get(f"{CASES}/{case['id']}/letters", headers=organ_a.headers("clerk")).json()
    issued = [x for x in letters if x["status"] == "issued"]
    assert [e["number"] for e in entries if e["kind"] == "letter"] == [x["number"] for x in issued]
    assert {"政府信息公开申请答复书", "政府信息公开征求第三方意见书"} <= {
        e["title"] for e in entries if e["kind"] == "letter"
    }
    titles = [e["title"] for e in entries]
    for name, _, _ in ATTACHMENTS:
        assert any(name in t for t in titles), name
    ofd = next(e for e in entries if "委托书.ofd" in e["title"])
    assert (ofd["in_pdf"], ofd["pages"], ofd["first_page"]) == (False, 0, None)
    assert files[ofd["name"]] == ATTACHMENTS[2][1]

    # Page counts: every part's own PDF, summed, is the merged PDF.
    in_pdf = [e for e in entries if e["in_pdf"]]
    for e in in_pdf:
        assert len(PdfReader(io.BytesIO(files[e["name"]])).pages) == e["pages"], e["name"]
    total = len(PdfReader(io.BytesIO(merged)).pages)
    assert total == sum(e["pages"] for e in in_pdf) == manifest["pdf"]["pages"]

    # The index names every document (title, number, its first page) and the page numbers
    # are the merged PDF's: each part's first page is the merged PDF's page of that number.
    index = entries[0]
    pages = _page_texts(merged)
    index_text = "".join(pages[: index["pages"]])
    for position, e in enumerate(entries[1:], start=1):
        # A row reads: position, title, number, date, first page, pages.
        assert f"{position}{e['title'].replace(' ', '')}" in index_text, e["title"]
        if e["number"]:
            assert e["number"] in index_text
    starts = [e["first_page"] for e in in_pdf[1:]]
    assert starts[0] == index["pages"] + 1
    assert starts == sorted(starts)
    for e in in_pdf[1:]:
        own = _page_texts(files[e["name"]])[0]
        assert pages[e["first_page"] - 1] == own, e["name"]
        assert f"{e['first_page']}{e['pages']}" in index_text.replace("—", "")
    assert f"本卷共{len(entries) - 1}件，{total}页" in index_text


def test_the_records_hold_what_the_case_recorded(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = _built(client, organ_a, clock, runtime)
    files = unzip(get_file(client, organ_a, case["id"], "zip").content)
    by_kind = {e["kind"]: e for e in _manifest(files)["files"]}

    def text(kind: str) -> str:
        return "".join(_page_texts(files[by_kind[kind]["name"]]))

    assert "政府信息公开申请表" in text("application")
    assert case["number"] in text("application")
    assert "北京某某建设工程有限公司" in text("consultation")
    assert "意见如下" in text("consultation")
    assert "告知申请人已征求第三方意见" in text("communication")
    assert "签发意见：同意" in text("review")
    assert "签收人：张三" in text("service")
    timeline = text("timeline")
    for label in ("网上提交申请", "征求意见", "提交答复", "签发", "出具答复", "登记送达", "归档"):
        assert label in timeline, label


def test_the_file_stays_as_built_after_later_events_and_a_rebuild(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = _built(client, organ_a, clock, runtime)
    before = get_file(client, organ_a, case["id"], "zip").content
    clock.set("2026-05-21T10:00+08:00")
    case = ok(act(client, organ_a, case, "reopen", "approver", **DECISION))
    r = client.post(
        f"{CASES}/{case['id']}/communications",
        json={"occurred_at": "2026-05-21T09:00:00+08:00", "party_name": "张三",
              "party_kind": "applicant", "method": "phone", "summary": "告知将重新答复"},
        headers=organ_a.headers("clerk"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert build_pending(runtime) == 0
    assert get_file(client, organ_a, case["id"], "zip").content == before
    assert get_file(client, organ_a, case["id"], "zip", version=1).content == before
    assert "告知将重新答复" not in "".join(
        "".join(_page_texts(v)) for k, v in unzip(before).items() if k.endswith(".pdf")
    )


def test_archiving_again_after_a_reopening_makes_version_2_with_the_new_retention(
    client: TestClient,
    organ_a: Staff,
    clock: Clock,
    runtime: Runtime,
    admin: dict[str, str],
) -> None:
    case = _built(client, organ_a, clock, runtime)
    first = get_file(client, organ_a, case["id"]).content
    r = client.put(
        "/api/v1/admin/organs/org-a/settings", json={"archive_retention_years": 30}, headers=admin
    )
    assert r.status_code == 200, r.text
    clock.set("2026-05-21T10:00+08:00")
    case = ok(act(client, organ_a, case, "reopen", "approver", **DECISION))
    clock.set("2026-05-25T10:00+08:00")
    case = reply_through_review(client, organ_a, case, "withheld.state_secret",
                                reasons="经定密属于秘密级")  # fmt: skip
    case = ok(act(client, organ_a, case, "record_service", "front_desk", method="in_person",
                  served_on="2026-05-25", signature="张三"))  # fmt: skip
    case = ok(act(client, organ_a, case, "archive", "clerk"))
    assert build_pending(runtime) == 1
    newest, oldest = ok_list(client, organ_a, case["id"])
    assert (newest["version"], newest["status"], newest["retention_years"]) == (2, "ready", 30)
    assert (newest["archived_on"], newest["retention_until"]) == ("2026-05-25", "2056-05-25")
    assert (oldest["version"], oldest["retention_years"]) == (1, 10)
    assert newest["documents"] > oldest["documents"]  # the second reply and its service
    assert get_file(client, organ_a, case["id"], version=1).content == first
    second = get_file(client, organ_a, case["id"])
    assert second.headers["etag"] == f'"{newest["pdf_sha256"]}"'
    index = "".join(_page_texts(second.content)[:1])
    assert "第2版" in index
    assert "保管期限：30年" in index


def test_other_organs_never_see_the_file_and_unarchived_cases_have_none(
    client: TestClient, organ_a: Staff, organ_b: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = _built(client, organ_a, clock, runtime)
    for path in ("file", "files", "file?format=zip"):
        r = client.get(f"{CASES}/{case['id']}/{path}", headers=organ_b.headers("clerk"))
        assert problem(r, 404)["code"] == "not-found"
    fresh = online(client)
    r = problem(get_file(client, organ_a, fresh["id"]), 404)
    assert r["code"] == "case-file-not-found"
    assert "尚未归档" in r["detail"]
    assert ok_list(client, organ_a, fresh["id"]) == []
    assert problem(get_file(client, organ_a, case["id"], version=2), 404)["code"] == (
        "case-file-not-found"
    )
    for bad in ({"format": "docx"}, {"version": "0"}, {"version": "x"}):
        r = client.get(f"{CASES}/{case['id']}/file", params=bad, headers=organ_a.headers("clerk"))
        assert r.status_code == 422, r.text
    r = client.get(f"{CASES}/{case['id']}/file")
    assert r.status_code == 401


def test_the_retention_setting_is_validated(
    client: TestClient, organ_a: Staff, admin: dict[str, str]
) -> None:
    for bad in (0, 101, "ten", 2.5):
        r = client.put(
            "/api/v1/admin/organs/org-a/settings",
            json={"archive_retention_years": bad},
            headers=admin,
        )
        assert r.status_code == 422, (bad, r.text)
    r = client.get("/api/v1/admin/organs/org-a", headers=admin)
    assert r.json()["settings"]["archive_retention_years"] == 10


def test_the_worker_builds_the_file_in_its_render_pass(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case = archived_case(client, organ_a, clock)
    worker = Worker(runtime, channels=[], periodic=[], scheduler=False)
    report = worker.tick()
    assert report.rendered >= 1
    [listed] = ok_list(client, organ_a, case["id"])
    assert listed["status"] == "ready"
    assert worker.tick().rendered == 0


def test_a_failed_build_is_recorded_and_tried_again(
    client: TestClient,
    organ_a: Staff,
    clock: Clock,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = archived_case(client, organ_a, clock)

    def broken(self: object) -> None:
        raise OSError("storage unavailable")

    with monkeypatch.context() as m:
        m.setattr("app.casefile.parts.Collector.timeline", broken)
        assert build_pending(runtime) == 0
    r = problem(get_file(client, organ_a, case["id"]), 409)
    assert (r["code"], r["file_status"]) == ("case-file-failed", "failed")
    assert ok_list(client, organ_a, case["id"])[0]["status"] == "failed"
    assert build_pending(runtime) == 1
    assert ok_list(client, organ_a, case["id"])[0]["status"] == "ready"
