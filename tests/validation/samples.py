"""Real and hostile files for the upload checks, built in memory (nothing is written to disk)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

OFD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    b"<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def make_pdf(catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table, written by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_with(pages: int = 1, **root: Any) -> pikepdf.Pdf:
    """A blank PDF whose catalog gets ``root`` entries; save it with ``saved``."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    for key, value in root.items():
        pdf.Root[Name("/" + key)] = value
    return pdf


def saved(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def js_action(script: str = "app.alert('x')") -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(script))


def link(action: Dictionary) -> Dictionary:
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 10, 10]), A=action)


def make_ofd(entries: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", OFD_XML)
        archive.writestr("Doc_0/Document.xml", b'<ofd:Document xmlns:ofd="x"/>')
        for name, data in (entries or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


# --- ZIP archives written byte by byte, so sizes can be declared as a hostile tool would ----


@dataclass(frozen=True)
class RawEntry:
    name: str
    payload: bytes  # as stored in the archive (deflated or not)
    declared_size: int  # the uncompressed size written in the headers
    method: int = zipfile.ZIP_DEFLATED
    crc: int = 0
    flags: int = 0


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def raw_zip(entries: list[RawEntry], *, declared_count: int | None = None) -> bytes:
    out = bytearray()
    directory = bytearray()
    for e in entries:
        name = e.name.encode()
        offset = len(out)
        out += _LOCAL.pack(
            b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21,
            e.crc, len(e.payload), e.declared_size, len(name), 0,
        )  # fmt: skip
        out += name + e.payload
        directory += _CENTRAL.pack(
            b"PK\x01\x02", 20, 20, e.flags, e.method, 0, 0x21,
            e.crc, len(e.payload), e.declared_size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        directory += name
    count = len(entries) if declared_count is None else declared_count
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream that inflates to ``mib`` MiB of zeros, about 1 KiB per MiB.

    A full flush ends each block on a byte boundary with no back-references, so one
    compressed mebibyte can simply be repeated.
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(b"\0" * (1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    return block * mib + deflate.flush()


def deflated(data: bytes) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush()


def ofd_entry(data: bytes = OFD_XML) -> RawEntry:
    return RawEntry("OFD.xml", deflated(data), len(data), crc=zlib.crc32(data))


def zip_bomb(mib: int = 1024) -> bytes:
    """OFD.xml honestly declared as ``mib`` MiB of zeros in about 1 MB (CRC not computed:
    the check must refuse from the directory alone, without inflating a byte)."""
    return raw_zip([RawEntry("OFD.xml", zeros_deflated(mib), mib << 20)])
