"""Topic rules on real gov.cn pages, with their stated 主题分类 blanked out: ``python -m bench.topics``.

Needs ``../shared/corpora/realworld/web_html`` (not part of the default tests). Every page
there states its topic in its 索引号 table; the pages whose stated topic is not 其他 are
scored. For each, the rules see only the title, body and units (the table is not part of
the body), and the top levels they assign are compared with the stated one:

* coverage: pages whose stated top level is among the assigned ones (target ≥ 75%);
* precision: assigned top levels that are right (target ≥ 90%);
* exact: pages whose stated ``top\\child`` path is assigned.

The pages are also split in two halves (alternate files by name), scored separately;
``--tune`` picks the :class:`Scoring` on one half from a small grid and reports it on the
other (and the reverse), then both held-out halves together: how far tuning the numbers
fits these very pages. Keywords are held out the same way by hand: write them without the
pages, read the misses of one half only, and score the other (``--rules FILE`` scores a
rules file other than ``data/topic_rules.tsv``, such as an earlier version). ``-v`` lists
every page.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from indexer.errors import Report
from indexer.ingest.enrich.topics import Scoring, TopicRules, default_rules, taxonomy
from indexer.ingest.files import read_files
from indexer.items import SEPARATOR, Item

PAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "realworld" / "web_html"
GRID = {"title": (4.0, 8.0, 12.0), "body_cap": (2.0, 4.0), "body_top_cap": (16.0, 1e9), "min_score": (6.0, 10.0),
        "margin": (1.3, 1.6, 2.0), "max_topics": (1, 2)}


@dataclass(frozen=True)
class Page:
    """A labelled page: its stated topic and the item the rules see."""

    name: str
    stated: str
    item: Item


@dataclass(frozen=True)
class Score:
    """Coverage and precision of the rules on some pages."""

    pages: int
    given: int
    right: int
    assigned: int
    exact: int

    def __add__(self, other: Score) -> Score:
        return Score(*(a + b for a, b in zip(astuple(self), astuple(other))))

    def line(self, label: str) -> str:
        """One readable line."""
        return (f"{label}: {self.pages} pages, a topic for {self.given}, right top level {self.right} "
                f"(coverage {self.right / max(self.pages, 1):.0%}), precision {self.right}/{self.assigned} "
                f"({self.right / max(self.assigned, 1):.0%}), exact sub-topic {self.exact}")


def labelled_pages(folder: Path = PAGES) -> list[Page]:
    """The pages of ``folder`` whose stated topic is not 其他, in file-name order."""
    out = []
    for path, items in read_files(sorted(folder.glob("*.html")), Report(), root=folder):
        if len(items) == 1 and items[0].topics and items[0].topics[0] != "其他" and "主题分类" in path.read_text(
                encoding="utf-8", errors="replace"):
            out.append(Page(path.name, items[0].topics[0], items[0]))
    return out


def score(rules: TopicRules, pages: list[Page], verbose: bool = False) -> Score:
    """Score the rules on the pages, the stated topic blanked out."""
    given = right = assigned = exact = 0
    for page in pages:
        got = rules.assign(page.item.title, page.item.body, page.item.departments)
        tops = {g.split(SEPARATOR)[0] for g in got}
        stated_top = page.stated.split(SEPARATOR)[0]
        given += bool(got)
        right += stated_top in tops
        assigned += len(tops)
        exact += page.stated in got
        if verbose:
            mark = "ok " if stated_top in tops else ("-- " if not got else "XX ")
            print(mark, page.stated, "|", got, "|", page.item.title[:40])
    return Score(len(pages), given, right, assigned, exact)


def tune(rules: TopicRules, pages: list[Page]) -> Scoring:
    """The grid's scoring with the best coverage among those of precision ≥ 90% on the pages (else the best)."""
    def key(scoring: Scoring) -> tuple:
        s = score(rules.with_scoring(scoring), pages)
        return (s.right >= 0.9 * max(s.assigned, 1), s.right, -s.assigned)
    grid = [replace(rules.scoring, **dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]
    return max(grid, key=key)


def main() -> None:
    """Print the scores: all pages, each half, and with ``--tune`` each half tuned on the other."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every page")
    parser.add_argument("--tune", action="store_true", help="tune the numbers on one half, score the other")
    parser.add_argument("--rules", type=Path, help="a rules file to score instead of data/topic_rules.tsv")
    args = parser.parse_args()
    rules = TopicRules.load(args.rules, taxonomy()) if args.rules else default_rules()
    pages = labelled_pages()
    halves = pages[0::2], pages[1::2]
    print(score(rules, pages, args.verbose).line(f"all ({args.rules or 'rules file as is'})"))
    for name, half in zip("AB", halves):
        print(score(rules, half).line(f"half {name}"))
    if args.tune:
        held_out = Score(0, 0, 0, 0, 0)
        for (tuned_on, half), (name, other) in zip(zip("AB", halves), zip("BA", reversed(halves))):
            scoring = tune(rules, half)
            print(f"tuned on {tuned_on}: {scoring}")
            print(score(rules.with_scoring(scoring), half).line(f"  half {tuned_on} (in sample)"))
            held_out += score(rules.with_scoring(scoring), other)
            print(score(rules.with_scoring(scoring), other).line(f"  half {name} (held out)"))
        print(held_out.line("2-fold held out (both halves, each tuned on the other)"))


if __name__ == "__main__":
    main()
