"""Topic rules on labelled documents, their stated 主题分类 withheld: ``python -m bench.topics``.

Needs ``../shared`` (not part of the default tests). The sets (``--set``, repeatable; ``--all``
scores every one):

* ``realworld``: the gov.cn pages of ``corpora/realworld/web_html`` whose stated topic (their
  索引号 table, not part of the body the rules see) is not 其他 (52); the keywords were written
  from them. Also scored in two halves (alternate files by name).
* ``hebei-dev``: the older 70% by date of the 河北省政府办公厅 set (``corpora/topics``), items whose
  label is not 其他; the rules were written from these and the taxonomy.
* ``hebei-dev-new``: the newest 30% of ``hebei-dev``, taught by its older 70% (``--learn``):
  the development measure of learning from the archive.
* ``hebei-new`` (held out): the newest 30% by date of the 河北 set (184), taught by the older 70%.
* ``govcn108`` (held out): 108 gov.cn 国务院 documents all filed under 国土资源、能源, taught by the
  realworld pages (the stated documents of the same site).

For each document the top levels assigned are compared with the stated one. Each line gives the
documents given a topic (the share issue 28 calls coverage), those whose stated top level is
among them (right, as a share of all), precision (assigned top levels that are right) and exact
(the stated ``top\\child`` is assigned, where one is stated). ``--learn`` adds the terms the
set's teachers separate (:mod:`indexer.ingest.enrich.topic_learning`); ``--mine`` lists, for a
person to accept into the rules, the terms the teachers separate (a set without teachers: its own
stated documents) that the rules do not yet give their topic. The held-out sets are scored,
never listed (``-v``, ``--mine`` and ``--tune`` refuse them): rules are written without reading
them. ``--tune`` tunes the scoring numbers on one half of a set and scores the other;
``--rules FILE`` scores another rules file.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
from collections.abc import Callable
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from indexer.errors import Report
from indexer.ingest.enrich.topic_learning import Stated, learn, review_lines
from indexer.ingest.enrich.topics import Scoring, TopicRules, default_rules, taxonomy, top_of
from indexer.ingest.files import read_files
from indexer.items import Item

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
PAGES = SHARED / "corpora" / "realworld" / "web_html"
TOPIC_SETS = SHARED / "corpora" / "topics"
HEBEI = TOPIC_SETS / "hebei_bgt_884.jsonl.gz"
GOVCN = TOPIC_SETS / "gccmpd_govprc_108.jsonl.gz"
NEWEST = 0.3
GRID = {"title": (4.0, 8.0, 12.0), "body_cap": (2.0, 4.0), "body_top_cap": (16.0, 1e9), "min_score": (6.0, 10.0),
        "margin": (1.3, 1.6, 2.0), "max_topics": (1, 2)}


@dataclass(frozen=True)
class Page:
    """A labelled document: its stated topic (a path, or a top level) and the item the rules see."""

    name: str
    stated: str
    item: Item


@dataclass(frozen=True)
class Score:
    """Coverage and precision of the rules on some documents."""

    pages: int
    given: int
    right: int
    assigned: int
    exact: int

    def __add__(self, other: Score) -> Score:
        return Score(*(a + b for a, b in zip(astuple(self), astuple(other))))

    def line(self, label: str) -> str:
        """One readable line."""
        share = max(self.pages, 1)
        return (f"{label}: {self.pages} documents, a topic for {self.given} ({self.given / share:.0%}), "
                f"right top level {self.right} ({self.right / share:.0%}), precision {self.right}/{self.assigned} "
                f"({self.right / max(self.assigned, 1):.0%}), exact sub-topic {self.exact}")


@dataclass(frozen=True)
class LabelledSet:
    """Documents to score, the stated documents that teach them (``--learn``), and whether they are held out."""

    pages: list[Page]
    teachers: list[Stated] = field(default_factory=list)
    held_out: bool = False


def labelled_pages(folder: Path = PAGES) -> list[Page]:
    """The gov.cn pages of ``folder`` whose stated topic is not 其他, in file-name order."""
    out = []
    for path, items in read_files(sorted(folder.glob("*.html")), Report(), root=folder):
        if len(items) == 1 and items[0].topics and items[0].topics[0] != "其他" and "主题分类" in path.read_text(
                encoding="utf-8", errors="replace"):
            out.append(Page(path.name, items[0].topics[0], items[0]))
    return out


def topic_records(path: Path) -> list[dict]:
    """The records of a ``corpora/topics`` file, oldest first (by date, then id)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return sorted((json.loads(line) for line in lines if line.strip()), key=lambda r: (r["date"] or "", r["id"]))


def split_by_date(records: list[dict], newest: float = NEWEST) -> tuple[list[dict], list[dict]]:
    """(older, newest): the records before and from the first of the newest share of the labelled ones."""
    labelled = [r for r in records if _labelled(r)]
    first_new = labelled[len(labelled) - round(newest * len(labelled))]
    cut = records.index(first_new)
    return records[:cut], records[cut:]


def record_page(record: dict) -> Page:
    """A labelled record as the rules see it: title and body, no stated topic."""
    item = Item(id=record["id"], title=record["title"] or "", body=record["body"] or "", issue="",
                source=record["source"], position=1, date=record["date"])
    return Page(record["id"], record["sub"] or record["top"], item)


def record_teachers(records: list[dict]) -> list[Stated]:
    """The records as stated documents (their label, 其他 included: it teaches nothing)."""
    return [Stated(r["title"] or "", [r["sub"] or r["top"]]) for r in records if r["top"]]


def page_teachers(pages: list[Page]) -> list[Stated]:
    """Labelled pages as stated documents."""
    return [Stated(p.item.title, [p.stated]) for p in pages]


def _labelled(record: dict) -> bool:
    return bool(record["top"]) and record["top"] != "其他"


def _hebei(part: str) -> LabelledSet:
    older, newest = split_by_date(topic_records(HEBEI))
    if part == "dev":
        return LabelledSet([record_page(r) for r in older if _labelled(r)])
    if part == "dev-new":
        taught, scored = split_by_date(older)
        return LabelledSet([record_page(r) for r in scored if _labelled(r)], record_teachers(taught))
    return LabelledSet([record_page(r) for r in newest if _labelled(r)], record_teachers(older), held_out=True)


def _govcn() -> LabelledSet:
    return LabelledSet([record_page(r) for r in topic_records(GOVCN)], page_teachers(labelled_pages()), held_out=True)


SETS: dict[str, Callable[[], LabelledSet]] = {
    "realworld": lambda: LabelledSet(labelled_pages()),
    "hebei-dev": lambda: _hebei("dev"),
    "hebei-dev-new": lambda: _hebei("dev-new"),
    "hebei-new": lambda: _hebei("new"),
    "govcn108": _govcn,
}


def score(rules: TopicRules, pages: list[Page], verbose: bool = False) -> Score:
    """Score the rules on the documents, the stated topic withheld."""
    given = right = assigned = exact = 0
    for page in pages:
        filing = rules.file(page.item.title, page.item.body, page.item.departments)
        tops = {top_of(g) for g in filing.topics}
        stated_top = top_of(page.stated)
        given += bool(filing.topics)
        right += stated_top in tops
        assigned += len(tops)
        exact += page.stated in filing.topics
        if verbose:
            mark = "ok " if stated_top in tops else ("-- " if not filing.topics else "XX ")
            print(mark, page.stated, "|", filing.topics, "|", page.item.title[:50], "|", filing.basis)
    return Score(len(pages), given, right, assigned, exact)


def tune(rules: TopicRules, pages: list[Page]) -> Scoring:
    """The grid's scoring with the best coverage among those of precision ≥ 90% on the pages (else the best)."""
    def key(scoring: Scoring) -> tuple:
        s = score(rules.with_scoring(scoring), pages)
        return (s.right >= 0.9 * max(s.assigned, 1), s.right, -s.assigned)
    grid = [replace(rules.scoring, **dict(zip(GRID, values))) for values in itertools.product(*GRID.values())]
    return max(grid, key=key)


def report(name: str, rules: TopicRules, args: argparse.Namespace) -> None:
    """Print the scores of one set: rules alone, with ``--learn`` also taught by its teachers."""
    chosen = SETS[name]()
    if chosen.held_out and (args.verbose or args.mine or args.tune):
        raise SystemExit(f"{name} is held out: scored, never listed or tuned on")
    pages = chosen.pages
    print(score(rules, pages, args.verbose).line(f"{name} ({args.rules or 'rules file as is'})"))
    if name == "realworld":
        for half_name, half in zip("AB", (pages[0::2], pages[1::2])):
            print(score(rules, half).line(f"  half {half_name}"))
    if args.learn and chosen.teachers:
        taught = rules.with_learned(learn(chosen.teachers))
        print(score(taught, pages, args.verbose).line(
            f"{name} taught by {len(chosen.teachers)} stated documents ({len(taught.learned)} terms)"))
    if args.mine:
        print("\n".join(review_lines(learn(chosen.teachers or page_teachers(pages)), rules)))
    if args.tune:
        tuned_line(rules, pages)


def tuned_line(rules: TopicRules, pages: list[Page]) -> None:
    """Tune the numbers on each half of the pages and score the other; print both held-out halves together."""
    halves = pages[0::2], pages[1::2]
    held_out = Score(0, 0, 0, 0, 0)
    for (tuned_on, half), (name, other) in zip(zip("AB", halves), zip("BA", reversed(halves))):
        scoring = tune(rules, half)
        print(f"tuned on {tuned_on}: {scoring}")
        print(score(rules.with_scoring(scoring), half).line(f"  half {tuned_on} (in sample)"))
        held_out += score(rules.with_scoring(scoring), other)
        print(score(rules.with_scoring(scoring), other).line(f"  half {name} (held out)"))
    print(held_out.line("2-fold held out (both halves, each tuned on the other)"))


def main() -> None:
    """Print the scores of the sets asked for (default: realworld)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=sorted(SETS), help="a set to score (repeatable)")
    parser.add_argument("--all", action="store_true", help="score every set, rules alone and taught")
    parser.add_argument("--learn", action="store_true", help="also score with the terms the set's teachers separate")
    parser.add_argument("--mine", action="store_true", help="list the separating terms the rules lack, for review")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every document with its reason")
    parser.add_argument("--tune", action="store_true", help="tune the numbers on one half, score the other")
    parser.add_argument("--rules", type=Path, help="a rules file to score instead of data/topic_rules.tsv")
    args = parser.parse_args()
    args.learn = args.learn or args.all
    rules = TopicRules.load(args.rules, taxonomy()) if args.rules else default_rules()
    for name in sorted(SETS) if args.all else args.set or ["realworld"]:
        report(name, rules, args)


if __name__ == "__main__":
    main()
