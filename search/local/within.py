"""Words in one paragraph or one sentence (``within``) on the local engine, exactly.

The documents matching every group of the query anywhere are the candidates; a candidate is kept when one of its
units (:mod:`indexer.passages`: the title, each line or sentence of the body, each other part) holds a term of every
group. An occurrence lies in one unit when no unit begins inside it: the index keeps, for each segment, the offsets
in its stored search forms where units begin (``para_starts``, ``sent_starts``), so an occurrence's unit is a
binary search away.

A query of one group (one term, or terms joined by OR, synonyms included) needs no per-document work for most
candidates: a document holding the term has a valid occurrence unless the term occurs across a unit's beginning, and
the places where it does are found for the whole segment at once, by comparing the term's characters around every
unit beginning (of a line only, unless the term holds a sentence's end before its last character). Only the
documents where it does, and those that may hold the term only across joining marks, are checked one by one, as
are all candidates of a query of several groups.
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
_CHAR = "<u2"  # characters of the stored forms compared as they are stored (the same reading on both sides)
_SEPARATOR = np.frombuffer(PART_SEPARATOR.encode(TEXT_ENCODING), dtype=_CHAR)[0]
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
    if len(text) > MAX_COMPARED:
        return _checked(snapshot, docs, [[_needle(term)]], level, deadline)
    marked = _marked(snapshot, text, gaps, docs)  # those that may hold it only across joining marks: checked
    plain = np.setdiff1d(docs, marked, assume_unique=True) if len(marked) else docs
    inner_end = level == "sentence" and any(ch in SENTENCE_ENDS for ch in text[:-1])
    codes = np.frombuffer(text.encode(TEXT_ENCODING), dtype=_CHAR)
    suspects = [_across(seg.values, "sent" if inner_end else "para", local, codes) + seg.offset
                for seg, local in _by_segment(snapshot, plain)]
    checked = np.union1d(marked, np.concatenate(suspects)) if suspects else marked
    sure = np.setdiff1d(plain, checked, assume_unique=True) if len(checked) else plain
    if not len(checked):
        return sure
    return np.union1d(sure, _checked(snapshot, checked, [[_needle(term)]], level, deadline))


def _marked(snapshot: IndexSnapshot, text: str, gaps: frozenset[int], docs: np.ndarray) -> np.ndarray:
    """Of ``docs``, those where a pair of the term's characters stands across joining marks at one of its gaps (the
    only ones that may hold it that way: the index keeps such pairs, :mod:`search.local.matching`)."""
    if not gaps:
        return docs[:0]
    joined = np.zeros(snapshot.doc_count, dtype=bool)
    for k in gaps:
        joined[snapshot.postings("joined_grams", text[k - 1:k + 1])[0]] = True
    return docs[joined[docs]]


def _across(values: SegmentValues, level: str, docs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The documents of a segment (local docnums, among ``docs``) where the characters ``codes`` occur across a
    unit's beginning inside a part (:func:`_inner`): for each place ``k`` in the term, the unit beginnings whose
    character is the term's ``k``-th are compared with the rest of it."""
    size = len(codes)
    if size < 2 or not len(docs) or not len(values.texts):
        return docs[:0]
    at, first_chars = _inner(values, level)
    chars = np.frombuffer(values.texts, dtype=_CHAR)
    found = []
    for k in range(1, size):  # the term starting k characters before the unit's beginning
        start = at[first_chars == codes[k]] - k
        start = start[(start >= 0) & (start + size <= len(chars))]
        for j in range(size):
            if j != k and len(start):
                start = start[chars[start + j] == codes[j]]
        found.append(start)
    starts = np.concatenate(found)
    if not len(starts):
        return docs[:0]
    owners = np.searchsorted(values.arrays["text_ptr"] // 2, starts, "right") - 1
    return np.intersect1d(owners, docs)


def _inner(values: SegmentValues, level: str) -> tuple[np.ndarray, np.ndarray]:
    """A segment's unit beginnings inside a part, as character offsets (not a document's or a part's own beginning,
    which a separator character precedes), and the character at each; worked out once a segment."""
    kept = values.__dict__.setdefault("_inner_starts", {})
    if level not in kept:
        chars = np.frombuffer(values.texts, dtype=_CHAR)
        at = values.arrays[f"{level}_starts"] // 2
        at = at[(at > 0) & (at < len(chars))]
        at = at[chars[at - 1] != _SEPARATOR]
        doc_starts = values.arrays["text_ptr"] // 2
        at = at[doc_starts[np.minimum(np.searchsorted(doc_starts, at), len(doc_starts) - 1)] != at]
        kept[level] = (at, chars[at])
    return kept[level]


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
