"""Relevance on the shared evaluation set: ``python -m bench.relevance [--index-dir DIR]``.

Builds an index of ``../shared/corpora/xwlb.jsonl.gz`` (unless ``--index-dir`` names one
already built from it) and runs ``../shared/eval/xwlb_public.json``:

* phrase cases must return exactly the truth's total, per-year counts and ids;
* known-item cases must put their target among the first 10 hits.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from indexer.build import build
from indexer.errors import Report
from webapp.search import SearchQuery
from webapp.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "xwlb.jsonl.gz"
CASES = SHARED / "eval" / "xwlb_public.json"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, help="an index already built from the xwlb corpus")
    p.add_argument("--cases", type=Path, default=CASES, help="the evaluation file")
    args = p.parse_args()
    index_dir = args.index_dir
    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="jianbao-eval-"))
        print(f"building an index of {CORPUS} in {index_dir} …", file=sys.stderr)
        print(build([CORPUS], index_dir, Report()).line("built"), file=sys.stderr)
    service = SearchService(index_dir, budget_ms=60_000)
    cases = json.loads(args.cases.read_text(encoding="utf-8"))["cases"]
    phrase_ok = known_ok = phrases = knowns = 0
    for case in cases:
        if case["kind"] == "phrase":
            phrases += 1
            ok, detail = phrase_case(service, case)
            phrase_ok += ok
        else:
            knowns += 1
            ok, detail = known_case(service, case)
            known_ok += ok
        print(f"{'ok  ' if ok else 'MISS'} {case['kind']:6} {case['q']}  {detail}")
    print(f"\nphrases: {phrase_ok}/{phrases} exact (total, per-year counts and ids)")
    print(f"known items: {known_ok}/{knowns} in the top 10 ({100 * known_ok / max(knowns, 1):.1f}%)")
    return 0


def phrase_case(service: SearchService, case: dict) -> tuple[bool, str]:
    """Does the phrase return exactly the truth's total, years and ids?"""
    result = service.search(SearchQuery(q=case["q"], size=100))
    years = {v.value: v.count for v in result.facets["year"] if v.count}
    ok = result.total == case["total"] and years == case["year_counts"]
    if case.get("ids"):
        ids = set()
        for page in range(1, -(-result.total // 100) + 1):
            ids |= {h.id for h in service.search(SearchQuery(q=case["q"], size=100, page=page)).hits}
        ok = ok and ids == set(case["ids"])
    return ok, f"total {result.total} (truth {case['total']})"


def known_case(service: SearchService, case: dict) -> tuple[bool, str]:
    """Is the target among the first 10 hits? (Its rank among the first 100 is shown.)"""
    hits = [h.id for h in service.search(SearchQuery(q=case["q"], size=100)).hits]
    rank = hits.index(case["target"]) + 1 if case["target"] in hits else None
    return rank is not None and rank <= 10, f"rank {rank or '>100'} of {case['candidates']} candidates"


if __name__ == "__main__":
    sys.exit(main())
