"""The term table of a segment (Whoosh's ordered hash file, ``.trm``) written in little memory.

Whoosh's ``HashWriter`` remembers each term's hash and position until it writes its hash
tables at the end, as a tuple of two Python ints in one of 256 buckets: about 120 bytes a
term, which for the million and more terms of a big segment is more than its postings
need while they are merged. :func:`compact_buckets` gives it buckets keeping the same pairs
in two arrays (16 bytes a term); the file it writes is the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from whoosh.filedb.filetables import HashWriter


class CompactBucket:
    """A ``HashWriter`` bucket: (hash, position) pairs appended and read back in order, held in two arrays."""

    def __init__(self) -> None:
        self.hashes = array("L")
        self.positions = array("q")

    def append(self, entry: tuple[int, int]) -> None:
        """Keep one (hash, position) pair."""
        self.hashes.append(entry[0])
        self.positions.append(entry[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions)


def compact_buckets(table: HashWriter) -> HashWriter:
    """Give a hash writer to which nothing was added yet compact buckets; return it."""
    if any(table.buckets):
        raise ValueError("the hash writer already holds entries")
    table.buckets = [CompactBucket() for _ in table.buckets]
    return table
