"""Which documents hold a term, exactly, and how well each matches (no Flask, no Whoosh API).

A term of one or two characters is a single gram: its posting list is the
answer. A longer term needs all its character pairs; the postings of its rarest
pairs give candidates, and each candidate's search-form text is checked for the
whole string. The result is exact: the documents whose searchable text (title,
body, issue number and date, 文号; or title alone) contains the term.

Joining marks (``、“”`` …) may stand in the text where :func:`indexer.normalize.term_gaps`
allows: there a pair's candidates also come from the ``joined_grams`` field, and the
check accepts a run of marks at those places.

Ranking is BM25F over terms: occurrences in the title weigh more than in the
body, rarer terms weigh more, and a term standing as a whole jieba word of the
title counts fully there while one found only inside the title's words counts less.
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from indexer.analysis import query_words
from indexer.index.reader import IndexSnapshot
from indexer.normalize import TEXT_ENCODING, needle, term_gaps
from search.errors import QueryTooExpensive
from search.query import Term
from search.ranking import BODY_B, BODY_WEIGHT, K1, TITLE_B, TITLE_WEIGHT

PART_WORD_FACTOR = 0.6  # a title term found only inside longer words
ENOUGH_CANDIDATES = 256  # stop intersecting pair postings once this few candidates remain


@dataclass
class Deadline:
    """A time budget, checked between steps of a search."""

    seconds: float
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise QueryTooExpensive(
                f"the query needed more than {self.seconds * 1000:.0f} ms; use fewer or longer terms"
            )


class Matcher:
    """Term matching and scoring over one index snapshot as one viewer sees it (the snapshot itself, or a
    :class:`~indexer.index.reader.SnapshotView`), with a small cache of term matches.

    Everything a viewer's results are found and ranked with comes from the documents it may see: candidates
    are checked only among them, and lengths, document counts and frequencies are theirs, so a viewer's
    answers (and, but for reading posting lists, their time) are those of an index without the others.
    """

    CACHE_TERMS = 512
    CACHE_KEPT = 256

    def __init__(self, snapshot: IndexSnapshot):
        self.snapshot = snapshot
        self._matches: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._kept: OrderedDict[tuple, np.ndarray] = OrderedDict()
        live = snapshot.live
        avg_title = max(float(snapshot.title_chars[live].mean()) if live.any() else 1.0, 1.0)
        avg_body = max(float(snapshot.body_chars[live].mean()) if live.any() else 1.0, 1.0)
        # BM25's length normalisation of every document, computed once per snapshot.
        self.title_norm = 1 - TITLE_B + TITLE_B * snapshot.title_chars / avg_title
        self.body_norm = 1 - BODY_B + BODY_B * snapshot.body_chars / avg_body

    def docs(self, term: Term, deadline: Deadline | None = None) -> np.ndarray:
        """Sorted global docnums of the live documents holding the term (in titles only, if so scoped)."""
        key = (term.text, term.title_only)
        with self.snapshot.lock:
            hit = self._matches.get(key)
            if hit is not None:
                self._matches.move_to_end(key)
                return hit
        docs = self._find(term.text, term.title_only, deadline)
        docs = docs[self.snapshot.live[docs]] if len(docs) else docs
        with self.snapshot.lock:
            self._matches[key] = docs
            while len(self._matches) > self.CACHE_TERMS:
                self._matches.popitem(last=False)
        return docs

    def kept(self, key: tuple, compute) -> np.ndarray:
        """The documents ``compute()`` gives, kept under ``key`` (answers that depend on the terms alone, such as
        :mod:`search.local.within`'s), the last CACHE_KEPT of them."""
        with self.snapshot.lock:
            hit = self._kept.get(key)
            if hit is not None:
                self._kept.move_to_end(key)
                return hit
        found = compute()
        with self.snapshot.lock:
            self._kept[key] = found
            while len(self._kept) > self.CACHE_KEPT:
                self._kept.popitem(last=False)
        return found

    def _find(self, form: str, title_only: bool, deadline: Deadline | None) -> np.ndarray:
        field = "title_grams" if title_only else "grams"
        snap = self.snapshot
        text, gaps = term_gaps(form)
        if len(text) == 1 or (len(text) == 2 and not gaps):
            return snap.postings(field, text)[0]
        pairs = sorted({(text[i:i + 2], i + 1 in gaps) for i in range(len(text) - 1)},
                       key=lambda p: snap.doc_frequency(field, p[0]))
        candidates = None
        for pair, joined in pairs:
            ids = snap.postings(field, pair)[0]
            if joined:  # the joined pairs of titles are among those of whole documents: the check decides
                ids = union(ids, snap.postings("joined_grams", pair)[0], snap.doc_count)
            candidates = ids if candidates is None else intersect(candidates, ids, snap.doc_count)
            if len(candidates) <= ENOUGH_CANDIDATES:
                break
            if deadline:
                deadline.check()
        if candidates is not None and len(candidates):
            candidates = candidates[snap.live[candidates]]  # only what the viewer may see is checked
        if candidates is None or not len(candidates):
            return np.zeros(0, dtype=np.int64)
        # Documents where the term is an indexed word surely contain it: only the others are checked.
        sure = self._word_docs(text, title_only)
        unsure = difference(candidates, sure, snap.doc_count)
        checked = self._verify(unsure, text.encode(TEXT_ENCODING), title_only, deadline)
        if gaps:  # a text holding the term only across joining marks holds one of its joined pairs: check those
            joined = np.zeros(snap.doc_count, dtype=bool)
            for pair, _ in (p for p in pairs if p[1]):
                joined[snap.postings("joined_grams", pair)[0]] = True
            marked = difference(unsure, checked, snap.doc_count)
            marked = marked[joined[marked]]
            checked = union(checked, self._verify(marked, needle(text, gaps), title_only, deadline), snap.doc_count)
        return union(intersect(candidates, sure, snap.doc_count), checked, snap.doc_count)

    def _word_docs(self, word: str, title_only: bool) -> np.ndarray:
        """Documents holding the string as an indexed word (in titles, or in titles or bodies)."""
        titles = self.snapshot.postings("title", word)[0]
        if title_only:
            return titles
        return union(titles, self.snapshot.postings("body", word)[0], self.snapshot.doc_count)

    def _verify(self, candidates: np.ndarray, needle: bytes | re.Pattern[bytes], title_only: bool,
                deadline: Deadline | None) -> np.ndarray:
        """Keep the candidates whose search-form text really contains the needle (a string or a pattern)."""
        keep = np.zeros(len(candidates), dtype=bool)
        bounds = [s.offset for s in self.snapshot.segments] + [self.snapshot.doc_count]
        cuts = np.searchsorted(candidates, bounds)
        for seg, lo, hi in zip(self.snapshot.segments, cuts[:-1], cuts[1:]):
            if hi > lo:
                keep[lo:hi] = seg.values.contains(candidates[lo:hi] - seg.offset, needle, title_only)
                if deadline:
                    deadline.check()
        return candidates[keep]

    # Ranking

    def scores(self, docs: np.ndarray, terms: list[Term], matched: list[np.ndarray]) -> np.ndarray:
        """BM25F score of each of ``docs`` (sorted) for the positive terms and their match arrays."""
        snap = self.snapshot
        total = np.zeros(len(docs), dtype=np.float64)
        n = max(snap.live_count, 1)
        title_norm, body_norm = self.title_norm[docs], self.body_norm[docs]
        for term, term_docs in zip(terms, matched):
            present = _member(docs, term_docs)
            if not present.any():
                continue
            df = len(term_docs)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            in_title = _member(docs, self._title_docs(term, term_docs))
            tf_title = np.where(in_title, np.maximum(self._frequency(term, docs, "title_grams"), 1), 0)
            tf_body = np.maximum(self._frequency(term, docs, "grams") - tf_title, 0)
            tf = (TITLE_WEIGHT * self._title_word_factor(term, docs) * tf_title / title_norm
                  + BODY_WEIGHT * tf_body / body_norm)
            total += np.where(present, idf * tf * (K1 + 1) / (tf + K1), 0.0)
        return total

    def _title_docs(self, term: Term, term_docs: np.ndarray) -> np.ndarray:
        """Of the documents holding the term, those holding it in their title."""
        if term.title_only:
            return term_docs
        return self.docs(Term(term.text, term.raw, title_only=True))

    def _frequency(self, term: Term, docs: np.ndarray, field: str) -> np.ndarray:
        """Occurrences of the term in each document's field, from its rarest pair (an upper bound)."""
        text = term_gaps(term.text)[0]
        grams = [text] if len(text) <= 2 else [text[i:i + 2] for i in range(len(text) - 1)]
        gram = min(grams, key=lambda g: self.snapshot.doc_frequency(field, g))
        ids, freqs = self.snapshot.postings(field, gram)
        return _lookup(docs, ids, freqs)

    def _title_word_factor(self, term: Term, docs: np.ndarray) -> np.ndarray:
        """1 where the term is a whole word of the title, less where it is only part of the title's words."""
        if not _one_word(term.raw, term.text):
            return np.ones(len(docs))
        whole = self.snapshot.postings("title", term.text)[0]
        return np.where(_member(docs, whole), 1.0, PART_WORD_FACTOR)


@lru_cache(maxsize=4096)
def _one_word(raw: str, form: str) -> bool:
    """Is the query term written ``raw`` one word of jieba's, its search form ``form`` (segmenting it again for every
    search of the term took a tenth of a millisecond)?"""
    words = query_words(raw)
    return len(words) == 1 and words[0] == form


def _member(docs: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """For each of ``docs``, whether it is in ``sorted_ids``."""
    if not len(sorted_ids) or not len(docs):
        return np.zeros(len(docs), dtype=bool)
    mask = np.zeros(max(int(docs.max()), int(sorted_ids.max())) + 1, dtype=bool)
    mask[sorted_ids] = True
    return mask[docs]


# Set operations on sorted document numbers, through a mask over all documents: linear, no sorting.

def union(a: np.ndarray, b: np.ndarray, doc_count: int) -> np.ndarray:
    """Sorted docnums in a or b."""
    if not len(a) or not len(b):
        return a if len(a) else b
    mask = np.zeros(doc_count, dtype=bool)
    mask[a] = True
    mask[b] = True
    return np.flatnonzero(mask)


def intersect(a: np.ndarray, b: np.ndarray, doc_count: int) -> np.ndarray:
    """Sorted docnums in both a and b."""
    if not len(a) or not len(b):
        return a[:0]
    mask = np.zeros(doc_count, dtype=bool)
    mask[a] = True
    return b[mask[b]]


def difference(a: np.ndarray, b: np.ndarray, doc_count: int) -> np.ndarray:
    """Sorted docnums in a and not in b."""
    if not len(a) or not len(b):
        return a
    mask = np.zeros(doc_count, dtype=bool)
    mask[b] = True
    return a[~mask[a]]


def _lookup(docs: np.ndarray, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each of ``docs``, its value in (ids, values), 0 when absent."""
    if not len(ids) or not len(docs):
        return np.zeros(len(docs), dtype=np.float64)
    dense = np.zeros(max(int(docs.max()), int(ids.max())) + 1, dtype=np.float64)
    dense[ids] = values
    return dense[docs]
