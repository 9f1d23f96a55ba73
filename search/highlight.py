"""Highlights from stored text: find the query's terms in the display text, escape, add ``<mark>``.

Terms are in search form (NFKC, lower case, simplified, no whitespace); the display
text is as printed. Each term becomes a pattern that accepts, for every character,
its upper-case, full-width and traditional forms too, whitespace between characters
and joining marks where a match may skip them (:func:`indexer.normalize.term_gaps`),
and is run on the display text itself, so the spans are display offsets at once and
marks fall on the characters as printed.
Nothing is segmented or folded again per hit, and nothing but ``<mark>`` is ever
added to the escaped text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from html import escape

from indexer.normalize import JOINING_MARKS, search_form, term_gaps, traditional_forms
from indexer.passages import display_units

SNIPPET_CHARS = 120
LABEL_CHARS = 40
WINDOW_CANDIDATES = 40  # matches tried as the start of a snippet
SCAN_CHARS = 4000  # characters of a body searched for a snippet
_FULLWIDTH_OFFSET = 0xFEE0  # U+FF01..FF5E are the full-width forms of ASCII ! .. ~
ELLIPSIS = "…"
CLAUSE_MARKS = "。！？；：，、!?;:,）)”」』"  # a snippet may begin just after one of these
MAX_PATTERN_STEPS = 10_000_000  # text length × term length a term's pattern may be run over
FOLD_CHECK_STEPS = 200_000  # above this, a term is first looked for in the folded text (linear) before its pattern
_NO_MARKS = str.maketrans("", "", JOINING_MARKS)


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) display offsets where any of the terms occurs in ``text``."""
    return _merge([(s, e) for s, e, _ in _term_spans(text, terms)])


def _term_spans(text: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every occurrence of each term in ``text``."""
    if not text or not terms:
        return []
    found = [(m.start(), m.end(), term) for term in _findable(text, terms) for m in _pattern(term).finditer(text)
             if m.end() > m.start()]
    found.sort()
    return found


def _findable(text: str, terms: list[str]) -> set[str]:
    """The terms worth looking for in ``text``: a term's pattern, tried at every position, stays within
    MAX_PATTERN_STEPS (500,000 × ``a`` with ``a…ab`` took 25 s), and above FOLD_CHECK_STEPS it runs only when the
    folded text holds the term (a linear check; folding every hit's body for every term would cost more than the
    search itself)."""
    wanted = {t for t in terms if t and len(text) * len(t) <= MAX_PATTERN_STEPS}
    costly = {t for t in wanted if len(text) * len(t) > FOLD_CHECK_STEPS}
    if not costly:
        return wanted
    folded = search_form(text).translate(_NO_MARKS)
    return (wanted - costly) | {t for t in costly if term_gaps(t)[0] in folded}


_PRINTED_MARKS = JOINING_MARKS + "".join(chr(ord(c) + _FULLWIDTH_OFFSET) for c in JOINING_MARKS if "!" <= c <= "~")
_MARK_GAP = r"[\s" + re.escape(_PRINTED_MARKS) + "]*"


@lru_cache(maxsize=1024)
def _pattern(term: str) -> re.Pattern[str]:
    """The term as printed text may hold it: any case, full-width and traditional forms, spaces between,
    joining marks in its gaps."""
    text, gaps = term_gaps(term)
    return re.compile("".join((_MARK_GAP if i in gaps else r"\s*") + _variants(ch) if i else _variants(ch)
                              for i, ch in enumerate(text)))


def _variants(ch: str) -> str:
    """A pattern for one character of a search form and the printed characters that fold to it."""
    forms = {ch, ch.upper(), *traditional_forms(ch)}
    forms |= {chr(ord(c) + _FULLWIDTH_OFFSET) for c in list(forms) if "!" <= c <= "~"}
    if len(forms) == 1:
        return re.escape(ch)
    return "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"


def mark(text: str, marks: list[tuple[int, int]]) -> str:
    """Escaped text with ``<mark>`` around each span."""
    out, at = [], 0
    for s, e in marks:
        out.append(escape(text[at:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(escape(text[at:]))
    return "".join(out)


def highlight(text: str, terms: list[str]) -> str:
    """The whole text, escaped, with the terms marked."""
    return mark(text, spans(text, terms))


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of the text around its best cluster of matches, escaped and marked.

    Matches are looked for in the first SCAN_CHARS characters (the whole text when none is there).
    """
    flat = " ".join(text.split("\n"))
    found = _term_spans(flat[:SCAN_CHARS], terms) or (_term_spans(flat, terms) if len(flat) > SCAN_CHARS else [])
    if not found:
        return escape(_cut(flat, 0, width))
    start = _clause_start(flat, _best_window(len(flat), found, width), found, width)
    end = start + width
    if len(flat) - end <= width // 6:  # a short tail is shown rather than cut off
        end = len(flat)
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in _merge([(s, e) for s, e, _ in found])
              if e > start and s < end]
    body = mark(flat[start:end], inside)
    return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(flat) else "")


def passage(text: str, groups: list[list[str]], level: str, width: int = SNIPPET_CHARS) -> str | None:
    """The snippet of the first paragraph or sentence (``level``) of the text holding a term of every group, marked;
    None when none does (the terms stand together in the title, or only across units)."""
    terms = [t for group in groups for t in group]
    for start, end in display_units(text, level):
        unit = text[start:end]
        if len(unit) * max(map(len, terms), default=1) <= MAX_PATTERN_STEPS and \
                all(any(_pattern(t).search(unit) for t in group if t) for group in groups):
            return snippet(unit.strip(), terms, width)
    return None


def label(title: str, body: str, terms: list[str]) -> str:
    """The marked title, or for an item without one, the marked start of its body."""
    if title:
        return highlight(title, terms)
    flat = " ".join(body.split("\n"))
    cut = flat[:LABEL_CHARS]
    marks = [(s, min(e, len(cut))) for s, e in spans(flat, terms) if s < len(cut)]
    return mark(cut, marks) + (ELLIPSIS if len(flat) > len(cut) else "")


def _best_window(length: int, found: list[tuple[int, int, str]], width: int) -> int:
    """Start of the window holding the most distinct terms, a little before its first match."""
    wanted = len({t for _, _, t in found})
    starts = [s for s, _, _ in found]
    best_start, best_score = 0, -1
    for s in starts[:WINDOW_CANDIDATES]:
        start = max(0, min(s - width // 4, length - width))
        lo, hi = bisect_left(starts, start), bisect_left(starts, start + width)
        score = len({t for a, b, t in found[lo:hi] if b <= start + width})
        if score > best_score:
            best_start, best_score = start, score
            if score == wanted:
                break
    return best_start


def _clause_start(text: str, start: int, found: list[tuple[int, int, str]], width: int) -> int:
    """Move a window's start to where a reader can begin: the text's start when the window's first
    match is near it, else just after the clause mark nearest ``start`` (within a sixth of the width)."""
    first = next(s for s, _, _ in found if s >= start)
    if first < width // 2:
        return 0
    reach = width // 6
    cuts = [i + 1 for i in range(max(0, start - reach), min(first, start + reach)) if text[i] in CLAUSE_MARKS]
    return min(cuts, key=lambda cut: abs(cut - start)) if cuts else start


def _cut(text: str, start: int, width: int) -> str:
    return text[start:start + width] + (ELLIPSIS if len(text) > start + width else "")


def _merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(found):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
