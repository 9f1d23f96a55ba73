"""The words an item's similar items are found by: its rarest words, each with its idf.

A word is rare when at least one other item and at most ``RARE_SHARE`` of all items hold it; an item's
``KEY_WORDS`` rarest such words (earlier words first on ties) are looked up by every backend.
"""

from __future__ import annotations

import math
from typing import Protocol

from indexer.analysis import query_words
from indexer.items import Item

KEY_WORDS = 12  # rare words of an item that find its similar items
RARE_SHARE = 0.25  # a word in more than this share of the items is not rare (it finds nothing similar)


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
