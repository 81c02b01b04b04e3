"""A batch on a press of several workers renders in parallel chunks, merged in order: the same
pages with the same text and bookmarks as one render of all the documents; one chunk failing,
or the whole job running out of time, fails the job and stores nothing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from app.config import Settings
from app.letters.builders import build
from app.letters.kinds import kind_info
from app.letters.press import LetterPress, LetterRenderFailed, chunks
from app.letters.printing import CoverLine, CoverSheet, service_receipt_params
from app.letters.render import LetterTemplates
from app.letters.samples import (
    DEFAULT_FONTS,
    SAMPLE_CASE,
    SAMPLE_ORGAN,
    reply_params,
    sample_source,
)
from app.models import Letter, PrintBatch
from app.runtime import Runtime
from tests.conftest import Staff
from tests.letters.helpers import embedded_fonts, letters, pdf_text
from tests.letters.test_print_batches import BATCHES, _issued, issued_after

# More than the recursion limit allows WeasyPrint to lay out: a real render failure.
TOO_DEEP = "<html><body>" + "<div>" * 500 + "太深" + "</div>" * 500 + "</body></html>"


def page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def bookmarks(pdf: bytes) -> list[tuple[str, int, list[float]]]:
    """Every bookmark's title, the page it opens (0-based) and where on it."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        pages = {p.objgen: i for i, p in enumerate(doc.pages)}
        out = []

        def walk(items: list[pikepdf.OutlineItem]) -> None:
            for item in items:
                dest = item.destination
                where = [round(float(x), 2) for x in list(dest)[2:4]]
                out.append((item.title, pages[dest[0].objgen], where))
                walk(item.children)

        walk(doc.open_outline().root)
        return out


def sample_sets() -> list[list[str]]:
    """A cover sheet, then three letters each followed by its 送达回证, as printing.py sets
    them out."""
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    sets, lines = [], []
    for position, (kind, params) in enumerate(
        (
            ("reply", reply_params("partially_disclosed")),
            ("correction_notice", {}),
            ("reply", reply_params("disclosed")),
        ),
        start=1,
    ):
        ctx = build(sample_source(kind, **params))
        receipt = sample_source(
            "service_receipt",
            number=None,
            on=ctx.date,
            **service_receipt_params(ctx, SAMPLE_CASE.delivery_method),
        )
        sets.append([templates.html(ctx), templates.html(build(receipt))])
        lines.append(
            CoverLine(
                position,
                kind_info(kind).title,
                ctx.number,
                SAMPLE_CASE.number,
                ctx.addressee.name,
                "邮寄",
                None,
            )
        )
    cover = CoverSheet(
        organ=SAMPLE_ORGAN,
        created_at=datetime(2026, 4, 2, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        created_by="李静",
        letters=lines,
    )
    return [[templates.render("cover.html", batch=cover)], *sets]


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[LetterPress]:
    press = LetterPress(workers=2, timeout_s=120, storage_dir=tmp_path)
    yield press
    press.close()


def test_a_batch_on_two_workers_has_the_pages_text_and_bookmarks_of_one_render(
    two_workers: LetterPress, tmp_path: Path
) -> None:
    sets = sample_sets()
    one = LetterPress(workers=0, timeout_s=120, storage_dir=tmp_path).render_sets(sets)
    split = two_workers.render_sets(sets)

    assert split.pages == one.pages == len(PdfReader(io.BytesIO(split.pdf)).pages)
    assert one.pages >= 1 + 2 * 3
    assert page_texts(split.pdf) == page_texts(one.pdf)
    assert bookmarks(split.pdf) == bookmarks(one.pdf)
    assert len(bookmarks(one.pdf)) >= len(sets)
    # Two chunks, each with its own subsets of the same faces, embedded once per chunk.
    fonts, split_fonts = embedded_fonts(one.pdf), embedded_fonts(split.pdf)
    assert len(split_fonts) == 2 * len(fonts)
    assert {f.split("+")[-1] for f in split_fonts} == {f.split("+")[-1] for f in fonts}
    # Different subsets, different names: no printer may take one chunk's glyphs for another's.
    assert len(set(split_fonts)) == len(split_fonts)
    # The first chunk's document is the base: its title and language.
    with pikepdf.open(io.BytesIO(split.pdf)) as doc:
        assert str(doc.docinfo["/Title"]) == "文书批量打印清单"
        assert str(doc.Root.Lang) == "zh-CN"


def test_a_job_of_one_document_renders_whole_on_a_two_worker_press(
    two_workers: LetterPress,
) -> None:
    html = "<html><body><p>政府信息公开申请答复书</p></body></html>"
    rendered = two_workers.render([html])
    assert rendered.pages == 1
    assert "政府信息公开申请答复书" in pdf_text(rendered.pdf)


def test_one_chunk_failing_fails_the_whole_job_and_the_press_goes_on(
    two_workers: LetterPress,
) -> None:
    sets = sample_sets()
    with pytest.raises(LetterRenderFailed) as err:
        two_workers.render_sets([*sets, [TOO_DEEP]])
    assert err.value.status == 503
    assert "RecursionError" in str(err.value.detail)
    # The other chunk's worker is fine, and so is the next batch.
    again = two_workers.render_sets(sets[:2])
    assert "送达回证" in pdf_text(again.pdf)


def test_the_timeout_covers_the_whole_job(tmp_path: Path) -> None:
    press = LetterPress(workers=2, timeout_s=120, storage_dir=tmp_path)
    try:
        sets = sample_sets()
        press.render_sets(sets)  # both workers up and warm
        press.timeout_s = 0.05
        with pytest.raises(LetterRenderFailed) as err:
            press.render_sets(sets * 4)
        assert err.value.status == 503
        assert "超时" in str(err.value.detail)
        press.timeout_s = 120
        assert press.render_sets(sets[:1]).pages == 1  # a fresh pool after the timeout
    finally:
        press.close()


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ([1, 1, 1, 1], 2, [[0, 1], [2, 3]]),
        ([3, 1, 1, 1], 2, [[0], [1, 2, 3]]),
        ([1, 1, 1, 1, 1, 1], 3, [[0, 1], [2, 3], [4, 5]]),
        ([5], 4, [[0]]),
        ([1, 1], 4, [[0], [1]]),
        ([10, 1, 1], 3, [[0], [1], [2]]),
        ([1, 1, 1, 10], 2, [[0, 1, 2], [3]]),
        ([4, 4, 4], 1, [[0, 1, 2]]),
    ],
)
def test_chunks_are_contiguous_balanced_and_never_split_a_set(
    sizes: list[int], n: int, expected: list[list[int]]
) -> None:
    # Set i holds a letter and its 送达回证, of i's weight in total.
    sets = [[f"{i}a" + "x" * (100 * size), f"{i}b"] for i, size in enumerate(sizes)]
    got = chunks(sets, n)
    assert got == [[h for i in part for h in sets[i]] for part in expected]
    assert [h for part in got for h in part] == [h for s in sets for h in s]


# --- through the API: the app's own press with two workers ---------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"letter_render_workers": 2})


def test_a_print_batch_on_two_workers_keeps_each_letter_before_its_service_form(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    assert runtime.press.workers == 2
    issued = _issued(client, organ_a, 2)
    r = client.post(
        BATCHES,
        json={"letter_ids": [x["id"] for x in issued]},
        headers=organ_a.headers("front_desk"),
    )
    assert r.status_code == 200, r.text
    texts = page_texts(r.content)
    assert "文书批量打印清单" in texts[0]
    # After the cover: each letter's pages, then its one-page 送达回证 naming it.
    pages = {x["id"]: x["pages"] for x in issued_after(client, organ_a, issued)}
    page = 1
    for letter in issued:
        assert letter["number"] in "".join(texts[page : page + pages[letter["id"]]])
        page += pages[letter["id"]]
        assert "送达回证" in texts[page]
        assert letter["number"] in texts[page]
        page += 1
    assert page == len(texts)
    meta = client.get(
        f"{BATCHES}/{r.headers['x-print-batch-id']}", headers=organ_a.headers("front_desk")
    ).json()
    assert meta["pages"] == len(texts)


def test_a_batch_that_fails_in_the_pool_stores_nothing_and_marks_nothing(
    client: TestClient, organ_a: Staff, runtime: Runtime
) -> None:
    issued = _issued(client, organ_a, 2)
    stored = sorted(p for p in runtime.settings.storage_dir.rglob("*") if p.is_file())
    runtime.press.timeout_s = 0.01
    r = client.post(
        BATCHES,
        json={"letter_ids": [x["id"] for x in issued]},
        headers=organ_a.headers("front_desk"),
    )
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "letter-render-failed"
    assert sorted(p for p in runtime.settings.storage_dir.rglob("*") if p.is_file()) == stored
    with runtime.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(PrintBatch)) == 0
        assert session.scalar(select(func.count()).where(Letter.printed_at.is_not(None))) == 0
    for letter in letters(client, organ_a, issued[0]["case_id"]):
        assert letter["printed_at"] is None
