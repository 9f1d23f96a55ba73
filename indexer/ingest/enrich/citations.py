"""The documents a text cites: every 文号 it mentions (:mod:`indexer.docnumbers`) and every 《title》 that may name
a document, read at indexing time.

A citation is ``{"doc_number": "国办发〔2016〕82号" | None, "title": "…" | None}``: a 《title》 followed by its
文号 in brackets (``《国务院办公厅关于…的通知》（国办发〔2016〕82号）``) is one citation with both. A 《title》 counts
only when it may name a document: five characters or more, ending with a kind of document (通知, 意见, 办法, 条例,
预案 …, a note such as ``（试行）`` after it allowed); whether it names one of the archive is known only at query
time (by exact title). Not citations of others: the item's own 文号 (a decree's ``第707号`` is its
``国务院令第707号``), and the 文号 on its 版记 lines (``抄送：…``, ``…印发``) at the end.

:func:`stated_number` reads a record's own 文号 from the head of its text, where exports copied from gov.cn print
it under (or run on from) the title.
"""

from __future__ import annotations

import re
from typing import Any

from indexer.docnumbers import NumberMention, bare_serial, canonical, find_numbers, is_decree, serial
from indexer.ingest.split.gongwen import is_record_line
from indexer.items import Item
from indexer.normalize import search_form

MIN_TITLE = 5  # characters of a 《title》 that may name a document (not 《决定》, an abbreviation)
MAX_TITLE = 200
# The kind of document a title ends with (GB/T 9704's 文种 and the names of rules, plans and laws), before a note
# on its edition or standing.
_KIND = re.compile(r"(?:通知|通报|意见|决定|决议|命令|公告|通告|批复|报告|请示|函|纪要|议案|答复|办法|规定|条例|细则|"
                   r"规则|规程|章程|方案|规划|纲要|计划|要点|预案|目录|清单|标准|准则|指南|指引|制度|措施|法|协议|"
                   r"协定|公约|守则|意见书|安排|决议案)(?:[（(][^（）()]{1,20}[）)])*$")
_BEFORE_NUMBER = re.compile(r"\s*[（(]\s*")  # between a 《title》 and its 文号
RECORD_LINES = 8  # lines from the end a 版记 may begin in
_HEAD_CHARS = 300  # characters of a record's text its own 文号 stands within
_BOOK_MARKS = re.compile("[《》\n]")
_NOT_HEAD = re.compile(r"[。；;：:！!？?]")


def citations(item: Item) -> list[dict[str, Any]]:
    """The documents the item cites, in the order they are first named (see the module docstring)."""
    text = item.body
    end = _record_start(text)
    titles = [t for t in book_titles(text) if t[0] < end]
    numbers = [m for m in find_numbers(text) if m.start < end and not is_own(item.doc_number, m.number)]
    paired: dict[int, NumberMention] = {}
    for start, stop, _ in titles:
        for m in numbers:
            if m.start >= stop and _BEFORE_NUMBER.fullmatch(text[stop:m.start]):
                paired[start] = m
    found: list[tuple[int, str | None, str | None]] = []
    own_title = title_form(item.title) if item.title else None
    for start, _, title in titles:
        number = paired.get(start)
        if title_form(title) == own_title and number is None:
            continue
        if is_document_title(title) or number is not None:
            found.append((start, number.number if number else None, title if is_document_title(title) else None))
    used = {id(m) for m in paired.values()}
    found += [(m.start, m.number, None) for m in numbers if id(m) not in used]
    found.sort(key=lambda f: f[0])
    out: list[dict[str, Any]] = []
    by_number: dict[str, dict[str, Any]] = {}
    by_title: dict[str, dict[str, Any]] = {}
    for _, number, title in found:
        entry = (by_number.get(number) if number else None) or (by_title.get(title_form(title)) if title else None)
        if entry is None:
            entry = {"doc_number": number, "title": title}
            out.append(entry)
        entry["doc_number"] = entry["doc_number"] or number
        entry["title"] = entry["title"] or title
        if number:
            by_number[number] = entry
        if title:
            by_title[title_form(title)] = entry
    return out


def is_own(own: str | None, number: str) -> bool:
    """Is the (canonical) number the item's own 文号 ``own`` (as stated), a decree's bare ``第N号`` included?"""
    if not own:
        return False
    if canonical(own) == number:
        return True
    bare = bare_serial(own)
    return bare is not None and is_decree(number) and serial(number) == bare


def book_titles(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inside) of every outermost 《…》 of the text on one line (inner 《》 and 〈〉 kept)."""
    out: list[tuple[int, int, str]] = []
    if "《" not in text:
        return out
    depth, start = 0, 0
    for m in _BOOK_MARKS.finditer(text):
        i, ch = m.start(), m.group(0)
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i + 1, text[start + 1:i]))
        elif ch == "\n":
            depth = 0
    return out


def is_document_title(title: str | None) -> bool:
    """May the 《title》 name a document (long enough, ending with a kind of document)?"""
    return bool(title) and MIN_TITLE <= len(title) <= MAX_TITLE and "\n" not in title and bool(_KIND.search(title))


def title_form(title: str) -> str:
    """A title as titles are compared: its search form, inner 〈〉 read as 《》."""
    return search_form(title).replace("〈", "《").replace("〉", "》")


def stated_number(title: str, body: str) -> str | None:
    """A record's own 文号 when its text begins with it: the first 文号 of the text, right after the title (as
    exports of gov.cn pages run them on), or first on a line of its own, or a decree's number (``中华人民共和国国务院令
    第432号《电力监管条例》已经…``); never one in brackets, nor one the text goes on to speak of (``国发〔2005〕18号文件
    停止执行``)."""
    found = find_numbers(body[:_HEAD_CHARS])
    if not found:
        return None
    first = found[0]
    before = search_form(body[:first.start])
    if before == search_form(title) and before:
        return first.number
    after = body[first.end:].lstrip(" \t\u3000")
    alone = not after or after[0] == "\n"
    return first.number if not before and (alone or is_decree(first.number)) else None


def _record_start(text: str) -> int:
    """Where the 版记 (抄送 and 印发 lines) begins among the last lines of the text; its length when there is none."""
    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    first = len(lines)
    for n in range(len(lines) - 1, max(-1, len(lines) - 1 - RECORD_LINES), -1):
        if is_record_line(lines[n].strip()):
            first = n
    return offsets[first] if first < len(lines) else len(text)
