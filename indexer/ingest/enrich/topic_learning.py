"""Learning from the archive itself: words that separate topics among its stated documents.

Where some documents of an archive state their 主题分类 (gov.cn pages, records with ``topics``),
the words of their titles that are filed under one top level again and again (``收费``: 108
of the 109 older stated 河北 titles holding it are 工业、交通, where the rules say 物价) weigh in
for the other documents of the same archive (:meth:`TopicRules.with_learned`), and are listed
for a person to accept into ``topic_rules.tsv`` (``python -m indexer.ingest.enrich.topic_learning
FILE...``). Deterministic: the same stated documents teach the same terms, and every one is
counted in the reason given.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import index_words, jieba_tokenizer
from indexer.ingest.enrich.topic_rules import LearnedTerm, TopicRules, default_rules, file_item, title_parts
from indexer.ingest.enrich.topic_taxonomy import SEPARATOR, stated_topics, top_of
from indexer.items import Item

_CANDIDATE = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
# What kind of document it is and what is done with it (the 文种 of 党政机关公文处理工作条例 and the verbs of
# issuing and approving), and its reach: every topic's documents use them, an archive's proportions are chance.
_FORMS = (
    "决议 决定 命令 公报 公告 通告 意见 通知 通报 报告 请示 批复 复函 议案 纪要 办法 规定 细则 条例 方案 规划 纲要 "
    "要点 安排 计划 关于 同意 印发 转发 批转 发布 公布 实施 执行 贯彻 落实 进一步 加强 做好 开展 推进 加快 切实 "
    "有关 问题 事项 工作 若干 全省 我省 全市 全国 省级 市级 县级 各地 试行 暂行")
FORM_WORDS = frozenset(_FORMS.split())


@dataclass(frozen=True)
class Stated:
    """A document whose topics are stated: its title and those topic paths."""

    title: str
    topics: list[str]


@dataclass(frozen=True)
class Learning:
    """How many stated documents a word needs (``min_support``), how pure they must be, and its weight."""

    min_support: int = 3
    min_purity: float = 0.8
    weight: float = 1.0


def title_terms(title: str) -> set[str]:
    """The candidate words of what a title is about: dictionary words (those inside longer ones too) of
    two or more characters, not :data:`FORM_WORDS`, not places (唐山市, or 承德 where 承德市 is a word:
    an archive of one place would learn where its documents come from, not what they are about)."""
    freq = jieba_tokenizer().FREQ
    return {w for w in index_words(title_parts(title)[1])
            if _CANDIDATE.match(w) and w not in FORM_WORDS and freq.get(w)
            and not w.endswith(("省", "市", "县")) and not any(freq.get(w + s) for s in "省市县")}


def learn(documents: Iterable[Stated], learning: Learning | None = None) -> dict[str, LearnedTerm]:
    """The words that separate topics among the stated documents, each with its topic and counts.

    A word is kept when at least ``min_support`` documents holding it state one top level and
    they are at least ``min_purity`` times one more than all those holding it (3 of 3 is not yet
    sure: 3 < 0.8 × 4).
    Its path is the sub-topic those documents state when one is stated by as many, else the top.
    Documents filed 其他 teach nothing.
    """
    learning = learning or Learning()
    tops: dict[str, Counter[str]] = defaultdict(Counter)
    paths: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in documents:
        stated = [t for t in doc.topics if top_of(t) != "其他"]
        if not stated:
            continue
        for word in title_terms(doc.title):
            tops[word].update({top_of(t) for t in stated})
            paths[word].update(set(stated))
    learned = {}
    for word in sorted(tops):
        (top, support), total = tops[word].most_common(1)[0], sum(tops[word].values())
        if support < learning.min_support or support < learning.min_purity * (total + 1):
            continue
        sub, sub_support = max(((p, n) for p, n in paths[word].items() if p.startswith(top + SEPARATOR)),
                               key=lambda pn: (pn[1], pn[0]), default=(top, 0))
        path = sub if sub_support >= learning.min_purity * (support + 1) else top
        learned[word] = LearnedTerm(word, path, learning.weight, support, total)
    return learned


def stated(item: Item) -> Stated | None:
    """The item as a teacher of its archive: when it states its topics (rather than was filed by the rules)."""
    return Stated(item.title, item.topics) if item.topics and not item.topic_basis else None


def refile(items: Iterable[Item], teachers: Iterable[Stated], rules: TopicRules | None = None) -> int:
    """File again, with the terms the archive's stated documents teach, the items the rules filed (or left
    unfiled); return how many were filed again (none when nothing was learned)."""
    learned = learn(teachers)
    if not learned:
        return 0
    taught = (rules or default_rules()).with_learned(learned)
    count = 0
    for item in items:
        if stated(item) is None:
            file_item(item, item.departments, taught)
            count += 1
    return count


def review_lines(learned: dict[str, LearnedTerm], rules: TopicRules) -> list[str]:
    """The learned words the rules do not yet give their topic, as rules-file lines, strongest first."""
    new = rules.with_learned(learned).learned
    by_path: dict[str, list[LearnedTerm]] = defaultdict(list)
    for term in new.values():
        by_path[term.path].append(term)
    lines = []
    for path in sorted(by_path):
        terms = sorted(by_path[path], key=lambda t: (-t.support, t.total - t.support, t.word))
        lines.append(f"# {path}: " + " ".join(f"{t.word} {t.support}/{t.total}" for t in terms))
        lines.append(f"{path}\t" + " ".join(t.word for t in terms))
    return lines


def stated_records(paths: Iterable[Path]) -> list[Stated]:
    """The records of JSON Lines files (``.jsonl``, ``.jsonl.gz``) that state ``topics``."""
    out = []
    for path in paths:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line) if line.strip() else {}
                topics = stated_topics(record.get("topics") or [])
                if topics and record.get("title"):
                    out.append(Stated(str(record["title"]), topics))
    return out


def main() -> None:
    """List, from the stated records of the files named, the words that separate each topic."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("files", nargs="+", type=Path, help="JSON Lines files whose records state topics")
    parser.add_argument("--min-support", type=int, default=Learning.min_support, help="documents a word needs")
    args = parser.parse_args()
    documents = stated_records(args.files)
    print(f"# {len(documents)} stated documents: per topic, the words not yet in its rules (documents of the "
          "topic holding the word / stated documents holding it), then a line to accept into topic_rules.tsv")
    for line in review_lines(learn(documents, Learning(min_support=args.min_support)), default_rules()):
        print(line)


if __name__ == "__main__":
    main()
