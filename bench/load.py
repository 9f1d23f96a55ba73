"""A bounded load test of the production server: ``python -m bench.load --index-dir DIR``.

Starts ``python -m webapp`` on a free loopback port over the given index and, for
each number of concurrent clients (8 and 32 by default), keeps that many clients
sending the committed query set (``bench/queries.json``, every facet, highlights,
first page) for a fixed time (60 s) or a fixed number of requests, whichever ends
first. Prints requests, errors, throughput and latency percentiles, and the
server's resident memory. Loopback only; nothing else is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import percentiles, rss_mb
from bench.speed import QUERIES, ROOT, _free_port, _wait_healthy


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="an index to serve (e.g. of the xwlb corpus)")
    p.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    p.add_argument("--seconds", type=float, default=60.0, help="how long each run lasts at most")
    p.add_argument("--max-requests", type=int, default=200_000, help="requests each run sends at most")
    p.add_argument("--threads", type=int, default=8, help="server worker threads")
    args = p.parse_args()
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "webapp", "--index-dir", str(args.index_dir), "--port",
                               str(port), "--no-build", "--threads", str(args.threads)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(port)
        print("| clients | requests | errors | seconds | requests/s | p50 ms | p95 ms | p99 ms | server MB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for clients in args.clients:
            row = run(port, queries, clients, args.seconds, args.max_requests, server.pid)
            print("| {clients} | {requests} | {errors} | {seconds:.1f} | {rps:.0f} | {p50:.1f} | {p95:.1f} | "
                  "{p99:.1f} | {server_mb:.0f} |".format(**row), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def run(port: int, queries: list[dict], clients: int, seconds: float, max_requests: int, server_pid: int) -> dict:
    """One bounded run with ``clients`` concurrent keep-alive clients."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    sent = [0]

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            q = queries[i % len(queries)]
            i += clients
            params = [("q", q["q"])] + [(k, v) for k, vs in q.get("filters", {}).items() for v in vs]
            started = time.perf_counter()
            try:
                conn.request("GET", "/api/search?" + urlencode(params))
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                reason = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as e:
                ok, reason = False, repr(e)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                latencies.append(time.perf_counter() - started)
                if not ok:
                    errors.append(reason)
        conn.close()

    peak = rss_mb(server_pid)
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_mb(server_pid))
        time.sleep(0.25)
    elapsed = time.perf_counter() - started
    stats = percentiles(latencies)
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "seconds": elapsed,
            "rps": len(latencies) / elapsed, "p50": stats["p50"], "p95": stats["p95"], "p99": stats["p99"],
            "server_mb": peak, "error_kinds": sorted(set(errors))[:5]}


if __name__ == "__main__":
    sys.exit(main())
