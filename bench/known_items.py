"""Known-item cases made from an index, of the kind in the shared evaluation set.

A case is what a person types to find an item they have seen: two words of its
title and, half the time, one word of its body (jieba's words of two or more CJK
characters), kept when at most ``MAX_CANDIDATES`` items hold every word. Ranking
can be measured on as many such cases as wanted, none of them seen before.
"""

from __future__ import annotations

import random
import re

from indexer.analysis import query_words
from search import Searcher, SearchQuery

MAX_CANDIDATES = 300
BODY_CHARS = 3000  # body words are drawn from the start of the body
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")


def generate(searcher: Searcher, count: int, seed: int) -> list[dict]:
    """``count`` known-item cases (``kind``, ``q``, ``target``, ``candidates``), the same for the same seed."""
    export = searcher.export(SearchQuery(sort="date_asc"), limit=10**9)
    items = list(export.items)
    rng = random.Random(seed)
    cases: list[dict] = []
    while len(cases) < count:
        item = items[rng.randrange(len(items))]
        title_words = _words(item.title)
        if len(title_words) < 2:
            continue
        words = rng.sample(title_words, 2)
        if rng.random() < 0.5:
            body_words = sorted(set(_words(item.body[:BODY_CHARS])) - set(words))
            if not body_words:
                continue
            words.append(rng.choice(body_words))
        q = " ".join(words)
        candidates = searcher.search(SearchQuery(q=q, size=1)).total
        if candidates <= MAX_CANDIDATES:
            cases.append({"kind": "known", "q": q, "target": item.id, "candidates": candidates})
    return cases


def _words(text: str) -> list[str]:
    """The distinct CJK words of two or more characters of a text, in a fixed order."""
    return sorted({w for w in query_words(text) if _CJK_WORD.fullmatch(w)})
