"""The letter faces: subsets of the system's Noto Serif CJK SC, built once per machine.

Why: WeasyPrint subsets every embedded face per document. Subsetting a 65,000-glyph CJK
collection costs about 40 ms and 75-150 KB per face per letter; a face cut down to GB 2312
(6,763 hanzi) plus Latin and punctuation subsets in a few milliseconds and embeds small. The
cut-down faces live in ``templates/letters/fonts/`` (the only place the renderer may read) and
are registered with @font-face in the stylesheet; characters outside them (rare name
characters) fall back, glyph by glyph, to the full system font named next in the font stack.

Build with ``python -m app.cli build-letter-fonts`` (``scripts/bootstrap`` does). Without the
files letters still render, with the system font, only slower and larger.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app.letters.render import TEMPLATES_DIR

FONTS_DIR = TEMPLATES_DIR / "fonts"
FAMILY = "Gongkai Serif SC"
# Bump when the character set or the subsetting options change.
CHARSET_VERSION = 1


@dataclass(frozen=True)
class Face:
    style: str  # fontconfig style of the source
    filename: str


FACES = (
    Face("Regular", "gongkai-serif-sc-regular.otf"),
    Face("Bold", "gongkai-serif-sc-bold.otf"),
)
SOURCE_FAMILY = "Noto Serif CJK SC"


def charset() -> set[int]:
    """GB 2312 (hanzi and symbols), printable ASCII and Latin-1, and the punctuation of
    Chinese official documents."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    chars |= set(range(0x2000, 0x2070))  # general punctuation: — … ‘ ’ “ ” ‰ ※
    chars |= set(range(0x2460, 0x24A0))  # ① … ⑳, ⑴ …
    chars |= set(range(0x3000, 0x3040))  # CJK punctuation: 、。〈〉《》「」『』【】〔〕〖〗
    chars |= set(range(0xFF00, 0xFFF0))  # full-width forms
    chars |= {0x00D7, 0x00F7, 0x2116, 0x2103, 0x2030, 0x00B7, 0x2212, 0x2264, 0x2265}
    return chars


def source_font(style: str) -> tuple[Path, int] | None:
    """The file and collection index of the system font to cut down, via fontconfig."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    out = subprocess.run(  # noqa: S603 - fixed argv
        [fc_match, "-f", "%{family}|%{style}|%{file}|%{index}", f"{SOURCE_FAMILY}:style={style}"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    ).stdout
    parts = out.split("|")
    if len(parts) != 4 or SOURCE_FAMILY not in parts[0] or style not in parts[1]:
        return None
    return Path(parts[2]), int(parts[3] or 0)


def _stamp(source: Path, index: int) -> dict[str, object]:
    st = source.stat()
    return {
        "source": str(source),
        "index": index,
        "size": st.st_size,
        "mtime": int(st.st_mtime),
        "charset_version": CHARSET_VERSION,
    }


def _build_face(source: str, index: int, target: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    # Rename so fontconfig and PDF readers never confuse the cut-down face with the original.
    name = font["name"]
    for record in name.names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (4,):
            record.string = f"{FAMILY} {font['name'].getDebugName(2) or ''}".strip()
        elif record.nameID == 6:
            record.string = (
                FAMILY.replace(" ", "") + "-" + (font["name"].getDebugName(2) or "Regular")
            )
    tmp = Path(target).with_suffix(".tmp")
    font.save(tmp)
    tmp.replace(target)


def fonts_current(directory: Path = FONTS_DIR) -> bool:
    """Whether the cut-down faces exist and were built from today's system fonts."""
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    for face in FACES:
        src = source_font(face.style)
        if src is None or not (directory / face.filename).is_file():
            return False
        if recorded.get(face.filename) != _stamp(*src):
            return False
    return True


def build_fonts(directory: Path = FONTS_DIR, *, force: bool = False) -> list[Path]:
    """Build the cut-down faces (in parallel, about 25 s each) unless they are current."""
    if not force and fonts_current(directory):
        return [directory / f.filename for f in FACES]
    sources = {f.filename: source_font(f.style) for f in FACES}
    missing = [name for name, src in sources.items() if src is None]
    if missing:
        raise RuntimeError(
            f"{SOURCE_FAMILY} not found by fontconfig (needed for {', '.join(missing)}); "
            "install fonts-noto-cjk"
        )
    directory.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=len(FACES)) as pool:
        jobs = [
            pool.submit(_build_face, str(src[0]), src[1], str(directory / name))
            for name, src in sources.items()
            if src is not None
        ]
        for job in jobs:
            job.result()
    manifest = {name: _stamp(*src) for name, src in sources.items() if src is not None}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    return [directory / f.filename for f in FACES]
