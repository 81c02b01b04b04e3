"""Assembling a case file from its parts (no case needed): the index's page numbers stay right
when the index itself runs to several pages; unreadable PDFs and other formats go into the ZIP
only; the same parts give the same ZIP bytes; a ready file is frozen by the database."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from app.casefile.assembly import Assembled, Source, assemble, build_zip
from app.casefile.build import build_pending
from app.casefile.order import retention_end
from app.casefile.schemas import IndexRow, IndexSheet, RecordSection, RecordSheet
from app.models import CaseFile
from app.runtime import Runtime
from tests.casefile.helpers import archived_case
from tests.conftest import Staff
from tests.fixtures.factories import Clock
from tests.validation.samples import make_pdf


def _assemble(runtime: Runtime, sources: list[Source]) -> Assembled:
    def index_html(rows: list[IndexRow], total: int) -> str:
        sheet = IndexSheet(
            organ_name="示例机关",
            case_number="示依申〔2026〕0001号",
            version=1,
            archived_on=date(2026, 3, 13),
            retention_years=10,
            retention_until=date(2036, 3, 13),
            total_pages=total,
            rows=rows,
        )
        return runtime.letter_templates.render("casefile_index.html", idx=sheet)

    return assemble(
        sources,
        render=lambda html: runtime.press.render([html]),
        index_html=index_html,
        header={"case_number": "示依申〔2026〕0001号"},
    )


def _texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def test_a_long_index_runs_to_several_pages_and_its_page_numbers_count_them(
    runtime: Runtime,
) -> None:
    blank = make_pdf()
    sources = [Source("attachment", f"附件{i}", f"a{i}", pdf=blank) for i in range(1, 61)]
    sources.append(
        Source("timeline", "办理过程记录", "timeline", html=_record(runtime, "末页标记"))
    )
    made = _assemble(runtime, sources)
    index = made.parts[0]
    assert index.pages >= 2
    assert made.parts[1].first_page == index.pages + 1
    assert made.parts[-1].first_page == index.pages + 61
    assert made.pages == index.pages + 61
    texts = _texts(made.pdf)
    assert "末页标记" in texts[made.parts[-1].first_page - 1]
    index_text = "".join(texts[: index.pages])
    assert f"本卷共61件，{made.pages}页" in index_text
    assert "办理过程记录—2026年" not in index_text  # no date given: a dash
    assert f"{index.pages + 61}1" in index_text  # the last row: first page, pages


def _record(runtime: Runtime, marker: str) -> str:
    doc = RecordSheet(
        title="办理过程记录",
        organ_name="示例机关",
        case_number="示依申〔2026〕0001号",
        sections=[RecordSection(fields=[("标记", marker)])],
    )
    return runtime.letter_templates.render("casefile_record.html", doc=doc)


def test_unreadable_pdfs_and_other_formats_go_into_the_zip_only_and_the_zip_is_deterministic(
    runtime: Runtime,
) -> None:
    sources = [
        Source("attachment", "申请附件：坏.pdf", "bad", pdf=b"%PDF-1.7 broken"),
        Source("attachment", "申请附件：委托书.ofd", "ofd", raw=b"PK\x03\x04ofd", ext=".ofd"),
        Source("attachment", "申请附件：好.pdf", "good", pdf=make_pdf()),
    ]
    made = _assemble(runtime, sources)
    bad, ofd, good = made.parts[1:]
    assert (bad.pages, bad.first_page, ofd.pages, ofd.first_page) == (0, None, 0, None)
    assert "无法读取" in bad.note
    assert (good.pages, good.first_page) == (1, made.parts[0].pages + 1)
    with zipfile.ZipFile(io.BytesIO(made.zip)) as z:
        names = z.namelist()
        assert z.read(bad.name) == b"%PDF-1.7 broken"
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
        manifest = json.loads(z.read("manifest.json"))
    assert names == [p.name for p in made.parts] + ["case-file.pdf", "manifest.json"]
    assert [f["in_pdf"] for f in manifest["files"]] == [True, False, False, True]
    # The same parts (the index's PDF included) give the same bytes.
    assert build_zip(made.parts, made.pdf, made.manifest) == made.zip


def test_retention_ends_the_same_day_years_later() -> None:
    assert retention_end(date(2026, 3, 13), 10) == date(2036, 3, 13)
    assert retention_end(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert retention_end(date(2028, 2, 29), 4) == date(2032, 2, 29)


def test_a_ready_file_cannot_be_changed_or_deleted(
    client: TestClient, organ_a: Staff, clock: Clock, runtime: Runtime
) -> None:
    archived_case(client, organ_a, clock)
    assert build_pending(runtime) == 1
    for values in ({"pdf_sha256": "0" * 64}, {"status": "building"}, {"retention_years": 1}):
        with pytest.raises(DBAPIError), runtime.sessions.write.begin() as session:
            session.execute(update(CaseFile).values(**values))
    with pytest.raises(DBAPIError), runtime.sessions.write.begin() as session:
        session.query(CaseFile).delete()
