"""Laid-out pages to one issue text: running headers and footers and page numbers removed.

The page texts are then joined with line breaks and reflowed by the same
splitter as PDF-extracted ``.txt`` files (:mod:`indexer.ingest.split.split`), so an
item never breaks at a page or line end.
"""

from __future__ import annotations

import re
from collections import Counter

# A line that is only a page number: 1, - 2 -, — 3 —, 第 4 页, 第5页 共9页, 6/9, Page 7 ...
PAGE_NUMBER = re.compile(
    r"^[\s\-—–―_·.]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:[/／]|共)\s*\d{1,4}\s*页?)?[\s\-—–―_·.]*$"
    r"|^\s*(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_EDGE_LINES = 2  # lines at the top and at the bottom of a page looked at for running headers and footers
_MIN_PAGES = 3  # a header or footer is "running" only over this many pages or more


def join_pages(pages: list[list[str]]) -> str:
    """The text of pages given as lines, without page numbers and the lines repeated at their edges."""
    running = _running_lines(pages)
    out: list[str] = []
    for lines in pages:
        lines = [line for line in lines if line.strip()]
        keep = []
        for i, line in enumerate(lines):
            at_edge = i < _EDGE_LINES or i >= len(lines) - _EDGE_LINES
            if at_edge and (PAGE_NUMBER.match(line) or _shape(line) in running):
                continue
            keep.append(line)
        out.extend(keep)
    return "\n".join(out)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked) at the edge of at least half the pages, when there are enough pages."""
    if len(pages) < _MIN_PAGES:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        lines = [line for line in lines if line.strip()]
        counts.update({_shape(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    return {shape for shape, n in counts.items() if n * 2 >= len(pages)}


def _shape(line: str) -> str:
    """A line with its digits masked and spaces removed (page 3 and page 4 have one header)."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))
