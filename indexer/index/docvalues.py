"""Per-document values kept beside each index segment as arrays: facets, dates, texts.

For every Whoosh segment ``MAIN_<id>`` two files hold what search needs for each
document without opening its stored fields:

* ``MAIN_<id>.jbdv.npz``: year, date (``YYYYMMDD``), position, search-form lengths,
  issue, departments, topics and access groups (as value ids, compressed-row style), the keys naming
  the document, those it cites and those it repeals (:mod:`indexer.references`, compressed rows of
  63-bit keys), the last day of the validity it states, where each paragraph and each sentence begins
  (:mod:`indexer.passages`, as offsets into the segment's texts) and offsets into
* ``MAIN_<id>.jbtext``: the search form of each document's searchable parts (title,
  body, issue number and date, 文号; see :func:`indexer.index.schema.searchable_parts`), in
  UTF-16 (big-endian), back to back. Candidate documents of a substring are checked
  against it. UTF-16 takes two bytes for a Chinese character where UTF-8 takes three
  (the file is under three quarters the size, and searched faster); a match must
  then start at an even offset from the text's start, which :func:`holds` checks.

The files are named like the segment's own, so Whoosh removes them with it. They
are derived data: when missing (a segment written by another Whoosh writer, or
merged), :func:`load_segment` rebuilds them from the stored items.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from whoosh.codec.base import Segment

from indexer.atomic import atomic_write
from indexer.items import Item, date_number, facet_topics, searchable_parts
from indexer.normalize import PART_SEPARATOR, TEXT_ENCODING, holds, search_form
from indexer.passages import both_unit_starts
from indexer.references import cited_keys, own_keys, repealed_keys, valid_until

VALUES_EXT = ".jbdv.npz"
TEXT_EXT = ".jbtext"
NO_YEAR = 0


class DocValuesWriter:
    """Collects the values of a segment's documents in docnum order, then writes both files."""

    def __init__(self) -> None:
        self.year: list[int] = []
        self.date: list[int] = []
        self.position: list[int] = []
        self.title_chars: list[int] = []
        self.body_chars: list[int] = []
        self.departments: list[list[str]] = []
        self.topics: list[list[str]] = []
        self.issues: list[list[str]] = []
        self.access: list[list[str]] = []
        self.text_ptr: list[int] = [0]
        self.title_end: list[int] = []
        self.texts: list[bytes] = []
        self.own: list[list[int]] = []
        self.cited: list[list[int]] = []
        self.repealed: list[list[int]] = []
        self.valid_until: list[int] = []
        self.para_starts: list[int] = []
        self.sent_starts: list[int] = []

    def add(self, item: Item, forms: list[str] | None = None) -> None:
        """Add the next document (the search forms of its searchable parts may be given when already computed)."""
        if forms is None:
            forms = [search_form(part) for part in searchable_parts(item)]
        title_form, body_form = forms[0], forms[1]
        self.year.append(item.year or NO_YEAR)
        self.date.append(date_number(item.date))
        self.position.append(item.position)
        self.title_chars.append(len(title_form))
        self.body_chars.append(len(body_form))
        self.departments.append(list(item.departments))
        self.topics.append(facet_topics(item))
        self.issues.append([item.issue_key])
        self.access.append(list(item.access))
        self.own.append(own_keys(item))
        self.cited.append(cited_keys(item))
        self.repealed.append(repealed_keys(item))
        self.valid_until.append(valid_until(item))
        start = self.text_ptr[-1]  # bytes: a character of the search forms is two (TEXT_ENCODING)
        units = both_unit_starts(item, forms)
        self.para_starts.extend(start + 2 * at for at in units["paragraph"])
        self.sent_starts.extend(start + 2 * at for at in units["sentence"])
        title_bytes = title_form.encode(TEXT_ENCODING)
        text = PART_SEPARATOR.join(forms).encode(TEXT_ENCODING)
        self.title_end.append(self.text_ptr[-1] + len(title_bytes))
        self.text_ptr.append(self.text_ptr[-1] + len(text))
        self.texts.append(text)

    def write(self, folder: Path, segment: Segment) -> None:
        """Write the two files of ``segment`` into ``folder`` (each atomically)."""
        dept_ptr, dept_val, dept_names = _compress(self.departments)
        topic_ptr, topic_val, topic_names = _compress(self.topics)
        _, issue_val, issue_names = _compress(self.issues)
        acc_ptr, acc_val, acc_names = _compress(self.access)
        keys = {}
        for name, rows in (("own", self.own), ("cite", self.cited), ("repeal", self.repealed)):
            keys[f"{name}_ptr"], keys[f"{name}_val"] = _key_rows(rows)
        base = folder / segment.segment_id()
        atomic_write(Path(f"{base}{TEXT_EXT}"), lambda f: f.writelines(self.texts))
        arrays = dict(
            year=np.asarray(self.year, dtype=np.int16),
            date=np.asarray(self.date, dtype=np.int32),
            position=np.asarray(self.position, dtype=np.int32),
            title_chars=np.asarray(self.title_chars, dtype=np.int32),
            body_chars=np.asarray(self.body_chars, dtype=np.int32),
            text_ptr=np.asarray(self.text_ptr, dtype=np.int64),
            title_end=np.asarray(self.title_end, dtype=np.int64),
            dept_ptr=dept_ptr, dept_val=dept_val, dept_names=dept_names,
            topic_ptr=topic_ptr, topic_val=topic_val, topic_names=topic_names,
            issue_val=issue_val, issue_names=issue_names,
            acc_ptr=acc_ptr, acc_val=acc_val, acc_names=acc_names,
            valid_until=np.asarray(self.valid_until, dtype=np.int32),
            para_starts=np.asarray(self.para_starts, dtype=np.int64),
            sent_starts=np.asarray(self.sent_starts, dtype=np.int64),
            **keys,
        )
        atomic_write(Path(f"{base}{VALUES_EXT}"), lambda f: np.savez_compressed(f, **arrays))


@dataclass
class SegmentValues:
    """The loaded values of one segment: NumPy arrays and the mapped texts."""

    arrays: dict[str, np.ndarray]
    texts: mmap.mmap | bytes

    def contains(self, docs: np.ndarray, needle: bytes | re.Pattern[bytes], title_only: bool = False) -> np.ndarray:
        """For each docnum, whether the search-form text (or title) holds ``needle`` (see :func:`holds`)."""
        starts = self.arrays["text_ptr"][docs].tolist()
        ends = (self.arrays["title_end"][docs] if title_only else self.arrays["text_ptr"][docs + 1]).tolist()
        return np.fromiter(map(partial(holds, needle, self.texts), starts, ends), dtype=bool, count=len(starts))


def load_segment(folder: Path, segment: Segment, stored_items: callable) -> SegmentValues:
    """Load a segment's values, rebuilding the files from ``stored_items()`` when they are missing."""
    base = folder / segment.segment_id()
    values_path, text_path = Path(f"{base}{VALUES_EXT}"), Path(f"{base}{TEXT_EXT}")
    if not values_path.exists() or not text_path.exists():
        writer = DocValuesWriter()
        for item in stored_items():
            writer.add(item)
        writer.write(folder, segment)
    with np.load(values_path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    if text_path.stat().st_size == 0:
        return SegmentValues(arrays, b"")
    with open(text_path, "rb") as f:
        texts = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return SegmentValues(arrays, texts)


def _key_rows(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of keys as (row pointers, keys)."""
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(row) for row in rows])
    val = np.fromiter((k for row in rows for k in row), dtype=np.int64, count=int(ptr[-1]))
    return ptr, val


def _compress(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of strings as (row pointers, value ids, value names)."""
    names = sorted({v for row in rows for v in row})
    ids = {name: i for i, name in enumerate(names)}
    ptr = np.zeros(len(rows) + 1, dtype=np.int32)
    ptr[1:] = np.cumsum([len(row) for row in rows])
    val = np.fromiter((ids[v] for row in rows for v in row), dtype=np.int32, count=int(ptr[-1]))
    return ptr, val, np.asarray(names, dtype=str) if names else np.zeros(0, dtype="<U1")
