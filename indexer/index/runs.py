"""A field's postings while its segment is built: in memory, spilled to disk as sorted runs, merged back.

:class:`FieldPostings` keeps each document's term keys and frequencies as it comes. When the
builder's postings outgrow its share of the build's memory, each field's are sorted by (term,
docnum) and written as a run: one file of three arrays back to back (keys, docnums,
frequencies). At the end the runs are merged a key range at a time (:func:`merge`), each range
holding at most MERGE_POSTINGS postings unless one term alone has more, so one segment comes out
of any number of runs in bounded memory. The runs of one field hold consecutive documents, so
within a term, taking the runs in order keeps the docnums ascending.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DOC_BITS = 22  # docnums share a 64-bit sort key with the term
KEY, DOC, FREQ = np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.int32)
ARRAY_BYTES = 112  # what a NumPy array costs besides its data
WRITE_POSTINGS = 1 << 20  # postings gathered and written at a time when spilling
MERGE_POSTINGS = 1 << 20  # postings a merge step holds at most (unless one term has more)

Postings = tuple[np.ndarray, np.ndarray, np.ndarray]  # term keys, docnums, frequencies


@dataclass
class Run:
    """Postings sorted by (term, docnum): in memory, or in a file of keys, docnums and frequencies back to back."""

    size: int
    path: Path | None = None
    arrays: Postings | None = None

    def read(self, part: int, start: int, stop: int) -> np.ndarray:
        """Postings ``start:stop`` of one part: 0 the keys, 1 the docnums, 2 the frequencies."""
        if self.arrays is not None:
            return self.arrays[part][start:stop]
        dtypes = (KEY, DOC, FREQ)
        offset = sum(self.size * d.itemsize for d in dtypes[:part]) + start * dtypes[part].itemsize
        with open(self.path, "rb") as f:
            f.seek(offset)
            return np.fromfile(f, dtype=dtypes[part], count=stop - start)


class FieldPostings:
    """One field's postings of the segment being built: the latest documents in memory, earlier ones in runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder  # where runs are written (created with the first)
        self.keys: list[np.ndarray] = []
        self.freqs: list[np.ndarray] = []
        self.first_doc = 0  # docnum of the first document held in memory
        self.runs: list[Run] = []
        self.nbytes = 0  # memory the documents held take

    def add(self, keys: np.ndarray, freqs: np.ndarray) -> None:
        """The next document's distinct term keys (ascending) and their frequencies."""
        self.keys.append(keys.astype(KEY, copy=False))
        self.freqs.append(freqs.astype(FREQ, copy=False))
        self.nbytes += self.keys[-1].nbytes + self.freqs[-1].nbytes + 2 * ARRAY_BYTES

    def spill(self, rank: np.ndarray | None = None) -> None:
        """Write the documents held in memory as a sorted run and let them go.

        Terms are ordered by their keys, or by ``rank[key]`` when given (keys that are ids).
        """
        keys, docs, freqs, order = self._take(rank)
        self.folder.mkdir(parents=True, exist_ok=True)
        run = Run(len(order), self.folder / f"run-{len(self.runs)}")
        with open(run.path, "wb") as f:
            for values in (keys, docs, freqs):
                for start in range(0, len(order), WRITE_POSTINGS):
                    values[order[start:start + WRITE_POSTINGS]].tofile(f)
        self.runs.append(run)

    def merged(self, rank: np.ndarray | None = None) -> Iterator[Postings]:
        """Every posting of the field in (term, docnum) order, a key range at a time (see :func:`merge`).

        ``rank`` maps keys that are ids to their final order; the runs are removed once read.
        """
        if self.runs and self.keys:
            self.spill(rank)
        if self.runs:
            runs = self.runs
        else:
            keys, docs, freqs, order = self._take(rank)
            runs = [Run(len(order), arrays=(keys[order], docs[order], freqs[order]))]
            del keys, docs, freqs, order
        try:
            for keys, docs, freqs in merge(runs, rank):
                yield keys, docs.astype(np.int64), freqs
        finally:
            self.runs = []
            shutil.rmtree(self.folder, ignore_errors=True)

    def _take(self, rank: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The documents held as (keys, docnums, frequencies, their sorting order); memory is let go."""
        counts = np.fromiter((len(k) for k in self.keys), dtype=np.int64, count=len(self.keys))
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=KEY)
        freqs = np.concatenate(self.freqs) if self.freqs else np.zeros(0, dtype=FREQ)
        docs = np.repeat(np.arange(self.first_doc, self.first_doc + len(counts), dtype=DOC), counts)
        self.first_doc += len(counts)
        self.keys, self.freqs, self.nbytes = [], [], 0
        sort_keys = (rank[keys] if rank is not None else keys).astype(np.uint64) << np.uint64(DOC_BITS)
        sort_keys |= docs.astype(np.uint64)
        order = np.argsort(sort_keys)  # (term, docnum) is unique: no need for a stable sort
        return keys, docs, freqs, order


def merge(runs: list[Run], rank: np.ndarray | None = None, limit: int = MERGE_POSTINGS) -> Iterator[Postings]:
    """The postings of ``runs`` in (term, docnum) order, a key range at a time, with keys mapped by ``rank``.

    Runs hold consecutive documents (every docnum of a run below those of the next). A range
    holds every posting of its keys, and at most ``limit`` postings unless one term alone has more.
    """
    pos = [0] * len(runs)
    heads = [np.zeros(0, dtype=KEY) for _ in runs]  # keys read ahead of pos (mapped by rank)
    window = max(limit // max(len(runs), 1), 1)
    while live := [i for i, run in enumerate(runs) if pos[i] < run.size]:
        step = window
        while True:
            for i in live:
                want = min(runs[i].size - pos[i], step)
                if len(heads[i]) < want:
                    more = runs[i].read(0, pos[i] + len(heads[i]), pos[i] + want)
                    heads[i] = np.concatenate((heads[i], rank[more] if rank is not None else more))
            # Keys below the least last key read of the runs not read to the end are all read.
            cuts = [heads[i][-1] for i in live if pos[i] + len(heads[i]) < runs[i].size]
            bound = min(cuts) if cuts else None
            if bound is None or bound > min(heads[i][0] for i in live):
                break
            step *= 2  # one term fills the window of a run: read further
        parts = []
        for i in live:
            end = len(heads[i]) if bound is None else int(np.searchsorted(heads[i], bound))
            if end:
                parts.append((heads[i][:end], runs[i].read(1, pos[i], pos[i] + end),
                              runs[i].read(2, pos[i], pos[i] + end)))
                heads[i] = heads[i][end:]
                pos[i] += end
        keys, docs, freqs = (np.concatenate(p) for p in zip(*parts))
        if len(parts) > 1:
            order = np.argsort(keys, kind="stable")  # the runs in order: docnums stay ascending within a term
            keys, docs, freqs = keys[order], docs[order], freqs[order]
        yield keys, docs, freqs
