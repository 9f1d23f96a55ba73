"""Every query of the relevance sets on the cluster beside the local engine, one by one:
``python -m bench.case_speed --index-dir DIR --backend URL``.

The queries of ``xwlb_public.json``, ``xwlb_public_ranked.json`` and ``xwlb_variants_public.json`` (phrases, known
items, traditional and punctuation variants, joining marks among them) and the committed ``bench/queries.json``
are asked of both backends in process, with facets and the first page, each query's best of ``--rounds`` (the
second and later rounds of the cluster use its kept counts, as the local engine uses its kept term matches). The
report gives each set's p50/p95 of both and of the ratio, and the queries whose ratio is past ``--limit``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import time
from pathlib import Path

from backends import backend_for
from indexer.settings import Settings
from search import Searcher, SearchQuery
from search.errors import SearchError

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
SETS = {"public": EVAL / "xwlb_public.json", "ranked": EVAL / "xwlb_public_ranked.json",
        "variants": EVAL / "xwlb_variants_public.json", "bench": Path(__file__).with_name("queries.json")}


def best_ms(searcher: Searcher, query: SearchQuery, rounds: int) -> float:
    """The fastest of ``rounds`` answers to the query, in ms (a refused query counts as its time to refusal)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        with contextlib.suppress(SearchError):
            searcher.search(query)
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def _p50_p95(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {q: ordered[min(len(ordered) - 1, round(f * (len(ordered) - 1)))] for q, f in (("p50", 0.5), ("p95", 0.95))}


def queries_of(path: Path) -> list[SearchQuery]:
    data = json.loads(path.read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    return [SearchQuery(q=c["q"], filters=c.get("filters") or {}) for c in cases]


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.case_speed", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="a local index of the xwlb corpus")
    p.add_argument("--backend", required=True, help="a cluster holding the same corpus (sphinxql://host:port)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--limit", type=float, default=5.0, help="list the queries slower than this many times")
    args = p.parse_args()
    settings = dataclasses.replace(Settings.defaults(), query_budget_ms=60_000)
    local = backend_for(settings, "local", args.index_dir).searcher()
    remote = backend_for(settings, args.backend).searcher()
    slow = []
    print("| set | queries | local p50 / p95 ms | cluster p50 / p95 ms | ratio p50 / p95 / max | past the limit |")
    print("|---|---|---|---|---|---|")
    for name, path in SETS.items():
        rows = []
        for query in queries_of(path):
            mine, theirs = best_ms(local, query, args.rounds), best_ms(remote, query, args.rounds)
            rows.append((query.q, mine, theirs, theirs / max(mine, 0.05)))
        ours, cluster, ratio = (_p50_p95([r[i] for r in rows]) for i in (1, 2, 3))
        over = [r for r in rows if r[3] > args.limit]
        slow += [(name, *r) for r in over]
        print(f"| {name} | {len(rows)} | {ours['p50']:.1f} / {ours['p95']:.1f} | {cluster['p50']:.1f} / "
              f"{cluster['p95']:.1f} | {ratio['p50']:.1f} / {ratio['p95']:.1f} / {max(r[3] for r in rows):.1f} | "
              f"{len(over)} |")
    for name, q, mine, theirs, ratio in sorted(slow, key=lambda s: -s[4])[:20]:
        print(f"{name}: {q!r} local {mine:.1f} ms, cluster {theirs:.1f} ms ({ratio:.1f}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
