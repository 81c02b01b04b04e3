"""Child processes that die with their parent, so a killed server leaves nothing running."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

# How often a child checks that its parent is alive: a dead parent's child lingers this long.
PARENT_CHECK_S = 0.5


def follow_parent(parent_pid: int) -> None:
    """Exit this process as soon as ``parent_pid`` is no longer its parent.

    An orphan is adopted by init (or a subreaper), so its parent pid changes. Polling is
    used rather than prctl(PR_SET_PDEATHSIG), which fires when the *thread* that spawned the
    child ends: the letter pool spawns from whichever request thread submits first, and those
    threads come and go while the process lives.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        # Nothing to flush and nobody to answer; atexit's clean-up is not worth waiting for.
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def follow_supervisor() -> bool:
    """In a worker that uvicorn's supervisor spawned (`--workers N`), exit when it dies.

    uvicorn's workers outlive a SIGKILLed supervisor: they keep the listening socket, so a
    restart cannot bind, and keep their letter renderers alive. A process started directly (by
    a shell, systemd or a test) has no multiprocessing parent and is left alone.
    """
    if multiprocessing.parent_process() is None:
        return False
    follow_parent(os.getppid())
    return True
