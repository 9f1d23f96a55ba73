"""Words in one paragraph or sentence against an ordinary search of the same terms:
``python -m bench.within --index-dir DIR`` (a local index of the xwlb corpus, e.g. the one ``bench.speed`` builds).

The committed query set (``bench/queries.json``) is answered in process three ways: ``within=item`` (ordinary),
``paragraph`` and ``sentence``, each with every facet count, highlights and the first page. For each way a fresh
searcher answers the set once (first run: every query new to it, after the warm-up of ``bench.speed``), then again
(repeated); this is done RUNS times and the median of each percentile is reported, with the ratio of each p95 to
the ordinary search's. ``bench.speed`` prints the same line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.measure import percentiles
from search import SearchQuery
from search.local.searcher import LocalSearcher

QUERIES = Path(__file__).with_name("queries.json")
WARMUP = [{"q": "中国"}, {"q": "会议 合作"}, {"q": '"重要讲话"'}, {"q": "经济", "filters": {"year": ["2016"]}}]
RUNS = 5
LEVELS = ("item", "paragraph", "sentence")


def measure(index_dir: Path, queries: list[dict], runs: int = RUNS) -> dict[str, dict[str, dict[str, float]]]:
    """For each level, the median over ``runs`` of the first-run and repeated latency percentiles (ms)."""
    out = {}
    for level in LEVELS:
        firsts, repeats = [], []
        for _ in range(runs):
            searcher = LocalSearcher(index_dir, budget_ms=60_000)
            for q in WARMUP:
                searcher.search(_query(q, level))
            firsts.append(percentiles([_timed(searcher, _query(q, level)) for q in queries]))
            repeats.append(percentiles([_timed(searcher, _query(q, level)) for q in queries]))
            searcher.close()
        out[level] = {"first": _median(firsts), "repeat": _median(repeats)}
    return out


def rows(measured: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Markdown table rows: p50 / p95 / p99 of each level and run, the p95 against the ordinary search's."""
    lines = []
    for run, name in (("first", "first run"), ("repeat", "repeated")):
        base = measured["item"][run]["p95"]
        for level in LEVELS:
            s = measured[level][run]
            lines.append(f"| in-process, {name}, within={level} | {s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f} "
                         f"| p95 vs within=item | {s['p95'] / base:.2f}× |")
    return lines


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.within", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="a local index of the xwlb corpus")
    p.add_argument("--runs", type=int, default=RUNS)
    args = p.parse_args()
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    measured = measure(args.index_dir, queries, args.runs)
    print(f"\n{len(queries)} queries; latency p50 / p95 / p99 in ms (median of {args.runs} runs)\n")
    print("| measure | Jianbao | compared with | ratio |\n|---|---|---|---|")
    print("\n".join(rows(measured)))
    return 0


def _query(q: dict, level: str) -> SearchQuery:
    return SearchQuery(q=q["q"], filters=q.get("filters", {}), within=level)


def _timed(searcher: LocalSearcher, query: SearchQuery) -> float:
    started = time.perf_counter()
    searcher.search(query)
    return time.perf_counter() - started


def _median(runs: list[dict]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


if __name__ == "__main__":
    sys.exit(main())
