"""Where PDFs are made: a small pool of warm rendering processes next to each web worker.

WeasyPrint is CPU-bound and holds the GIL; rendering in a request thread would stall every
other request of that worker. The press sends the HTML to a process that keeps one font
configuration and parsed stylesheet for its whole life, and waits for the PDF with a timeout.
A failure or timeout is a `LetterRenderFailed` problem (503: try again) for the download or
print batch that asked for the PDF; issuing never waits for the press.
With ``letter_render_workers = 0`` it renders in the calling thread (tests, command-line tools).

A job of several documents (a print batch) on a press of several workers is split into
contiguous chunks, one per worker, of about equal HTML length, never splitting a set of
documents that belong together (a letter and its 送达回证); the workers render their chunks at
the same time, each embedding its font subsets once, and the chunks are merged in order here
(app/letters/pdfmerge.py). The timeout covers the whole job; one chunk failing fails it.

A worker exits as soon as its web worker is gone, even after a SIGKILL that gave the pool no
chance to stop it: otherwise every crash of a restart loop would leave ~130 MB behind, and with
it multiprocessing's resource tracker. Spawning a process on POSIX starts that tracker (so a
child can register named semaphores, which the pool's queues use, for clean-up) and hands every
child the write end of its pipe; the tracker exits when the last holder of that pipe is gone,
so once the workers follow their parent it follows them.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import re
import threading
from bisect import bisect_left
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path

from app.errors import DomainError
from app.letters.pdfmerge import MergeFailed, merge_pdfs
from app.letters.render import TEMPLATES_DIR, PdfRenderer
from app.processes import follow_parent
from app.storage import AttachmentStore

log = logging.getLogger(__name__)


class LetterRenderFailed(DomainError):
    status = 503
    code = "letter-render-failed"
    title = "文书生成失败 / The letter could not be rendered"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    # The page count of each document rendered, in order (where a print batch's letters end).
    parts: tuple[int, ...] = ()


# --- the worker side (one renderer per process) -------------------------------------------

_renderer: PdfRenderer | None = None
_renderer_lock = threading.Lock()
# The seal images of the job being rendered (one job at a time per renderer).
_job_seals: dict[str, bytes] = {}
SEAL_REF = re.compile(r"seal:([0-9a-f]{64})")


def _init(templates_dir: str, parent_pid: int | None = None) -> None:
    global _renderer
    if parent_pid is not None:
        follow_parent(parent_pid)
    _renderer = PdfRenderer(Path(templates_dir), seal_reader=_job_seals.get)
    if parent_pid is not None:
        # A pool worker loads its fonts before it takes a job: a batch split across the pool
        # on its first use finds every worker warm, whichever took warm()'s jobs.
        _warm()
        gc.collect()
    # Everything imported so far lives for the process: keep the collector from walking it on
    # every render (measured: the first letter 40 ms faster; see bench/letters.py).
    gc.freeze()
    # Release WeasyPrint's font configuration while its C libraries are still loaded; left to
    # interpreter teardown, its finaliser fails noisily.
    atexit.register(_release)


def _release() -> None:
    global _renderer
    _renderer = None
    gc.collect()


def _render(
    htmls: list[str], seals: dict[str, bytes] | None = None
) -> tuple[bytes, tuple[int, ...]]:
    """The documents as one PDF, and each one's page count."""
    assert _renderer is not None, "render worker not initialised"
    _job_seals.clear()
    _job_seals.update(seals or {})
    try:
        if len(htmls) == 1:
            pdf, pages = _renderer.pdf_with_pages(htmls[0])
            return pdf, (pages,)
        pdf, parts = _renderer.merged_with_parts(htmls)
        return pdf, tuple(parts)
    finally:
        _job_seals.clear()


def _warm() -> int:
    """Render a small letter so fonts and subsetter are loaded before the first real one."""
    assert _renderer is not None
    html = (
        '<html><body><p style="font-weight:700">政府信息公开</p><p>依申请公开答复书</p>'
        "</body></html>"
    )
    return sum(_render([html])[1])


# --- the web worker side --------------------------------------------------------------------


def chunks(sets: Sequence[Sequence[str]], n: int) -> list[list[str]]:
    """The sets' documents in at most ``n`` contiguous chunks of about equal HTML length (the
    layout work follows it closely enough); a set is never split between chunks."""
    k = max(1, min(n, len(sets)))
    prefix = list(accumulate((sum(map(len, s)) for s in sets), initial=0))
    cuts = [0]
    for j in range(1, k):
        # The boundary nearest to j/k of the work, leaving at least one set per chunk.
        target = prefix[-1] * j / k
        lo, hi = cuts[-1] + 1, len(sets) - (k - j)
        i = min(bisect_left(prefix, target, lo, hi + 1), hi)
        if i > lo and target - prefix[i - 1] < prefix[i] - target:
            i -= 1
        cuts.append(i)
    cuts.append(len(sets))
    return [[h for s in sets[a:b] for h in s] for a, b in pairwise(cuts)]


class LetterPress:
    def __init__(
        self,
        *,
        workers: int,
        timeout_s: float,
        storage_dir: Path,
        templates_dir: Path = TEMPLATES_DIR,
    ) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self.templates_dir = templates_dir
        self.store = AttachmentStore(storage_dir)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    # Never fork a threaded server; a fresh interpreter imports what it needs.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init,
                    initargs=(str(self.templates_dir), os.getpid()),
                )
            return self._pool

    def warm(self) -> None:
        """Start the workers and load fonts now rather than on the first letter."""
        if self.workers:
            for _ in range(self.workers):
                self._executor().submit(_warm)

    def render(self, htmls: list[str]) -> Rendered:
        """One PDF of the documents, in order (a batch shares its font subsets)."""
        return self.render_sets([[h] for h in htmls])

    def render_sets(self, sets: Sequence[Sequence[str]]) -> Rendered:
        """One PDF of sets of documents, in order; with several workers a job of several sets
        renders in parallel chunks, a set (a letter and its 送达回证) always in one chunk."""
        sets = [s for s in sets if s]
        if not sets:
            raise ValueError("nothing to render")
        try:
            if not self.workers:
                htmls = [h for s in sets for h in s]
                with _renderer_lock:
                    if _renderer is None:
                        _init(str(self.templates_dir))
                    pdf, parts = _render(htmls, self._seals(htmls))
            else:
                pdf, parts = self._in_pool(chunks(sets, self.workers))
        except FutureTimeout:
            log.error("letter render timed out after %.0f s", self.timeout_s)
            self._restart()
            raise LetterRenderFailed(
                f"文书生成超时（{self.timeout_s:.0f} 秒），操作未执行，请稍后重试 / rendering the "
                "letter timed out; nothing was changed, please try again"
            ) from None
        except BrokenProcessPool:
            log.exception("letter render worker died")
            self._restart()
            raise LetterRenderFailed(
                "文书生成进程异常，操作未执行，请重试 / the letter renderer failed; nothing was "
                "changed, please try again"
            ) from None
        except LetterRenderFailed:
            raise
        except Exception as exc:
            log.exception("letter render failed")
            raise LetterRenderFailed(
                f"文书生成失败，操作未执行 / rendering the letter failed, nothing was changed: "
                f"{type(exc).__name__}"
            ) from None
        return Rendered(pdf, sum(parts), parts)

    def _in_pool(self, parts: list[list[str]]) -> tuple[bytes, tuple[int, ...]]:
        """Each part in a worker at once, then merged in order; the timeout covers them all."""
        pool = self._executor()
        futures: list[Future[tuple[bytes, tuple[int, ...]]]] = [
            pool.submit(_render, part, self._seals(part)) for part in parts
        ]
        done, pending = wait(futures, timeout=self.timeout_s, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in done:
            exc = future.exception()
            if exc is not None:
                raise exc
        if pending:
            raise FutureTimeout
        results = [future.result() for future in futures]
        if len(results) == 1:
            return results[0]
        pdf, pages = merge_pdfs([pdf for pdf, _ in results])
        counts = tuple(n for _, ns in results for n in ns)
        if pages != sum(counts):
            raise MergeFailed(f"{pages} pages merged from {[sum(ns) for _, ns in results]}")
        return pdf, counts

    def _seals(self, htmls: list[str]) -> dict[str, bytes]:
        """The seal images the documents show, read from the store (they travel with the job)."""
        wanted = {m for html in htmls for m in SEAL_REF.findall(html)}
        found = {}
        for sha in wanted:
            try:
                found[sha] = self.store.read(sha)
            except OSError:
                log.error("seal image %s missing from the store", sha)
        return found

    def _restart(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
