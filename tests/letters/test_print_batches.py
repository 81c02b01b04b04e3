"""Print batches: one PDF with a cover sheet, each letter followed by its proof-of-service form,
fonts embedded once; the letters are marked printed."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from fastapi.testclient import TestClient

from app.letters.render import TemplateRef
from app.runtime import Runtime
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.letters.helpers import (
    act,
    counter_case,
    embedded_fonts,
    letters,
    online,
    pdf_pages,
    pdf_text,
)

BATCHES = "/api/v1/print-batches"
ITEMS = ["请注明所需信息的文号或者具体名称"]


def _issued(client: TestClient, staff: Staff, n: int) -> list[dict[str, Any]]:
    """n paper cases, each with a receipt and a correction notice."""
    out = []
    for _ in range(n):
        case = counter_case(client, staff)
        r = act(client, staff, case, "request_correction", "clerk", items_to_correct=ITEMS)
        assert r.status_code == 200, r.text
        out += letters(client, staff, case["id"])
    return out


def test_a_batch_of_chosen_letters_is_one_pdf_with_cover_and_service_forms(
    client: TestClient, organ_a: Staff
) -> None:
    issued = _issued(client, organ_a, 3)
    ids = [x["id"] for x in issued]
    r = client.post(BATCHES, json={"letter_ids": ids}, headers=organ_a.headers("front_desk"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    batch_id = int(r.headers["x-print-batch-id"])
    text = pdf_text(r.content)
    assert "文书批量打印清单" in text
    assert text.count("送达回证") >= len(ids)
    for letter in issued:
        assert letter["number"] in text
    # cover + every letter + a one-page service form after each
    pages = {x["id"]: x["pages"] for x in issued_after(client, organ_a, issued)}
    assert pdf_pages(r.content) == 1 + sum(pages.values()) + len(ids)

    # Fonts are embedded once for the whole batch, not once per letter.
    single = client.get(f"/api/v1/letters/{ids[0]}/pdf", headers=organ_a.headers("clerk")).content
    assert len(embedded_fonts(r.content)) <= len(embedded_fonts(single)) + 1
    assert len(r.content) < 3 * len(single)

    meta = client.get(f"{BATCHES}/{batch_id}", headers=organ_a.headers("front_desk")).json()
    assert meta["letter_ids"] == ids
    assert meta["pages"] == pdf_pages(r.content)
    again = client.get(f"{BATCHES}/{batch_id}/pdf", headers=organ_a.headers("front_desk"))
    assert again.content == r.content

    for letter in letters(client, organ_a, issued[0]["case_id"]):
        assert letter["printed_at"] is not None
        assert letter["print_batch_id"] == batch_id


def issued_after(
    client: TestClient, staff: Staff, issued: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    cases = {x["case_id"] for x in issued}
    return [x for c in sorted(cases) for x in letters(client, staff, c)]


def test_the_filter_prints_todays_paper_letters_not_yet_printed(
    client: TestClient, organ_a: Staff, clock: Clock
) -> None:
    paper = _issued(client, organ_a, 2)
    electronic = online(client)  # e-mail delivery with e-service consent: not printed
    clock.advance(days=1)
    _issued(client, organ_a, 1)  # tomorrow's
    clock.advance(days=-1)

    r = client.post(BATCHES, json={"filter": {}}, headers=organ_a.headers("front_desk"))
    assert r.status_code == 200, r.text
    batch_id = int(r.headers["x-print-batch-id"])
    meta = client.get(f"{BATCHES}/{batch_id}", headers=organ_a.headers("front_desk")).json()
    assert meta["letter_ids"] == [x["id"] for x in paper]
    assert electronic["number"] not in pdf_text(r.content)

    again = client.post(BATCHES, json={"filter": {}}, headers=organ_a.headers("front_desk"))
    assert again.status_code == 404  # all printed already
    reprint = client.post(
        BATCHES,
        json={"filter": {"not_printed": False, "delivery": "all"}},
        headers=organ_a.headers("front_desk"),
    )
    assert reprint.status_code == 200
    meta = client.get(
        f"{BATCHES}/{reprint.headers['x-print-batch-id']}", headers=organ_a.headers("clerk")
    ).json()
    assert len(meta["letter_ids"]) == len(paper) + 1


def test_batches_refuse_bad_requests_and_other_organs_letters(
    client: TestClient, organ_a: Staff, organ_b: Staff
) -> None:
    mine = _issued(client, organ_a, 1)
    fd = organ_b.headers("front_desk")
    r = client.post(BATCHES, json={"letter_ids": [mine[0]["id"]]}, headers=fd)
    assert r.status_code == 422
    for body in (
        {},
        {"letter_ids": [], "filter": {}},
        {"letter_ids": [1, 1]},
        {"letter_ids": list(range(1, 502))},
        {"letter_ids": ["x"]},
        {"filter": {"delivery": "fax"}},
    ):
        r = client.post(BATCHES, json=body, headers=organ_a.headers("front_desk"))
        assert r.status_code == 422, (body, r.text)
    assert (
        client.post(BATCHES, json={"filter": {}}, headers=organ_a.headers("legal")).status_code
        == 403
    )
    batch = client.post(
        BATCHES, json={"letter_ids": [mine[0]["id"]]}, headers=organ_a.headers("front_desk")
    )
    batch_id = batch.headers["x-print-batch-id"]
    assert client.get(f"{BATCHES}/{batch_id}", headers=fd).status_code == 404
    assert client.get(f"{BATCHES}/{batch_id}/pdf", headers=fd).status_code == 404


def test_a_draft_cannot_be_printed(client: TestClient, organ_a: Staff) -> None:
    case = counter_case(client, organ_a)
    draft = client.post(
        f"/api/v1/cases/{case['id']}/letters",
        json={"kind": "correction_notice", "fields": {"items_to_correct": ITEMS}},
        headers=organ_a.headers("clerk"),
    ).json()
    r = client.post(
        BATCHES, json={"letter_ids": [draft["id"]]}, headers=organ_a.headers("front_desk")
    )
    assert r.status_code == 422


def test_a_letter_whose_template_changed_is_printed_from_its_stored_pdf(
    client: TestClient, organ_a: Staff, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = _issued(client, organ_a, 2)
    stored = {
        x["id"]: client.get(f"/api/v1/letters/{x['id']}/pdf", headers=organ_a.headers("clerk"))
        for x in issued
    }
    issued = issued_after(client, organ_a, issued)
    notices = [x for x in issued if x["kind"] == "correction_notice"]
    assert len(notices) == 2
    assert all(x["template_sha256"] for x in notices)
    # The correction notice's template changes after they were issued: laid out again, they
    # would carry the new text.
    templates = runtime.letter_templates
    ref = templates.ref("correction_notice")
    monkeypatch.setitem(templates._refs, "correction_notice", TemplateRef(ref.name, "0" * 64))
    html = templates.html

    def changed(ctx: Any, **extra: Any) -> str:
        out = html(ctx, **extra)
        if ctx.kind == "correction_notice":
            out = out.replace("</body>", "<p>新版模板的文字</p></body>")
        return out

    monkeypatch.setattr(templates, "html", changed)

    ids = [x["id"] for x in issued]
    r = client.post(BATCHES, json={"letter_ids": ids}, headers=organ_a.headers("front_desk"))
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    assert "新版模板的文字" not in text
    for letter in issued:
        assert letter["number"] in text
    assert text.count("送达回证") >= len(ids)
    assert pdf_pages(r.content) == 1 + sum(x["pages"] for x in issued) + len(ids)
    with pikepdf.open(io.BytesIO(r.content)) as batch:
        # The stored letters' pages as they were stored, in their places; their signature
        # fields are not carried into the batch.
        contents = [bytes(p.obj.Contents.read_raw_bytes()) for p in batch.pages]
        assert "/AcroForm" not in batch.Root
        for page in batch.pages:
            annots = page.obj.get("/Annots") or []
            assert all(a.get("/Subtype") != "/Widget" for a in annots)
    at = 1
    for letter in issued:
        with pikepdf.open(io.BytesIO(stored[letter["id"]].content)) as one:
            own = [bytes(p.obj.Contents.read_raw_bytes()) for p in one.pages]
        placed = contents[at : at + letter["pages"]]
        if letter["kind"] == "correction_notice":
            assert placed == own
        at += letter["pages"] + 1  # and its 送达回证

    # The letter's own HTML is refused (it would not be the letter issued); its PDF is served.
    notice = notices[0]
    h = organ_a.headers("clerk")
    url = f"/api/v1/cases/{notice['case_id']}/letters/{notice['id']}"
    assert client.get(f"{url}/preview?format=html", headers=h).status_code == 409
    assert client.get(f"/api/v1/letters/{notice['id']}/pdf", headers=h).content == (
        stored[notice["id"]].content
    )
