"""The case file holds what the applicant was given: each released copy (redacted, with its
遮盖说明 page) right after the reply it went with, listed in the index and hashed in the
manifest; never the original, which holds what was withheld. The applicant's downloads of the
released files are among the proofs of service."""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.casefile.build import build_pending
from app.runtime import Runtime
from tests.casefile.helpers import get_file, unzip
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import act
from tests.releases.helpers import CASES, SECRET_CN, SECRET_PHRASE, replied, squeeze
from tests.reply.helpers import case_of, ok

APPS = "/api/v1/applications"


def _texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def _archived(client: TestClient, staff: Staff, clock: Clock) -> tuple[dict[str, Any], Any]:
    clock.set("2026-03-02T10:00+08:00")
    case, doc = replied(client, staff)
    clock.set("2026-03-05T09:30+08:00")
    r = client.get(
        f"{APPS}/{case['number']}/released-files/{doc['id']}/pdf",
        headers={"X-Query-Code": case["query_code"]},
    )
    assert r.status_code == 200, r.text
    clock.set("2026-03-06T10:00+08:00")
    served = case_of(client, staff, case["id"])
    assert served["state"] == "served"
    ok(act(client, staff, served, "archive", "clerk"))
    return case, doc


def test_the_released_copy_follows_its_reply_in_the_file_and_the_original_never(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case, doc = _archived(client, organ_a, clock)
    assert build_pending(runtime) == 1
    released = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/released",
        headers=organ_a.headers("clerk"),
    ).content
    original = client.get(
        f"{CASES}/{case['id']}/released-documents/{doc['id']}/original",
        headers=organ_a.headers("clerk"),
    ).content

    files = unzip(get_file(client, organ_a, case["id"], "zip").content)
    manifest = json.loads(files["manifest.json"])
    entries = manifest["files"]
    kinds = [e["kind"] for e in entries]
    [entry] = [e for e in entries if e["kind"] == "released"]
    # Right after the reply it went with, under the reply's number.
    reply = entries[kinds.index("released") - 1]
    assert reply["kind"] == "letter"
    assert reply["title"] == "政府信息公开申请答复书"
    assert entry["number"] == reply["number"]
    assert entry["title"] == f"公开文件：{doc['title']}"
    assert entry["sha256"] == hashlib.sha256(released).hexdigest()
    assert files[entry["name"]] == released
    assert entry["pages"] == len(PdfReader(io.BytesIO(released)).pages)
    # The original is nowhere: not as a file, not as pages.
    assert all(data != original for data in files.values())
    hashes = {e["sha256"] for e in entries}
    assert hashlib.sha256(original).hexdigest() not in hashes

    merged = get_file(client, organ_a, case["id"]).content
    assert hashlib.sha256(merged).hexdigest() == manifest["pdf"]["sha256"]
    in_pdf = [e for e in entries if e["in_pdf"]]
    assert len(PdfReader(io.BytesIO(merged)).pages) == sum(e["pages"] for e in in_pdf)
    pages = _texts(merged)
    own = _texts(released)
    start = entry["first_page"] - 1
    assert pages[start : start + entry["pages"]] == own
    text = squeeze("".join(pages))
    assert "遮盖说明" in text
    assert squeeze(SECRET_PHRASE) not in text
    assert SECRET_CN not in text
    index_text = "".join(pages[: entries[0]["pages"]])
    assert f"公开文件：{doc['title']}" in index_text


def test_the_applicants_downloads_of_released_files_are_proofs_of_service(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    case, doc = _archived(client, organ_a, clock)
    assert build_pending(runtime) == 1
    files = unzip(get_file(client, organ_a, case["id"], "zip").content)
    [service] = [e for e in json.loads(files["manifest.json"])["files"] if e["kind"] == "service"]
    text = "".join(_texts(files[service["name"]]))
    assert "公开文件的提供" in text
    assert "2026-03-0509:30采购合同申请人通过平台下载" in text
    assert doc["title"] in text
    assert "申请人通过平台下载" in text
