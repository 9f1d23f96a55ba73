"""Topics: the national two-level 主题分类, assigned by editable keyword rules.

The taxonomy is ``data/govcn_topics.json``; the rules are ``data/topic_rules.tsv``
(its header says how an item is scored). An item may get several topics, or none
when no rule is clearly met: no topic is better than a wrong one.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.errors import JianbaoError
from indexer.normalize import search_form
from indexer.settings import TAXONOMY_FILE, TOPIC_RULES_FILE

SEPARATOR = "\\"
TITLE_WEIGHT, UNIT_WEIGHT, BODY_WEIGHT, BODY_CAP = 3, 2, 1, 4
MIN_SCORE, RELATIVE_MIN, MAX_TOPICS = 4, 0.5, 3


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


class TopicRules:
    """Keyword rules, matched on the search form of an item's title, units and body."""

    def __init__(self, rules: dict[str, list[str]]):
        self._topic_of: dict[str, set[str]] = defaultdict(set)
        for path, keywords in rules.items():
            for kw in keywords:
                self._topic_of[kw].add(path)
        self._pattern = re.compile(_trie_pattern(self._topic_of)) if self._topic_of else None

    @classmethod
    def load(cls, path: Path, tax: Taxonomy) -> TopicRules:
        """Read a rules file; a line naming an unknown topic is an error naming that line."""
        rules: dict[str, list[str]] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, _, words = line.partition("\t")
            resolved = tax.resolve(name)
            if resolved is None:
                raise JianbaoError(f"{path}:{number}: unknown topic {name!r}")
            rules.setdefault(resolved, []).extend(search_form(w) for w in words.split() if w)
        return cls(rules)

    def _hits(self, text: str) -> dict[str, set[str]]:
        """The keywords found in a search-form text (longest match at each place), by topic path."""
        found: dict[str, set[str]] = defaultdict(set)
        if self._pattern is not None:
            for kw in self._pattern.findall(text):
                for path in self._topic_of[kw]:
                    found[path].add(kw)
        return found

    def assign(self, title: str, body: str, units: list[str]) -> list[str]:
        """The topics an item is about, best first (see the rules file for the scoring)."""
        scores: dict[str, float] = defaultdict(float)
        for path, kws in self._hits(search_form(title)).items():
            scores[path] += TITLE_WEIGHT * len(kws)
        for path, kws in self._hits(search_form(" ".join(units))).items():
            scores[path] += UNIT_WEIGHT * len(kws)
        for path, kws in self._hits(search_form(body)).items():
            scores[path] += BODY_WEIGHT * min(len(kws), BODY_CAP)
        if not scores:
            return []
        best = max(scores.values())
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [p for p, s in ranked if s >= MIN_SCORE and s >= RELATIVE_MIN * best][:MAX_TOPICS]


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of the words, longest first, built as a trie (fast to scan)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        alternatives = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return pattern(trie)


@lru_cache(maxsize=1)
def default_rules() -> TopicRules:
    """The rules of ``data/topic_rules.tsv``, read once."""
    return TopicRules.load(TOPIC_RULES_FILE, taxonomy())
