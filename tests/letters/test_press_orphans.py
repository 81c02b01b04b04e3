"""Render workers die with the process that started them, and so does the resource tracker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process.procs import HAS_PROC, marked, new_marker, wait_for

PROJECT = Path(__file__).resolve().parents[2]
OWNER = """
import sys, time
from pathlib import Path
from app.letters.press import LetterPress

press = LetterPress(workers=1, timeout_s=300, storage_dir=Path(sys.argv[1]))
press.render(["<html><body><p>政府信息公开</p></body></html>"])
print("rendered", flush=True)
time.sleep(600)
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAS_PROC, reason="finds processes through Linux /proc"),
]


def test_a_killed_owner_leaves_no_render_worker_or_resource_tracker(tmp_path: Path) -> None:
    variable, marker = new_marker()
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(tmp_path)],
        cwd=PROJECT,
        env={**os.environ, variable: marker},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "rendered"
        children = [p for p in marked(marker) if p.pid != owner.pid]
        assert any(p.is_render_worker and p.ppid == owner.pid for p in children), children
        assert any(p.is_resource_tracker for p in children), children

        owner.send_signal(signal.SIGKILL)
        owner.wait()

        wait_for(lambda: not marked(marker), timeout_s=30, what="the orphaned workers to exit")
    finally:
        owner.kill()
        owner.wait()
        for leftover in marked(marker):  # only what this test started
            os.kill(leftover.pid, signal.SIGKILL)
