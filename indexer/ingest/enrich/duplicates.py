"""The same item read from several files (a GBK copy of an issue, a page saved twice) is kept once.

Two items are the same when their folded titles and bodies are equal (:func:`indexer.normalize.search_form`:
full width, case and whitespace do not count) and the same people may see them (a restricted copy of a public
item stays a restricted item of its own). The first one read is kept; the sources of the others are listed in
its ``duplicates``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from indexer.items import Item
from indexer.normalize import PART_SEPARATOR, search_form


def fingerprint(item: Item) -> str:
    """What makes two items the same: their folded title and body, and who may see them."""
    parts = (search_form(item.title), search_form(item.body), *sorted(item.access))
    return hashlib.sha1(PART_SEPARATOR.join(parts).encode()).hexdigest()


class Deduplicator:
    """Collects items, keeping the first of each fingerprint and noting where the others came from."""

    def __init__(self) -> None:
        self._kept: dict[str, Item] = {}
        self.dropped = 0

    def add(self, items: Iterable[Item]) -> None:
        """Add items; a repeat of a kept item adds its source to the kept item's ``duplicates``."""
        for item in items:
            first = self._kept.setdefault(fingerprint(item), item)
            if first is not item:
                self.dropped += 1
                if item.source != first.source and item.source not in first.duplicates:
                    first.duplicates.append(item.source)

    def items(self) -> list[Item]:
        """The kept items, in the order they were first read."""
        return list(self._kept.values())
