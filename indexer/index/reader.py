"""One version of the index opened for reading: segments, doc values, postings as arrays.

An :class:`IndexSnapshot` is opened once per index version and shared by every
request: document numbers are global (segment offset + docnum), per-document
values are concatenated NumPy arrays, and posting lists come back as arrays of
global docnums (decoded from the segments' memory-mapped posting files and kept
in a small cache). Whoosh's own readers are not safe to share between threads,
so every call into them holds :attr:`IndexSnapshot.lock`.
"""

from __future__ import annotations

import io
import mmap
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC
from whoosh.reading import SegmentReader, TermNotFound

from indexer.analysis import gram_key
from indexer.index.docvalues import SegmentValues, load_segment
from indexer.index.layout import INDEX_NAME, IndexMeta, check_compatible, current_build, read_toc
from indexer.index.postings import read_postings
from indexer.index.schema import GRAM_FIELDS
from indexer.index.singles import Singles
from indexer.items import PUBLIC, SEPARATOR, Item

CACHE_BYTES = 96 * 2**20  # decoded posting lists kept for reuse
INFO_CACHE_TERMS = 50_000  # term infos kept (a few hundred bytes each)
VALUE_MASK_BYTES = 32 * 2**20  # masks of the documents having one facet value, kept for reuse
ITEM_CACHE_CHARS = 8_000_000  # characters of the stored items kept decoded (the items of recent result pages)
VIEW_CACHE = 256  # views (masks of what a set of groups may see) kept per snapshot
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


@dataclass
class _Segment:
    reader: SegmentReader
    values: SegmentValues
    singles: Singles
    postings: mmap.mmap | bytes  # the segment's whole posting file
    offset: int


@dataclass
class Keys:
    """Per document, a list of 63-bit keys (:mod:`indexer.references`), compressed rows."""

    ptr: np.ndarray
    val: np.ndarray

    @cached_property
    def doc_of_value(self) -> np.ndarray:
        """For each entry of ``val``, the document it belongs to."""
        return np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int64), np.diff(self.ptr))

    def docs_with(self, keys: list[int] | np.ndarray) -> np.ndarray:
        """Sorted documents (deleted ones included) having any of the keys."""
        if not len(self.val) or not len(keys):
            return np.zeros(0, dtype=np.int64)
        return np.unique(self.doc_of_value[np.isin(self.val, np.asarray(keys, dtype=np.int64))])

    def of(self, doc: int) -> np.ndarray:
        """The keys of one document."""
        return self.val[self.ptr[doc]:self.ptr[doc + 1]]


@dataclass
class Facet:
    """A multi-valued facet: value names and, per document, its value ids (compressed rows)."""

    names: list[str]
    ptr: np.ndarray
    val: np.ndarray

    @cached_property
    def ids(self) -> dict[str, int]:
        """Each value name's id."""
        return {name: i for i, name in enumerate(self.names)}

    @cached_property
    def doc_of_value(self) -> np.ndarray:
        """For each entry of ``val``, the document it belongs to."""
        return np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int64), np.diff(self.ptr))


class IndexSnapshot:
    """The current index as it is now; see the module docstring."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.build = current_build(index_dir)
        self.meta: IndexMeta = check_compatible(self.build)
        self.storage = MappedStorage(str(self.build), readonly=True)
        toc = read_toc(self.storage, self.build)
        self.schema = toc.schema
        self.generation = toc.generation
        self.version = f"{self.build.name}.{toc.generation}"
        self.lock = threading.RLock()
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_bytes = 0
        self._value_masks: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()  # newest last
        self._items: OrderedDict[int, dict[str, Any]] = OrderedDict()  # decoded stored items, newest last
        self._item_chars = 0
        self._infos: dict[tuple[str, str], list[tuple[_Segment, Any]]] = {}
        self.segments: list[_Segment] = []
        offset = 0
        for segment in toc.segments:
            reader = SegmentReader(self.storage, self.schema, segment)
            values = load_segment(self.build, segment, lambda r=reader: _stored_items(r))
            self.segments.append(_Segment(reader, values, Singles.load(self.build, segment),
                                          reader._terms._postfile.raw_file(), offset))
            offset += segment.doc_count_all()
        self.doc_count = offset
        self._concatenate(toc)

    def _concatenate(self, toc: TOC) -> None:
        arrays = [s.values.arrays for s in self.segments]

        def cat(name: str, dtype: Any) -> np.ndarray:
            return np.concatenate([a[name] for a in arrays]).astype(dtype) if arrays else np.zeros(0, dtype)

        self.year = cat("year", np.int16)
        self.date = cat("date", np.int32)
        self.position = cat("position", np.int32)
        self.title_chars = cat("title_chars", np.int32)
        self.body_chars = cat("body_chars", np.int32)
        year_start = self.year.astype(np.int32) * 10000
        # Dates for ordering and ranges: an item known only by its year spans that whole year.
        self.first_day = np.where(self.date > 0, self.date, np.where(self.year > 0, year_start + 101, 0))
        self.last_day = np.where(self.date > 0, self.date, np.where(self.year > 0, year_start + 1231, 0))
        self.live = np.ones(self.doc_count, dtype=bool)
        for seg, segment in zip(self.segments, toc.segments):
            deleted = np.fromiter(segment.deleted_docs(), dtype=np.int64)
            self.live[seg.offset + deleted] = False
        self.departments = self._facet(arrays, "dept")
        self.topics = self._facet(arrays, "topic")
        self.topic_tops = self._tops(self.topics)
        self.topic_children: dict[str, list[int]] = {}  # top-level topic -> ids of its paths
        for i, path in enumerate(self.topics.names):
            self.topic_children.setdefault(path.split(SEPARATOR)[0], []).append(i)
        issues = self._facet(arrays, "issue")
        self.issue_names, self.issue = issues.names, issues.val
        self.access = self._facet([_with_access(a) for a in arrays], "acc")
        self.own_keys, self.cite_keys, self.repeal_keys = (self._keys(arrays, name)
                                                           for name in ("own", "cite", "repeal"))
        self.valid_until = cat("valid_until", np.int32)
        self.restricted = _any_restricted(self.access, self.live)
        self._views: dict[frozenset[str], SnapshotView] = {}
        self.live_count = int(self.live.sum())

    def view(self, groups: frozenset[str] | None) -> IndexSnapshot | SnapshotView:
        """The snapshot as someone in ``groups`` sees it (None: an administrator, who sees every item).

        Without restricted items in the index, or for None, that is the snapshot itself; else a
        :class:`SnapshotView` whose ``live`` holds only the live documents public or of one of the groups.
        """
        if groups is None or not self.restricted:
            return self
        with self.lock:
            view = self._views.get(groups)
        if view is None:
            wanted = np.flatnonzero(np.isin(self.access.names, sorted(groups | {PUBLIC})))
            mask = np.zeros(self.doc_count, dtype=bool)
            mask[self.access.doc_of_value[np.isin(self.access.val, wanted)]] = True
            mask &= self.live
            mask.flags.writeable = False
            view = SnapshotView(self, mask)
            with self.lock:
                if len(self._views) >= VIEW_CACHE:
                    self._views.clear()
                self._views[groups] = view
        return view

    def _facet(self, arrays: list[dict], prefix: str) -> Facet:
        """Concatenate per-segment value lists, mapping segment value ids to global ones."""
        names = sorted({str(n) for a in arrays for n in a[f"{prefix}_names"]})
        ids = {n: i for i, n in enumerate(names)}
        vals, ptrs, base = [], [np.zeros(1, dtype=np.int64)], 0
        for a in arrays:
            local = np.asarray([ids[str(n)] for n in a[f"{prefix}_names"]], dtype=np.int32)
            val = a[f"{prefix}_val"]
            vals.append(local[val] if len(val) else np.zeros(0, dtype=np.int32))
            ptr = a.get(f"{prefix}_ptr")
            if ptr is None:  # single-valued: one value a document
                ptr = np.arange(len(val) + 1)
            ptrs.append(ptr[1:].astype(np.int64) + base)
            base += int(ptr[-1])
        val = np.concatenate(vals) if vals else np.zeros(0, dtype=np.int32)
        return Facet(names, np.concatenate(ptrs), val.astype(np.int32))

    @staticmethod
    def _keys(arrays: list[dict], prefix: str) -> Keys:
        """Concatenate per-segment rows of keys."""
        ptrs, base = [np.zeros(1, dtype=np.int64)], 0
        for a in arrays:
            ptrs.append(a[f"{prefix}_ptr"][1:].astype(np.int64) + base)
            base += int(a[f"{prefix}_ptr"][-1])
        val = np.concatenate([a[f"{prefix}_val"] for a in arrays]) if arrays else np.zeros(0, dtype=np.int64)
        return Keys(np.concatenate(ptrs), val.astype(np.int64))

    @staticmethod
    def _tops(topics: Facet) -> Facet:
        """The top-level topics of each document (once each), from its topic paths."""
        tops = sorted({n.split(SEPARATOR)[0] for n in topics.names})
        top_id = np.asarray([tops.index(n.split(SEPARATOR)[0]) for n in topics.names], dtype=np.int64)
        docs = topics.doc_of_value
        pairs = np.unique(docs * max(len(tops), 1) + (top_id[topics.val] if len(topics.val) else 0))
        pair_docs, pair_tops = np.divmod(pairs, max(len(tops), 1))
        ptr = np.zeros(len(topics.ptr), dtype=np.int64)
        np.add.at(ptr, pair_docs + 1, 1)
        return Facet(tops, np.cumsum(ptr), pair_tops.astype(np.int32))

    def having(self, facet: str, value: str) -> np.ndarray:
        """A read-only mask of the documents having ``value`` among their values of a facet (``departments``,
        ``topics``, ``topic_tops``), deleted ones included; kept for reuse (a filter is often asked again)."""
        key = (facet, value)
        with self.lock:
            found = self._value_masks.get(key)
            if found is not None:
                self._value_masks.move_to_end(key)
                return found
        values: Facet = getattr(self, facet)
        found = np.zeros(self.doc_count, dtype=bool)
        if value in values.ids:
            found[values.doc_of_value[values.val == values.ids[value]]] = True
        found.flags.writeable = False
        with self.lock:
            self._value_masks[key] = found
            while len(self._value_masks) * self.doc_count > VALUE_MASK_BYTES and len(self._value_masks) > 1:
                self._value_masks.popitem(last=False)
        return found

    # Posting lists

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums, term frequencies) of a term in a field; deleted documents included."""
        key = (field, term)
        with self.lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        parts = [(seg.singles.posting(field, info) if isinstance(info, int) else read_postings(info, seg.postings),
                  seg.offset) for seg, info in self._term_infos(field, term)]
        if not parts:
            result = _EMPTY
        else:
            result = (np.concatenate([ids + off for (ids, _), off in parts]),
                      np.concatenate([w for (_, w), _ in parts]))
        with self.lock:
            self._remember(key, result)
        return result

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents (deleted ones included) hold the term; no postings are read."""
        return sum(1 if isinstance(info, int) else info.doc_frequency() for _, info in self._term_infos(field, term))

    def _term_infos(self, field: str, term: str) -> list[tuple[_Segment, Any]]:
        """Each segment holding the term, with its term info, or for a gram only one of its documents holds,
        its row among the segment's single-document grams (an int; see :mod:`indexer.index.singles`).
        Looked up once, then kept."""
        key = (field, term)
        with self.lock:
            found = self._infos.get(key)
            if found is None:
                btext = term.encode("utf-8")
                gram = gram_key(term) if field in GRAM_FIELDS else None
                found = []
                for seg in self.segments:
                    try:
                        found.append((seg, seg.reader._terms.term_info(field, btext)))
                    except TermNotFound:  # most grams a query looks up are in the table: the singles after
                        row = seg.singles.find(field, gram) if gram is not None else None
                        if row is not None:
                            found.append((seg, row))
                if len(self._infos) >= INFO_CACHE_TERMS:
                    self._infos.clear()
                self._infos[key] = found
        return found

    def _remember(self, key: tuple[str, str], value: tuple[np.ndarray, np.ndarray]) -> None:
        size = value[0].nbytes + value[1].nbytes
        if size > CACHE_BYTES // 4:
            return
        self._cache[key] = value
        self._cache_bytes += size
        while self._cache_bytes > CACHE_BYTES:
            _, old = self._cache.popitem(last=False)
            self._cache_bytes -= old[0].nbytes + old[1].nbytes

    # Documents

    def locate(self, doc: int) -> tuple[_Segment, int]:
        """The segment holding a global docnum, and the docnum inside it."""
        for seg in reversed(self.segments):
            if doc >= seg.offset:
                return seg, doc - seg.offset
        raise IndexError(doc)

    def item(self, doc: int) -> Item:
        """The stored item of a document, its ``position`` counted among the live items of its issue."""
        return self.stored_item(doc, self.shown_positions)

    def stored_item(self, doc: int, positions: np.ndarray) -> Item:
        """The stored item of a document, its position taken from ``positions`` (when it has one there)."""
        item = Item.from_dict(self._stored(doc))
        item.position = int(positions[doc]) or item.position
        return item

    def _stored(self, doc: int) -> dict[str, Any]:
        """A document's stored item as a dict: decoded once, then kept while it is among the recently read
        (a page of hits reads each of its items, and a next search or the item's page often reads them again)."""
        with self.lock:
            found = self._items.get(doc)
            if found is not None:
                self._items.move_to_end(doc)
                return found
            seg, local = self.locate(doc)
            found = seg.reader.stored_fields(local)["item"]
            self._items[doc] = found
            self._item_chars += _chars(found)
            while self._item_chars > ITEM_CACHE_CHARS and len(self._items) > 1:
                self._item_chars -= _chars(self._items.popitem(last=False)[1])
        return found

    @cached_property
    def shown_positions(self) -> np.ndarray:
        """Each live document's position among the live documents of its issue (1, 2, …), 0 for the others."""
        return positions_among(self.issue, self.position, self.live)

    def find_id(self, item_id: str) -> int | None:
        """The live document with this id, if any."""
        docs, _ = self.postings("id", item_id)
        live = docs[self.live[docs]] if len(docs) else docs
        return int(live[-1]) if len(live) else None

    def is_current(self) -> bool:
        """Is this still the index on disk (same build, same generation)?"""
        try:
            if current_build(self.index_dir) != self.build:
                return False
            return TOC._latest_generation(self.storage, INDEX_NAME) == self.generation
        except Exception:  # an index being switched or removed: not current
            return False

    def size_bytes(self) -> int:
        """Bytes the build's files take on disk."""
        return sum(p.stat().st_size for p in self.build.iterdir() if p.is_file())

    def close(self) -> None:
        """Release files (the snapshot must not be used after)."""
        with self.lock:
            for seg in self.segments:
                seg.reader.close()


class SnapshotView:
    """An :class:`IndexSnapshot` as a viewer sees it: ``live`` (read only) and ``live_count`` hold only the
    documents the viewer may see; everything else is the snapshot's. Code that reads ``live`` (search, facets,
    issues, similar items, suggestions) then answers as if the other documents did not exist. Note that
    ``find_id`` still finds any live document: check ``live[doc]``."""

    def __init__(self, snapshot: IndexSnapshot, live: np.ndarray):
        self.snapshot = snapshot
        self.live = live
        self.live_count = int(live.sum())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.snapshot, name)

    @cached_property
    def shown_positions(self) -> np.ndarray:
        """Positions among the items of each issue this viewer may see: none it may not see is counted."""
        return positions_among(self.snapshot.issue, self.snapshot.position, self.live)

    def item(self, doc: int) -> Item:
        return self.snapshot.stored_item(doc, self.shown_positions)

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents this viewer may see hold the term: statistics from the others would tell of them."""
        docs = self.snapshot.postings(field, term)[0]
        return int(self.live[docs].sum()) if len(docs) else 0


class MappedFile(StructFile):
    """A read-only index file mapped into memory: random reads are slices, not seek-and-read,
    so they are fast and threads can share the file."""

    def get(self, position: int, length: int) -> bytes:
        return self.file[position:position + length]


class MappedStorage(FileStorage):
    """Whoosh file storage that opens every file as a :class:`MappedFile`."""

    def open_file(self, name: str, **kwargs) -> StructFile:
        with open(self._fpath(name), "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                return StructFile(io.BytesIO(b""), name=name)
            return MappedFile(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), name=name)


def _with_access(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A segment's arrays with access groups (a segment written before access existed: every document public)."""
    if "acc_val" in arrays:
        return arrays
    count = len(arrays["year"])
    return {"acc_ptr": np.arange(count + 1), "acc_val": np.zeros(count, dtype=np.int32),
            "acc_names": np.asarray([PUBLIC])}


def positions_among(issue: np.ndarray, position: np.ndarray, live: np.ndarray) -> np.ndarray:
    """For each live document, its rank (from 1) by position among the live documents of its issue; 0 elsewhere."""
    docs = np.flatnonzero(live)
    ordered = docs[np.lexsort((docs, position[docs], issue[docs]))]
    issues = issue[ordered]
    first = np.r_[True, issues[1:] != issues[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    rank = np.arange(len(ordered)) - np.repeat(starts, np.diff(np.r_[starts, len(ordered)])) + 1
    out = np.zeros(len(live), dtype=np.int32)
    out[ordered] = rank
    return out


def _any_restricted(access: Facet, live: np.ndarray) -> bool:
    """Whether some live document is not public: restricted to groups, or to administrators only (no value)."""
    public = np.zeros(len(live), dtype=bool)
    if PUBLIC in access.names:
        public[access.doc_of_value[access.val == access.names.index(PUBLIC)]] = True
    return bool((live & ~public).any())


def _stored_items(reader: SegmentReader):
    """Every document's stored item in docnum order, deleted ones included (doc values align by docnum)."""
    for docnum in range(reader.doc_count_all()):
        yield Item.from_dict(reader.stored_fields(docnum)["item"])


def _chars(stored: dict[str, Any]) -> int:
    """The size of a stored item, counted in the characters of its texts."""
    return len(stored.get("body") or "") + len(stored.get("title") or "") + 200
