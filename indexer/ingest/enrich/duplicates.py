"""The same item read from several files (a GBK copy of an issue, a page saved twice, a scan of a printed issue) is
kept once.

Two items are the same when their folded titles and bodies are equal (:func:`indexer.normalize.search_form`: full
width, case and whitespace do not count), or, when one of them was read by OCR, nearly equal: the character
3-grams (shingles) of the two texts overlap by :data:`NEAR` or more (Jaccard), which tolerates the misread
characters of a scan (each costs at most three shingles) but not another document of the same template.
Candidates are found with MinHash locality-sensitive hashing (``datasketch``, :data:`PERMUTATIONS` permutations,
banded for :data:`CANDIDATE`) and each is then checked on its shingles exactly. Only items the same people may see
are ever one (a restricted copy of a public item stays a restricted item of its own). The first one read is kept,
unless it was read by OCR and a copy with a text layer comes: that text is kept instead; the sources of the others
are listed in its ``duplicates``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

from indexer.items import Item
from indexer.normalize import PART_SEPARATOR, search_form

NEAR = 0.8  # Jaccard similarity of shingles above which an OCR copy is the same item
CANDIDATE = 0.5  # the LSH's own threshold, well below NEAR: a pair at NEAR is a candidate with near certainty
PERMUTATIONS = 128
MIN_CHARS = 40  # texts shorter than this are the same only when equal (too few shingles to tell)
SHINGLE = 3


def fingerprint(item: Item) -> str:
    """What makes two items the same exactly: their folded title and body, and who may see them."""
    parts = (search_form(item.title), search_form(item.body), *sorted(item.access))
    return hashlib.sha1(PART_SEPARATOR.join(parts).encode()).hexdigest()


def shingles(item: Item) -> set[str]:
    """The character 3-grams of the item's folded title and body."""
    form = search_form(item.title) + PART_SEPARATOR + search_form(item.body)
    return {form[i:i + SHINGLE] for i in range(len(form) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class Deduplicator:
    """Collects items, keeping one of each same item (see the module docstring) and noting where the others came
    from."""

    def __init__(self) -> None:
        self._slots: dict[str, Item] = {}  # slot -> the item kept, in the order slots were made
        self._slot_of: dict[str, str] = {}  # exact fingerprint -> slot
        self._lsh = MinHashLSH(threshold=CANDIDATE, num_perm=PERMUTATIONS)
        self._shingles: dict[str, set[str]] = {}  # slot -> shingles of its items (those long enough)
        self.dropped = 0

    def add(self, items: Iterable[Item]) -> None:
        """Add items; a copy of a kept item adds its source to the kept item's ``duplicates``."""
        for item in items:
            key = fingerprint(item)
            slot = self._slot_of.get(key) or self._near(item)
            if slot is None:
                self._slots[key] = item
                self._slot_of[key] = key
                self._remember(key, item)
                continue
            self._slot_of[key] = slot
            self.dropped += 1
            first = self._slots[slot]
            if first.ocr and not item.ocr:  # a text layer reads better than a scan: keep it, list the scan
                item.duplicates = [first.source, *first.duplicates]
                self._slots[slot], first = item, item
            elif item.source != first.source and item.source not in first.duplicates:
                first.duplicates.append(item.source)

    def items(self) -> list[Item]:
        """The kept items, in the order they were first read."""
        return list(self._slots.values())

    def _remember(self, slot: str, item: Item) -> None:
        found = shingles(item)
        if len(found) >= MIN_CHARS:
            self._shingles[slot] = found
            self._lsh.insert(slot, _minhash(found))

    def _near(self, item: Item) -> str | None:
        """The slot of an item nearly equal to this one, one of the two read by OCR and both seen by the same people."""
        found = shingles(item)
        if len(found) < MIN_CHARS or not self._shingles:
            return None
        for slot in self._lsh.query(_minhash(found)):
            kept = self._slots[slot]
            if (item.ocr or kept.ocr) and kept.access == item.access and jaccard(found, self._shingles[slot]) >= NEAR:
                return slot
        return None


def _minhash(found: set[str]) -> MinHash:
    signature = MinHash(num_perm=PERMUTATIONS)
    signature.update_batch([s.encode("utf-8") for s in found])
    return signature
