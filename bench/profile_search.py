"""Where a search's time goes, stage by stage: ``python -m bench.profile_search --index-dir DIR``.

Runs the committed query set (``bench/queries.json``) on the local engine in process, the stages of
:func:`search.local.engine.search` timed one by one (parse, match, facet filters, facet counts, rank and order, the
page's hits with their highlights, the months of a trend), then what the web layer adds: the result as a dict, the
JSON text, and the whole request through the Flask app (WSGI, without a socket). Each query is run ``--rounds``
times on one searcher: its first round (the term matches, items and highlight patterns not yet kept) and its
fastest; the report gives each stage's p50, p95 and mean over the queries, of both, and the slowest first rounds.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from search import SearchQuery
from search.access import PUBLIC_ONLY
from search.local import engine
from search.local.matching import Deadline
from search.local.searcher import LocalSearcher
from webapp import create_app

QUERIES = Path(__file__).with_name("queries.json")
SLOWEST = 12  # first rounds listed with their stages
STAGES = {"parse": "parse", "match": "_match", "facet filters": "facet_masks", "facet counts": "count_facets",
          "rank and order": "_order", "highlights": "hit_of", "trend months": "month_counts"}


def timed(spent: dict[str, float], name: str, function: Callable) -> Callable:
    """``function``, adding the seconds each call takes to ``spent[name]``."""
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started
    return wrapper


def profile(index_dir: Path, queries: list[dict], rounds: int) -> tuple[list[dict[str, float]], dict[str, list[float]]]:
    """Each query's first round (the searcher's caches cold): its stages' times (ms); and each stage's fastest time
    for each query."""
    searcher = LocalSearcher(index_dir, budget_ms=60_000)
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    spent: dict[str, float] = defaultdict(float)
    originals = {attr: getattr(engine, attr) for attr in STAGES.values()}
    for name, attr in STAGES.items():
        setattr(engine, attr, timed(spent, name, originals[attr]))
    try:
        first: list[dict[str, float]] = []
        per_stage: dict[str, list[float]] = defaultdict(list)
        for q in queries:
            query = SearchQuery(q=q.get("q", ""), filters=q.get("filters") or {})
            best: dict[str, float] = {}
            first.append({"query": q})
            for round_ in range(rounds):
                spent.clear()
                snapshot, matcher = searcher.seen_by(PUBLIC_ONLY)
                started = time.perf_counter()
                result = engine.search(snapshot, matcher, query, Deadline(60))
                spent["search, in all"] = time.perf_counter() - started
                measured = dict(spent)  # the stages of this search (the Flask request's own search is apart)
                started = time.perf_counter()
                data = result.to_dict()
                measured["result as a dict"] = time.perf_counter() - started
                started = time.perf_counter()
                app.json.dumps(data)
                measured["JSON text"] = time.perf_counter() - started
                started = time.perf_counter()
                client.get("/api/search?" + urlencode(_params(q)))
                measured["Flask request, in all"] = time.perf_counter() - started
                for name, seconds in measured.items():
                    if not round_:
                        first[-1][name] = seconds * 1000
                    best[name] = min(best.get(name, seconds * 1000), seconds * 1000)
            for name, ms in best.items():
                per_stage[name].append(ms)
    finally:
        for attr, function in originals.items():
            setattr(engine, attr, function)
    return first, per_stage


def _params(q: dict) -> list[tuple[str, str]]:
    return [("q", q.get("q", ""))] + [(k, v) for k, vs in (q.get("filters") or {}).items() for v in vs]


def table(first: list[dict], best: dict[str, list[float]]) -> str:
    """One line per stage: p50, p95 and mean of its first rounds, then of its fastest."""
    lines = ["| stage | first p50 / p95 / mean ms | fastest p50 / p95 / mean ms |", "|---|---|---|"]
    for name in best:
        lines.append(f"| {name} | {_summary([f[name] for f in first if name in f])} | {_summary(best[name])} |")
    return "\n".join(lines)


def slowest(first: list[dict], count: int = SLOWEST) -> str:
    """The queries whose first round took longest, each with its stages (ms)."""
    lines = [f"\nslowest first rounds ({count})\n"]
    for f in sorted(first, key=lambda f: -f["search, in all"])[:count]:
        stages = ", ".join(f"{name} {ms:.1f}" for name, ms in f.items() if name in STAGES and ms >= 0.1)
        q = f["query"]
        lines.append(f"- {f['search, in all']:.1f} ms {q.get('q', '')!r} {q.get('filters') or ''}: {stages}")
    return "\n".join(lines)


def _summary(values: list[float]) -> str:
    ordered = sorted(values)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{p50:.2f} / {p95:.2f} / {sum(values) / len(values):.2f}"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile_search", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="a local index (the xwlb corpus for the numbers)")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    first, best = profile(args.index_dir, queries, args.rounds)
    print(table(first, best))
    print(slowest(first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
