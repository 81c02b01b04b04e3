"""PDFs with scripts, launch actions or embedded files are refused; the work is bounded."""

from __future__ import annotations

import zlib

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from app.validation.files import FileRefused, inspect_file
from app.validation.pdf import PdfLimits, PdfRefused, check_pdf
from tests.validation.samples import js_action, link, make_pdf, pdf_with, saved


def refusal(data: bytes, limits: PdfLimits = PdfLimits()) -> str:
    with pytest.raises(PdfRefused) as err:
        check_pdf(data, limits)
    return str(err.value)


def test_plain_pdfs_pass() -> None:
    check_pdf(make_pdf())
    check_pdf(saved(pdf_with(pages=3)))
    check_pdf(saved(pdf_with(OpenAction=Array([0, Name.Fit]))))  # open at a page: harmless


def test_web_links_are_allowed() -> None:
    pdf = pdf_with()
    pdf.pages[0].obj.Annots = Array([link(Dictionary(S=Name.URI, URI=String("https://x.cn")))])

    check_pdf(saved(pdf))


def test_open_action_javascript_is_refused() -> None:
    assert "JavaScript" in refusal(saved(pdf_with(OpenAction=js_action())))


def test_javascript_inside_an_object_stream_is_refused() -> None:
    data = saved(
        pdf_with(OpenAction=js_action()), object_stream_mode=pikepdf.ObjectStreamMode.generate
    )
    assert b"JavaScript" not in data  # compressed: only a parser sees it

    assert "JavaScript" in refusal(data)


def test_hex_escaped_names_are_read_as_a_reader_reads_them() -> None:
    data = make_pdf(b"/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >> ")
    assert b"JavaScript" not in data

    assert "JavaScript" in refusal(data)


def test_document_level_javascript_names_are_refused() -> None:
    names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), js_action()])))

    assert "JavaScript" in refusal(saved(pdf_with(Names=names)))


@pytest.mark.parametrize(
    "action",
    ["/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"],
)
def test_actions_that_run_or_reach_outside_are_refused(action: str) -> None:
    pdf = pdf_with()
    pdf.pages[0].obj.Annots = Array([link(Dictionary(S=Name(action), F=String("x")))])

    assert action in refusal(saved(pdf))


def test_page_additional_actions_are_refused() -> None:
    pdf = pdf_with()
    pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("cmd.exe")))

    assert "/Launch" in refusal(saved(pdf))


def test_javascript_chained_after_a_harmless_action_is_refused() -> None:
    first = Dictionary(S=Name.URI, URI=String("https://x.cn"), Next=Array([js_action()]))

    assert "JavaScript" in refusal(saved(pdf_with(OpenAction=first)))


def test_form_field_actions_are_refused() -> None:
    field = Dictionary(FT=Name.Tx, T=String("name"), AA=Dictionary(K=js_action()))
    pdf = pdf_with()
    pdf.Root.AcroForm = Dictionary(Fields=Array([pdf.make_indirect(field)]))

    assert "JavaScript" in refusal(saved(pdf))


def test_xfa_forms_are_refused() -> None:
    pdf = pdf_with()
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp/>"))

    assert "XFA" in refusal(saved(pdf))


def test_embedded_files_are_refused() -> None:
    pdf = pdf_with()
    pdf.attachments["setup.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")

    assert "embedded" in refusal(saved(pdf))


def test_a_password_protected_pdf_is_refused() -> None:
    data = saved(pdf_with(), encryption=pikepdf.Encryption(user="secret", owner="owner"))

    assert "password" in refusal(data)


def test_a_pdf_with_only_an_owner_password_can_be_read_and_passes() -> None:
    check_pdf(saved(pdf_with(), encryption=pikepdf.Encryption(user="", owner="owner")))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        make_pdf()[:60] + b"\n%%EOF\n",
    ],
    ids=["header-only", "no-catalog", "cut-short"],
)
def test_a_damaged_pdf_is_refused(data: bytes) -> None:
    assert "damaged" in refusal(data)


def test_a_truncated_pdf_without_an_end_marker_is_refused() -> None:
    assert "truncated" in refusal(make_pdf()[:-7])


def test_an_html_page_that_starts_with_the_pdf_signature_is_refused() -> None:
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"

    assert "HTML" in refusal(polyglot)


def test_a_real_pdf_with_html_in_its_head_is_refused() -> None:
    real = make_pdf()
    polyglot = real[:9] + b"%<html><script>alert(1)</script>\n" + real[9:]

    assert "HTML" in refusal(polyglot)


def test_a_real_pdf_followed_by_html_is_refused() -> None:
    real = saved(pdf_with(pages=20))
    assert len(real) > 1024

    assert "after the end" in refusal(real + b"<html><script>alert(1)</script></html>")


def test_whitespace_after_the_end_marker_is_fine() -> None:
    check_pdf(make_pdf() + b"\r\n\x00\x00 \n")


def test_the_number_of_objects_walked_is_bounded() -> None:
    data = saved(pdf_with(pages=30))

    check_pdf(data, PdfLimits(max_objects=200))
    assert "too complex" in refusal(data, PdfLimits(max_objects=40))


def test_the_number_of_pages_is_bounded() -> None:
    data = saved(pdf_with(pages=30))

    assert "more than 29 pages" in refusal(data, PdfLimits(max_pages=29))
    check_pdf(data, PdfLimits(max_pages=30))


def test_a_deflate_bomb_in_an_object_stream_stops_at_the_decoding_limit() -> None:
    check_pdf(_object_stream_bomb(mib=1))  # the same file, small enough to decode, is readable

    # 100 MiB from 100 KB: qpdf stops inflating at its memory limit instead of filling RAM.
    assert "damaged" in refusal(_object_stream_bomb(mib=100))


def test_inspect_file_refuses_active_pdfs_as_content() -> None:
    with pytest.raises(FileRefused) as err:
        inspect_file(saved(pdf_with(OpenAction=js_action())))

    assert err.value.kind == "content"
    assert inspect_file(make_pdf()) == "application/pdf"


def _object_stream_bomb(mib: int) -> bytes:
    """The catalog lives in an object stream that inflates to ``mib`` MiB (a 100 KB file)."""
    deflate = zlib.compressobj(9)
    head = b"3 0 "
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    data = deflate.compress(head + catalog)
    block = deflate.compress(b" " * (1 << 20))
    parts = [data, block]
    for _ in range(mib - 1):
        parts.append(deflate.compress(b" " * (1 << 20)))
    parts.append(deflate.flush())
    stream = b"".join(parts)

    out = bytearray(b"%PDF-1.5\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    add(1, b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (len(head), len(stream)) + stream + b"\nendstream")  # fmt: skip
    add(2, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
    add(4, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    xref_at = len(out)
    rows = [b"\x00\x00\x00\x00\xff\xff"]
    rows += [b"\x01" + offsets[1].to_bytes(4, "big") + b"\x00"]
    rows += [b"\x01" + offsets[2].to_bytes(4, "big") + b"\x00"]
    rows += [b"\x02" + (1).to_bytes(4, "big") + b"\x00"]  # object 3: first in stream 1
    rows += [b"\x01" + offsets[4].to_bytes(4, "big") + b"\x00"]
    rows += [b"\x01" + xref_at.to_bytes(4, "big") + b"\x00"]
    table = b"".join(rows)
    add(5, b"<< /Type /XRef /Size 6 /W [1 4 1] /Root 3 0 R /Length %d >>\nstream\n"
        % len(table) + table + b"\nendstream")  # fmt: skip
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
