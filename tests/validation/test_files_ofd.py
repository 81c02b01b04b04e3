"""OFD containers are ZIP archives: inspected with bounded reads before anything is stored."""

from __future__ import annotations

import random
import zipfile
import zlib

import pytest

from app.validation.files import (
    OFD_ROOT_MAX_BYTES,
    FileLimits,
    FileRefused,
    inspect_file,
    sniff_content_type,
)
from tests.validation.samples import (
    OFD_XML,
    RawEntry,
    deflated,
    make_ofd,
    ofd_entry,
    raw_zip,
    zeros_deflated,
    zip_bomb,
)


def refusal(data: bytes, limits: FileLimits = FileLimits()) -> FileRefused:
    with pytest.raises(FileRefused) as err:
        inspect_file(data, limits)
    return err.value


def test_a_real_ofd_is_accepted() -> None:
    assert inspect_file(make_ofd()) == "application/ofd"
    assert inspect_file(raw_zip([ofd_entry()])) == "application/ofd"


def test_ofd_xml_inflating_to_a_gibibyte_is_refused_from_the_directory_alone() -> None:
    bomb = zip_bomb(1024)
    assert len(bomb) < 1_100_000

    err = refusal(bomb)

    assert err.kind == "content"
    assert "bomb" in err.reason
    assert "OFD.xml" in err.reason


def test_entries_together_expanding_past_the_limit_are_too_large() -> None:
    # Each entry compresses only 50:1, under the ratio limit; together they expand too far.
    entries = [ofd_entry()] + [
        RawEntry(f"Doc_0/Res/{i}.bin", b"x" * (40 << 10), 2 << 20) for i in range(60)
    ]

    err = refusal(raw_zip(entries))

    assert err.kind == "size"
    assert "100 MB" in err.reason


def test_the_expanded_size_limit_is_configurable() -> None:
    data = make_ofd({"Doc_0/Res/image.jpg": random.Random(0).randbytes(1_200_000)})

    assert inspect_file(data) == "application/ofd"
    assert refusal(data, FileLimits(ofd_max_expanded_bytes=1_000_000)).kind == "size"


def test_too_many_entries_are_refused_before_the_directory_is_parsed() -> None:
    data = make_ofd({f"Doc_0/Pages/Page_{i}/Content.xml": b"<p/>" for i in range(60)})

    assert inspect_file(data, FileLimits(ofd_max_entries=62)) == "application/ofd"
    err = refusal(data, FileLimits(ofd_max_entries=50))
    assert err.kind == "content"
    assert "50" in err.reason


def test_entries_hidden_behind_a_small_declared_count_are_still_counted() -> None:
    entries = [ofd_entry()] + [RawEntry(f"{i}", b"", 0, zipfile.ZIP_STORED) for i in range(60)]

    err = refusal(raw_zip(entries, declared_count=1), FileLimits(ofd_max_entries=50))

    assert "50" in err.reason


def test_a_huge_central_directory_is_refused_without_parsing_it() -> None:
    long_names = [
        RawEntry("d/" + "n" * 2000 + str(i), b"", 0, zipfile.ZIP_STORED) for i in range(3)
    ]
    data = raw_zip([ofd_entry(), *long_names], declared_count=2)

    assert refusal(data, FileLimits(ofd_max_entries=10)).kind == "content"


def test_ofd_xml_lying_about_its_size_is_read_only_up_to_the_cap() -> None:
    # Declares 50 MB (ratio 50, total under the limits) but inflates to 1 GiB: reading counts
    # what comes out and stops at the cap instead of trusting the header.
    lying = RawEntry("OFD.xml", zeros_deflated(1024)[: 1 << 20], 50 << 20)

    err = refusal(raw_zip([lying]))

    assert err.kind == "content"
    assert f"{OFD_ROOT_MAX_BYTES // 1024} KB" in err.reason


def test_ofd_xml_that_is_not_an_ofd_root_document_is_refused() -> None:
    data = raw_zip([ofd_entry(b"<html><script>alert(1)</script></html>")])

    assert "root document" in refusal(data).reason


def test_ofd_with_a_bad_checksum_is_refused_as_damaged() -> None:
    entry = RawEntry("OFD.xml", deflated(OFD_XML), len(OFD_XML), crc=zlib.crc32(OFD_XML) ^ 1)

    assert "damaged" in refusal(raw_zip([entry])).reason


def test_encrypted_entries_are_refused() -> None:
    data = raw_zip([ofd_entry(), RawEntry("Doc_0/Document.xml", b"\x00" * 24, 12, flags=0x1)])

    assert "encrypted" in refusal(data).reason


def test_unusual_compression_methods_are_refused() -> None:
    data = raw_zip([ofd_entry(), RawEntry("Doc_0/a.xml", b"BZh9", 10, method=zipfile.ZIP_BZIP2)])

    assert "compression method" in refusal(data).reason


def test_zip64_archives_are_refused() -> None:
    plain = raw_zip([ofd_entry()])
    end = plain.rfind(b"PK\x05\x06")
    locator = b"PK\x06\x07" + b"\x00" * 16

    assert refusal(plain[:end] + locator + plain[end:]).kind == "size"


@pytest.mark.parametrize(
    "data",
    [
        raw_zip([RawEntry("readme.txt", b"hi", 2, zipfile.ZIP_STORED)]),
        raw_zip([RawEntry("Doc_0/OFD.xml", deflated(OFD_XML), len(OFD_XML))]),
        b"PK\x03\x04 not really a zip",
    ],
    ids=["no-root-entry", "nested-root-entry", "not-a-zip"],
)
def test_archives_that_are_not_ofd_are_a_wrong_type(data: bytes) -> None:
    assert refusal(data).kind == "type"


def test_sniffing_a_bomb_reads_only_the_directory() -> None:
    # Recognised as an OFD by its directory (cheaply); the inspection then refuses it.
    assert sniff_content_type(zip_bomb(1024)) == "application/ofd"
    many = make_ofd({f"p{i}": b"" for i in range(FileLimits.ofd_max_entries)})
    assert sniff_content_type(many) is None
