"""Grams found in one document of a segment, kept beside the segment as three sorted arrays.

Most character pairs occur in a single item (277,000 of the 675,000 terms of the
``grams`` field of a 37,000-item segment of the xwlb corpus). In Whoosh's term table
each costs about 65 bytes (entry header, key, term info with its one posting, hash
slots and order entry); here 16 bytes, about 5 once compressed: the gram's key (see
:func:`indexer.analysis.gram_key`), the document and the count, in the segment's
``<segment>.jbone.npz``, for the three gram fields. Their other terms are in the term
table as before, and :class:`indexer.index.reader.IndexSnapshot` looks a gram up in
both. A Whoosh reader on its own does not see these grams: only the engine searches
the gram fields.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.base import Segment

from indexer.atomic import atomic_write

SINGLES_EXT = ".jbone.npz"


class SinglesWriter:
    """Collects the fields' single-document grams, each field's in increasing key order, and writes them.

    They are held in typed arrays (16 bytes a gram), not lists of Python integers (about 90).
    """

    def __init__(self) -> None:
        self.fields: dict[str, tuple[array, array, array]] = {}

    def add(self, field: str, key: int, doc: int, count: int) -> None:
        """Keep gram ``key`` of ``field``, found ``count`` times in document ``doc`` only."""
        keys, docs, counts = self.fields.setdefault(field, (array("Q"), array("I"), array("I")))
        keys.append(key)
        docs.append(doc)
        counts.append(count)

    def write(self, folder: Path, segment: Segment) -> None:
        """Write the segment's file (every field's arrays, compressed)."""
        arrays = {}
        for field, (keys, docs, counts) in self.fields.items():
            arrays[f"{field}.keys"] = np.frombuffer(keys, dtype=np.uint64)
            arrays[f"{field}.docs"] = np.frombuffer(docs, dtype=np.uint32)
            arrays[f"{field}.counts"] = np.frombuffer(counts, dtype=np.uint32)
        atomic_write(folder / f"{segment.segment_id()}{SINGLES_EXT}", lambda f: np.savez_compressed(f, **arrays))


class Singles:
    """A segment's single-document grams, loaded: ``find`` and ``posting`` of a gram key."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self._keys = {name.rsplit(".", 1)[0]: keys for name, keys in arrays.items() if name.endswith(".keys")}

    @classmethod
    def load(cls, folder: Path, segment: Segment) -> Singles:
        """The segment's file (FileNotFoundError when it has none)."""
        with np.load(folder / f"{segment.segment_id()}{SINGLES_EXT}", allow_pickle=False) as npz:
            return cls({name: npz[name] for name in npz.files})

    def find(self, field: str, key: int) -> int | None:
        """The row of gram ``key`` in ``field``, or None when no single document holds it."""
        keys = self._keys.get(field)
        if keys is None or not len(keys):
            return None
        row = int(keys.searchsorted(np.uint64(key)))  # a uint64 needle: a Python int would convert the array
        return row if row < len(keys) and keys[row] == key else None

    def posting(self, field: str, row: int) -> tuple[np.ndarray, np.ndarray]:
        """(docnum, count) of a row as one-element arrays (int64 and float32, like the term table's postings)."""
        return (np.array([self.arrays[f"{field}.docs"][row]], dtype=np.int64),
                np.array([self.arrays[f"{field}.counts"][row]], dtype=np.float32))
