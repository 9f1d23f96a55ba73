"""Measuring tools for the benchmarks: timed subprocesses with peak memory, latency percentiles."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode


@dataclass
class Run:
    """A finished command: wall time, peak resident memory of its whole process tree, exit status."""

    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def rss_mb(pid: int, kind: str = "VmRSS") -> float:
    """Resident memory of one process, in MB (0 when it is gone).

    ``kind`` is a field of /proc/PID/status: ``VmRSS`` (all), ``RssAnon`` (the process's own memory)
    or ``RssFile`` (mapped index files, which the kernel can drop and read again).
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(kind + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += rss_mb(pid)
        stack.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Run a command to its end, sampling the memory of its process tree every 0.2 s."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_mb(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    stop.set()
    sampler.join()
    return Run(time.perf_counter() - started, peak, proc.returncode, stdout, stderr)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of latencies given in seconds, in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "n": 0}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def folder_mb(path: Path) -> float:
    """Size of the files under a folder, in MB (links not followed)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, seconds: float = 120) -> None:
    """Wait until the server on ``port`` answers /api/health."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def timed_search(conn: http.client.HTTPConnection, q: dict) -> float:
    """Seconds one /api/search of a query of the set takes over ``conn`` (an error unless 200)."""
    params = [("q", q["q"])] + [(k, v) for k, vs in q.get("filters", {}).items() for v in vs]
    started = time.perf_counter()
    conn.request("GET", "/api/search?" + urlencode(params))
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{q}: HTTP {response.status}")
    return time.perf_counter() - started
