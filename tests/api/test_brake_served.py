"""Over a real uvicorn started the way scripts/serve starts it (scripts/run-server, two workers): a
client cannot dodge the guessing brake by sending X-Forwarded-For; behind a trusted proxy the
header names the client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FAILURES = 3  # free == lock: the fourth failure locks, so no answer depends on timing
GUESSES = 8

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 120  # start-up on a loaded machine, not a speed check
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"the server exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("the server did not come up")


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """A function starting scripts/run-server with extra environment; stopped after the test."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> str:
        port = _free_port()
        full = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("GONGKAI_") and k != "FORWARDED_ALLOW_IPS"
        }
        full.update(
            GONGKAI_DATABASE_URL=database_url,
            GONGKAI_SECRET_KEY="test-secret-key",
            GONGKAI_STORAGE_DIR=str(tmp_path / "storage"),
            GONGKAI_LETTER_RENDER_WORKERS="0",
            GONGKAI_LOOKUP_FREE_FAILURES=str(FAILURES),
            GONGKAI_LOOKUP_LOCK_FAILURES=str(FAILURES),
            HOST="127.0.0.1",
            PORT=str(port),
            WORKERS="2",
            **env,
        )
        proc = subprocess.Popen(
            [str(REPO / "scripts" / "run-server")],
            cwd=REPO,
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(proc, base)
        return base

    yield start
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def guesses(base: str, forwarded_for: list[str]) -> list[int]:
    """One wrong code at a number of its own per X-Forwarded-For value."""
    with httpx.Client(base_url=base, timeout=30) as http:
        return [
            http.get(
                f"/api/v1/applications/org-a依申〔2026〕{100 + i:04d}号",
                headers={"X-Query-Code": "AAAA-BBBB-CCCC", "X-Forwarded-For": value},
            ).status_code
            for i, value in enumerate(forwarded_for)
        ]


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_brake(
    serve: Callable[..., str],
) -> None:
    base = serve()

    answers = guesses(base, [f"192.0.2.{i + 1}" for i in range(GUESSES)])

    # Every guess is counted against 127.0.0.1, the real peer, whatever the header claims.
    assert answers == [404] * FAILURES + [429] * (GUESSES - FAILURES)


def test_behind_a_trusted_proxy_the_forwarded_client_is_braked(serve: Callable[..., str]) -> None:
    base = serve(GONGKAI_TRUSTED_PROXIES="127.0.0.1")

    distinct = guesses(base, [f"192.0.2.{i + 1}" for i in range(GUESSES)])
    # What the client wrote left of the proxy's entry does not make it a new client.
    one = guesses(base, [f"6.6.6.{i}, 198.51.100.7" for i in range(GUESSES)])

    assert distinct == [404] * GUESSES
    assert one == [404] * FAILURES + [429] * (GUESSES - FAILURES)
