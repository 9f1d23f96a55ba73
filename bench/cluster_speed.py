"""The SphinxQL backend beside the local engine: ``python -m bench.speed --backend sphinxql``.

Starts a loopback cluster of ``--shards`` shards (:mod:`cluster.loopback`), builds the whole
xwlb corpus into it with ``python -m indexer build --backend`` (wall time), then serves the
committed query set (``bench/queries.json``: every answer with all facet counts,
highlights and the first page) over HTTP from ``python -m webapp``, once with
``JIANBAO_BACKEND`` set to the cluster and once over the local index given by
``--index-dir`` (built beforehand: ``python -m indexer build`` of the same corpus), one
client at a time. Each server, after a few other queries, answers the set once (the first
run: every query new to it), then ``RUNS`` times more (repeated: the local engine keeps the
matches of recent terms, the cluster's searcher the facet counts and checks of recent
searches); the percentiles of the first run and the median of each percentile of the
repeated runs are reported. The cluster is stopped at the end.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import free_port, percentiles, timed_search, wait_healthy
from cluster import loopback

ROOT = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).with_name("queries.json")
RUNS = 3
# Asked before the set is timed (connections, dictionaries, facet names): words no query of the set has.
WARM_UP = [{"q": "人民"}, {"q": "经济 合作"}, {"q": "世界", "filters": {"year": ["2020"]}}, {"q": "天气"}, {"q": ""}]


def run(xwlb: Path, work: Path, index_dir: Path, shards: int = 2) -> dict:
    """Build the corpus into a fresh cluster in ``work`` and measure both backends over HTTP."""
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    folder = work / "cluster"
    topology = loopback.up(folder, shards)
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "indexer", "build", str(xwlb), "--backend", topology.url],
                       cwd=ROOT, check=True)
        result = {"shards": shards, "items_build_seconds": time.perf_counter() - started,
                  "sphinxql": http_latency({"JIANBAO_BACKEND": topology.url}, queries),
                  "local": http_latency({"JIANBAO_INDEX_DIR": str(index_dir)}, queries)}
    finally:
        loopback.down(folder)
    return result


def http_latency(env: dict[str, str], queries: list[dict]) -> dict:
    """p50/p95/p99 of ``/api/search`` over the query set, one client: the first pass after :data:`WARM_UP`
    (``first``), and the median over ``RUNS`` passes after it (``repeated``)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "webapp", "--port", str(port), "--no-build"], cwd=ROOT,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for q in WARM_UP:
            timed_search(conn, q)
        first = percentiles([timed_search(conn, q) for q in queries])
        runs = [percentiles([timed_search(conn, q) for q in queries]) for _ in range(RUNS)]
        return {"first": first, "repeated": {key: statistics.median(r[key] for r in runs) for key in runs[0]}}
    finally:
        server.terminate()
        server.wait(timeout=30)


def table(result: dict) -> str:
    """The result as a Markdown table (ms), with the ratio of the cluster's p95 to the local engine's."""
    local, remote = result["local"], result["sphinxql"]
    lines = [f"| measure | local engine | SphinxQL, {result['shards']} shards | ratio |", "|---|---|---|---|",
             f"| build of the corpus, s | (see Performance) | {result['items_build_seconds']:.0f} | |"]
    for run in ("first", "repeated"):
        for key in ("p50", "p95", "p99"):
            mine, theirs = remote[run][key], local[run][key]
            lines.append(f"| HTTP {key}, {run} run, ms (1 client) | {theirs:.1f} | {mine:.1f} | {mine / theirs:.2f}× |")
    return "\n".join(lines)


