"""Child processes that end with their parent: build workers and web server workers alike.

Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) ends a child the moment its parent dies, even by
``kill -9``; where it is missing, a thread watches the parent. A child whose parent has already gone ends at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies (Linux)


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have this process receive ``signum`` when ``parent`` ends (and end now if it already has)."""
    armed = False
    with contextlib.suppress(OSError, AttributeError):
        armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum) == 0
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
