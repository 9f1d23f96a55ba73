"""Relevance on the shared evaluation set: ``python -m bench.relevance [--index-dir DIR]``.

Builds an index of ``../shared/corpora/xwlb.jsonl.gz`` (unless ``--index-dir`` names one
already built from it) and runs ``../shared/eval/xwlb_public.json`` and
``../shared/eval/xwlb_variants_public.json`` (quoted phrases typed in traditional characters
or without the marks 、“”· the text writes; ``--cases FILE`` runs other files instead):

* phrase cases must return exactly the truth's total, per-year counts and ids;
* known-item cases must put their target among the first 10 hits. For a miss, the report
  says how many items hold the query's words where the target holds them (its title's words
  in the title, the others anywhere): when that is more than 10, no ranking by the query
  alone can single the target out.

``--backend sphinxql://host:port`` runs the cases on a cluster holding the same corpus
(generated cases are still made from the local index, so both backends get the same ones).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

from backends import backend_for
from bench import known_items
from indexer.build import build
from indexer.errors import Report
from indexer.normalize import search_form
from indexer.settings import Settings
from search import Searcher, SearchQuery

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "xwlb.jsonl.gz"
CASES = SHARED / "eval" / "xwlb_public.json"
VARIANTS = SHARED / "eval" / "xwlb_variants_public.json"


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, help="an index already built from the xwlb corpus")
    p.add_argument("--cases", type=Path, action="append",
                   help="an evaluation file (repeatable; default: the public set and its variants)")
    p.add_argument("--generated", type=int, default=0, metavar="N",
                   help="also run N known-item cases made from the index (see bench/known_items.py)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated cases")
    p.add_argument("--backend", help="run the cases on this cluster (sphinxql://host:port) holding the same corpus")
    args = p.parse_args()
    index_dir = args.index_dir
    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="jianbao-eval-"))
        print(f"building an index of {CORPUS} in {index_dir} …", file=sys.stderr)
        print(build([CORPUS], index_dir, Report()).line("built"), file=sys.stderr)
    settings = dataclasses.replace(Settings.defaults(), query_budget_ms=60_000)
    local = backend_for(settings, "local", index_dir).searcher()
    searcher = backend_for(settings, args.backend).searcher() if args.backend else local
    for path in args.cases or [CASES, VARIANTS]:
        print(f"{path.name}:")
        report(searcher, json.loads(path.read_text(encoding="utf-8"))["cases"], f"{path.stem}: ")
        print()
    if args.generated:
        print(f"\n{args.generated} known-item cases made from the index (seed {args.seed}):")
        report(searcher, known_items.generate(local, args.generated, args.seed), "generated ")
    return 0


def report(searcher: Searcher, cases: list[dict], label: str) -> None:
    """Run the cases, print a line for each and the totals."""
    phrase_ok = known_ok = phrases = knowns = undecidable = 0
    for case in cases:
        if case["kind"] == "phrase":
            phrases += 1
            ok, detail = phrase_case(searcher, case)
            phrase_ok += ok
        else:
            knowns += 1
            ok, detail, alike = known_case(searcher, case)
            known_ok += ok
            undecidable += not ok and (alike or 0) > 10
        print(f"{'ok  ' if ok else 'MISS'} {case['kind']:6} {case['q']}  {detail}")
    if phrases:
        print(f"\n{label}phrases: {phrase_ok}/{phrases} exact (total, per-year counts and ids)")
    if knowns:
        print(f"{label}known items: {known_ok}/{knowns} in the top 10 ({100 * known_ok / knowns:.1f}%); "
              f"{known_ok}/{knowns - undecidable} of those where at most 10 items hold the words where the target does")


def phrase_case(searcher: Searcher, case: dict) -> tuple[bool, str]:
    """Does the phrase return exactly the truth's total, years and ids?"""
    result = searcher.search(SearchQuery(q=case["q"], size=100))
    years = {v.value: v.count for v in result.facets["year"] if v.count}
    ok = result.total == case["total"] and years == case["year_counts"]
    if case.get("ids"):
        ids = set()
        for page in range(1, -(-result.total // 100) + 1):
            ids |= {h.id for h in searcher.search(SearchQuery(q=case["q"], size=100, page=page)).hits}
        ok = ok and ids == set(case["ids"])
    return ok, f"total {result.total} (truth {case['total']})"


def known_case(searcher: Searcher, case: dict) -> tuple[bool, str, int | None]:
    """Is the target among the first 10 hits? (Its rank among the first 100 is shown, and for a miss,
    how many items hold the words where the target does.)"""
    hits = [h.id for h in searcher.search(SearchQuery(q=case["q"], size=100)).hits]
    rank = hits.index(case["target"]) + 1 if case["target"] in hits else None
    detail = f"rank {rank or '>100'} of {case['candidates']} candidates"
    if rank is not None and rank <= 10:
        return True, detail, None
    alike = items_alike(searcher, case)
    return False, f"{detail}; {alike} items hold the words where the target does", alike


def items_alike(searcher: Searcher, case: dict) -> int | None:
    """How many items hold the query's words where the target does: in the title, or anywhere."""
    page = searcher.item_page(case["target"])
    if page is None:
        return None
    title = search_form(page.item.title)
    words = [f"title:{w}" if search_form(w) in title else w for w in case["q"].split()]
    return searcher.search(SearchQuery(q=" ".join(words), size=1)).total


if __name__ == "__main__":
    sys.exit(main())
