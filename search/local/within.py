"""Words in one paragraph or one sentence (``within``) on the local engine, exactly.

The documents matching every group of the query anywhere are the candidates; a candidate is kept when one of its
units (:mod:`indexer.passages`: the title, each line or sentence of the body, each other part) holds a term of every
group. An occurrence lies in one unit when no unit begins inside it: the index keeps, for each segment, the offsets
in its stored search forms where units begin (``para_starts``, ``sent_starts``), so an occurrence's unit is a
binary search away.

A query of one group (one term, or terms joined by OR, synonyms included) needs no per-document work for most
candidates: a document holding the term has a valid occurrence unless the term occurs across a unit's beginning, and
the places where it does are found for all candidates at once, by comparing the term's characters around every
unit beginning of theirs (of a line only, unless the term holds a sentence's end before its last character). Only
the documents where it does are checked one by one, as are all candidates of a query of several groups.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

import numpy as np

from indexer.index.docvalues import SegmentValues
from indexer.index.reader import IndexSnapshot
from indexer.normalize import PART_SEPARATOR, TEXT_ENCODING, needle, term_gaps
from indexer.passages import SENTENCE_ENDS
from search.local.matching import Deadline, Matcher, intersect
from search.query import ParsedQuery, Term

MAX_COMPARED = 24  # characters of a term compared around unit beginnings; a longer term's candidates are checked
CHECK_EVERY = 256  # documents checked between two looks at the time budget
_SEPARATOR = ord(PART_SEPARATOR)
_Needle = tuple[bytes | object, bool]  # a term's needle and whether it is looked for in titles only


def within_docs(snapshot: IndexSnapshot, matcher: Matcher, parsed: ParsedQuery, docs: np.ndarray, level: str,
                deadline: Deadline | None = None) -> np.ndarray:
    """Of ``docs`` (sorted, each matching every group somewhere), those where one unit of ``level`` holds a term of
    every group of ``parsed``."""
    if level == "item" or not parsed.groups or not len(docs):
        return docs
    if len(parsed.groups) == 1:
        found = [_one_term(snapshot, matcher, term, intersect(matcher.docs(term, deadline), docs, snapshot.doc_count),
                           level, deadline) for term in parsed.groups[0]]
        return np.unique(np.concatenate(found)) if found else docs[:0]
    groups = [[_needle(t) for t in group] for group in parsed.groups]
    return _checked(snapshot, docs, groups, level, deadline)


def _one_term(snapshot: IndexSnapshot, matcher: Matcher, term: Term, docs: np.ndarray, level: str,
              deadline: Deadline | None) -> np.ndarray:
    """Of ``docs`` (each holding the term), those holding it inside one unit."""
    text, gaps = term_gaps(term.text)
    if not len(docs) or term.title_only:  # a title is one unit
        return docs
    if gaps or len(text) > MAX_COMPARED:
        return _checked(snapshot, docs, [[_needle(term)]], level, deadline)
    inner_end = level == "sentence" and any(ch in SENTENCE_ENDS for ch in text[:-1])
    codes = np.frombuffer(text.encode(TEXT_ENCODING), dtype=">u2").astype(np.int64)
    suspects = []
    for seg, local in _by_segment(snapshot, docs):
        starts = seg.values.arrays["sent_starts" if inner_end else "para_starts"]
        suspects.append(_across(seg.values, starts, local, codes) + seg.offset)
    suspect = np.concatenate(suspects) if suspects else docs[:0]
    if not len(suspect):
        return docs
    sure = docs[~np.isin(docs, suspect)]
    return np.union1d(sure, _checked(snapshot, suspect, [[_needle(term)]], level, deadline))


def _across(values: SegmentValues, starts: np.ndarray, docs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The documents of a segment (local docnums) where the characters ``codes`` occur across a unit's beginning
    inside a part (not at a document's or a part's own beginning, which a separator character precedes)."""
    if len(codes) < 2 or not len(values.texts):
        return docs[:0]
    ptr = values.arrays["text_ptr"]
    lo, hi = np.searchsorted(starts, ptr[docs]), np.searchsorted(starts, ptr[docs + 1])
    counts = hi - lo
    if not counts.sum():
        return docs[:0]
    index = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    owner = np.repeat(docs, counts)
    chars = np.frombuffer(values.texts, dtype=">u2")
    at = starts[index] // 2
    inner = (at > ptr[owner] // 2) & (chars[np.maximum(at - 1, 0)] != _SEPARATOR)
    at, owner = at[inner], owner[inner]
    found = np.zeros(len(at), dtype=bool)
    size = len(codes)
    for before in range(1, size):  # the term starting ``before`` characters ahead of the unit's beginning
        first = at - before
        ok = (first >= 0) & (first + size <= len(chars))
        for j in range(size):
            ok &= chars[np.clip(first + j, 0, len(chars) - 1)] == codes[j]
        found |= ok
    return np.unique(owner[found])


def _checked(snapshot: IndexSnapshot, docs: np.ndarray, groups: list[list[_Needle]], level: str,
             deadline: Deadline | None) -> np.ndarray:
    """Of ``docs``, those where one unit holds a needle of every group, each document checked."""
    kept = []
    for seg, local in _by_segment(snapshot, docs):
        starts = seg.values.arrays["sent_starts" if level == "sentence" else "para_starts"]
        mask = np.zeros(len(local), dtype=bool)
        for n, doc in enumerate(local.tolist()):
            mask[n] = _one_unit(seg.values, starts, doc, groups)
            if deadline and n % CHECK_EVERY == CHECK_EVERY - 1:
                deadline.check()
        kept.append(local[mask] + seg.offset)
    return np.concatenate(kept) if kept else docs[:0]


def _one_unit(values: SegmentValues, starts: np.ndarray, doc: int, groups: list[list[_Needle]]) -> bool:
    """Does one unit of the document hold a needle of every group?"""
    ptr = values.arrays["text_ptr"]
    begin, end = int(ptr[doc]), int(ptr[doc + 1])
    title_end = int(values.arrays["title_end"][doc])
    units = starts[np.searchsorted(starts, begin):np.searchsorted(starts, end)].tolist()
    common: set[int] | None = None
    for group in groups:
        held = set()
        for found, title_only in group:
            for a, b in _occurrences(found, values.texts, begin, title_end if title_only else end):
                unit = bisect_right(units, a)
                if unit == bisect_right(units, b - 2) and (common is None or unit in common):
                    held.add(unit)
        common = held if common is None else common & held
        if not common:
            return False
    return True


def _occurrences(found, texts, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) byte offsets of every occurrence of a needle (bytes or a pattern) at a character's start."""
    if isinstance(found, bytes):
        at = texts.find(found, start, end)
        while at >= 0:
            if at % 2 == 0:
                yield at, at + len(found)
            at = texts.find(found, at + 1, end)
        return
    match = found.search(texts, start, end)
    while match is not None:
        if match.start() % 2 == 0:
            yield match.start(), match.end()
        match = found.search(texts, match.start() + 1, end)


def _needle(term: Term) -> _Needle:
    text, gaps = term_gaps(term.text)
    return needle(text, gaps), term.title_only


def _by_segment(snapshot: IndexSnapshot, docs: np.ndarray) -> Iterator[tuple]:
    """Each segment with the (local) docnums of ``docs`` it holds."""
    bounds = [s.offset for s in snapshot.segments] + [snapshot.doc_count]
    cuts = np.searchsorted(docs, bounds)
    for seg, lo, hi in zip(snapshot.segments, cuts[:-1], cuts[1:]):
        if hi > lo:
            yield seg, docs[lo:hi] - seg.offset
