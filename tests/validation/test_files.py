"""Tests for app.validation.files."""

import io
import struct
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.files import (
    ALLOWED_TYPES,
    FALLBACK_FILENAME,
    MAX_FILENAME_LENGTH,
    safe_filename,
    sniff_content_type,
)
from tests.validation.samples import make_pdf

# --- tiny but real files ------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png() -> bytes:
    """A 1×1 grey PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + _png_chunk(b"IEND", b"")
    )


# A 1×1 grey baseline JFIF image (331 bytes).
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb00430050373c463c32504641465a55505f78c882"
    "786e6e78f5afb991c8ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffc0000b080001000101011100ffc4001f0000010501010101010100000000000000"
    "000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221"
    "31410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a34"
    "35363738393a434445464748494a535455565758595a636465666768696a737475767778797a83848586"
    "8788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3"
    "d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f002bffd9"
)

OFD_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>0C1D4F7159954EEEDE517F7285E84DC4</ofd:DocID>"
    "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def make_zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def make_ofd() -> bytes:
    return make_zip(
        {
            "OFD.xml": OFD_XML,
            "Doc_0/Document.xml": '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>',
            "Doc_0/Pages/Page_0/Content.xml": '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>',
        }
    )


# --- ALLOWED_TYPES ------------------------------------------------------------------


def test_allowed_types_map_content_types_to_canonical_extensions() -> None:
    assert dict(ALLOWED_TYPES) == {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/ofd": ".ofd",
    }


def test_allowed_types_cannot_be_modified_at_runtime() -> None:
    with pytest.raises(TypeError):
        ALLOWED_TYPES["text/html"] = ".html"  # type: ignore[index]


# --- sniffing: accepted formats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (make_pdf(), "application/pdf"),
        (make_png(), "image/png"),
        (JPEG, "image/jpeg"),
        (make_ofd(), "application/ofd"),
    ],
    ids=["pdf", "png", "jpeg", "ofd"],
)
def test_real_files_are_recognised(data: bytes, expected: str) -> None:
    assert sniff_content_type(data) == expected
    assert expected in ALLOWED_TYPES


def test_ofd_with_only_the_root_entry_is_recognised() -> None:
    assert sniff_content_type(make_zip({"OFD.xml": OFD_XML})) == "application/ofd"


def test_ofd_stored_without_compression_is_recognised() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("OFD.xml", OFD_XML)
    assert sniff_content_type(buffer.getvalue()) == "application/ofd"


def test_pdf_header_alone_is_enough() -> None:
    # Only the signature is checked; deeper parsing belongs to the renderer.
    assert sniff_content_type(b"%PDF-") == "application/pdf"


# --- sniffing: refused formats -----------------------------------------------------------

DISGUISED = {
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "html_with_pdf_later": b"<html>\n%PDF-1.7\n</html>",
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48,
    "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,
    "shell_script": b"#!/bin/sh\nrm -rf /\n",
    "gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00",
    "bmp": b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00",
    "webp": b"RIFF\x1a\x00\x00\x00WEBPVP8L",
    "tiff": b"II*\x00\x08\x00\x00\x00",
    "empty": b"",
    "pdf_after_whitespace": b" \n%PDF-1.7\n",
    "pdf_after_bom": b"\xef\xbb\xbf%PDF-1.7\n",
    "pdf_without_dash": b"%PDF1.7\n",
    "pdf_lowercase": b"%pdf-1.7\n",
    "jpeg_two_bytes": b"\xff\xd8",
    "png_truncated_signature": b"\x89PNG\r\n\x1a",
    "png_unix_converted": b"\x89PNG\n\x1a\n\x00\x00\x00\rIHDR",
    "zip_without_ofd_xml": make_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "x"}),
    "zip_with_nested_ofd_xml": make_zip({"Doc_0/OFD.xml": OFD_XML}),
    "zip_with_lowercase_ofd_xml": make_zip({"ofd.xml": OFD_XML}),
    "zip_with_ofd_xml_directory": make_zip({"OFD.xml/readme.txt": "x"}),
    "empty_zip": make_zip({}),
    "truncated_ofd": make_ofd()[:40],
    "zip_magic_only": b"PK\x03\x04",
    "ofd_with_junk_before": b"junk" + make_ofd(),
    "ofd_missing_local_magic": b"PK\x05\x06" + make_ofd()[4:],
}


@pytest.mark.parametrize("data", list(DISGUISED.values()), ids=list(DISGUISED))
def test_disguised_or_unsupported_content_is_refused(data: bytes) -> None:
    assert sniff_content_type(data) is None


def test_ofd_with_corrupt_central_directory_is_refused() -> None:
    data = bytearray(make_ofd())
    start = data.find(b"PK\x01\x02")
    data[start : start + 4] = b"XXXX"
    assert sniff_content_type(bytes(data)) is None


def test_ofd_with_central_directory_cut_off_is_refused() -> None:
    data = make_ofd()
    assert sniff_content_type(data[: len(data) - 30]) is None


@given(st.binary())
def test_sniffing_arbitrary_bytes_never_raises(data: bytes) -> None:
    assert sniff_content_type(data) in {None, *ALLOWED_TYPES}


@given(st.binary())
def test_sniffing_arbitrary_zip_like_bytes_never_raises(tail: bytes) -> None:
    assert sniff_content_type(b"PK\x03\x04" + tail) in {None, "application/ofd"}


@given(st.integers(0, len(make_ofd())))
def test_sniffing_any_prefix_of_an_ofd_never_raises(cut: int) -> None:
    assert sniff_content_type(make_ofd()[:cut]) in {None, "application/ofd"}


# --- safe_filename ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("申请书.pdf", "申请书.pdf"),
        ("report 2024 (final).pdf", "report 2024 (final).pdf"),
        ("关于（第一批）项目的说明，附件.ofd", "关于（第一批）项目的说明，附件.ofd"),
        ("../../etc/passwd", "passwd"),
        ("/var/www/index.html", "index.html"),
        ("C:\\Users\\张三\\Desktop\\申请书.pdf", "申请书.pdf"),
        ("folder\\sub/mixed\\name.png", "name.png"),
        ("..\\..\\boot.ini", "boot.ini"),
    ],
)
def test_safe_filename_keeps_only_the_base_name(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", ".", "..", "...", "dir/", "a\\", "\x00\x01", "\u202e", " . "]
)
def test_safe_filename_falls_back_when_nothing_is_left(raw: str) -> None:
    assert safe_filename(raw) == FALLBACK_FILENAME == "attachment"


def test_safe_filename_normalises_to_nfc() -> None:
    assert safe_filename("Cafe\u0301.pdf") == "Café.pdf"


def test_safe_filename_removes_control_characters() -> None:
    assert safe_filename("a\x00b\nc\r\td\x7f.pdf") == "abcd.pdf"


def test_safe_filename_removes_bidi_override_that_would_disguise_the_extension() -> None:
    # Displayed as "invoiceexe.pdf" if the override survived.
    assert safe_filename("invoice\u202efdp.exe") == "invoicefdp.exe"


def test_safe_filename_removes_invisible_format_and_separator_characters() -> None:
    assert safe_filename("a\u200bb\ufeffc\u2028d\u2029e.pdf") == "abcde.pdf"


def test_safe_filename_replaces_characters_windows_refuses() -> None:
    assert safe_filename('a<b>c:d"e|f?g*h.pdf') == "a_b_c_d_e_f_g_h.pdf"


def test_safe_filename_strips_surrounding_dots_and_spaces() -> None:
    assert safe_filename("  .hidden.pdf. . ") == "hidden.pdf"
    assert safe_filename("\u3000文件.pdf\u3000") == "文件.pdf"


def test_safe_filename_long_name_is_cut_keeping_the_extension() -> None:
    result = safe_filename("长" * 200 + ".pdf")
    assert len(result) == MAX_FILENAME_LENGTH == 120
    assert result == "长" * 116 + ".pdf"


def test_safe_filename_name_at_the_limit_is_untouched() -> None:
    name = "a" * 116 + ".pdf"
    assert safe_filename(name) == name


def test_safe_filename_long_name_without_extension_is_cut() -> None:
    assert safe_filename("x" * 300) == "x" * 120


def test_safe_filename_overlong_extension_is_treated_as_part_of_the_name() -> None:
    result = safe_filename("a." + "b" * 200)
    assert result == ("a." + "b" * 200)[:120]


def test_safe_filename_cut_does_not_leave_a_dangling_dot_or_space() -> None:
    name = "x" * 114 + " ." + "y" * 50 + ".pdf"
    result = safe_filename(name)
    assert result.endswith(".pdf")
    assert len(result) <= MAX_FILENAME_LENGTH
    assert not result[:-4].endswith((" ", "."))


_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@given(st.text(st.characters()))
def test_safe_filename_output_is_always_safe_and_idempotent(raw: str) -> None:
    out = safe_filename(raw)
    assert out
    assert len(out) <= MAX_FILENAME_LENGTH
    assert not set(out) & set('/\\<>:"|?*')
    assert not any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in out)
    assert out == out.strip()
    assert out[0] != "."
    assert out[-1] != "."
    assert safe_filename(out) == out


@given(st.text(st.characters(), max_size=300), st.sampled_from([".pdf", ".jpg", ".png", ".ofd"]))
def test_safe_filename_never_loses_a_normal_extension(stem: str, ext: str) -> None:
    cleaned_stem = safe_filename(stem)
    if cleaned_stem == FALLBACK_FILENAME or stem.strip() == "":
        return
    assert safe_filename(stem + ext).endswith(ext)
