"""The words an item's similar items are found by (its rarest words, each with its idf), and how similar is enough.

A word is rare when at least one other item and at most ``RARE_SHARE`` of all items hold it; an item's
``KEY_WORDS`` rarest such words (earlier words first on ties) are looked up by every backend. Another item is
similar when the key words it holds weigh at least ``MIN_SIMILARITY`` of them all (each by its idf, a word in
both titles ``1 + TITLE_EXTRA`` times): a poem sharing one or three rare words with a long State Council
document is not listed beside it; fewer similar items, or none, rather than unrelated ones.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Protocol

from indexer.analysis import query_words
from indexer.items import Item

KEY_WORDS = 12  # rare words of an item that find its similar items
RARE_SHARE = 0.25  # a word in more than this share of the items is not rare (it finds nothing similar)
TITLE_EXTRA = 2.0  # a key word in both titles counts this much more
# The share of an item's key-word weight another item must hold to be similar. Measured on ../shared/corpora: a copy,
# a 公文 of the same campaign, a bulletin item of the same unit hold 0.33-0.92; a poem and State Council documents,
# or two 公文 sharing chance words, 0.08-0.25 (three chance words of twelve).
MIN_SIMILARITY = 0.3


class Frequencies(Protocol):
    """What :func:`key_words` asks of an index: how many items it holds, and how many hold a word in a field."""

    live_count: int

    def doc_frequency(self, field: str, word: str) -> int: ...


def key_words(index: Frequencies, item: Item) -> list[tuple[str, float]]:
    """The item's rarest words (see :func:`similar_items`) with their idf, rarest first.

    Only ``live_count`` and ``doc_frequency`` are asked of ``index``, so any backend can answer them.
    """
    n = max(index.live_count, 1)
    seen: dict[str, int] = {}
    for rank, word in enumerate(query_words(item.title) + query_words(item.body[:3000])):
        if len(word) >= 2 and not word.isdigit():
            seen.setdefault(word, rank)
    weighted = []
    for word, rank in seen.items():
        df = max(index.doc_frequency("title", word), index.doc_frequency("body", word))
        if 2 <= df <= max(2, RARE_SHARE * n):
            weighted.append((math.log(1 + n / df), rank, word))
    weighted.sort(key=lambda w: (-w[0], w[1]))
    return [(word, idf) for idf, _, word in weighted[:KEY_WORDS]]


def minimum_score(words: list[tuple[str, float]]) -> float:
    """The least score (the idf of the key words an item holds, title words counted again) of a similar item."""
    return MIN_SIMILARITY * sum(idf for _, idf in words)


def similar_enough(words: list[tuple[str, float]], held: Collection[str], in_both_titles: Collection[str]) -> bool:
    """Does an item holding the key words ``held`` (``in_both_titles`` of them in both titles) count as similar?"""
    score = sum(idf * (1 + TITLE_EXTRA * (word in in_both_titles)) for word, idf in words if word in held)
    return score > 0 and score >= minimum_score(words)
