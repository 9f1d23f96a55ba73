"""Answers the cluster gave, kept while its content stays the same: a search's facet counts and the items it is
narrowed to (validity, words in one paragraph or sentence), the costly parts that do not depend on the page asked for.

The writer marks the cluster's generation (:func:`cluster.schema.generation_of`) before it
writes anything and names a new one when it ends, so the content did not change between two reads
of one generation. What a search works out is kept under the generation last read before it began.
A search that uses a kept answer reads the generation beside its page, after taking the answer: if
it is still the one the answer was kept under, nothing changed since the answer was worked out;
otherwise the search is asked again without kept answers (:class:`cluster.searcher.SphinxQLSearcher`),
and the new generation drops them all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

CAPACITY = 200_000  # rows (grouped counts, items narrowed to) kept in all; the least recently used answers go first


def size(answer: list) -> int:
    """The rows of an answer: grouped counts (a list of row lists) or items (a list of ids)."""
    return sum(len(part) if isinstance(part, list) else 1 for part in answer)


class Memo:
    """Answers by key, all kept under one generation of the cluster's content, :data:`CAPACITY` rows at most."""

    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self.generation: str | None = None  # the latest generation read; None: nothing may be kept
        self._kept: OrderedDict[Hashable, list] = OrderedDict()
        self._rows = 0  # the size of what is kept
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: str | None) -> list | None:
        """The answer kept for ``key`` under ``generation``, if any."""
        with self._lock:
            if generation is None or generation != self.generation or key not in self._kept:
                return None
            self._kept.move_to_end(key)
            return self._kept[key]

    def read(self, generation: str | None) -> None:
        """The generation was read: another one than before drops every kept answer."""
        with self._lock:
            if generation != self.generation:
                self._kept.clear()
                self._rows = 0
                self.generation = generation

    def keep(self, known: str | None, answers: dict[Hashable, list]) -> None:
        """Keep what a search that began when generation ``known`` was the latest read worked out, if it still is."""
        with self._lock:
            if known is None or known != self.generation:
                return
            for key, answer in answers.items():
                if key in self._kept:
                    self._rows -= 1 + size(self._kept.pop(key))
                self._kept[key] = answer
                self._rows += 1 + size(answer)
            while self._rows > self.capacity and self._kept:
                self._rows -= 1 + size(self._kept.popitem(last=False)[1])
