"""Benchmark: letters to PDF through the service's pipeline, beside bare WeasyPrint.

Every figure of the pipeline is printed beside bare WeasyPrint rendering the same HTML string
in the same run: `weasyprint.HTML(string=html, base_url=<templates dir>/)` written with one
`FontConfiguration` and `letter.css` parsed once with it. The ratio pipeline / bare is what the
service adds (context building, Jinja2, the restricted URL fetcher, the worker process).

1. Warm single-page reply (outcome `disclosed`): p50 and p90 over --runs of the whole pipeline
   (build the context with a fresh verification code, as issuing does, render the HTML with
   Jinja2 — its QR code included — and `LetterPress.render([html])`), once with the in-thread
   press (`workers=0`) and once with the process pool (`workers=1`, warmed first); and the
   in-thread pipeline followed by signing the PDF as it is stored (`PadesSigner.sign`: PAdES
   B-B with pyhanko), once with a self-signed EC P-256 certificate (the demo's) and once with an
   RSA 2048 one; the five are interleaved so a busy moment hits all of them alike. Signing's
   cost is the signed p50 over the unsigned one (target: under 1.2x), and the signature alone.
2. Cold: a fresh interpreter (subprocess) imports the letter modules and WeasyPrint, then
   renders the reply with the in-thread press: import times and the first render. Bare: a fresh
   interpreter imports WeasyPrint and renders the same HTML first thing. --cold-runs of each,
   alternating; the median is reported. Also the time from creating a pool press to its first
   letter (spawn, imports, warm-up, letter).
3. The reply's PDF size, and its page count (checked with pypdf).
4. A print batch of --batch-size letters (receipts, correction, extension and closure notices,
   replies of every outcome; distinct numbers, applicants and addresses), composed as
   `app.letters.printing` does (cover sheet, then each letter with its 送达回证 as one set) and
   rendered by one `press.render_sets(sets)`, twice: on a pool of one worker (the whole batch in
   one process), and on a pool of --batch-workers (default: the service's default pool size,
   the usable CPUs up to 4), which splits the batch into one chunk per worker, renders them at
   once and merges them. --batch-runs of each, alternating which goes first; the fastest of
   each counts. For each: time (composition included), size, and the number of font programs
   embedded in the PDF (pypdf: distinct font descriptors with a FontFile*); and the ratio
   split / one worker (target <= 0.6x), by the clock and by the longest CPU path (composing,
   the busiest worker's CPU seconds from /proc, this process's during the render: what the
   clock would show with a free CPU per worker, so a busy machine cannot hide the split). Bare lays out every document in this process with
   `.render()` and writes `documents[0].copy(pages)`.
5. Memory: VmRSS of one pool worker over --memory-letters consecutive letters (sampled after
   a 20-letter warm-up, then every 50 letters).
6. Whether the cut-down letter faces are built and libharfbuzz-subset is present.

    .venv/bin/python bench/letters.py [--runs 30] [--batch-size 100] [--memory-letters 300]
                                      [--cold-runs 3] [--batch-runs 2] [--batch-workers N]

It prints figures and the targets beside them; it checks nothing and exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from pypdf.generic import IndirectObject  # noqa: E402

from app.auth.secrets import new_verify_code  # noqa: E402
from app.config import default_render_workers  # noqa: E402
from app.letters.builders import DELIVERY_METHOD_LABELS, build  # noqa: E402
from app.letters.context import LetterContext, LetterSource, Verification  # noqa: E402
from app.letters.fonts import FONTS_DIR, fonts_current  # noqa: E402
from app.letters.kinds import kind_info  # noqa: E402
from app.letters.press import LetterPress, Rendered  # noqa: E402
from app.letters.printing import CoverLine, CoverSheet, service_receipt_params  # noqa: E402
from app.letters.render import (  # noqa: E402
    STYLESHEET,
    TEMPLATES_DIR,
    LetterTemplates,
    harfbuzz_subsetter,
)
from app.letters.samples import (  # noqa: E402
    CLOSURE_SAMPLES,
    DEFAULT_FONTS,
    REPLY_SAMPLES,
    SAMPLE_CASE,
    SAMPLE_ORGAN,
    SAMPLE_PARAMS,
    reply_params,
    sample_source,
)
from app.letters.service import OFFICE  # noqa: E402
from app.signing.certificates import read_pkcs12, self_signed_pkcs12  # noqa: E402
from app.signing.signer import (  # noqa: E402
    PadesSigner,
    SigningIdentity,
    StoredCredentials,
    seal_key,
)

# Targets
WARM_P50_MS = 80.0
WARM_RATIO = 1.2
SIGNED_RATIO = 1.2  # signed / unsigned warm letter
COLD_MS = 300.0
REPLY_KB = 200.0
BATCH_S = 2.0
BATCH_SPLIT_RATIO = 0.6  # split across the pool / one worker
BATCH_KB = 400.0
GROWTH_MB = 10.0

MEMORY_WARMUP = 20
MEMORY_EVERY = 50
REPLY_OUTCOME = "disclosed"
TZ = ZoneInfo("Asia/Shanghai")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Bare WeasyPrint
# ---------------------------------------------------------------------------------------------


class Bare:
    """WeasyPrint as its documentation shows it: one font configuration, one parsed stylesheet."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.css = CSS(filename=str(TEMPLATES_DIR / STYLESHEET), font_config=self.font_config)
        self.base_url = TEMPLATES_DIR.resolve().as_uri() + "/"

    def document(self, html: str) -> Any:
        from weasyprint import HTML

        return HTML(string=html, base_url=self.base_url).render(
            stylesheets=[self.css], font_config=self.font_config
        )

    def pdf(self, html: str) -> bytes:
        from weasyprint import HTML

        data: bytes = HTML(string=html, base_url=self.base_url).write_pdf(
            stylesheets=[self.css], font_config=self.font_config
        )
        return data


# ---------------------------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = (
    "晓明", "秀英", "建国", "丽娟", "志强", "海燕", "卫东", "淑珍", "国平", "玉兰",
    "文博", "婷婷", "子轩", "欣怡", "宇航", "思远", "雪梅", "振华", "春生", "佳琪",
    "俊杰", "慧敏", "德胜", "桂芳", "永刚", "美玲", "浩然", "若曦", "天佑", "静怡",
)  # fmt: skip
STREETS = ("金融大街", "二龙路", "西直门南大街", "阜成门外大街", "广安门内大街", "德胜门西大街")


def applicant_name(i: int) -> str:
    """Distinct for the first 900 letters."""
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def letter_kinds() -> Iterator[tuple[str, dict[str, Any]]]:
    """A front desk's day, forever: half replies (cycling through every outcome), then
    receipts, correction, extension and closure notices."""
    outcomes = list(REPLY_SAMPLES)
    closures = list(CLOSURE_SAMPLES.values())
    others = ["receipt", "correction_notice", "extension_notice", "receipt", "closure_notice"]
    i = 0
    while True:
        yield "reply", reply_params(outcomes[i % len(outcomes)])
        kind = others[i % len(others)]
        if kind == "closure_notice":
            yield kind, dict(closures[(i // len(others)) % len(closures)])
        else:
            yield kind, dict(SAMPLE_PARAMS[kind])
        i += 1


def make_letters(n: int) -> list[LetterSource]:
    """n letters of distinct cases: applicant, address, case number and letter number."""
    letters: list[LetterSource] = []
    seq: Counter[str] = Counter()
    kinds = letter_kinds()
    for i in range(n):
        kind, params = next(kinds)
        seq[kind] += 1
        case = replace(
            SAMPLE_CASE,
            id=1000 + i,
            number=f"XCFGW依申〔2026〕{1000 + i:04d}号",
            applicant_name=applicant_name(i),
            # A paper batch: most letters go by post, some are picked up at the counter.
            delivery_method="pickup" if i % 4 == 3 else "post",
            applicant_address=(
                f"北京市西城区{STREETS[i % len(STREETS)]}{3 + i % 97}号院{1 + i % 9}号楼"
                f"{1 + i % 4}单元{101 + i % 23}室"
            ),
        )
        number = f"XCFGW依申{kind_info(kind).mark}〔2026〕{seq[kind] + 100}号"
        letters.append(replace(sample_source(kind, number=number, **params), case=case))
    return letters


def reply_source() -> LetterSource:
    return sample_source("reply", **reply_params(REPLY_OUTCOME))


VERIFY_BASE = "https://gongkai.example.gov.cn/verify/"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def issued(src: LetterSource, code: str | None = None) -> LetterContext:
    """The letter's context as issuing freezes it, with a verification code: its own (made
    from its numbers, so a letter composed twice reads the same) or the one given."""
    if code is None:
        digest = hashlib.sha256(f"{src.kind}|{src.number}|{src.case.number}".encode()).digest()
        code = "".join(CODE_ALPHABET[b & 31] for b in digest[:10])
    return build(src).model_copy(
        update={"verification": Verification(code=code, url=VERIFY_BASE + code)}
    )


def service_receipt_source(letter: LetterSource) -> LetterSource:
    """The 送达回证 printed after a letter, with the fields printing.py gives it."""
    ctx = build(letter)
    params = service_receipt_params(ctx, letter.case.delivery_method)
    src = sample_source("service_receipt", number=None, on=ctx.date, **params)
    return replace(src, case=letter.case, handler=OFFICE, deadlines={})


def cover_html(templates: LetterTemplates, letters: list[LetterSource], pages: list[int]) -> str:
    """The batch's cover sheet, as printing.py fills it (pages: each letter's stored count)."""
    cover = CoverSheet(
        organ=SAMPLE_ORGAN,
        created_at=datetime(2026, 4, 2, 16, 30, tzinfo=TZ),
        created_by="李静",
        letters=[
            CoverLine(
                position=i,
                kind_title=kind_info(x.kind).title,
                number=x.number,
                case_number=x.case.number,
                addressee=build(x).addressee.name,
                delivery_method_label=DELIVERY_METHOD_LABELS.get(x.case.delivery_method, "")
                if kind_info(x.kind).to_applicant
                else "邮寄",
                pages=p,
            )
            for i, (x, p) in enumerate(zip(letters, pages, strict=True), start=1)
        ],
    )
    return templates.render("cover.html", batch=cover)


def compose_batch(
    templates: LetterTemplates, letters: list[LetterSource], pages: list[int]
) -> list[list[str]]:
    """Cover, then each letter with its service receipt: n + 1 sets, 2n + 1 documents."""
    sets = [[cover_html(templates, letters, pages)]]
    for letter in letters:
        sets.append(
            [templates.html(issued(letter)), templates.html(build(service_receipt_source(letter)))]
        )
    return sets


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


@dataclass(frozen=True)
class PdfAnatomy:
    pages: int
    size: int
    font_programs: int  # distinct font descriptors with an embedded font program
    font_bytes: int  # those programs as stored (compressed)
    content_bytes: int  # the pages' content streams as stored (compressed)
    font_names: tuple[str, ...]


def _stored_len(stream: Any) -> int:
    """A stream's length in the file: pypdf keeps the still-encoded bytes in `_data`."""
    return len(getattr(stream.get_object(), "_data", b"") or b"")


def anatomy(pdf: bytes) -> PdfAnatomy:
    """Pages, and the font programs reached from every page's /Resources /Font (and form
    XObjects'): Type0 → /DescendantFonts → /FontDescriptor → /FontFile*, or a simple font's
    own descriptor. Counted once per descriptor object."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[object, tuple[str, int]] = {}

    def visit(resources: Any, depth: int) -> None:
        res = resources.get_object() if resources is not None else None
        if not res:
            return
        for font_ref in (res.get("/Font") or {}).values():
            font = font_ref.get_object()
            descendants = font.get("/DescendantFonts")
            parts = [d.get_object() for d in descendants.get_object()] if descendants else [font]
            for part in parts:
                desc_ref = part.get("/FontDescriptor")
                if desc_ref is None:
                    continue
                desc = desc_ref.get_object()
                key = (
                    (desc_ref.idnum, desc_ref.generation)
                    if isinstance(desc_ref, IndirectObject)
                    else id(desc)
                )
                for file_key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if file_key in desc:
                        found[key] = (str(desc.get("/FontName")), _stored_len(desc[file_key]))
        if depth < 8:
            for x in (res.get("/XObject") or {}).values():
                xobj = x.get_object()
                if xobj.get("/Subtype") == "/Form":
                    visit(xobj.get("/Resources"), depth + 1)

    content = 0
    for page in reader.pages:
        visit(page.get("/Resources"), 0)
        contents = page.get("/Contents")
        if contents is not None:
            contents = contents.get_object()
            streams = list(contents) if isinstance(contents, list) else [contents]
            content += sum(_stored_len(c) for c in streams)
    return PdfAnatomy(
        pages=len(reader.pages),
        size=len(pdf),
        font_programs=len(found),
        font_bytes=sum(n for _, n in found.values()),
        content_bytes=content,
        font_names=tuple(sorted(name.lstrip("/") for name, _ in found.values())),
    )


def describe(a: PdfAnatomy) -> str:
    other = a.size - a.font_bytes - a.content_bytes
    return (
        f"{a.size / 1024:.0f} KB = {a.font_programs} font programs {a.font_bytes / 1024:.0f} KB "
        f"+ page contents {a.content_bytes / 1024:.0f} KB ({a.content_bytes / a.pages / 1024:.2f}"
        f" KB/page) + other objects {other / 1024:.0f} KB"
    )


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) one process has used (/proc/<pid>/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def pool_cpu_s(press: LetterPress) -> dict[int, float]:
    """CPU seconds of each of the press's worker processes (the bench looks inside)."""
    return {pid: process_cpu_s(pid) for pid in press._executor()._processes}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def machine_busy_s() -> float:
    """CPU seconds all processes spent busy since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def own_cpu_s() -> float:
    """This process and its waited-for children (subprocesses, joined pool workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    bare: float | None = None
    target: str = ""
    met: bool | None = None

    def row(self) -> str:
        def fmt(v: float | None) -> str:
            if v is None:
                return "—"
            if self.unit == "x":
                return f"{v:.2f}x"
            if not self.unit:
                return f"{v:.0f}"
            return f"{v:,.0f} {self.unit}" if v >= 100 else f"{v:.1f} {self.unit}"

        ratio = f"{self.value / self.bare:.2f}x" if self.bare else "—"
        met = {True: "yes", False: "NO", None: ""}[self.met]
        return (
            f"  {self.name:<38}{fmt(self.value):>11}{fmt(self.bare):>11}{ratio:>8}"
            f"   {self.target:<22}{met}"
        )


HEADER = f"  {'figure':<38}{'pipeline':>11}{'bare':>11}{'ratio':>8}   {'target':<22}met"


# ---------------------------------------------------------------------------------------------
# 1 and 3: warm single-page reply
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Warm:
    thread_ms: list[float]
    pool_ms: list[float]
    bare_ms: list[float]
    pool_first_s: float
    pdf: Rendered
    bare_pdf: bytes
    # Signed as stored, by key type: the whole (pipeline + signing) and the signing alone.
    signed_ms: dict[str, list[float]]
    signing_ms: dict[str, list[float]]
    signed_pdf: dict[str, bytes]


SERVICE_KEY = b"bench-service-key"


def identity(kind: str, certificate_id: int) -> SigningIdentity:
    """An organ's signing identity with a self-signed certificate of the key type."""
    if kind == "EC P-256":
        p12 = self_signed_pkcs12("北京市西城区发展和改革委员会", "pw")
    else:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(65537, 2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "北京市西城区发展和改革委员会")])
        now = datetime.now(TZ)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now.replace(year=now.year - 1))
            .not_valid_after(now.replace(year=now.year + 3))
            .sign(key, hashes.SHA256())
        )
        p12 = pkcs12.serialize_key_and_certificates(
            b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw")
        )
    creds = read_pkcs12(p12, "pw", now=datetime.now(TZ))
    assert creds.key_type == kind, creds.key_type
    stored = StoredCredentials(
        id=certificate_id,
        certificate_der=creds.certificate_der,
        chain_der=creds.chain_der,
        key_sealed=seal_key(SERVICE_KEY, creds.key_der),
    )
    return SigningIdentity(organ_id=1, organ_code="XCFGW", credentials=stored)


KEY_TYPES = ("EC P-256", "RSA 2048")


def warm_reply(runs: int, storage: Path, stack: ExitStack) -> Warm:
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    src = reply_source()
    thread = LetterPress(workers=0, timeout_s=60, storage_dir=storage)
    pool = LetterPress(workers=1, timeout_s=60, storage_dir=storage)
    stack.callback(pool.close)
    stack.callback(thread.close)
    signer = PadesSigner(SERVICE_KEY)
    identities = {kind: identity(kind, i) for i, kind in enumerate(KEY_TYPES, start=1)}
    signing_ms: dict[str, list[float]] = {kind: [] for kind in KEY_TYPES}
    signed_pdf: dict[str, bytes] = {}

    # A fresh code for every letter, as in service: its QR code is drawn every time (the
    # renderer caches QR codes by address, which only a print batch of letters seen before hits).
    def pipeline(press: LetterPress) -> Rendered:
        return press.render([templates.html(issued(src, new_verify_code()))])

    def signed(kind: str) -> bytes:
        ctx = issued(src, new_verify_code())
        rendered = thread.render([templates.html(ctx)])
        assert ctx.verification is not None
        t = time.perf_counter()
        out = signer.sign(rendered.pdf, identities[kind], verify_url=ctx.verification.url).pdf
        signing_ms[kind].append((time.perf_counter() - t) * 1e3)
        signed_pdf[kind] = out
        return out

    # A pool press from nothing to its first letter: spawn, imports, warm-up letter, letter.
    t0 = time.perf_counter()
    pool.warm()
    pipeline(pool)
    pool_first = time.perf_counter() - t0

    html = templates.html(issued(src))
    bare = Bare()
    for _ in range(3):  # warm-up, not measured (the signers' first letter builds their CMS)
        pipeline(thread)
        pipeline(pool)
        bare.pdf(html)
        for kind in KEY_TYPES:
            signed(kind)
    for kind in KEY_TYPES:
        signing_ms[kind].clear()

    variants: list[Callable[[], Any]] = [
        lambda: pipeline(thread),
        lambda: pipeline(pool),
        lambda: bare.pdf(html),
        *(lambda kind=kind: signed(kind) for kind in KEY_TYPES),
    ]
    n = len(variants)
    times: list[list[float]] = [[] for _ in variants]
    for i in range(runs):
        for j in range(n):  # rotate the order so no variant always runs right after another
            v = (i + j) % n
            times[v].append(timed(variants[v])[0] * 1e3)
    return Warm(
        thread_ms=times[0],
        pool_ms=times[1],
        bare_ms=times[2],
        pool_first_s=pool_first,
        pdf=pipeline(thread),
        bare_pdf=bare.pdf(html),
        signed_ms={kind: times[3 + k] for k, kind in enumerate(KEY_TYPES)},
        signing_ms=signing_ms,
        signed_pdf=signed_pdf,
    )


# ---------------------------------------------------------------------------------------------
# 2: cold start in a fresh interpreter
# ---------------------------------------------------------------------------------------------

COLD_PIPELINE = """
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from app.letters.builders import build
from app.letters.press import LetterPress
from app.letters.render import LetterTemplates
from app.letters.context import Verification
from app.letters.samples import DEFAULT_FONTS, reply_params, sample_source
t1 = time.perf_counter()
import weasyprint
t2 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    press = LetterPress(workers=0, timeout_s=60, storage_dir=Path(tmp))
    t3 = time.perf_counter()
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    def issued(code):
        url = "https://gongkai.example.gov.cn/verify/" + code
        ctx = build(sample_source("reply", **reply_params(sys.argv[2])))
        return ctx.model_copy(update={"verification": Verification(code=code, url=url)})
    html = templates.html(issued("7KQ3MX9PZ2"))
    t4 = time.perf_counter()
    rendered = press.render([html])
    t5 = time.perf_counter()
    press.render([templates.html(issued("8M2QXR4T6V"))])
    t6 = time.perf_counter()
print(json.dumps({"app_import": t1 - t0, "weasyprint_import": t2 - t1, "html": t4 - t3,
                  "render": t5 - t4, "first": t5 - t3, "second": t6 - t5,
                  "pages": rendered.pages}))
"""

COLD_BARE = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
import weasyprint
from weasyprint.text.fonts import FontConfiguration
t1 = time.perf_counter()
html = sys.stdin.read()
t2 = time.perf_counter()
fc = FontConfiguration()
css = weasyprint.CSS(filename=sys.argv[1] + "/letter.css", font_config=fc)
base = Path(sys.argv[1]).as_uri() + "/"
weasyprint.HTML(string=html, base_url=base).write_pdf(stylesheets=[css], font_config=fc)
t3 = time.perf_counter()
print(json.dumps({"weasyprint_import": t1 - t0, "render": t3 - t2}))
"""


@dataclass(frozen=True)
class Cold:
    pipeline: list[dict[str, float]]
    bare: list[dict[str, float]]

    def median(self, which: str, key: str) -> float:
        runs: list[dict[str, float]] = getattr(self, which)
        return statistics.median(run[key] for run in runs)


def run_json(code: str, args: list[str], stdin: str | None = None) -> dict[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - t0
    return result


def cold_start(runs: int, html: str) -> Cold:
    pipeline, bare = [], []
    templates = str(TEMPLATES_DIR.resolve())
    for _ in range(runs):
        pipeline.append(run_json(COLD_PIPELINE, [str(ROOT), REPLY_OUTCOME]))
        bare.append(run_json(COLD_BARE, [templates], stdin=html))
    return Cold(pipeline, bare)


# ---------------------------------------------------------------------------------------------
# 4: print batch
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PressRun:
    """The batch composed and rendered by one press."""

    workers: int
    compose_s: float
    render_s: float
    pdf: Rendered
    worker_cpu_s: tuple[float, ...]  # CPU seconds each worker spent on it, most first
    parent_cpu_s: float  # this process during press.render_sets (the merge, for a split)

    @property
    def pipeline_s(self) -> float:
        return self.compose_s + self.render_s

    @property
    def critical_cpu_s(self) -> float:
        """The CPU time on the longest path: composing, the busiest worker, the merge — what
        the batch would take with a free CPU for every worker."""
        return self.compose_s + max(self.worker_cpu_s, default=0.0) + self.parent_cpu_s


@dataclass(frozen=True)
class Batch:
    letters: int
    kinds: Counter[str]
    documents: int
    one: PressRun  # a pool of one worker: the whole batch in one process
    split: PressRun  # split across the pool's workers
    one_all_s: list[float]  # every run's time, one worker
    split_all_s: list[float]  # and split
    bare_letters_s: float  # the letters laid out
    bare_receipts_s: float  # their service receipts laid out
    bare_cover_s: float  # the cover laid out
    bare_write_s: float  # the pages written as one PDF
    bare_pdf: bytes
    same_html: bool

    @property
    def bare_layout_s(self) -> float:
        return self.bare_letters_s + self.bare_receipts_s + self.bare_cover_s

    @property
    def bare_s(self) -> float:
        return self.bare_layout_s + self.bare_write_s

    @property
    def split_ratio(self) -> float:
        return self.split.pipeline_s / self.one.pipeline_s


def print_batch(size: int, one: LetterPress, split: LetterPress, runs: int) -> Batch:
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    letters = make_letters(size)
    bodies: list[str] = []
    for letter in letters:  # outside the timing: bare gets finished HTML
        bodies.append(templates.html(issued(letter)))
        bodies.append(templates.html(build(service_receipt_source(letter))))

    # Bare: lay out every document, then the cover (it lists the letters' page counts, which
    # the service reads from the stored letters), then write all pages as one PDF.
    bare = Bare()
    seconds: list[float] = []
    docs: list[Any] = []
    for h in bodies:
        t0 = time.perf_counter()
        docs.append(bare.document(h))
        seconds.append(time.perf_counter() - t0)
    pages = [len(d.pages) for d in docs[0::2]]
    cover = cover_html(templates, letters, pages)
    t_cover, first = timed(lambda: bare.document(cover))
    all_pages = [p for d in (first, *docs) for p in d.pages]
    t_write, bare_pdf = timed(lambda: first.copy(all_pages).write_pdf())

    # The pipeline: compose as printing.py does, then one press.render_sets, on each press.
    def run(press: LetterPress) -> tuple[PressRun, list[list[str]]]:
        compose_s, sets = timed(lambda: compose_batch(templates, letters, pages))
        cpu0, own0 = pool_cpu_s(press), time.process_time()
        render_s, rendered = timed(lambda: press.render_sets(sets))
        own, cpu1 = time.process_time() - own0, pool_cpu_s(press)
        used = sorted((cpu1[pid] - cpu0.get(pid, 0.0) for pid in cpu1), reverse=True)
        worker_cpu = tuple(x for x in used if x >= 0.05)
        return PressRun(press.workers, compose_s, render_s, rendered, worker_cpu, own), sets

    # Alternately first and second, so a busy moment of the machine hits both alike; the
    # fastest run of each counts (every run is listed).
    one_runs: list[PressRun] = []
    split_runs: list[PressRun] = []
    for i in range(runs):
        for press, out in ((one, one_runs), (split, split_runs))[:: 1 if i % 2 == 0 else -1]:
            result, sets = run(press)
            out.append(result)
    one_run = min(one_runs, key=lambda r: r.pipeline_s)
    split_run = min(split_runs, key=lambda r: r.pipeline_s)
    return Batch(
        letters=size,
        kinds=Counter(x.kind for x in letters),
        documents=sum(len(x) for x in sets),
        one=one_run,
        split=split_run,
        one_all_s=[r.pipeline_s for r in one_runs],
        split_all_s=[r.pipeline_s for r in split_runs],
        bare_letters_s=sum(seconds[0::2]),
        bare_receipts_s=sum(seconds[1::2]),
        bare_cover_s=t_cover,
        bare_write_s=t_write,
        bare_pdf=bare_pdf,
        same_html=[h for x in sets for h in x] == [cover, *bodies],
    )


# ---------------------------------------------------------------------------------------------
# 5: memory of one pool worker
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    pid: int
    samples: list[tuple[int, float]]  # (letters rendered, VmRSS MB)
    per_letter_ms: float

    @property
    def growth(self) -> float:
        return self.samples[-1][1] - self.samples[0][1]


def worker_memory(total: int, storage: Path, stack: ExitStack) -> Memory:
    templates = LetterTemplates(fonts=DEFAULT_FONTS)
    press = LetterPress(workers=1, timeout_s=60, storage_dir=storage)
    stack.callback(press.close)
    press.warm()
    pids = list(press._executor()._processes)  # the bench looks inside
    if len(pids) != 1:
        raise RuntimeError(f"expected one pool worker, found {pids}")
    pid = pids[0]
    letters = make_letters(min(total, 900))
    samples: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    for n in range(1, total + 1):
        press.render([templates.html(issued(letters[(n - 1) % len(letters)]))])
        if n in (MEMORY_WARMUP, total) or (n > MEMORY_WARMUP and n % MEMORY_EVERY == 0):
            samples.append((n, rss_mb(pid)))
    per_letter = (time.perf_counter() - t0) * 1e3 / total
    return Memory(pid, samples, per_letter)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def header(args: argparse.Namespace) -> None:
    from weasyprint.text.ffi import pango

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    usable = len(os.sched_getaffinity(0))
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pv = pango.pango_version()
    print("gongkai letters benchmark: the letter pipeline beside bare WeasyPrint")
    print(
        f"machine  {cpu}, {os.cpu_count()} CPUs (usable {usable}), {mem_gb:.1f} GiB, "
        f"{platform.system()} {platform.release()} {platform.machine()}"
    )
    print(
        f"python   {platform.python_implementation()} {platform.python_version()}; "
        f"WeasyPrint {version('weasyprint')}, pydyf {version('pydyf')}, "
        f"Pango {pv // 10000}.{pv // 100 % 100}.{pv % 100}, Jinja2 {version('jinja2')}, "
        f"pypdf {version('pypdf')}"
    )
    built = fonts_current()
    print(
        f"fonts    cut-down letter faces (app.letters.fonts.fonts_current): "
        f"{'built and current' if built else 'NOT BUILT or stale'} in "
        f"{FONTS_DIR.relative_to(ROOT)}; font stack title {DEFAULT_FONTS.title_css}, "
        f"body {DEFAULT_FONTS.body_css}"
    )
    if not built:
        print("         (run `python -m app.cli build-letter-fonts`: without them letters embed")
        print("          the full system CJK font, slower and larger)")
    hb = harfbuzz_subsetter()
    print(
        f"subset   libharfbuzz-subset (app.letters.render.harfbuzz_subsetter): "
        f"{'present' if hb else 'MISSING (fontTools subsets instead: seconds per letter)'}"
    )
    print(
        f"runs     warm {args.runs} per variant, cold {args.cold_runs} fresh interpreters each, "
        f"batch {args.batch_size} letters (1 and {args.batch_workers} workers), "
        f"memory {args.memory_letters} letters; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def busy_before(seconds: float = 1.0) -> float:
    """How much of one CPU other processes use while the benchmark is idle."""
    b0 = machine_busy_s()
    time.sleep(seconds)
    return (machine_busy_s() - b0) / seconds


def signing_figures(warm: Warm, unsigned_p50: float) -> list[Figure]:
    """Per key type: the signed letter's p50 over the unsigned one's (the cost of signing), and
    the signature alone."""
    out = []
    for kind in KEY_TYPES:
        signed = percentile(warm.signed_ms[kind], 50)
        ratio = signed / unsigned_p50
        out += [
            Figure(
                f"1 signed / unsigned p50, {kind}",
                ratio,
                "x",
                None,
                f"< {SIGNED_RATIO}x",
                ratio < SIGNED_RATIO,
            ),
            Figure(f"  signed reply p50, {kind}", signed, "ms"),
            Figure(f"  signing alone p50, {kind}", percentile(warm.signing_ms[kind], 50), "ms"),
        ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="warm runs per variant (30)")
    parser.add_argument("--batch-size", type=int, default=100, help="letters in the batch (100)")
    parser.add_argument(
        "--memory-letters", type=int, default=300, help="letters for the memory run (300)"
    )
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh interpreters each (3)")
    parser.add_argument(
        "--batch-runs", type=int, default=2, help="batch runs per press, alternating (2)"
    )
    parser.add_argument(
        "--batch-workers",
        type=int,
        default=default_render_workers(),
        help="workers the batch is split across (the service's default: usable CPUs, at most 4)",
    )
    args = parser.parse_args()
    if min(args.runs, args.batch_size, args.cold_runs, args.batch_runs, args.batch_workers) < 1:
        parser.error(
            "--runs, --batch-size, --cold-runs, --batch-runs and --batch-workers must be at least 1"
        )
    if args.memory_letters <= MEMORY_WARMUP:
        parser.error(f"--memory-letters must be more than the {MEMORY_WARMUP}-letter warm-up")

    header(args)
    idle = busy_before()
    print(f"before   machine busy {idle:.0%} of one CPU with the benchmark idle")
    if idle > 0.25:
        print("WARNING  other processes are using the CPUs: figures will be slow and noisy")
    started, busy0, own0 = time.perf_counter(), machine_busy_s(), own_cpu_s()

    with tempfile.TemporaryDirectory(prefix="gongkai-bench-letters-") as tmp, ExitStack() as stack:
        storage = Path(tmp)
        print("\n1. warm single-page reply ...", flush=True)
        warm = warm_reply(args.runs, storage, stack)
        reply = anatomy(warm.pdf.pdf)
        print(
            f"   pages: {warm.pdf.pages} by the press, {reply.pages} in the PDF (pypdf): "
            f"{'a single page, as meant' if reply.pages == 1 else 'NOT a single page'}"
        )
        print(f"   PDF {describe(reply)}; fonts {', '.join(reply.font_names)}")
        print(f"   bare PDF {describe(anatomy(warm.bare_pdf))}")
        print(
            f"   pool press from creation to its first letter (spawn, imports, warm-up, letter): "
            f"{warm.pool_first_s * 1e3:.0f} ms"
        )
        for label, ms in (
            ("in-thread", warm.thread_ms),
            ("pool", warm.pool_ms),
            ("bare", warm.bare_ms),
            *((f"signed {k}", warm.signed_ms[k]) for k in KEY_TYPES),
            *((f"signing {k}", warm.signing_ms[k]) for k in KEY_TYPES),
        ):
            print(
                f"   {label:<18} p50 {percentile(ms, 50):6.1f}  p90 {percentile(ms, 90):6.1f}  "
                f"min {min(ms):6.1f}  max {max(ms):6.1f} ms"
            )
        for kind in KEY_TYPES:
            print(
                f"   signed PDF ({kind}) {len(warm.signed_pdf[kind]) / 1024:.0f} KB, unsigned "
                f"{len(warm.pdf.pdf) / 1024:.0f} KB"
            )

        print("2. cold start in fresh interpreters ...", flush=True)
        html = LetterTemplates(fonts=DEFAULT_FONTS).html(issued(reply_source()))
        cold = cold_start(args.cold_runs, html)
        for i, (p, b) in enumerate(zip(cold.pipeline, cold.bare, strict=True), start=1):
            print(
                f"   run {i}: pipeline import app {p['app_import'] * 1e3:4.0f} + weasyprint "
                f"{p['weasyprint_import'] * 1e3:4.0f} ms, first letter {p['html'] * 1e3:3.0f} "
                f"(context+HTML) + {p['render'] * 1e3:4.0f} (press.render) ms, second "
                f"{p['second'] * 1e3:3.0f} ms, process {p['process']:.2f} s | bare import "
                f"{b['weasyprint_import'] * 1e3:4.0f} ms, first render {b['render'] * 1e3:4.0f} "
                f"ms, process {b['process']:.2f} s"
            )

        print("4. print batch ...", flush=True)
        presses = []
        for workers in (1, args.batch_workers):
            press = LetterPress(workers=workers, timeout_s=300, storage_dir=storage)
            stack.callback(press.close)
            press.warm()
            for _ in range(2):  # every worker up and warm before the clock starts
                press.render_sets([[html]] * workers)
            presses.append(press)
        batch = print_batch(args.batch_size, *presses, runs=args.batch_runs)
        bare_batch = anatomy(batch.bare_pdf)
        one_pdf, split_pdf = anatomy(batch.one.pdf.pdf), anatomy(batch.split.pdf.pdf)
        print(
            f"   {batch.letters} letters ("
            + ", ".join(f"{k} {n}" for k, n in batch.kinds.most_common())
            + f") + their service receipts + cover = {batch.documents} documents, "
            f"{batch.one.pdf.pages} pages on one worker, {batch.split.pdf.pages} split "
            f"(bare {bare_batch.pages}); same HTML as bare: {'yes' if batch.same_html else 'NO'}"
        )
        print(
            "   runs, alternating (the fastest of each counts): one worker "
            + ", ".join(f"{x:.2f}" for x in batch.one_all_s)
            + f" s; {batch.split.workers} workers "
            + ", ".join(f"{x:.2f}" for x in batch.split_all_s)
            + " s"
        )
        print(
            f"   CPUs usable {len(os.sched_getaffinity(0))}; split across {args.batch_workers} "
            f"workers (the service's default here: {default_render_workers()})"
        )
        for label, run in (
            ("one worker", batch.one),
            (f"{batch.split.workers} workers", batch.split),
        ):
            print(
                f"   {label:<10} {run.pipeline_s:.2f} s = compose {run.compose_s:.2f} s + "
                f"press.render_sets {run.render_s:.2f} s "
                f"({run.render_s / batch.documents * 1e3:.1f} ms per document)"
            )
        print(
            f"   split / one worker {batch.split_ratio:.2f}x (target <= {BATCH_SPLIT_RATIO}x); "
            f"split / bare {batch.split.pipeline_s / batch.bare_s:.2f}x"
        )
        for label, run in (("one worker", batch.one), ("split", batch.split)):
            print(
                f"   CPU, {label}: workers "
                + " + ".join(f"{x:.2f}" for x in run.worker_cpu_s)
                + f" s, this process {run.parent_cpu_s:.2f} s (merge and hand-over); longest "
                f"path compose + busiest worker + this process {run.critical_cpu_s:.2f} s"
            )
        print(
            f"   with a free CPU per worker (longest CPU path, insensitive to other load): split "
            f"/ one worker {batch.split.critical_cpu_s / batch.one.critical_cpu_s:.2f}x"
        )
        print(
            f"   bare       {batch.bare_s:.2f} s = layout {batch.bare_layout_s:.2f} s "
            f"({batch.bare_layout_s / batch.documents * 1e3:.1f} ms per document: letters "
            f"{batch.bare_letters_s:.2f} s, service receipts {batch.bare_receipts_s:.2f} s, cover "
            f"{batch.bare_cover_s:.2f} s) + write_pdf {batch.bare_write_s:.2f} s"
        )
        print(f"   PDF, one worker {describe(one_pdf)}; fonts {', '.join(one_pdf.font_names)}")
        print(f"   PDF, split {describe(split_pdf)}; fonts {', '.join(split_pdf.font_names)}")
        print(f"   bare PDF {describe(bare_batch)}")

        print("5. memory of one pool worker ...", flush=True)
        memory = worker_memory(args.memory_letters, storage, stack)
        print(
            f"   worker pid {memory.pid}, VmRSS after N letters: "
            + ", ".join(f"{n}: {mb:.1f} MB" for n, mb in memory.samples)
        )
        print(
            f"   growth after the {MEMORY_WARMUP}-letter warm-up: {memory.growth:+.1f} MB over "
            f"{memory.samples[-1][0] - memory.samples[0][0]} letters "
            f"({memory.per_letter_ms:.1f} ms per letter through the pool)"
        )
    # The pools are closed and joined here: their CPU time counts as the benchmark's own.
    wall = time.perf_counter() - started
    other = (machine_busy_s() - busy0 - (own_cpu_s() - own0)) / wall

    t50, t90 = percentile(warm.thread_ms, 50), percentile(warm.thread_ms, 90)
    p50, p90 = percentile(warm.pool_ms, 50), percentile(warm.pool_ms, 90)
    b50, b90 = percentile(warm.bare_ms, 50), percentile(warm.bare_ms, 90)
    first = cold.median("pipeline", "first")
    reply_kb, bare_kb = len(warm.pdf.pdf) / 1024, len(warm.bare_pdf) / 1024
    one_kb, split_kb = len(batch.one.pdf.pdf) / 1024, len(batch.split.pdf.pdf) / 1024
    bare_batch_kb = len(batch.bare_pdf) / 1024
    cpu_ratio = batch.split.critical_cpu_s / batch.one.critical_cpu_s
    figures = [
        Figure(
            "1 warm reply p50, in-thread press",
            t50,
            "ms",
            b50,
            f"< {WARM_P50_MS:.0f} ms, <= {WARM_RATIO}x",
            t50 < WARM_P50_MS and t50 <= WARM_RATIO * b50,
        ),
        Figure("  warm reply p90, in-thread press", t90, "ms", b90),
        Figure(
            "1 warm reply p50, pool (workers=1)",
            p50,
            "ms",
            b50,
            f"< {WARM_P50_MS:.0f} ms, <= {WARM_RATIO}x",
            p50 < WARM_P50_MS and p50 <= WARM_RATIO * b50,
        ),
        Figure("  warm reply p90, pool (workers=1)", p90, "ms", b90),
        *signing_figures(warm, t50),
        Figure(
            "2 cold: import letters + weasyprint",
            (cold.median("pipeline", "app_import") + cold.median("pipeline", "weasyprint_import"))
            * 1e3,
            "ms",
            cold.median("bare", "weasyprint_import") * 1e3,
        ),
        Figure(
            "2 cold: first render after start",
            first * 1e3,
            "ms",
            cold.median("bare", "render") * 1e3,
            f"< {COLD_MS:.0f} ms",
            first * 1e3 < COLD_MS,
        ),
        Figure(
            "3 reply PDF size", reply_kb, "KB", bare_kb, f"< {REPLY_KB:.0f} KB", reply_kb < REPLY_KB
        ),
        Figure(
            f"4 batch of {batch.letters}: time, 1 worker",
            batch.one.pipeline_s,
            "s",
            batch.bare_s,
        ),
        Figure(
            f"4 batch of {batch.letters}: time, {batch.split.workers} workers",
            batch.split.pipeline_s,
            "s",
            batch.bare_s,
            f"< {BATCH_S:.0f} s",
            batch.split.pipeline_s < BATCH_S,
        ),
        Figure(
            f"4 batch: {batch.split.workers} workers / 1 worker",
            batch.split_ratio,
            "x",
            None,
            f"<= {BATCH_SPLIT_RATIO}x",
            batch.split_ratio <= BATCH_SPLIT_RATIO,
        ),
        Figure(
            "  same, longest CPU path",
            cpu_ratio,
            "x",
            None,
            f"<= {BATCH_SPLIT_RATIO}x",
            cpu_ratio <= BATCH_SPLIT_RATIO,
        ),
        Figure(
            f"4 batch of {batch.letters}: PDF, 1 worker",
            one_kb,
            "KB",
            bare_batch_kb,
            f"< {BATCH_KB:.0f} KB",
            one_kb < BATCH_KB,
        ),
        Figure(
            f"4 batch of {batch.letters}: PDF, {batch.split.workers} workers",
            split_kb,
            "KB",
            bare_batch_kb,
            f"< {BATCH_KB:.0f} KB",
            split_kb < BATCH_KB,
        ),
        Figure(
            "4 batch: font programs, 1 worker",
            one_pdf.font_programs,
            "",
            bare_batch.font_programs,
            f"not {batch.letters} (shared)",
            one_pdf.font_programs < batch.letters,
        ),
        Figure(
            f"4 batch: font programs, {batch.split.workers} workers",
            split_pdf.font_programs,
            "",
            bare_batch.font_programs,
            f"not {batch.letters} (shared)",
            split_pdf.font_programs < batch.letters,
        ),
        Figure(
            f"5 worker RSS growth, {memory.samples[-1][0] - MEMORY_WARMUP} letters",
            memory.growth,
            "MB",
            None,
            f"< {GROWTH_MB:.0f} MB",
            memory.growth < GROWTH_MB,
        ),
    ]
    print(f"\nfigures (wall {wall:.0f} s; other processes used {other:.0%} of one CPU meanwhile)")
    print(HEADER)
    for figure in figures:
        print(figure.row())
    missed = [f.name.strip() for f in figures if f.met is False]
    print(
        f"  6 cut-down faces {'built' if fonts_current() else 'NOT built'}, "
        f"libharfbuzz-subset {'present' if harfbuzz_subsetter() else 'MISSING'}"
    )
    print(f"\ntargets missed: {', '.join(missed) if missed else 'none'}")
    if other > 0.25:
        print(
            f"WARNING  other processes used {other:.0%} of one CPU during the run: the times are "
            "disturbed; run on a quiet machine for numbers to compare"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
