"""Splitting the text of one bulletin issue into items: title, body, attribution.

An issue is a run of items; each item is a title, a body and, at its end, the
reporting unit in full-width parentheses: ``……精简率约 91%。（区委编办）``.
Two layouts reach us:

* **PDF-extracted text**: lines hard-wrapped at one width (often with blank
  lines between them), stray spaces at page joins. Lines are joined back into
  paragraphs: a line ends its paragraph only when it is shorter than the wrap
  width *and* ends a sentence.
* **One paragraph per line**: each non-blank line is a paragraph.

A title is found at the start of each item: before a space on the item's first
line (``我区探索设立重点项目“首席服务官” 一是选派业务``), or as one or two short lines of
their own with no sentence punctuation. ``△`` items have no title. The closing
``（…）`` ends an item when it names units; an item with no attribution ends
where the next one visibly starts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.ingest.units import split_units
from indexer.normalize import clean_display, close_spaces, display_width

# Marks that open a short item with no title.
BULLETS = "△▲◆■●▶►"
# Characters that end a sentence (a paragraph can end after them).
_SENTENCE_END = "。！？!?；;…）)”’」』】"
# Punctuation no title contains.
_NOT_IN_TITLE = re.compile(r"[。；;！!？?，,]")
# Numbered points open body paragraphs, never titles: 一是, （一）, 一、, 1. ...
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[是要]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|[一二三四五六七八九十]+、|\d+[、.．)）]|第[一二三四五六七八九十\d]+[，、,])"
)
# The first run of spaces on a line: where a title that runs into its body ends.
_TITLE_GAP = re.compile(r"^(\S.*?)[ \t\u3000\u00a0]+(\S.*)$")
# A closing attribution: （…） at the very end of a line.
_ATTRIBUTION = re.compile(r"[（(]([^（）()]{2,60})[）)][\s\u3000]*$")
# Masthead lines of an issue: 第5期, 总第12期, …编印, a date line, 政务信息 …
_MASTHEAD = re.compile(
    r"^(?:.{0,20}(?:简报|信息|专报|动态|快报|通讯|要情|参阅|周报|月报)"
    r"|.*第\s*[\d一二三四五六七八九十〇零]+\s*期.*|.*(?:编印|编发|主办|签发|印发).*"
    r"|[^。，]{0,20}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。，]{0,10})$"
)
# Distribution lines after the last item: 报：…, 送：…, 抄送：…, 共印…份
_FOOTER = re.compile(r"^(?:报|送|发|抄送|抄报|分送)\s*[：:]|^[（(]?共印\s*\d+\s*份")
_TITLE_MIN, _TITLE_MAX = 6, 60


@dataclass
class Draft:
    """An item as cut out of the issue text, before enrichment."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    attribution: str = ""
    units: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body: paragraphs with stray spaces closed, one a line (spaces between units kept)."""
        return "\n".join(p for p in map(_mend_paragraph, self.paragraphs) if p)


def _mend_paragraph(paragraph: str) -> str:
    """Close stray spaces, except those separating the units of a closing attribution."""
    m = _ATTRIBUTION.search(paragraph)
    if not m or not attribution_of(paragraph):
        return close_spaces(paragraph)
    return close_spaces(paragraph[:m.start()]) + re.sub(r"\s+", " ", paragraph[m.start():].strip())


@dataclass
class ParsedIssue:
    """The items of an issue, with the masthead and footer lines set apart."""

    items: list[Draft]
    masthead: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    wrapped_at: int | None = None


def split_issue(text: str) -> ParsedIssue:
    """Cut the text of one issue into items (see the module docstring)."""
    lines = [line.strip() for line in clean_display(text).split("\n")]
    lines = [line for line in lines if line]
    masthead: list[str] = []
    while lines and len(masthead) < 6 and _MASTHEAD.match(lines[0]):
        masthead.append(lines.pop(0))
    footer: list[str] = []
    while lines and _FOOTER.search(lines[-1]):
        footer.insert(0, lines.pop())
    width = wrap_width(lines)
    return ParsedIssue(_Splitter(lines, width).run(), masthead, footer, width)


def wrap_width(lines: list[str]) -> int | None:
    """The width PDF text was wrapped at, or None when lines are whole paragraphs.

    Wrapped text has many lines of (nearly) one display width; a width shared by
    at least 40% of the lines, give or take three columns, is taken as the wrap.
    """
    widths = [display_width(line) for line in lines]
    if len(widths) < 6:
        return None
    counts = Counter(widths)
    best = max(range(20, 161), key=lambda w: sum(counts[w + d] for d in range(-2, 3)))
    share = sum(1 for w in widths if abs(w - best) <= 3) / len(widths)
    return best if share >= 0.4 else None


def attribution_of(line: str) -> tuple[str, list[str]] | None:
    """The attribution closing a line and its units, or None when there is none."""
    m = _ATTRIBUTION.search(line)
    if not m:
        return None
    units = split_units(m.group(1))
    return (m.group(1).strip(), units) if units else None


def is_title_like(text: str) -> bool:
    """Could this text be a title: short, no sentence punctuation, not a numbered point."""
    return (
        _TITLE_MIN <= len(text) <= _TITLE_MAX
        and not _NOT_IN_TITLE.search(text)
        and not _ENUMERATOR.match(text)
        and text[-1] not in "：:、"
        and text[0] not in BULLETS
        and attribution_of(text) is None
    )


class _Splitter:
    """Walks the lines of one issue and cuts them into drafts."""

    def __init__(self, lines: list[str], width: int | None):
        self.lines = lines
        self.width = width
        self.items: list[Draft] = []
        self.current: Draft | None = None
        self.paragraph: list[str] = []

    def run(self) -> list[Draft]:
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if self.current is not None and not self.paragraph and self._starts_item(i):
                self._close_item()
            if self.current is None:
                i = self._open_item(i)
                continue
            self._add(line, ends_paragraph=self._ends_paragraph(line))
            i += 1
        self._close_item()
        return self.items

    def _open_item(self, i: int) -> int:
        """Start an item at line i: find its title; return the next line to read."""
        line = self.lines[i]
        self.current = Draft()
        if line[0] in BULLETS:
            self._add(line, ends_paragraph=self._ends_paragraph(line))
            return i + 1
        gap = _TITLE_GAP.match(line)
        if gap and is_title_like(gap.group(1)):
            self.current.title = gap.group(1)
            # The body's first words are not a full line: never a paragraph end by width.
            self._add(gap.group(2), ends_paragraph=self.width is None)
            return i + 1
        title_lines = self._title_lines(i)
        if title_lines:
            self.current.title = close_spaces("".join(self.lines[i:i + title_lines]))
            return i + title_lines
        self._add(line, ends_paragraph=self._ends_paragraph(line))
        return i + 1

    def _title_lines(self, i: int) -> int:
        """How many lines from i (1 or 2) form a title of their own before a body line; 0 if none."""
        for count in (1, 2):
            if i + count >= len(self.lines):
                return 0
            title = self.lines[i:i + count]
            if not all(map(self._short_title_line, title)) or len("".join(title)) > _TITLE_MAX:
                return 0
            if not self._short_title_line(self.lines[i + count]):
                return count
        return 0

    def _short_title_line(self, line: str) -> bool:
        return is_title_like(line) and not self._is_full(line)

    def _starts_item(self, i: int) -> bool:
        """Does line i visibly start a new item although the current one had no attribution?"""
        line = self.lines[i]
        if line[0] in BULLETS:
            return True
        if not self.current or not self.current.paragraphs:
            return False
        last = self.current.paragraphs[-1]
        if not last or last[-1] not in _SENTENCE_END:
            return False
        gap = _TITLE_GAP.match(line)
        if gap and is_title_like(gap.group(1)) and len(gap.group(1)) >= 8:
            return True
        return self._title_lines(i) > 0 and len(line) >= 8

    def _is_full(self, line: str) -> bool:
        return self.width is not None and display_width(line) >= self.width - 3

    def _ends_paragraph(self, line: str) -> bool:
        if self.width is None:
            return True
        return not self._is_full(line) and line[-1] in _SENTENCE_END

    def _add(self, text: str, ends_paragraph: bool) -> None:
        """Add a line to the paragraph being read; close the paragraph or the item when it ends them."""
        if self.paragraph and re.match(r"[A-Za-z]", text) and re.search(r"[A-Za-z]$", self.paragraph[-1]):
            text = " " + text  # a Latin word wrapped at a line end keeps its space
        self.paragraph.append(text)
        found = attribution_of(text)
        if found:
            self.current.attribution, self.current.units = found
            self._close_item()
        elif ends_paragraph:
            self._close_paragraph()

    def _close_paragraph(self) -> None:
        if self.paragraph and self.current is not None:
            self.current.paragraphs.append("".join(self.paragraph))
        self.paragraph = []

    def _close_item(self) -> None:
        self._close_paragraph()
        if self.current is not None and (self.current.title or self.current.paragraphs):
            self.items.append(self.current)
        self.current = None
