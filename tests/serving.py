"""Helpers for tests of the production server: start ``python -m webapp`` on a free loopback port, time a search."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "/api/search?q=%E5%B7%A5%E4%BD%9C"  # 工作


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def in_thread(app, port: int = 0, threads: int = 4, **adjustments) -> Iterator[tuple[object, int]]:
    """``app`` served by waitress on loopback in a thread of this process: (the server, its port). Stopped from
    inside its own loop, then its threads ended: closing its sockets from another thread races the loop's poll
    (EBADF in the server's thread)."""
    import waitress.server
    from waitress import wasyncore

    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=threads, **adjustments)
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    try:
        yield server, int(server.effective_port)
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        loop.join(timeout=10)
        server.task_dispatcher.shutdown()


@contextlib.contextmanager
def running_server(index_dir: Path, env: dict[str, str] | None = None, *args: str,
                   log_file: Path | None = None) -> Iterator[tuple[int, int]]:
    """``python -m webapp`` over ``index_dir`` with extra environment ``env``: yields (port, pid); stopped after.
    Its log (standard error) goes to ``log_file`` when one is named."""
    port = free_port()
    with open(log_file, "w+", encoding="utf-8") if log_file else tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "webapp", "--index-dir", str(index_dir), "--port", str(port),
                                 "--no-build", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                                stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_answering(port, proc)
            yield port, proc.pid
        except BaseException:
            log.seek(0)
            print("server log (end):\n" + log.read()[-5000:])  # shown by pytest with the failure
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # its workers die with it (PR_SET_PDEATHSIG)
                proc.kill()
                proc.wait(timeout=30)


def wait_answering(port: int, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Wait until /api/health answers 200 on ``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            if get(port, "/api/health", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer")


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    """GET ``path`` on a new connection: status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed_search(port: int, timeout: float = 10) -> float:
    """Seconds a normal search takes on a new connection (a new visitor); fails unless it answers 200."""
    started = time.perf_counter()
    status, _ = get(port, SEARCH, timeout)
    assert status == 200
    return time.perf_counter() - started
