"""Regenerate the sample letter images in docs/letters/: the first page of each kind, and of the
reply for a few outcomes, rendered from app.letters.samples with the real renderer, each with a
verification code and its QR code as an issued letter has them (the 送达回证 is shown as the
blank form printed with a batch).

    .venv/bin/python docs/letters/render_samples.py

Needs the letter fonts (`python -m app.cli build-letter-fonts`) and pdftoppm (poppler-utils).
The images are 16-level grey at 70 dpi, to keep them small in the repository.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from app.letters.builders import build  # noqa: E402
from app.letters.context import LetterContext, LetterSource, Verification  # noqa: E402
from app.letters.render import LetterTemplates, PdfRenderer  # noqa: E402
from app.letters.samples import (  # noqa: E402
    DEFAULT_FONTS,
    ITEMS_REPLY,
    SAMPLE_PARAMS,
    reply_params,
    sample_source,
)

OUT = Path(__file__).resolve().parent
DPI = 70
REPLY_OUTCOMES = (
    "disclosed",
    "partially_disclosed",
    "withheld.state_secret",
    "unavailable.not_this_organ",
    "not_processed.repeat",
    "unavailable.not_held",
    "other.not_government_information",
)


def samples() -> dict[str, LetterSource]:
    """Image name → the letter it shows."""
    out = {kind: sample_source(kind) for kind in SAMPLE_PARAMS}
    out.update({f"reply-{o}": sample_source("reply", **reply_params(o)) for o in REPLY_OUTCOMES})
    out["reply-items"] = sample_source("reply", **ITEMS_REPLY)
    return out


SAMPLE_HOST = "https://gongkai.example.gov.cn"


def issued(name: str, src: LetterSource) -> LetterContext:
    """The sample as issued: with a verification code of its own (made from its name)."""
    ctx = build(src)
    if src.kind == "service_receipt":
        return ctx
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    code = "".join(alphabet[b & 31] for b in hashlib.sha256(name.encode()).digest()[:10])
    url = f"{SAMPLE_HOST}/verify/{code}"
    return ctx.model_copy(update={"verification": Verification(code=code, url=url)})


def first_page_grey(pdftoppm: str, pdf: bytes) -> tuple[int, int, bytes]:
    """The PDF's first page at DPI as 8-bit grey pixels (pdftoppm's PGM): width, height, rows."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "letter.pdf"
        source.write_bytes(pdf)
        stem = Path(tmp) / "page"
        argv = [pdftoppm, "-r", str(DPI), "-gray", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*argv, str(source), str(stem)], check=True, timeout=60)  # noqa: S603
        magic, size, maxval, pixels = stem.with_suffix(".pgm").read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    if magic != b"P5" or maxval != b"255" or len(pixels) != width * height:
        raise ValueError("unexpected pdftoppm output")
    return width, height, pixels


def grey16_png(width: int, height: int, pixels: bytes) -> bytes:
    """A 4-bit grey PNG: 16 levels keep anti-aliased text smooth at a quarter of the size."""
    levels = bytes(round(v * 15 / 255) for v in range(256))
    quantized = pixels.translate(levels)
    rows = []
    for y in range(height):
        row = quantized[y * width : (y + 1) * width] + b"\x00" * (width % 2)
        packed = bytes((hi << 4) | lo for hi, lo in zip(row[0::2], row[1::2], strict=True))
        rows.append(b"\x00" + packed)  # filter type 0 (none)

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found: install poppler-utils", file=sys.stderr)
        return 1
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    renderer = PdfRenderer()
    for name, src in samples().items():
        pdf = renderer.pdf(templates.html(issued(name, src)))
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        target = OUT / f"{name}.png"
        target.write_bytes(grey16_png(*first_page_grey(pdftoppm, pdf)))
        print(f"{target.relative_to(ROOT)}  {pages} page(s), {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
