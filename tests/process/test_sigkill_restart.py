"""SIGKILL the real server under intake load, restart it, and count what survived.

Every application the server acknowledged (201 with its registration number) must be in the
database afterwards, and no render worker or resource tracker of a killed server may be left
running (each costs ~130 MB; a restart loop would otherwise leak them one by one).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from app.config import Settings
from app.models import Case
from tests.conftest import Staff
from tests.fixtures.factories import application
from tests.process.procs import HAS_PROC, Proc, alive, marked, new_marker, wait_for

PROJECT = Path(__file__).resolve().parents[2]
KILLS = 4
# Acknowledged submissions to see on each server before it is killed.
ACKS_PER_LIFE = 3
# Bounds on waiting, not speed targets: a start imports the app and spawns a render worker,
# which takes many times longer on a loaded CI machine than on an idle one.
START_TIMEOUT_S = 240

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAS_PROC, reason="finds processes through Linux /proc"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """uvicorn as scripts/serve starts it (one process here), with a marked environment."""

    def __init__(self, settings: Settings, log: Path, *extra: str) -> None:
        self.extra = extra
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        variable, self.marker = new_marker()
        self.env = {
            **os.environ,
            variable: self.marker,
            "GONGKAI_DATABASE_URL": settings.database_url,
            "GONGKAI_SECRET_KEY": secrets.token_urlsafe(32),
            "GONGKAI_STORAGE_DIR": str(settings.storage_dir),
            "GONGKAI_LETTER_RENDER_WORKERS": "1",
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(self.port), *self.extra],
                cwd=PROJECT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.proc = proc
        wait_for(self._answers, timeout_s=START_TIMEOUT_S, what="the server to answer /healthz")
        wait_for(
            lambda: bool(self.children()),
            timeout_s=START_TIMEOUT_S,
            what="the render worker to start",
        )
        return proc

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the server exited:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def children(self) -> list[Proc]:
        """The render worker and resource tracker of the running server."""
        assert self.proc is not None
        return [p for p in marked(self.marker) if p.pid != self.proc.pid]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Load:
    """Submits applications one after another, keeping the numbers that were acknowledged."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acknowledged: list[str] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                try:
                    r = client.post("/api/v1/applications", json=application())
                except httpx.HTTPError:  # the server is being killed or restarted
                    self.failures += 1
                    time.sleep(0.05)
                    continue
                if r.status_code == 201:
                    self.acknowledged.append(r.json()["number"])
                else:
                    assert r.status_code < 500, r.text
                    self.failures += 1

    def wait_for_more(self, count: int) -> None:
        target = len(self.acknowledged) + count
        wait_for(
            lambda: len(self.acknowledged) >= target,
            timeout_s=START_TIMEOUT_S,
            what=f"{count} acknowledged submissions",
        )


def test_acknowledged_applications_survive_sigkills_and_no_worker_is_orphaned(
    settings: Settings, organ_a: Staff, tmp_path: Path
) -> None:
    server = Server(settings, tmp_path / "server.log")
    orphans: list[Proc] = []
    try:
        server.start()
        with Load(server.url) as load:
            for _ in range(KILLS):
                load.wait_for_more(ACKS_PER_LIFE)
                children = server.children()
                assert any(p.is_render_worker for p in children), children
                assert server.proc is not None
                server.proc.send_signal(signal.SIGKILL)
                server.proc.wait()
                orphans += children
                wait_for(
                    lambda gone=children: not any(alive(p.pid) for p in gone),
                    timeout_s=30,
                    what=f"the killed server's children to exit: {children}",
                )
                server.start()
            load.wait_for_more(ACKS_PER_LIFE)
        server.stop()
        wait_for(lambda: not marked(server.marker), timeout_s=30, what="a clean shutdown")
    finally:
        server.stop()
        for leftover in marked(server.marker):  # only what this test started
            os.kill(leftover.pid, signal.SIGKILL)

    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            stored = set(conn.scalars(select(Case.number)))
    finally:
        engine.dispose()
    assert len(load.acknowledged) >= (KILLS + 1) * ACKS_PER_LIFE
    assert len(set(load.acknowledged)) == len(load.acknowledged)
    assert set(load.acknowledged) <= stored
    assert {p.is_render_worker for p in orphans} == {True, False}  # workers and trackers seen


def test_sigkilled_supervisor_takes_its_web_workers_and_renderers_with_it(
    settings: Settings, organ_a: Staff, tmp_path: Path
) -> None:
    # scripts/serve runs uvicorn's supervisor with --workers 2: its workers used to outlive a
    # SIGKILL of the supervisor, holding the port (a restart could not bind) and their renderers.
    server = Server(settings, tmp_path / "server.log", "--workers", "2")
    try:
        server.start()
        # Two web workers and a render worker in each: all four are spawned processes.
        wait_for(
            lambda: sum(p.is_render_worker for p in server.children()) == 4,
            timeout_s=START_TIMEOUT_S,
            what="two web workers, each with its render worker",
        )
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.post("/api/v1/applications", json=application()).status_code == 201
        children = server.children()
        assert server.proc is not None
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        wait_for(
            lambda: not marked(server.marker),
            timeout_s=30,
            what=f"the killed supervisor's workers and renderers to exit: {children}",
        )
        server.start()  # the same port binds again
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.post("/api/v1/applications", json=application()).status_code == 201
    finally:
        server.stop()
        for leftover in marked(server.marker):
            os.kill(leftover.pid, signal.SIGKILL)
