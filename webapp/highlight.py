"""Highlights from stored text: find the query's terms in the display text, escape, add ``<mark>``.

Terms are in search form (NFKC, lower case, no whitespace); the display text is
as printed. The text is folded the same way (keeping a map back to the display
offsets), the terms are found in it allowing whitespace between their
characters, and the spans are marked in the escaped display text. Nothing is
segmented again and nothing but ``<mark>`` is ever added to the escaped text.
"""

from __future__ import annotations

import re
from html import escape

from indexer.normalize import fold_with_offsets, search_form

SNIPPET_CHARS = 120
LABEL_CHARS = 40
ELLIPSIS = "…"


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) display offsets where any of the terms occurs in ``text``."""
    if not text or not terms:
        return []
    folded, offsets = fold_with_offsets(text)
    found: list[tuple[int, int]] = []
    for term in {t for t in terms if t}:
        pattern = re.compile(r"\s*".join(re.escape(ch) for ch in term))
        for m in pattern.finditer(folded):
            if m.end() > m.start():
                found.append((offsets[m.start()], offsets[m.end() - 1] + 1) if offsets else (m.start(), m.end()))
    return _merge(found)


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
    """About ``width`` characters of the text around its best cluster of matches, escaped and marked."""
    flat = " ".join(text.split("\n"))
    found = spans(flat, terms)
    if not found:
        return escape(_cut(flat, 0, width))
    start = _best_window(flat, found, terms, width)
    end = min(len(flat), start + width)
    inside = [(max(s, start), min(e, end)) for s, e in found if e > start and s < end]
    body = mark(flat[start:end], [(s - start, e - start) for s, e in inside])
    return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(flat) else "")


def label(title: str, body: str, terms: list[str]) -> str:
    """The marked title, or for an item without one, the marked start of its body."""
    if title:
        return highlight(title, terms)
    flat = " ".join(body.split("\n"))
    cut = flat[:LABEL_CHARS]
    marks = [(s, min(e, len(cut))) for s, e in spans(flat, terms) if s < len(cut)]
    return mark(cut, marks) + (ELLIPSIS if len(flat) > len(cut) else "")


def _best_window(text: str, found: list[tuple[int, int]], terms: list[str], width: int) -> int:
    """Start of the window holding the most distinct terms, a little before its first match."""
    best_start, best_score = 0, -1
    for s, _ in found[:200]:
        start = max(0, min(s - width // 4, len(text) - width))
        window = search_form(text[start:start + width])
        score = sum(1 for t in set(terms) if t in window)
        if score > best_score:
            best_start, best_score = start, score
    return best_start


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
