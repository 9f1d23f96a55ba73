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

from indexer.ingest.enrich.dates import find_date
from indexer.ingest.enrich.units import Attribution, read_attribution
from indexer.items import ISSUE_NUMBER
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
_RUN_IN_MIN = 8  # characters a title that runs into its body has at least
# How a bulletin item's body opens: its first numbered point, or a time phrase. Where a title runs straight
# into one of these with no space (text from OCR or from a PDF that lost the gap), the title ends there; a quote
# mark before it stays with the body (OCR reads the gap itself as “ at some resolutions).
_BODY_OPENING = re.compile(r"[“”\"']?(?:一是|近日[，,]|今年以来[，,]|近年来[，,])")
# The first run of spaces on a line: where a title that runs into its body ends.
_TITLE_GAP = re.compile(r"^(\S.*?)[ \t\u3000\u00a0]+(\S.*)$")
# A closing attribution: （…） or (…) at the very end of a line, a full stop after it allowed.
_ATTRIBUTION = re.compile(r"[（(]([^（）()]{2,60})[）)][。．.]?[\s\u3000]*$")
# A line that is nothing but a parenthesis: never a title, never the start of an item.
_BRACKETED = re.compile(r"^[（(][^（）()]*[）)][。．.]?$")
# The bulletin's name (刊名): 政务信息, 工作简报, 某某区政务信息 (增刊) ...
_JOURNAL = re.compile(r"^[^。，,；;：:]{0,16}(?:简报|信息|专报|动态|快报|通讯|要情|参阅|周报|月报|专刊|通报|情况)"
                      r"(?:[（(][^（）()]{1,6}[）)])?$")
_TOTAL = re.compile(r"总\s*第\s*(\d+)\s*期")
# The editing unit: 区政府办公室编, …编印, …编发, 主办：…
_EDITOR = re.compile(r"([^\s　：:]{2,30}?)\s*(?:编印|编发|主办|编)(?=\s|$|\d)|主办\s*[：:]\s*(\S{2,30})")
# Masthead lines: the above, a date line, 签发/审核 lines, classification marks, rules of dashes or stars.
_MASTHEAD = re.compile(
    r"^(?:.*第\s*[\d一二三四五六七八九十〇零]+\s*期.*|.*(?:编印|编发|主办|签发|印发).*|.{2,30}编(?:\s.*)?"
    r"|[^。，]{0,20}(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[^。，]{0,10}"
    r"|(?:签发|审核|审签|核稿|主编|责任编辑|编辑|校对)人?\s*[：:].*|.{0,10}(?:内部|注意保存|秘密|机密|仅供参考).{0,10}"
    r"|[-—_＿=＝*★☆◆\s]{3,})$"
)
# A masthead line of the editing unit and the date: 区民政局　　　2024年5月20日.
_UNIT_DATE = re.compile(r"^[^。，,；;：:]{2,40}\s+(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                        r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$")
# Closing lines after the last item: 报：…, 送：…, 抄送：…, 签发/审核, 共印…份, …印发, rules.
_FOOTER = re.compile(r"^(?:报|送|发|抄送|抄报|分送|签发|审核|审签|核稿|责任编辑|编辑|校对)人?\s*[：:]"
                     r"|^[（(]?共印\s*\d+\s*份|印发[）)]?$|^[-—_＿=＝*★☆\s]{3,}$")
_TITLE_MIN, _TITLE_MAX = 6, 60


@dataclass
class Draft:
    """An item as cut out of the issue text, before enrichment."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    attribution: str = ""
    units: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body: paragraphs with stray spaces closed, one a line (spaces between units kept)."""
        return "\n".join(p for p in map(mend_paragraph, self.paragraphs) if p)


def mend_paragraph(paragraph: str) -> str:
    """Close stray spaces, except those inside a closing parenthesis (they separate units and names)."""
    m = _ATTRIBUTION.search(paragraph)
    if not m:
        return close_spaces(paragraph)
    return close_spaces(paragraph[:m.start()]) + re.sub(r"\s+", " ", paragraph[m.start():].strip())


@dataclass
class ParsedIssue:
    """The items of an issue, with the masthead and footer lines set apart."""

    items: list[Draft]
    masthead: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    wrapped_at: int | None = None

    @property
    def header(self) -> IssueHeader:
        """What the masthead and closing lines state about the issue."""
        return read_header(self.masthead, self.footer)

    @property
    def is_bulletin(self) -> bool:
        """Is this a bulletin issue (a numbered masthead, or items closed by attributions) rather than one document?"""
        attributed = sum(1 for d in self.items if d.units)
        if self.header.number:
            return True
        return attributed >= max(2, len(self.items) / 2) or attributed == len(self.items) == 1


@dataclass
class IssueHeader:
    """An issue's metadata as its masthead states it: 刊名, number, editing unit, date."""

    journal: str = ""
    number: str = ""
    year: str = ""
    total: str = ""
    editor: str = ""
    date: str | None = None

    @property
    def name(self) -> str:
        """A readable name: ``政务信息 2023年第14期`` (the parts the masthead states)."""
        year = self.year or (self.date or "")[:4]
        number = f"{year}年第{self.number}期" if year and self.number else f"第{self.number}期" if self.number else ""
        return " ".join(p for p in (self.journal, number) if p)


def read_header(masthead: list[str], footer: list[str]) -> IssueHeader:
    """Read 刊名, 第N期 / 总第N期, the editing unit and the date from masthead (and closing) lines."""
    header = IssueHeader()
    for line in masthead + footer:
        if not header.journal and line in masthead and _JOURNAL.match(line) and not ISSUE_NUMBER.search(line):
            header.journal = line
        if not header.number and (m := ISSUE_NUMBER.search(line)):
            header.year, header.number = m.group(1) or "", m.group(2)
        if not header.total and (m := _TOTAL.search(line)):
            header.total = m.group(1)
        if not header.editor and (m := _EDITOR.search(line)) and line in masthead:
            header.editor = m.group(1) or m.group(2)
        if not header.date and (date := find_date(line)):
            header.date = date
    return header


def split_issue(text: str) -> ParsedIssue:
    """Cut the text of one issue into items (see the module docstring)."""
    lines = [line.strip() for line in clean_display(text).split("\n")]
    lines = [line for line in lines if line]
    masthead: list[str] = []
    while lines and len(masthead) < 10 and (
            _MASTHEAD.match(lines[0]) or _UNIT_DATE.match(lines[0])
            or (not masthead and _JOURNAL.match(lines[0]) and _is_masthead_next(lines))):
        masthead.append(lines.pop(0))
    footer: list[str] = []
    while lines and _FOOTER.search(lines[-1]):
        footer.insert(0, lines.pop())
    width = wrap_width(lines)
    return ParsedIssue(_Splitter(lines, width).run(), masthead, footer, width)


def _is_masthead_next(lines: list[str]) -> bool:
    """Is the line after a possible 刊名 a masthead line (so the 刊名 is not an item's title)?"""
    return len(lines) > 1 and bool(_MASTHEAD.match(lines[1]))


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


def closing_attribution(line: str) -> tuple[str, Attribution] | None:
    """The attribution closing a line (its raw text, units and reporters), or None when there is none."""
    m = _ATTRIBUTION.search(line)
    if not m:
        return None
    found = read_attribution(m.group(1))
    return (m.group(1).strip(), found) if found else None


def attribution_of(line: str) -> tuple[str, list[str]] | None:
    """The attribution closing a line and its units, or None when there is none."""
    found = closing_attribution(line)
    return (found[0], found[1].units) if found else None


def is_title_like(text: str) -> bool:
    """Could this text be a title: short, no sentence punctuation, not a numbered point."""
    return (
        _TITLE_MIN <= len(text) <= _TITLE_MAX
        and not _NOT_IN_TITLE.search(text)
        and not _ENUMERATOR.match(text)
        and text[-1] not in "：:、"
        and text[0] not in BULLETS
        and not _BRACKETED.match(text)
        and attribution_of(text) is None
    )


def _run_in_title(line: str) -> int | None:
    """Where a title ends that runs with no space into its body's opening (一是…, 近日，…); None if not so."""
    for m in _BODY_OPENING.finditer(line, _RUN_IN_MIN):
        if is_title_like(line[:m.start()]):
            return m.start()
        break
    return None


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
        run_in = _run_in_title(line)
        if run_in:
            self.current.title = line[:run_in]
            rest = line[run_in:].lstrip("”\"'")
            self._add(rest, ends_paragraph=self._ends_paragraph(rest))
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
        found = closing_attribution(text)
        if found:
            self.current.attribution, attribution = found
            self.current.units, self.current.reporters = attribution.units, attribution.reporters
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
