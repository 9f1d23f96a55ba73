"""Topic rules: weighted keywords of the 主题分类 paths, matched in an item's title, units and body.

The rules file (``data/topic_rules.tsv``, its header says how to write it) lists keywords under
topic paths; the words of the taxonomy's own names are keywords too. A title is read in two
parts (:func:`title_parts`): who issues or forwards the document (``河北省人民政府办公厅转发省
工商局关于``) counts as a unit's name, what it is about counts as the title. Terms learned from
the stated documents of the same archive (:mod:`indexer.ingest.enrich.topic_learning`) can be
added with :meth:`TopicRules.with_learned`. Every topic given comes with its reason
(:class:`Filing`); when no top level clearly wins, none is given.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.errors import JianbaoError
from indexer.ingest.enrich.topic_taxonomy import SEPARATOR, Taxonomy, taxonomy, top_of
from indexer.items import Item
from indexer.normalize import search_form
from indexer.settings import TOPIC_RULES_FILE

NAME_WEIGHT = 2.0
_WEIGHTED = re.compile(r"^(.+?)\*(\d+(?:\.\d+)?)$")
_BRACKETS = {"《": 1, "》": -1}
_FORWARDED = re.compile(r"(?:转发|批转)[^《》]*?《")
_TITLE, _UNIT, _BODY = "标题", "单位", "正文"


@dataclass(frozen=True)
class Scoring:
    """How keyword hits become topics.

    A keyword found in what the title is about adds ``title`` times its weight; in a unit's
    name or the title's issuing part ``unit`` times; in the body ``body`` times (1 + log2 of
    its count), at most ``body_cap``. A top level's score sums its keywords (each once,
    whichever of its sub-topics lists it), what the body adds at most ``body_top_cap`` (less
    than one name word in the title): a long text names many areas in passing, and the title
    says what it is about. A learned term found in the title adds ``title`` times its weight.
    The best top level is given when it scores ``min_score`` or more and ``margin`` times the
    runner-up; with ``max_topics`` 2 the runner-up is given too when it scores ``second``
    of the best and ``margin`` times the third. Under a given top level, the sub-topic
    with the highest score is named when it leads the next one; otherwise the top level alone.
    """

    title: float = 12.0
    unit: float = 2.0
    body: float = 1.0
    body_cap: float = 2.0
    body_top_cap: float = 16.0
    min_score: float = 8.0
    margin: float = 1.5
    second: float = 0.8
    max_topics: int = 1


@dataclass(frozen=True)
class LearnedTerm:
    """A word the stated documents of an archive file under one topic: ``support`` of the ``total`` that hold it."""

    word: str
    path: str
    weight: float
    support: int
    total: int

    @property
    def note(self) -> str:
        """Where the term comes from, for the reason given with a topic."""
        return f"本库已标主题的{self.total}件中{self.support}件属此类"


@dataclass(frozen=True)
class Filing:
    """The topics given to an item, best first, and why (``依据：标题含“收费公路”``; empty when none)."""

    topics: list[str]
    basis: str = ""


@dataclass
class _Evidence:
    """What a top level's score is made of: (points, where, word, note) of each keyword."""

    hits: list[tuple[float, str, str, str]] = field(default_factory=list)

    def basis(self) -> str:
        """The reason in a short sentence: the strongest words of the title, units and body."""
        parts = []
        for where in (_TITLE, _UNIT, _BODY):
            found = sorted((h for h in self.hits if h[1] == where and h[0] > 0), key=lambda h: (-h[0], h[2]))
            words = list(dict.fromkeys(f"“{word}”{note}" for _, _, word, note in found))[:3]
            if words:
                parts.append(f"{where}含" + "".join(words))
        return "依据：" + "；".join(parts) if parts else ""


def title_parts(title: str) -> tuple[str, str]:
    """(issuing part, subject part) of a title's search form.

    The subject starts after the last ``关于`` outside 《》 (``国务院办公厅转发发展改革委关于`` is
    who speaks, not what about); a forwarded document's name in 《》 is the subject and the
    units forwarding it are not (``关于转发省发展和改革委员会、省水利厅《…》``).
    """
    form = search_form(title)
    depth, cut = 0, 0
    for i, ch in enumerate(form):
        depth = max(depth + _BRACKETS.get(ch, 0), 0)
        if depth == 0 and form.startswith("关于", i):
            cut = i + 2
    forwarded = _FORWARDED.match(form, cut) or (_FORWARDED.search(form) if not cut else None)
    if forwarded:
        cut = forwarded.end() - 1
    return form[:cut], form[cut:]


class _Keywords:
    """Keywords and the weight of each for its topic paths, found longest first at each place."""

    def __init__(self, topic_of: dict[str, dict[str, float]]):
        self.topic_of = topic_of
        self._pattern = re.compile(_trie_pattern(topic_of)) if topic_of else None

    def find(self, form: str) -> dict[str, int]:
        """How often each keyword occurs in a search form."""
        counts: dict[str, int] = defaultdict(int)
        if self._pattern is not None and form:
            for word in self._pattern.findall(form):
                counts[word] += 1
        return counts


class TopicRules:
    """Weighted keyword rules, matched on the search form of an item's title, units and body."""

    def __init__(self, rules: dict[str, dict[str, float]], scoring: Scoring | None = None,
                 learned: Mapping[str, LearnedTerm] | None = None):
        self.scoring = scoring or Scoring()
        topic_of: dict[str, dict[str, float]] = defaultdict(dict)
        for path, keywords in rules.items():
            for kw, weight in keywords.items():
                # A weight of 0 takes a name word back; the word is still read as one, so 人民政府*0 keeps
                # 民政 from being found inside it.
                topic_of[kw][path] = weight
        _inherit_part_weights(topic_of)
        self._keywords = _Keywords(dict(topic_of))
        self.learned: dict[str, LearnedTerm] = dict(learned or {})
        self._learned = _Keywords({w: {t.path: t.weight} for w, t in self.learned.items()})

    @classmethod
    def load(cls, path: Path, tax: Taxonomy, scoring: Scoring | None = None) -> TopicRules:
        """Read a rules file over the taxonomy's name words; a line naming an unknown topic is an error."""
        rules: dict[str, dict[str, float]] = {
            p: {search_form(w): NAME_WEIGHT for w in words} for p, words in tax.name_words().items()}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, _, words = line.partition("\t")
            resolved = tax.resolve(name)
            if resolved is None:
                raise JianbaoError(f"{path}:{number}: unknown topic {name!r}")
            for word in words.split():
                weighted = _WEIGHTED.match(word)
                kw, weight = (weighted.group(1), float(weighted.group(2))) if weighted else (word, 1.0)
                rules.setdefault(resolved, {})[search_form(kw)] = weight
        return cls(rules, scoring)

    def keywords(self) -> set[str]:
        """Every keyword of the rules (search forms), those of weight 0 included."""
        return set(self._keywords.topic_of)

    def with_scoring(self, scoring: Scoring) -> TopicRules:
        """The same keywords, scored another way."""
        return self._copy(scoring, self.learned)

    def with_learned(self, learned: Mapping[str, LearnedTerm]) -> TopicRules:
        """The same rules with terms learned from an archive's stated documents.

        A term the rules already give to its top level is left out (it would count twice); one they
        give elsewhere stays, so the archive's own practice weighs against them.
        """
        agree = {w: t for w, t in learned.items()
                 if top_of(t.path) in {top_of(p) for p, v in self._keywords.topic_of.get(w, {}).items() if v > 0}}
        return self._copy(self.scoring, {w: t for w, t in learned.items() if w not in agree})

    def _copy(self, scoring: Scoring, learned: Mapping[str, LearnedTerm]) -> TopicRules:
        other = TopicRules({}, scoring, learned)
        other._keywords = self._keywords
        return other

    def scores(self, title: str, body: str, units: list[str]) -> dict[str, float]:
        """The score of every topic path with a hit: top levels and sub-topics (see :class:`Scoring`)."""
        return self._score(title, body, units)[0]

    def _score(self, title: str, body: str, units: list[str]) -> tuple[dict[str, float], dict[str, _Evidence]]:
        s = self.scoring
        issuer, subject = title_parts(title)
        in_title = self._keywords.find(subject)
        in_units = self._keywords.find(issuer + "|" + "|".join(search_form(u) for u in units))
        in_body = self._keywords.find(search_form(body))
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, _Evidence] = defaultdict(_Evidence)
        from_body: dict[str, float] = defaultdict(float)
        for kw in in_title.keys() | in_units.keys() | in_body.keys():
            where = _TITLE if kw in in_title else _UNIT if kw in in_units else _BODY
            head = s.title * (kw in in_title) + s.unit * (kw in in_units)
            text = min(s.body * (1 + math.log2(in_body[kw])), s.body_cap) if kw in in_body else 0.0
            tops: dict[str, tuple[float, float]] = {}
            for path, weight in self._keywords.topic_of[kw].items():
                top = top_of(path)
                known = tops.get(top, (0.0, 0.0))
                tops[top] = (max(known[0], weight * head), max(known[1], weight * text))
                if path != top:
                    scores[path] += weight * (head + text)
            for top, (head_part, text_part) in tops.items():
                scores[top] += head_part
                from_body[top] += text_part
                evidence[top].hits.append((head_part or text_part, where, kw, ""))
        for top, value in from_body.items():
            scores[top] += min(value, s.body_top_cap)
        for word in self._learned.find(subject):
            term = self.learned[word]
            points = s.title * term.weight
            scores[term.path] += points
            if SEPARATOR in term.path:
                scores[top_of(term.path)] += points
            evidence[top_of(term.path)].hits.append((points, _TITLE, word, f"（{term.note}）"))
        return scores, evidence

    def file(self, title: str, body: str, units: list[str]) -> Filing:
        """The topics an item is about, best first, with the reason; none when no top level clearly wins."""
        s = self.scoring
        scores, evidence = self._score(title, body, units)
        tops = sorted(((v, p) for p, v in scores.items() if SEPARATOR not in p), reverse=True) + [(0.0, "")] * 3
        (best, first), (runner, second), (third, _) = tops[:3]
        if best < s.min_score:
            return Filing([])
        if best >= s.margin * runner:
            return Filing([self._path(first, scores)], evidence[first].basis())
        if s.max_topics >= 2 and runner >= s.second * best and runner >= s.margin * third:
            basis = "；".join(f"{t}{evidence[t].basis()}" for t in (first, second))
            return Filing([self._path(first, scores), self._path(second, scores)], basis)
        return Filing([])

    def assign(self, title: str, body: str, units: list[str]) -> list[str]:
        """The topics an item is about, best first; none when no top level clearly wins."""
        return self.file(title, body, units).topics

    def _path(self, top: str, scores: dict[str, float]) -> str:
        """The top level's leading sub-topic (``top\\child``) when one leads, else the top level."""
        subs = sorted((v for p, v in scores.items() if p.startswith(top + SEPARATOR)), reverse=True) + [0.0]
        leader = [p for p, v in scores.items() if p.startswith(top + SEPARATOR) and v == subs[0]]
        return leader[0] if len(leader) == 1 and subs[0] > subs[1] else top


def _inherit_part_weights(topic_of: dict[str, dict[str, float]]) -> None:
    """A keyword weighs at least as much for a topic as any keyword of that topic inside it.

    The longest keyword is matched at each place, so 稳就业 is found where 就业*2 is written:
    it counts at least 2 for 劳动就业. A weight of 0 stays 0.
    """
    raised: dict[str, dict[str, float]] = {}
    for kw, paths in topic_of.items():
        parts = {kw[i:j] for i in range(len(kw)) for j in range(i + 1, len(kw) + 1)} - {kw}
        for path, weight in paths.items():
            best = max((topic_of[p].get(path, 0.0) for p in parts if p in topic_of), default=0.0)
            if weight > 0 and best > weight:
                raised.setdefault(kw, {})[path] = best
    for kw, paths in raised.items():
        topic_of[kw].update(paths)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of the words, longest first, built as a trie (fast to scan)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        alternatives = [(ch, re.escape(ch) + pattern(child)) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = choice(alternatives)
        if "" in node:
            return "(?:" + body + ")?"
        return body

    def choice(alternatives: list[tuple[str, str]]) -> str:
        """One of the alternatives; many are split in halves behind a test of the first character, so a
        place is tried against a few of them, not hundreds."""
        if len(alternatives) == 1:
            return alternatives[0][1]
        if len(alternatives) <= 8:
            return "(?:" + "|".join(alt for _, alt in alternatives) + ")"
        left, right = alternatives[:len(alternatives) // 2], alternatives[len(alternatives) // 2:]
        first = "".join(re.escape(ch) for ch, _ in left)
        return f"(?:(?=[{first}]){choice(left)}|{choice(right)})"

    return pattern(trie)


@lru_cache(maxsize=1)
def default_rules() -> TopicRules:
    """The rules of ``data/topic_rules.tsv``, read once."""
    return TopicRules.load(TOPIC_RULES_FILE, taxonomy())


def file_item(item: Item, units: list[str], rules: TopicRules | None = None) -> Item:
    """File an item that states no topic: the rules' topics and their reason, or none (``units`` as written)."""
    filing = (rules or default_rules()).file(item.title, item.body, units)
    item.topics, item.topic_basis = filing.topics, filing.basis
    return item
