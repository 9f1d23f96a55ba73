"""Topics: the national two-level 主题分类, assigned by editable keyword rules.

The taxonomy is ``data/govcn_topics.json``; the rules are ``data/topic_rules.tsv``
(its header says how to write them). The words of the taxonomy's own names count as
strong keywords of their topic. An item gets one topic (two when both are clearly
met), or none when no top level clearly wins: no topic is better than a wrong one.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.errors import JianbaoError
from indexer.items import SEPARATOR
from indexer.normalize import search_form
from indexer.settings import TAXONOMY_FILE, TOPIC_RULES_FILE

NAME_WEIGHT = 2.0
_NAME_PARTS = re.compile(r"[、，,（）()]|（含|\(含")
_WEIGHTED = re.compile(r"^(.+?)\*(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Taxonomy:
    """The two-level vocabulary: top-level names, in order, and their children."""

    children: dict[str, tuple[str, ...]]
    aliases: dict[str, str]

    def paths(self) -> list[str]:
        """Every valid path: each top level and each ``top\\child``."""
        out: list[str] = []
        for top, kids in self.children.items():
            out.append(top)
            out.extend(f"{top}{SEPARATOR}{kid}" for kid in kids)
        return out

    def resolve(self, path: str) -> str | None:
        """The canonical form of a topic path (aliases of the top level applied), or None if unknown."""
        top, _, child = path.strip().partition(SEPARATOR)
        top = self.aliases.get(top, top)
        if top not in self.children:
            return None
        if not child:
            return top
        return f"{top}{SEPARATOR}{child}" if child in self.children[top] else None

    def name_words(self) -> dict[str, list[str]]:
        """The words of each path's own name (``财政、金融、审计`` gives 财政 金融 审计), ``其他`` left out."""
        out: dict[str, list[str]] = {}
        for path in self.paths():
            name = path.rpartition(SEPARATOR)[2]
            words = [w for w in _NAME_PARTS.split(name.replace("（含", "、").replace("(含", "、")) if w]
            words = [w for w in words if w != "其他"]
            if words:
                out[path] = words
        return out


@lru_cache(maxsize=1)
def taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Read the taxonomy file once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    children = {t["name"]: tuple(t.get("children", ())) for t in data["topics"]}
    return Taxonomy(children, dict(data.get("aliases", {})))


def stated_topics(value: object) -> list[str]:
    """The taxonomy paths a document states (``市场监管、安全生产监管\\工商``; a list, or ``;``-separated).

    Paths the taxonomy does not know are left out.
    """
    given = value if isinstance(value, list) else re.split(r"[;；,，\s]+", str(value or ""))
    tax = taxonomy()
    found = (tax.resolve(str(p)) for p in given if str(p).strip())
    return list(dict.fromkeys(p for p in found if p))


@dataclass(frozen=True)
class Scoring:
    """How keyword hits become topics.

    A keyword found in the title adds ``title`` times its weight, in a unit's name ``unit``
    times, in the body ``body`` times (1 + log2 of its count), at most ``body_cap``. A top
    level's score sums its keywords (each once, whichever of its sub-topics lists it), what
    the body adds at most ``body_top_cap`` (less than one name word in the title): a long text
    names many areas in passing, and the title says what it is about. The
    best top level is given when it scores ``min_score`` or more and ``margin`` times the
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


class TopicRules:
    """Weighted keyword rules, matched on the search form of an item's title, units and body."""

    def __init__(self, rules: dict[str, dict[str, float]], scoring: Scoring | None = None):
        self.scoring = scoring or Scoring()
        self._topic_of: dict[str, dict[str, float]] = defaultdict(dict)
        for path, keywords in rules.items():
            for kw, weight in keywords.items():
                # A weight of 0 takes a name word back; the word is still read as one, so 人民政府*0 keeps
                # 民政 from being found inside it.
                self._topic_of[kw][path] = weight
        _inherit_part_weights(self._topic_of)
        self._pattern = re.compile(_trie_pattern(self._topic_of)) if self._topic_of else None

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

    def with_scoring(self, scoring: Scoring) -> TopicRules:
        """The same keywords, scored another way."""
        other = TopicRules({}, scoring)
        other._topic_of, other._pattern = self._topic_of, self._pattern
        return other

    def _counts(self, text: str) -> Counter[str]:
        """How often each keyword occurs in a text (longest match at each place)."""
        return Counter(self._pattern.findall(search_form(text))) if self._pattern is not None and text else Counter()

    def scores(self, title: str, body: str, units: list[str]) -> dict[str, float]:
        """The score of every topic path with a hit: top levels and sub-topics (see :class:`Scoring`)."""
        s = self.scoring
        in_title, in_units, in_body = self._counts(title), self._counts(" ".join(units)), self._counts(body)
        scores: dict[str, float] = defaultdict(float)
        from_body: dict[str, float] = defaultdict(float)
        for kw in in_title.keys() | in_units.keys() | in_body.keys():
            head = s.title * bool(in_title[kw]) + s.unit * bool(in_units[kw])
            text = min(s.body * (1 + math.log2(in_body[kw])), s.body_cap) if in_body[kw] else 0.0
            tops: dict[str, tuple[float, float]] = {}
            for path, weight in self._topic_of[kw].items():
                top = path.partition(SEPARATOR)[0]
                known = tops.get(top, (0.0, 0.0))
                tops[top] = (max(known[0], weight * head), max(known[1], weight * text))
                if path != top:
                    scores[path] += weight * (head + text)
            for top, (head_part, text_part) in tops.items():
                scores[top] += head_part
                from_body[top] += text_part
        for top, value in from_body.items():
            scores[top] += min(value, s.body_top_cap)
        return scores

    def assign(self, title: str, body: str, units: list[str]) -> list[str]:
        """The topics an item is about, best first; none when no top level clearly wins."""
        s = self.scoring
        scores = self.scores(title, body, units)
        tops = sorted(((v, p) for p, v in scores.items() if SEPARATOR not in p), reverse=True) + [(0.0, "")] * 3
        (best, first), (runner, second), (third, _) = tops[:3]
        if best < s.min_score:
            return []
        if best >= s.margin * runner:
            return [self._path(first, scores)]
        if s.max_topics >= 2 and runner >= s.second * best and runner >= s.margin * third:
            return [self._path(first, scores), self._path(second, scores)]
        return []

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
