"""Benchmark: sustained online submissions against a running server, on SQLite and PostgreSQL.

For each database: migrate a fresh database, create an organ, start the real service
(`app.main:create_app`) under uvicorn as a subprocess, drive POST /api/v1/applications with
N concurrent clients posting valid, distinct applications, then do the same against a reference
endpoint that inserts one row through the same engine and unit of work
(`bench.reference_app:create_reference_app`), and print the figures and the verdict.

    .venv/bin/python bench/intake.py [--db sqlite|postgres|both] [--workers 2] [--clients 20]
                                     [--seconds 15] [--warmup 3] [--postgres-url URL]

Loopback only; every run is bounded in time (--seconds, per-request --timeout) and in count
(--max-requests). Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import uvloop
from databases import Database, postgres_database  # bench/ is the script's directory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT, Settings
from app.db import create_db_engine, create_session_factories
from app.migrate import upgrade_to_head
from app.models import Case
from app.organs.schemas import OrganCreate
from app.organs.service import create_organ

INTAKE_FACTORY = "app.main:create_app"
REFERENCE_FACTORY = "bench.reference_app:create_reference_app"
INTAKE_PATH = "/api/v1/applications"
REFERENCE_PATH = "/reference"
ORGAN_CODE = "bench-org"
LOCKED = b"database is locked"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Targets for the intake endpoint.
TARGET_RATIO = 0.6  # issue 16 (was 0.5)
TARGET_P99_MS = 100.0
# Other processes above this share of one CPU during a run make the figures unreliable.
OTHER_CPU_WARN = 0.25

# ---------------------------------------------------------------------------------------------
# Valid, distinct applications
# ---------------------------------------------------------------------------------------------

_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REGIONS = ("110105", "310104", "440106", "330106", "510107", "420102", "320102", "370102")
FIRST_BIRTH = date(1950, 1, 1)
BIRTH_SPAN_DAYS = 20_000  # up to 2004
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰")
SUBJECTS = (
    "老旧小区改造项目清单及资金安排",
    "道路拓宽工程房屋征收补偿方案",
    "学区划分调整的会议纪要与依据",
    "河道整治工程环境影响评价批复",
    "公共租赁住房分配结果及审核标准",
    "农村集体土地征收批复文件",
    "财政专项资金使用绩效评价报告",
    "城市更新单元规划审批意见",
)
FORMS = (("electronic", "email"), ("paper", "post"), ("electronic", "online"), ("paper", "pickup"))


def resident_id(i: int) -> str:
    """The i-th resident ID: distinct for i below 160 million, GB 11643 check digit computed."""
    region = REGIONS[i % len(REGIONS)]
    rest = i // len(REGIONS)
    birth = FIRST_BIRTH + timedelta(days=rest % BIRTH_SPAN_DAYS)
    seq = (rest // BIRTH_SPAN_DAYS) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, _RID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def application(i: int) -> dict[str, Any]:
    """A valid online application, different for every i."""
    form, method = FORMS[i % len(FORMS)]
    items = [
        {
            "description": f"{2020 + (i + k) % 6}年{SUBJECTS[(i + k) % len(SUBJECTS)]}（第{i}号申请）",
            "document_number": f"示政发〔{2020 + k}〕{i % 97 + k}号" if (i + k) % 3 == 0 else None,
        }
        for k in range(1 + i % 3)
    ]
    return {
        "organ_code": ORGAN_CODE,
        "applicant": {
            "category": "natural_person",
            "name": SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i // 7) % len(GIVEN_NAMES)],
            "id_type": "resident_id",
            "id_number": resident_id(i),
            "phone": f"1{3 + i % 7}{i % 10**9:09d}",
            "email": f"applicant{i}@example.com",
            "address": f"示例市人民路{1 + i % 999}号",
            "postal_code": "310000",
        },
        "items": items,
        "delivery": {"form": form, "method": method},
        "e_service_consent": method in ("email", "online"),
    }


def encoded_application(i: int) -> bytes:
    return json.dumps(application(i), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc): the machine is shared, so say who used the CPUs
# ---------------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class CpuSample:
    at: float
    machine_busy_s: float
    server_s: float
    database_s: float
    generator_s: float


@dataclass(frozen=True)
class CpuShare:
    """CPU seconds used during the measured window, and the window's length."""

    wall_s: float
    machine_busy_s: float
    server_s: float
    database_s: float
    generator_s: float

    @property
    def other_s(self) -> float:
        return max(0.0, self.machine_busy_s - self.server_s - self.database_s - self.generator_s)


def _machine_busy_s() -> float:
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds user + system), from /proc."""
    found: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        found[int(entry)] = (int(rest[1]), name, (int(rest[11]) + int(rest[12])) / CLOCK_TICKS)
    return found


def _tree(processes: dict[int, tuple[int, str, float]], root: int) -> set[int]:
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, (parent, _, _) in processes.items() if parent == pid and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def cpu_sample(server_pid: int) -> CpuSample:
    """CPU used so far by the server's processes, PostgreSQL's and the load generator's."""
    processes = _processes()

    def tree_cpu(root: int) -> float:
        return sum(processes[p][2] for p in _tree(processes, root) if p in processes)

    return CpuSample(
        at=time.monotonic(),
        machine_busy_s=_machine_busy_s(),
        server_s=tree_cpu(server_pid),
        database_s=sum(cpu for _, name, cpu in processes.values() if name == "postgres"),
        generator_s=tree_cpu(os.getpid()) - tree_cpu(server_pid),
    )


def busy_before_start(seconds: float = 1.0) -> float:
    """Share of one CPU the machine used over `seconds` while this benchmark was idle."""
    first = _machine_busy_s()
    time.sleep(seconds)
    return (_machine_busy_s() - first) / seconds


def cpu_share(a: CpuSample, b: CpuSample) -> CpuShare:
    return CpuShare(
        wall_s=b.at - a.at,
        machine_busy_s=b.machine_busy_s - a.machine_busy_s,
        server_s=b.server_s - a.server_s,
        database_s=b.database_s - a.database_s,
        generator_s=b.generator_s - a.generator_s,
    )


# ---------------------------------------------------------------------------------------------
# Load generator
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one endpoint answered during the measured window (warm-up excluded)."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    locked_bodies: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    duration_s: float = 0.0
    created_total: int = 0  # 201s including the warm-up, to check against the rows stored
    server_log_locked: int = 0
    cpu: CpuShare | None = None

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if 200 <= code < 300)

    @property
    def rps(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0

    @property
    def five_xx(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    @property
    def other_failures(self) -> int:
        """Non-2xx, non-5xx responses and transport errors: the run did not do what it meant."""
        non_2xx = sum(n for code, n in self.statuses.items() if not 200 <= code < 300)
        return non_2xx - self.five_xx + sum(self.errors.values())

    @property
    def server_cpu_ms_per_request(self) -> float:
        if self.cpu is None or not self.statuses:
            return float("nan")
        return self.cpu.server_s * 1000 / sum(self.statuses.values())

    @property
    def locked(self) -> int:
        return self.locked_bodies + self.server_log_locked

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, int(-(-q * len(ordered) // 100)))
        return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Schedule:
    """Absolute times on the system-wide monotonic clock, shared by every generator process."""

    measure_from: float
    stop_at: float


async def drive(
    url: str, *, clients: int, schedule: Schedule, max_requests: int, timeout: float, first: int
) -> Run:
    """`clients` concurrent clients, each posting one application after another until stop_at."""
    run = Run()
    numbers = itertools.count(first)
    last = first + max_requests
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"content-type": "application/json"}
    measure_from, stop_at = schedule.measure_from, schedule.stop_at
    last_end = measure_from

    async with httpx.AsyncClient(limits=limits, timeout=timeout, headers=headers) as client:

        async def one_client() -> None:
            nonlocal last_end
            while time.monotonic() < stop_at:
                n = next(numbers)
                if n >= last:
                    return
                content = encoded_application(n)
                start = time.monotonic()
                try:
                    response = await client.post(url, content=content)
                except httpx.HTTPError as exc:
                    if start >= measure_from:
                        run.errors[type(exc).__name__] += 1
                    await asyncio.sleep(0.01)  # a dead server must not turn this into a spin
                    continue
                end = time.monotonic()
                if response.status_code == 201:
                    run.created_total += 1
                if start < measure_from:
                    continue
                run.latencies_ms.append((end - start) * 1000)
                run.statuses[response.status_code] += 1
                if LOCKED in response.content.lower():
                    run.locked_bodies += 1
                last_end = max(last_end, end)

        await asyncio.wait_for(
            asyncio.gather(*(one_client() for _ in range(clients))),
            timeout=stop_at - time.monotonic() + timeout + 10,
        )
    run.duration_s = max(last_end, stop_at) - measure_from
    return run


def drive_sync(
    url: str, clients: int, schedule: Schedule, max_requests: int, timeout: float, first: int
) -> Run:
    """drive() on a uvloop event loop (also the entry point of extra generator processes)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(
            drive(
                url,
                clients=clients,
                schedule=schedule,
                max_requests=max_requests,
                timeout=timeout,
                first=first,
            )
        )


def _generator_ready() -> bool:
    time.sleep(0.2)  # hold this process so that each check lands on a different one
    return True


def merge(runs: list[Run]) -> Run:
    total = Run()
    for run in runs:
        total.latencies_ms.extend(run.latencies_ms)
        total.statuses.update(run.statuses)
        total.errors.update(run.errors)
        total.locked_bodies += run.locked_bodies
        total.created_total += run.created_total
        total.duration_s = max(total.duration_s, run.duration_s)
    return total


def load(server: Server, path: str, args: argparse.Namespace) -> Run:
    """Drive the server with args.clients clients split over args.generators processes."""
    url = server.base_url + path
    shares = [
        args.clients // args.generators + (1 if k < args.clients % args.generators else 0)
        for k in range(args.generators)
    ]
    cap = args.max_requests // args.generators
    cpu: dict[str, CpuShare] = {}
    with ProcessPoolExecutor(
        max_workers=args.generators - 1 or 1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        # Extra generator processes import everything before the clock starts.
        for ready in [pool.submit(_generator_ready) for _ in range(args.generators - 1)]:
            ready.result(timeout=60)
        now = time.monotonic()
        schedule = Schedule(now + args.warmup, now + args.warmup + args.seconds)
        sampler = threading.Thread(
            target=_sample_window, args=(server.process.pid, schedule, cpu), daemon=True
        )
        sampler.start()
        others = [
            pool.submit(drive_sync, url, shares[k], schedule, cap, args.timeout, 1 + k * cap)
            for k in range(1, args.generators)
        ]
        runs = [drive_sync(url, shares[0], schedule, cap, args.timeout, 1)]
        runs += [f.result(timeout=args.timeout + 30) for f in others]
        sampler.join(timeout=30)
    run = merge(runs)
    run.cpu = cpu.get("share")
    return run


def _sample_window(server_pid: int, schedule: Schedule, out: dict[str, CpuShare]) -> None:
    time.sleep(max(0.0, schedule.measure_from - time.monotonic()))
    first = cpu_sample(server_pid)
    time.sleep(max(0.0, schedule.stop_at - time.monotonic()))
    out["share"] = cpu_share(first, cpu_sample(server_pid))


# ---------------------------------------------------------------------------------------------
# Servers and databases
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def uvicorn_command(factory: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
    ]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path
    stdout_path: Path

    def locked_in_logs(self) -> int:
        """Lines of the server's output that mention "database is locked"."""
        count = 0
        for path in (self.stderr_path, self.stdout_path):
            with path.open("rb") as f:
                count += sum(1 for line in f if LOCKED in line.lower())
        return count

    def log_tail(self, lines: int = 30) -> str:
        data = self.stderr_path.read_bytes().decode("utf-8", "replace").splitlines()
        return "\n".join(data[-lines:])


@contextmanager
def serve(factory: str, env: dict[str, str], workers: int, log_dir: Path) -> Iterator[Server]:
    """Start uvicorn with `factory`, wait for /readyz, stop it (SIGTERM, then SIGKILL) at the end."""
    port = free_port()
    name = factory.split(":")[-1]
    stderr_path, stdout_path = log_dir / f"{name}.stderr.log", log_dir / f"{name}.stdout.log"
    with stderr_path.open("wb") as err, stdout_path.open("wb") as out:
        process = subprocess.Popen(
            uvicorn_command(factory, port, workers),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, stderr_path, stdout_path)
    try:
        wait_ready(server)
        wait_settled(process.pid)
        yield server
    finally:
        stop(process)


def wait_ready(server: Server, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited during start-up:\n{server.log_tail()}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                # One worker answered; give the others a moment (the warm-up absorbs the rest).
                time.sleep(1.0)
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {limit_s:.0f} s:\n{server.log_tail()}")


def wait_settled(server_pid: int, limit_s: float = 60.0, idle_share: float = 0.05) -> None:
    """Wait until the idle server's processes use under `idle_share` of a CPU over half a
    second: start-up work after /readyz (each worker's letter-render pool importing WeasyPrint
    and rendering a warm-up letter, a second or more of CPU per worker) must not land in the
    measured window, where it was counted as CPU per response."""
    deadline = time.monotonic() + limit_s
    before = cpu_sample(server_pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        after = cpu_sample(server_pid)
        if (after.server_s - before.server_s) / (after.at - before.at) < idle_share:
            return
        before = after


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own session, started with this process
        process.wait(timeout=10)


def prepare(url: str, secret: str, storage: Path) -> Settings:
    """Migrate to head and create the organ the applications go to."""
    upgrade_to_head(url)
    settings = Settings(database_url=url, secret_key=secret, storage_dir=storage)
    engine = create_db_engine(settings)
    try:
        with create_session_factories(engine).write.begin() as session:
            create_organ(
                session,
                OrganCreate(
                    code=ORGAN_CODE,
                    name="基准测试区人民政府办公室",
                    reconsideration_body="基准测试区人民政府",
                    court="基准测试区人民法院",
                ),
                now=datetime.now(UTC),
            )
    finally:
        engine.dispose()
    return settings


def count_rows(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if table == "cases":
                return int(conn.execute(select(func.count()).select_from(Case)).scalar_one())
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def sqlite_database(work: Path) -> Iterator[Database]:
    yield Database("sqlite", f"sqlite:///{work / 'bench.db'}", sqlite3.sqlite_version)


# ---------------------------------------------------------------------------------------------
# One database: both servers, the figures, the verdict
# ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    database: Database
    intake: Run
    reference: Run
    intake_rows: int
    reference_rows: int
    clients: int
    generators: int

    def checks(self) -> list[tuple[str, bool, str]]:
        i, r = self.intake, self.reference
        ratio = i.rps / r.rps if r.rps else 0.0
        p99 = i.percentile(99)
        return [
            (
                f"intake rps >= {TARGET_RATIO:.0%} of reference rps",
                ratio >= TARGET_RATIO,
                f"{ratio:.1%}",
            ),
            (f"intake p99 < {TARGET_P99_MS:.0f} ms", p99 < TARGET_P99_MS, f"{p99:.1f} ms"),
            (
                'zero "database is locked" (bodies + server logs)',
                i.locked + r.locked == 0,
                f"intake {i.locked}, reference {r.locked}",
            ),
            ("zero 5xx", i.five_xx + r.five_xx == 0, f"intake {i.five_xx}, reference {r.five_xx}"),
            (
                "valid run: only 201s, no transport errors, one row per 201",
                i.other_failures + r.other_failures == 0
                and i.created_total == self.intake_rows
                and r.created_total == self.reference_rows,
                f"other failures intake {i.other_failures}, reference {r.other_failures}; "
                f"rows {self.intake_rows}/{i.created_total} cases, "
                f"{self.reference_rows}/{r.created_total} reference",
            ),
        ]

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.checks())


def bench_database(db: Database, args: argparse.Namespace, work: Path) -> Result:
    secret = secrets.token_urlsafe(32)
    storage = work / f"storage-{db.kind}"
    prepare(db.url, secret, storage)
    env = {
        **os.environ,
        "GONGKAI_DATABASE_URL": db.url,
        "GONGKAI_SECRET_KEY": secret,
        "GONGKAI_STORAGE_DIR": str(storage),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    logs = work / f"logs-{db.kind}"
    logs.mkdir()
    runs: dict[str, Run] = {}
    # Same bodies for both endpoints; the reference stores the JSON as text.
    for label, factory, path in (
        ("intake", INTAKE_FACTORY, INTAKE_PATH),
        ("reference", REFERENCE_FACTORY, REFERENCE_PATH),
    ):
        print(f"  {db.kind}: {label} ({factory}) ...", flush=True)
        with serve(factory, env, args.workers, logs) as server:
            run = load(server, path, args)
        run.server_log_locked = server.locked_in_logs()
        runs[label] = run
    return Result(
        db,
        runs["intake"],
        runs["reference"],
        intake_rows=count_rows(db.url, "cases"),
        reference_rows=count_rows(db.url, "bench_reference"),
        clients=args.clients,
        generators=args.generators,
    )


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def stack_lines(args: argparse.Namespace) -> list[str]:
    pool = Settings(secret_key="x").db_pool_size
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return [
        f"server   uvicorn {version('uvicorn')}, loop uvloop {version('uvloop')}, "
        f"http httptools {version('httptools')}, workers {args.workers}, "
        f"DB pool size {pool} per worker (Settings().db_pool_size)",
        f"command  {' '.join(uvicorn_command('<factory>', 0, args.workers)[1:]).replace(' --port 0', ' --port <free>')}",
        f"python   {platform.python_implementation()} {platform.python_version()}, "
        f"CPUs {cpus} (usable {usable}), {platform.system()} {platform.machine()}",
        f"load     {args.clients} concurrent clients (httpx.AsyncClient on uvloop, keep-alive) in "
        f"{args.generators} process(es), {args.warmup:g} s warm-up, {args.seconds:g} s measured, "
        "loopback, valid and distinct applications",
        f"NOTE     the load generator runs on the same {usable} CPU(s) as the server workers and "
        "competes with them; latencies include client-side queueing.",
    ]


def run_row(label: str, run: Run) -> str:
    statuses = " ".join(f"{code}:{n}" for code, n in sorted(run.statuses.items())) or "-"
    return (
        f"  {label:<10}{sum(run.statuses.values()):>9}"
        f"{run.rps:>9.1f}{run.percentile(50):>9.1f}{run.percentile(90):>9.1f}"
        f"{run.percentile(99):>9.1f}{max(run.latencies_ms, default=float('nan')):>9.1f}"
        f"{run.five_xx:>6}{run.locked:>8}{sum(run.errors.values()):>8}"
        f"{run.server_cpu_ms_per_request:>10.2f}   {statuses}"
    )


def cpu_line(label: str, run: Run) -> str:
    c = run.cpu
    if c is None or not c.wall_s:
        return f"  {label} CPU: not measured"

    def pct(seconds: float) -> str:
        return f"{seconds / c.wall_s:.0%}"

    responses = sum(run.statuses.values()) or 1
    return (
        f"  {label + ' CPU':<14}(100% = one CPU) machine busy {pct(c.machine_busy_s)} "
        f"of {os.cpu_count()}00%: server {pct(c.server_s)}, load generator "
        f"{pct(c.generator_s)} ({c.generator_s * 1000 / responses:.2f} ms/response), "
        f"PostgreSQL {pct(c.database_s)}, other processes {pct(c.other_s)}"
    )


def report(result: Result) -> None:
    db = result.database
    print(f"\ndatabase {db.kind} {db.version}   ({make_url(db.url).render_as_string()})")
    print(
        f"  {'endpoint':<10}{'responses':>9}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'5xx':>6}{'locked':>8}{'errors':>8}"
        f"{'srv CPU':>10}   statuses"
    )
    print(run_row("intake", result.intake))
    print(run_row("reference", result.reference))
    print("  (srv CPU = server CPU ms per response, all workers)")
    print(cpu_line("intake", result.intake))
    print(cpu_line("reference", result.reference))
    clients = result.clients
    print(
        f"  closed loop: mean latency = clients / req/s = "
        f"{1000 * clients / result.intake.rps if result.intake.rps else float('nan'):.0f} ms "
        f"intake, {1000 * clients / result.reference.rps if result.reference.rps else float('nan'):.0f} ms reference"
    )
    disturbed = [
        (label, run.cpu.other_s / run.cpu.wall_s)
        for label, run in (("intake", result.intake), ("reference", result.reference))
        if run.cpu is not None
        and run.cpu.wall_s
        and run.cpu.other_s / run.cpu.wall_s > OTHER_CPU_WARN
    ]
    for label, run in (("intake", result.intake), ("reference", result.reference)):
        c = run.cpu
        if c is not None and c.wall_s and c.generator_s / c.wall_s >= 0.9 * result.generators:
            print(
                f"  WARNING  the load generator was saturated during the {label} run "
                f"({c.generator_s / c.wall_s:.0%} of a CPU in {result.generators} process(es)): "
                "that req/s is a floor set by the client, not the server (try --generators 2)"
            )
    for label, share in disturbed:
        print(
            f"  WARNING  other processes used {share:.0%} of a CPU during the {label} run: "
            "the figures are disturbed"
        )
    for label, run in (("intake", result.intake), ("reference", result.reference)):
        if run.errors:
            print(f"  {label} transport errors: {dict(run.errors)}")
    ratio = result.intake.rps / result.reference.rps if result.reference.rps else 0.0
    print(f"  ratio intake/reference req/s: {ratio:.2f}")
    for name, ok, detail in result.checks():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds (15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds (3)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_PG_URL, help="server to create a DB on")
    parser.add_argument(
        "--generators",
        type=int,
        default=1,
        help="load generator processes sharing the clients (default 1: one httpx event loop)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (30 s)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="cap per endpoint run (200000)"
    )
    args = parser.parse_args(argv)
    if make_url(args.postgres_url).get_backend_name() != "postgresql":
        parser.error("--postgres-url must be a postgresql URL")
    if not 1 <= args.generators <= args.clients:
        parser.error("--generators must be between 1 and --clients")

    print("gongkai intake benchmark: POST /api/v1/applications vs a one-row insert reference")
    for line in stack_lines(args):
        print(line)
    idle = busy_before_start()
    print(f"before   machine busy {idle:.0%} of one CPU with the benchmark idle")
    if idle > OTHER_CPU_WARN:
        print(
            "WARNING  other processes are using the CPUs: figures will be low and noisy; "
            "run on a quiet machine for numbers to compare"
        )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        work = Path(tmp)
        if args.db in ("sqlite", "both"):
            with sqlite_database(work) as db:
                results.append(bench_database(db, args, work))
                report(results[-1])
        if args.db in ("postgres", "both"):
            with postgres_database(args.postgres_url) as pg:
                if pg is not None:
                    results.append(bench_database(pg, args, work))
                    report(results[-1])
    passed = bool(results) and all(r.passed for r in results)
    print(f"\noverall: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
