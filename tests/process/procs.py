"""Finding the processes a test started, by a marker in their environment (Linux /proc)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
MARKER_VARIABLE = "GONGKAI_PROCESS_TEST_MARKER"
HAS_PROC = (PROC / "self" / "environ").exists()


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cmdline: str

    @property
    def is_render_worker(self) -> bool:
        return "multiprocessing" in self.cmdline and "spawn_main" in self.cmdline

    @property
    def is_resource_tracker(self) -> bool:
        return "resource_tracker" in self.cmdline


def new_marker() -> tuple[str, str]:
    """A variable and value to put in a server's environment; its children inherit it."""
    return MARKER_VARIABLE, uuid.uuid4().hex


def marked(value: str) -> list[Proc]:
    """Live processes carrying the marker (zombies hold no memory and are not counted)."""
    needle = f"{MARKER_VARIABLE}={value}".encode()
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            status = dict(
                line.split(":\t", 1)
                for line in (entry / "status").read_text().splitlines()
                if ":\t" in line
            )
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if status.get("State", "").startswith(("Z", "X")):
            continue
        found.append(Proc(int(entry.name), int(status["PPid"]), cmdline.strip()))
    return found


def alive(pid: int) -> bool:
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_for(condition: Callable[[], bool], *, timeout_s: float, what: str) -> None:
    """Poll until ``condition`` holds; a hang bound, not a speed assertion."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout_s:.0f} s for {what}")
        time.sleep(0.1)
