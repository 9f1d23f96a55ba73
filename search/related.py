"""An item's neighbours: the other items of its issue, in order, and similar items from elsewhere."""

from __future__ import annotations

import math

import numpy as np

from indexer.analysis import query_words
from indexer.index.reader import IndexSnapshot
from indexer.items import Item

MAX_ISSUE_ITEMS = 300
KEY_WORDS = 10  # words of an item that find its similar items
TITLE_BOOST = 3.0


def issue_items(snapshot: IndexSnapshot, doc: int) -> list[Item]:
    """The live items of the document's issue (itself included), by position."""
    docs = np.flatnonzero((snapshot.issue == snapshot.issue[doc]) & snapshot.live)
    docs = docs[np.lexsort((docs, snapshot.position[docs]))][:MAX_ISSUE_ITEMS]
    return [snapshot.item(int(d)) for d in docs]


def similar_items(snapshot: IndexSnapshot, doc: int, limit: int = 5) -> list[Item]:
    """Items sharing the most distinctive words of this one, from other issues, best first."""
    item = snapshot.item(doc)
    words = key_words(snapshot, item)
    if not words:
        return []
    scores = np.zeros(snapshot.doc_count, dtype=np.float64)
    for word, weight in words:
        for field, boost in (("title", TITLE_BOOST), ("body", 1.0)):
            ids, freqs = snapshot.postings(field, word)
            scores[ids] += weight * boost * freqs / (freqs + 1.2)
    scores[~snapshot.live] = 0
    scores[snapshot.issue == snapshot.issue[doc]] = 0
    best = np.argsort(-scores, kind="stable")[:limit]
    return [snapshot.item(int(d)) for d in best if scores[d] > 0]


def key_words(snapshot: IndexSnapshot, item: Item) -> list[tuple[str, float]]:
    """The item's most distinctive words (title words counted more) with their idf weights."""
    n = max(snapshot.live_count, 1)
    counts: dict[str, float] = {}
    for text, weight in ((item.title, TITLE_BOOST), (item.body[:1500], 1.0)):
        for word in query_words(text):
            if len(word) >= 2 and not word.isdigit():
                counts[word] = counts.get(word, 0.0) + weight
    weighted = []
    for word, count in counts.items():
        df = snapshot.doc_frequency("body", word) + snapshot.doc_frequency("title", word)
        if df < 2:
            continue
        idf = math.log(1 + n / df)
        weighted.append((word, count * idf, idf))
    weighted.sort(key=lambda w: -w[1])
    return [(w, idf) for w, _, idf in weighted[:KEY_WORDS]]
