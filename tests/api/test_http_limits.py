"""Request-head limits (431/414 problem+json), in-process and over a real uvicorn, and what
uvicorn's parsers answer themselves before the app sees a request (README, deployment notes)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from app.main import create_app
from app.runtime import Runtime

PROBLEM = "application/problem+json"
# What uvicorn answers itself, as text/plain, to a request its parser refuses.
SERVER_400 = b"Invalid HTTP request received."


# --- in process ---------------------------------------------------------------------------------


def _assert_problem(r: Any, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == status


def test_too_many_header_fields_answer_431_problem(client: TestClient) -> None:
    headers = {f"x-h{i}": "v" for i in range(101)}

    _assert_problem(client.get("/healthz", headers=headers), 431)


def test_one_header_field_over_8_kib_answers_431_problem(client: TestClient) -> None:
    r = client.get("/healthz", headers={"x-big": "a" * 8200})

    _assert_problem(r, 431)
    assert "x-big" in r.json()["detail"]


def test_header_fields_over_32_kib_in_all_answer_431_problem(client: TestClient) -> None:
    headers = {f"x-h{i}": "a" * 7000 for i in range(5)}

    _assert_problem(client.get("/healthz", headers=headers), 431)


def test_a_request_target_over_8_kib_answers_414_problem(client: TestClient) -> None:
    _assert_problem(client.get("/healthz?q=" + "a" * 8200), 414)


def test_what_browsers_and_proxies_send_passes(client: TestClient) -> None:
    # A browser's usual dozen headers, proxy headers, a large cookie: well inside the limits.
    headers = {f"x-h{i}": "v" * 100 for i in range(80)}
    headers["cookie"] = "a=" + "b" * 4000
    r = client.get("/healthz?q=" + "a" * 4000, headers=headers)

    assert r.status_code == 200, r.text


def test_limits_come_from_settings(runtime: Runtime) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_header_count": 5})
    with TestClient(create_app(runtime=runtime)) as c:
        r = c.get("/healthz", headers={f"x-h{i}": "v" for i in range(6)})

    _assert_problem(r, 431)


# --- over a served uvicorn ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, the headers (last value wins) and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        # The server may refuse and close while a large request is still being sent.
        with contextlib.suppress(OSError):
            s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
                }
                if len(body) >= int(headers.get("content-length", "-1")):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _get(target: bytes = b"/healthz", headers: bytes = b"") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + headers + b"\r\n"


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path
) -> Iterator[tuple[int, str]]:
    """The real app under uvicorn in a subprocess, as scripts/serve runs it (parametrized)."""
    http = request.param
    tmp = tmp_path_factory.mktemp(f"served-{http}")
    shutil.copyfile(_sqlite_template, tmp / "gongkai.db")
    port = _free_port()
    env = dict(
        os.environ,
        GONGKAI_SECRET_KEY="served-test-key",
        GONGKAI_DATABASE_URL=f"sqlite:///{tmp / 'gongkai.db'}",
        GONGKAI_STORAGE_DIR=str(tmp / "storage"),
        GONGKAI_LETTER_RENDER_WORKERS="0",
    )
    loop = ["--loop", "uvloop"] if http == "httptools" else []
    args = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--http", http, *loop]
    args += ["--no-server-header"]
    log = (tmp / "uvicorn.log").open("wb")
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    try:
        # Start-up imports the app and checks fonts: seconds on a loaded CI machine.
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited: {(tmp / 'uvicorn.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start: {(tmp / 'uvicorn.log').read_text()}")
            try:
                if _exchange(port, _get())[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, http
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


SERVERS = pytest.mark.parametrize("served", ["httptools", "h11"], indirect=True)


@SERVERS
def test_served_oversized_headers_answer_431_problem(served: tuple[int, str]) -> None:
    port, _ = served
    oversized = {
        "100 KB header": b"X-Big: " + b"a" * 100_000 + b"\r\n",
        "2,000 headers": b"".join(b"X-H%d: v\r\n" % i for i in range(2000)),
        "40 KB in 10 headers": b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 4000) for i in range(10)),
    }
    for name, headers in oversized.items():
        status, got, body = _exchange(port, _get(headers=headers))
        assert (status, got.get("content-type")) == (431, PROBLEM), (name, status, body[:200])
        assert got["x-content-type-options"] == "nosniff"


@SERVERS
def test_served_responses_carry_no_server_banner(served: tuple[int, str]) -> None:
    port, _ = served
    status, headers, _ = _exchange(port, _get())

    assert status == 200
    assert "server" not in headers
    assert headers["content-security-policy"] == "frame-ancestors 'none'"


@pytest.mark.parametrize("served", ["httptools"], indirect=True)
def test_httptools_passes_a_1_mb_header_to_the_app_which_answers_431(
    served: tuple[int, str],
) -> None:
    port, _ = served
    status, headers, _ = _exchange(port, _get(headers=b"X-Big: " + b"a" * 1_000_000 + b"\r\n"))

    assert (status, headers["content-type"]) == (431, PROBLEM)


@pytest.mark.parametrize("served", ["h11"], indirect=True)
def test_h11_refuses_a_1_mb_header_itself_with_plain_400(served: tuple[int, str]) -> None:
    # h11 buffers at most --h11-max-incomplete-event-size (16 KiB) of an unfinished head.
    port, _ = served
    status, headers, body = _exchange(port, _get(headers=b"X-Big: " + b"a" * 1_000_000 + b"\r\n"))

    assert (status, headers["content-type"]) == (400, "text/plain; charset=utf-8")
    assert body in (SERVER_400, b"")  # may be lost to the reset over the unread request


@SERVERS
def test_the_server_refuses_malformed_requests_itself_with_plain_400(
    served: tuple[int, str],
) -> None:
    # Documented in the README: these never reach the app, so they cannot be problem+json.
    port, _ = served
    malformed = {
        "negative Content-Length": b"POST /api/v1/applications HTTP/1.1\r\nHost: t\r\n"
        b"Content-Length: -1\r\n\r\n",
        "NUL in a header": _get(headers=b"X-A: a\x00b\r\n"),
    }
    for name, raw in malformed.items():
        status, headers, body = _exchange(port, raw)
        assert (status, headers.get("content-type")) == (400, "text/plain; charset=utf-8"), name
        # The server resets the connection over the unread request: the body may be lost.
        assert body in (SERVER_400, b""), name


@SERVERS
def test_a_100_kb_request_line_is_refused(served: tuple[int, str]) -> None:
    # httptools refuses a target over 64 KiB itself (plain 400); h11 passes it to the app (414).
    port, http = served
    status, headers, _ = _exchange(port, _get(target=b"/healthz?q=" + b"a" * 100_000))

    expected = (400, "text/plain; charset=utf-8") if http == "httptools" else (414, PROBLEM)
    assert (status, headers.get("content-type")) == expected
