"""HTML from Jinja2 templates, PDF from WeasyPrint.

- Jinja2 runs with autoescape and StrictUndefined: whatever an applicant typed is text, and a
  template that names a missing field fails instead of printing nothing.
- WeasyPrint gets one `FontConfiguration` and one parsed stylesheet per process (a new one per
  document costs time and leaks memory), and a URL fetcher that serves files under
  `templates/letters/` and the organ's seal, and refuses everything else — no network, no other
  file, whatever the HTML says.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.letters import formatting
from app.letters.context import LetterContext

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates" / "letters"
STYLESHEET = "letter.css"
# Shared by every kind: a change to any of them changes every template hash.
SHARED_FILES = ("base.html", "_macros.html", STYLESHEET)
SEAL_SCHEME = "seal"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FetchRefused(ValueError):
    """The renderer asked for something other than a letter resource."""


@dataclass(frozen=True)
class FontStack:
    """Font families for titles and body text, most preferred first (CSS family names)."""

    title: tuple[str, ...]
    body: tuple[str, ...]

    @staticmethod
    def _css(families: Iterable[str]) -> str:
        return ", ".join('"' + f.replace("\\", "").replace('"', "") + '"' for f in families)

    @property
    def title_css(self) -> str:
        return self._css(self.title)

    @property
    def body_css(self) -> str:
        return self._css(self.body)


@lru_cache(maxsize=256)
def qr_svg(url: str) -> Markup:
    """The address as an inline SVG QR code (error correction M), sized by the stylesheet.

    Inline, not an <img> data: URI, so the renderer's fetcher stays as strict as it is. Cached:
    choosing the mask is most of the ~4 ms it takes, and a print batch draws a letter again.
    """
    import segno

    svg: str = segno.make_qr(url, error="m").svg_inline(border=0, omitsize=True, dark="#000")
    return Markup(svg)  # noqa: S704 (segno writes only a path of coordinates: no text of ours)


@dataclass(frozen=True)
class TemplateRef:
    name: str
    sha256: str


def template_environment(directory: Path) -> Environment:
    """A Jinja2 environment for printed documents: escaped, strict about missing values."""
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


class LetterTemplates:
    """The Jinja2 side: a context in, self-contained HTML out."""

    def __init__(self, directory: Path = TEMPLATES_DIR, *, fonts: FontStack) -> None:
        self.directory = directory
        self.fonts = fonts
        self.env = template_environment(directory)
        self.env.filters.update(
            cn_date=formatting.cn_date,
            cn_datetime=formatting.cn_datetime,
            yuan=formatting.yuan,
            yuan_capital=formatting.yuan_capital,
            cn_count=formatting.cn_count,
            qr_svg=qr_svg,
        )
        self._refs: dict[str, TemplateRef] = {}

    def ref(self, kind: str) -> TemplateRef:
        """The kind's template name and the SHA-256 of everything that shapes its output."""
        hit = self._refs.get(kind)
        if hit is None:
            name = f"{kind}.html"
            h = hashlib.sha256()
            for part in (name, *SHARED_FILES):
                h.update(part.encode() + b"\0" + (self.directory / part).read_bytes() + b"\0")
            hit = self._refs[kind] = TemplateRef(name, h.hexdigest())
        return hit

    def html(self, ctx: LetterContext, **extra: Any) -> str:
        """The letter as HTML."""
        template = self.env.get_template(self.ref(ctx.kind).name)
        return template.render(c=ctx, fonts=self.fonts, **extra)

    def render(self, name: str, **values: Any) -> str:
        """Any other template of the set (the print batch's cover sheet)."""
        return self.env.get_template(name).render(fonts=self.fonts, **values)


# --- WeasyPrint ---------------------------------------------------------------------------


def make_url_fetcher(
    directory: Path, seal_reader: Callable[[str], bytes | None] | None = None
) -> Any:
    """A WeasyPrint URL fetcher that serves letter resources and nothing else.

    It never calls the standard fetcher: no request of any kind leaves the process, and no file
    outside the letters directory is read, whatever URL the HTML or CSS names.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = directory.resolve()

    class LetterFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if (
                parts.scheme == SEAL_SCHEME
                and seal_reader is not None
                and _SHA256.match(parts.path)
            ):
                data = seal_reader(parts.path)
                if data is not None:
                    return URLFetcherResponse(url, data, {"Content-Type": "image/png"})
            if parts.scheme == "file" and not parts.netloc and not parts.query:
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes())
            log.warning("letter renderer refused to fetch %r", url[:200])
            raise FetchRefused(f"letters may not load {url[:200]!r}")

    return LetterFetcher(allowed_protocols=("file", SEAL_SCHEME))


class PdfRenderer:
    """WeasyPrint with its process-wide font configuration and parsed stylesheet."""

    def __init__(
        self,
        directory: Path = TEMPLATES_DIR,
        seal_reader: Callable[[str], bytes | None] | None = None,
    ) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.directory = directory
        self.fetcher = make_url_fetcher(directory, seal_reader)
        self.font_config = FontConfiguration()
        self.base_url = directory.resolve().as_uri() + "/"
        self.stylesheet = CSS(
            filename=str(directory / STYLESHEET),
            font_config=self.font_config,
            url_fetcher=self.fetcher,
        )

    def _document(self, html: str) -> Any:
        from weasyprint import HTML

        return HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            stylesheets=[self.stylesheet], font_config=self.font_config
        )

    def pdf(self, html: str) -> bytes:
        """One letter as PDF."""
        return self.pdf_with_pages(html)[0]

    def pdf_with_pages(self, html: str) -> tuple[bytes, int]:
        """One letter as PDF, and its page count."""
        document = self._document(html)
        data: bytes = document.write_pdf()
        return data, len(document.pages)

    def merged(self, htmls: Iterable[str]) -> bytes:
        """Several documents as one PDF (see merged_with_pages)."""
        return self.merged_with_pages(htmls)[0]

    def merged_with_pages(self, htmls: Iterable[str]) -> tuple[bytes, int]:
        """Several documents as one PDF: each laid out on its own (its own page numbers), the
        pages then written together so each font subset is embedded once."""
        data, parts = self.merged_with_parts(htmls)
        return data, sum(parts)

    def merged_with_parts(self, htmls: Iterable[str]) -> tuple[bytes, list[int]]:
        """merged_with_pages, with each document's page count (where each one ends)."""
        documents = [self._document(h) for h in htmls]
        if not documents:
            raise ValueError("nothing to render")
        pages = [p for d in documents for p in d.pages]
        data: bytes = documents[0].copy(pages).write_pdf()
        return data, [len(d.pages) for d in documents]


@cache
def harfbuzz_subsetter() -> bool:
    """Whether WeasyPrint found the system HarfBuzz subsetter (without it, seconds per letter)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except (ImportError, OSError):
        return False
    return harfbuzz_subset is not None
