"""Speed and memory of Jianbao against anchors, over the xwlb corpus: ``python -m bench.speed``.

For each scale (1× by default; ``--scales 1 2 4`` for growth, the corpus copied with new ids):

* **build**: a full ``python -m indexer build`` (wall time, peak memory of its process
  tree, index size), against jieba's segmentation alone of the same text (one process);
* **queries**: the committed set ``bench/queries.json`` (single words, two words,
  phrases, with and without filters), each answered with every facet count, highlights
  and the first page: in-process, and over HTTP to ``python -m webapp`` with 1 and 8
  concurrent clients (the one client asks the set twice: new to the server, then repeated);
  the server's resident memory;
* **anchor**: the same queries on Tantivy over jieba words (top 10, count, two terms
  aggregations), built and run in the same process as this benchmark;
* **within**: the same queries with every term in one paragraph or one sentence, against the ordinary search of
  the same terms (:mod:`bench.within`).

Every query is first answered from a cold start of the service's caches ("first"),
then again ("repeat"); each is measured five times (a fresh service or server each
time) and the median of each percentile is reported, so that the machine's noise
evens out. One table is printed with the ratios, and the numbers are saved under
``bench-results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import within
from bench.measure import folder_mb, free_port, percentiles, rss_mb, timed, timed_search, wait_healthy
from bench.tantivy_anchor import Anchor
from bench.tantivy_anchor import build as build_tantivy
from indexer.index.layout import current_build
from search import SearchQuery
from search.local.searcher import LocalSearcher

ROOT = Path(__file__).resolve().parent.parent
XWLB = ROOT.parent / "shared" / "corpora" / "xwlb.jsonl.gz"
QUERIES = Path(__file__).with_name("queries.json")
RESULTS = ROOT / "bench-results"
WARMUP = [{"q": "中国"}, {"q": "会议 合作"}, {"q": '"重要讲话"'}, {"q": "经济", "filters": {"year": ["2016"]}}]
CLIENTS = 8
RUNS = 5  # first-run latencies are measured this many times (fresh caches); the median is reported


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.split("\n")[0])
    p.add_argument("--scales", type=int, nargs="+", default=[1], help="corpus multiples to measure (default 1)")
    p.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    p.add_argument("--backend", choices=["local", "sphinxql"], default="local",
                   help="sphinxql: build the corpus into a 2-shard loopback cluster and compare its HTTP latency "
                        "with the local index in --index-dir (bench/cluster_speed.py)")
    p.add_argument("--index-dir", type=Path, default=Path("/work/xwlb-index"),
                   help="with --backend sphinxql: a local index of the same corpus, already built")
    p.add_argument("--queries-only", action="store_true",
                   help="reuse the index and words already in --work; measure only the queries")
    args = p.parse_args()
    if not XWLB.exists():
        print(f"error: {XWLB} is missing (the benchmark reads ../shared)", file=sys.stderr)
        return 2
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    work = args.work or Path(tempfile.mkdtemp(prefix="jianbao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.backend == "sphinxql":
        from bench import cluster_speed

        compared = cluster_speed.run(XWLB, work, args.index_dir)
        print(cluster_speed.table(compared))
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"cluster-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(compared, indent=1), encoding="utf-8")
        return 0
    results = []
    jieba_per_copy = None
    for scale in args.scales:
        result = measure(scale, work, queries, jieba_per_copy, args.queries_only)
        if "jieba" in result:
            jieba_per_copy = jieba_per_copy or result["jieba"]["seconds"] / scale
        results.append(result)
        print(table([result]), flush=True)
    if len(results) > 1:
        print(growth_table(results))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"speed-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"saved {out}")
    return 0


def measure(scale: int, work: Path, queries: list[dict], jieba_per_copy: float | None,
            queries_only: bool = False) -> dict:
    """Every number of one scale."""
    result: dict = {"scale": scale, "queries": len(queries)}
    tokens = work / f"words-x{scale}.jsonl"
    index_dir = work / f"index-x{scale}"
    if not queries_only:
        result.update(measure_build(scale, work, tokens, index_dir, jieba_per_copy))
    result["in_process"] = in_process(index_dir, queries)
    result["within"] = within.measure(index_dir, queries, RUNS)
    single = [over_http(index_dir, queries, clients=1) for _ in range(RUNS)]  # a fresh server each time
    result["http_1"] = median_run([{k: v for k, v in stats.items() if k != "repeat"} for stats, _ in single])
    result["http_1_repeat"] = median_run([stats["repeat"] for stats, _ in single])
    result["http_8"], server_mb_8 = over_http(index_dir, queries, clients=CLIENTS)
    result["server_mb"] = max([server_mb_8] + [mb for _, mb in single])

    if tokens.exists():
        tantivy_dir = work / f"tantivy-x{scale}"
        seconds = build_tantivy(tokens, tantivy_dir)
        result["tantivy"] = {"build_seconds": seconds, "index_mb": folder_mb(tantivy_dir),
                             **tantivy_latency(tantivy_dir, queries)}
    return result


def measure_build(scale: int, work: Path, tokens: Path, index_dir: Path, jieba_per_copy: float | None) -> dict:
    """Build time, memory and size, and jieba alone on the same text."""
    corpus = corpus_at(scale, work)
    result: dict = {}
    if jieba_per_copy is None:
        run = timed([sys.executable, "-m", "bench.jieba_alone", str(corpus), "--tokens", str(tokens)], ROOT)
        result["jieba"] = {"seconds": _summary(run)["seconds"], "peak_mb": run.peak_mb,
                           "measured": True}
    else:  # the same items repeated: jieba's work grows with the copies
        result["jieba"] = {"seconds": jieba_per_copy * scale, "peak_mb": None, "measured": False}

    run = timed([sys.executable, "-m", "indexer", "build", str(corpus), "--index-dir", str(index_dir)], ROOT)
    if run.returncode:
        raise SystemExit(f"build failed:\n{run.stderr}")
    result["build"] = {"seconds": run.seconds, "peak_mb": run.peak_mb,
                       "index_mb": folder_mb(current_build(index_dir))}
    return result


def corpus_at(scale: int, work: Path) -> Path:
    """The xwlb corpus, or ``scale`` copies of it with new ids."""
    if scale == 1:
        return XWLB
    out = work / f"xwlb-x{scale}.jsonl.gz"
    if not out.exists():
        with gzip.open(XWLB, "rt", encoding="utf-8") as f:
            lines = f.readlines()
        with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as f:
            for copy in range(scale):
                for line in lines:
                    record = json.loads(line)
                    record["id"] = f"{record['id']}~{copy}" if copy else record["id"]
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def in_process(index_dir: Path, queries: list[dict]) -> dict:
    """Latency of Searcher.search (facets, highlights, first page): first runs and repeated runs."""
    firsts, repeats = [], []
    for _ in range(RUNS):
        searcher = LocalSearcher(index_dir, budget_ms=60_000)  # fresh caches: every query is a first run
        for q in WARMUP:
            searcher.search(_query(q))
        firsts.append(percentiles([_timed(searcher.search, _query(q)) for q in queries]))
        repeats.append(percentiles([_timed(searcher.search, _query(q)) for q in queries]))
    return {"first": median_run(firsts), "repeat": median_run(repeats)}


def median_run(runs: list[dict]) -> dict:
    """The median, over repeated runs, of each percentile (the machine's noise evens out)."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def over_http(index_dir: Path, queries: list[dict], clients: int) -> tuple[dict, float]:
    """Latency of /api/search from ``clients`` concurrent clients to a fresh server (every query new to it; with one
    client, also the set a second time: ``repeat``); its peak memory."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "webapp", "--index-dir", str(index_dir), "--port", str(port),
                               "--no-build", "--threads", str(CLIENTS)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port)
        for q in WARMUP:
            timed_search(http.client.HTTPConnection("127.0.0.1", port, timeout=120), q)
        samples: list[float] = []
        again: list[float] = []
        peak = sum(server_memory(server.pid))
        lock = threading.Lock()

        def client(n: int) -> None:
            order = list(queries)
            random.Random(n).shuffle(order)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for q in order if clients > 1 else queries:
                seconds = timed_search(conn, q)
                with lock:
                    samples.append(seconds)
            if clients == 1:  # the set again: each query's second time, the server warm for it
                again.extend(timed_search(conn, q) for q in queries)
            conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, sum(server_memory(server.pid)))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        elapsed -= sum(again)  # the rate is the first pass's
        stats = percentiles(samples)
        stats["requests_per_second"] = len(samples) / elapsed
        if again:
            stats["repeat"] = percentiles(again)
        stats["server_anon_mb"], stats["server_file_mb"] = server_memory(server.pid)
        return stats, max(peak, sum(server_memory(server.pid)))
    finally:
        server.terminate()
        server.wait(timeout=30)


def server_memory(pid: int) -> tuple[float, float]:
    """A server's own memory summed over its processes, and the largest mapping of index files among them, in MB.

    Own memory (``RssAnon``) is summed, so pages a worker still shares with the parent it
    was forked from count once per process (an upper bound); mapped index files are the
    same pages in every process, so they count once.
    """
    pids = [pid] + children(pid)
    return sum(rss_mb(p, "RssAnon") for p in pids), max(rss_mb(p, "RssFile") for p in pids)


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tantivy_latency(folder: Path, queries: list[dict]) -> dict:
    firsts, repeats = [], []
    for _ in range(RUNS):
        anchor = Anchor(folder)
        for q in WARMUP:
            anchor.run(q)
        firsts.append(percentiles([_timed(anchor.run, q) for q in queries]))
        repeats.append(percentiles([_timed(anchor.run, q) for q in queries]))
    return {"first": median_run(firsts), "repeat": median_run(repeats)}


def table(results: list[dict]) -> str:
    """The one table of a scale's numbers, with ratios to the anchors."""
    lines = []
    for r in results:
        t = r.get("tantivy")
        anchor_p95 = t["first"]["p95"] if t else None

        def row(name: str, value: str, anchor: str = "", ratio: float | None = None, lines=lines) -> None:
            lines.append(f"| {name} | {value} | {anchor} | {'' if ratio is None else f'{ratio:.2f}×'} |")

        def lat(s: dict) -> str:
            return f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"

        lines += [f"\nxwlb ×{r['scale']} ({r['queries']} queries; latency p50 / p95 / p99 in ms)\n",
                  "| measure | Jianbao | anchor | ratio |", "|---|---|---|---|"]
        if "build" in r:
            jieba, build = r["jieba"], r["build"]
            jieba_note = "" if jieba["measured"] else " (1× time × copies)"
            row("full build, s", f"{build['seconds']:.0f}", f"jieba alone {jieba['seconds']:.0f}{jieba_note}",
                build["seconds"] / jieba["seconds"])
            row("build peak memory, MB", f"{build['peak_mb']:.0f}",
                f"jieba alone {jieba['peak_mb']:.0f}" if jieba["peak_mb"] else "",
                build["peak_mb"] / jieba["peak_mb"] if jieba["peak_mb"] else None)
            row("index size, MB", f"{build['index_mb']:.0f}", f"Tantivy {t['index_mb']:.0f}" if t else "",
                build["index_mb"] / t["index_mb"] if t else None)
        if t:
            row("Tantivy in-process, first run", "", lat(t["first"]), 1.0)
            row("Tantivy in-process, repeated", "", lat(t["repeat"]))
        for key, name in (("first", "in-process, first run"), ("repeat", "in-process, repeated")):
            s = r["in_process"][key]
            row(name, lat(s), "p95 vs Tantivy p95" if anchor_p95 else "", s["p95"] / anchor_p95 if anchor_p95 else None)
        if "within" in r:
            lines.extend(within.rows(r["within"]))
        for key, name in (("http_1", "HTTP, 1 client"), (f"http_{CLIENTS}", f"HTTP, {CLIENTS} clients")):
            s = r[key]
            row(f"{name} ({s['requests_per_second']:.0f} req/s)", lat(s), "p95 vs Tantivy p95" if anchor_p95 else "",
                s["p95"] / anchor_p95 if anchor_p95 else None)
            if key == "http_1" and "http_1_repeat" in r:
                s = r["http_1_repeat"]
                row("HTTP, 1 client, repeated", lat(s), "p95 vs Tantivy repeated p95" if t else "",
                    s["p95"] / t["repeat"]["p95"] if t else None)
        anon, mapped = r[f"http_{CLIENTS}"].get("server_anon_mb"), r[f"http_{CLIENTS}"].get("server_file_mb")
        split = f" ({anon:.0f} own + {mapped:.0f} mapped index files)" if anon is not None else ""
        row("server resident memory, MB", f"{r['server_mb']:.0f}{split}", "limit 1024", r["server_mb"] / 1024)
    return "\n".join(lines)


def growth_table(results: list[dict]) -> str:
    """How build time, index size, memory and p95 grow with the corpus."""
    base = results[0]
    lines = ["\ngrowth (relative to the smallest scale)\n",
             "| scale | build s | index MB | build peak MB | server MB | HTTP p95 ms (1 client) |",
             "|---|---|---|---|---|---|"]
    for r in results:
        def rel(a: float, b: float) -> str:
            return f"{a:.0f} ({a / b:.2f}×)"

        lines.append(f"| ×{r['scale']} | {rel(r['build']['seconds'], base['build']['seconds'])} | "
                     f"{rel(r['build']['index_mb'], base['build']['index_mb'])} | "
                     f"{rel(r['build']['peak_mb'], base['build']['peak_mb'])} | "
                     f"{rel(r['server_mb'], base['server_mb'])} | "
                     f"{r['http_1']['p95']:.1f} ({r['http_1']['p95'] / base['http_1']['p95']:.2f}×) |")
    return "\n".join(lines)


def _query(q: dict) -> SearchQuery:
    return SearchQuery(q=q["q"], filters=q.get("filters", {}))


def _timed(fn, arg) -> float:
    started = time.perf_counter()
    fn(arg)
    return time.perf_counter() - started


def _summary(run) -> dict:
    """The JSON summary a measured command printed last on its output."""
    for line in reversed(run.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no summary from the command:\n{run.stderr}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
