"""Bounded load test, the old and the new server side by side: ``python -m bench.load --index-dir DIR``.

Serves the given index with two servers in turn on a free loopback port:

* **before**: one waitress process with 8 threads and waitress's defaults, exactly as
  ``python -m webapp`` served before the production server (:data:`BEFORE`); or, with
  ``--before-tree DIR --before-index DIR``, ``python -m webapp`` of an older checkout of the
  product (``git worktree add DIR COMMIT``) over an index that checkout built: the product as
  it was, engine and server, against the product now;
* **now**: ``python -m webapp`` (one process per core, :mod:`webapp.server`).

For each server and each number of concurrent keep-alive clients (1, 8 and 32 by
default) it keeps the clients sending the committed query set (``bench/queries.json``,
every facet, highlights, first page) for a fixed time or number of requests, whichever
ends first, then prints requests, errors, throughput, latency percentiles and the
server's memory (its own, summed over its processes, and the mapped index pages), the
machine's load average (other work on the machine takes cores from the server), the cores
the load generator itself used, and
the ratios of the new server to the old one. ``--rounds`` repeats the whole comparison
(both servers started afresh each round, in alternating order) so the spread shows.
Loopback only; nothing else is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import free_port, percentiles, wait_healthy
from bench.speed import QUERIES, ROOT, WARMUP, server_memory

# The server as `python -m webapp` ran it before webapp/server.py: one waitress process, waitress's defaults.
BEFORE = ("import sys, waitress; from webapp import MAX_BODY, create_app; "
          "waitress.serve(create_app({'INDEX_DIR': sys.argv[1]}), host='127.0.0.1', port=int(sys.argv[2]), "
          "threads=8, ident='jianbao', max_request_header_size=96 * 1024, max_request_body_size=MAX_BODY)")


def server_command(name: str, index_dir: Path, port: int, older: bool = False) -> list[str]:
    """The command that starts the server called ``name`` ("before" or "now") on ``port``.

    ``older``: "before" is an older checkout's own ``python -m webapp`` (run in that checkout).
    """
    if name == "before" and not older:
        return [sys.executable, "-c", BEFORE, str(index_dir), str(port)]
    return [sys.executable, "-m", "webapp", "--index-dir", str(index_dir), "--port", str(port), "--no-build"]


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="an index to serve (e.g. of the xwlb corpus)")
    p.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    p.add_argument("--seconds", type=float, default=30.0, help="how long each run lasts at most")
    p.add_argument("--max-requests", type=int, default=200_000, help="requests each run sends at most")
    p.add_argument("--rounds", type=int, default=2, help="how many times to compare the two servers")
    p.add_argument("--servers", nargs="+", default=["before", "now"], choices=["before", "now"])
    p.add_argument("--before-tree", type=Path, help="an older checkout whose own server is 'before'")
    p.add_argument("--before-index", type=Path, help="the index that older checkout built (with --before-tree)")
    args = p.parse_args()
    if bool(args.before_tree) != bool(args.before_index):
        p.error("--before-tree and --before-index go together")
    targets = {"now": (ROOT, args.index_dir), "before": (args.before_tree or ROOT, args.before_index or args.index_dir)}
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    rows = []
    print("| round | server | clients | requests | errors | requests/s | p50 ms | p95 ms | p99 ms "
          "| own MB | mapped MB | machine load | client cores |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in range(args.rounds):
        for name in args.servers if n % 2 == 0 else reversed(args.servers):
            for row in serve_and_load(name, *targets[name], queries, args.clients, args.seconds, args.max_requests):
                row["round"] = n + 1
                rows.append(row)
                print("| {round} | {server} | {clients} | {requests} | {errors} | {rps:.0f} | {p50:.1f} | {p95:.1f} | "
                      "{p99:.1f} | {own_mb:.0f} | {mapped_mb:.0f} | {load:.1f} | {client_cores:.2f} |".format(**row),
                      flush=True)
                if row["error_kinds"]:
                    print(f"  errors: {row['error_kinds']}", flush=True)
    print()
    print(ratios(rows))
    return 0


def serve_and_load(name: str, tree: Path, index_dir: Path, queries: list[dict], clients_list: list[int],
                   seconds: float, max_requests: int) -> list[dict]:
    """Start the server ``name`` of the checkout ``tree`` afresh, warm it up, and run each number of clients."""
    port = free_port()
    server = subprocess.Popen(server_command(name, index_dir, port, older=tree != ROOT), cwd=tree,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port)
        for _ in range(4):  # new connections, so that each worker process sees the warm-up queries
            run(port, WARMUP, 1, 60, len(WARMUP), server.pid)
        rows = []
        for clients in clients_list:
            row = run(port, queries, clients, seconds, max_requests, server.pid)
            row["server"] = name
            rows.append(row)
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


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

    memory = server_memory(server_pid)
    started, client_cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        memory = max(memory, server_memory(server_pid))
        time.sleep(0.25)
    elapsed = time.perf_counter() - started
    client_cores = (time.process_time() - client_cpu) / elapsed  # the load generator's own share of the cores
    stats = percentiles(latencies)
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "seconds": elapsed,
            "rps": len(latencies) / elapsed, "p50": stats["p50"], "p95": stats["p95"], "p99": stats["p99"],
            "own_mb": memory[0], "mapped_mb": memory[1], "load": os.getloadavg()[0], "client_cores": client_cores,
            "error_kinds": sorted(set(errors))[:5]}


def ratios(rows: list[dict]) -> str:
    """For each round and number of clients: the new server's throughput and p95 relative to the old one's."""
    lines = ["| round | clients | requests/s now ÷ before | p95 now ÷ before | errors (before, now) |",
             "|---|---|---|---|---|"]
    by_key = {(r["round"], r["server"], r["clients"]): r for r in rows}
    for (n, server, clients), now in sorted(by_key.items()):
        before = by_key.get((n, "before", clients))
        if server != "now" or before is None:
            continue
        lines.append(f"| {n} | {clients} | {now['rps'] / before['rps']:.2f}× | {now['p95'] / before['p95']:.2f}× | "
                     f"{before['errors']}, {now['errors']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
