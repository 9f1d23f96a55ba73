"""Text normalisation: clean display text, and the folded form search works on.

Two forms of every text exist. The *display* text keeps the characters as the
source printed them (only control characters, odd line ends and stray spaces are
mended). The *search* form is NFKC-folded (full-width letters and digits become
ASCII), lower-cased, traditional characters turned simplified (OpenCC's t2s
character table, one character for one) and has no whitespace at all: phrases and
substrings are matched on it, so ``２０２２年`` finds ``2022年``, ``習近平`` finds
``习近平`` and a phrase may cross a line break.

The *joining marks* (``、·“”‘’"'`` …) may stand inside a term without stopping a
match: :func:`joined_pairs` gives the character pairs a run of them separates (the
index keeps them beside the adjacent pairs) and :func:`term_gaps` says where inside
a term a match may skip them.
All folding here is plain functions of text, so every backend folds alike.

Search forms are kept and compared as bytes in :data:`TEXT_ENCODING` (two bytes a character for most text):
:func:`needle` is what a text must hold for a term, :func:`holds` looks for it at a character's start.
"""

from __future__ import annotations

import mmap
import re
import unicodedata

import opencc

# Joins the parts of one stored or indexed value (title and body; the parts of an id): clean text never holds
# it, since it is a control character that clean_display removes.
PART_SEPARATOR = "\x1f"
# Control characters other than tab and newline, zero-width characters, BOMs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")
# A run of horizontal whitespace (ASCII, no-break and ideographic spaces).
_HSPACE = re.compile(r"[ \t\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_CHUNK = 64  # characters folded at a time when folding changes a text's length
# Marks that join or quote the words of one phrase (after NFKC: full-width quotes become ASCII): the enumeration
# comma, middle dots, and every pair of quotes and book-title marks, one rule for all (播发央视快评同舟共济 finds
# 播发央视快评《同舟共济…》).
JOINING_MARKS = "、·・•“”‘’「」『』《》〈〉\"'"
MIN_SIDE = 2  # a mark is skipped only between two parts of a term of at least this many characters
_MARKS_CLASS = "[" + re.escape(JOINING_MARKS) + "]"
_JOINED = re.compile(f"([^{re.escape(JOINING_MARKS)}]){_MARKS_CLASS}+(?=([^{re.escape(JOINING_MARKS)}]))")
TEXT_ENCODING = "utf-16-be"  # of the search-form texts, and of the needles looked for in them
_CJK_RANGES = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x30000))


def _t2s_table() -> dict[int, str]:
    """OpenCC's t2s conversion of every CJK character taken alone: a one-for-one character map."""
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {ord(a): b for a, b in zip(chars, converted) if a != b and len(b) == 1}


_T2S = _t2s_table()
_S2T: dict[str, str] = {}
for _code, _simple in _T2S.items():
    _S2T[_simple] = _S2T.get(_simple, "") + chr(_code)


def clean_display(text: str) -> str:
    """Mend what no reader wants: CR/LF line ends, control and zero-width characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def search_form(text: str) -> str:
    """The form substrings are verified on: :func:`fold` without whitespace (joining marks kept)."""
    return _WHITESPACE.sub("", fold(text))


def joined_pairs(form: str) -> list[str]:
    """The pairs of characters of a search form that a run of joining marks separates (``a、“b`` gives ``ab``)."""
    return [m.group(1) + m.group(2) for m in _JOINED.finditer(form)]


def fold(text: str) -> str:
    """NFKC, lower case and traditional to simplified, whitespace kept (the form words are cut from)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_T2S)


def traditional_forms(char: str) -> str:
    """The characters OpenCC's t2s table turns into ``char`` (empty for most)."""
    return _S2T.get(char, "")


def term_gaps(form: str) -> tuple[str, frozenset[int]]:
    """A term's search form without joining marks, and where inside it a text may hold such marks.

    A gap ``k`` lies before the term's ``k``-th character. Marks may stand where the term
    itself has them, and between two parts of at least MIN_SIDE characters each (so ``政务``
    does not find ``施政、务实``, but ``坚定四个自信`` finds ``坚定“四个自信”``). A term of
    nothing but marks is taken as it is.
    """
    needle, gaps = [], set()
    for ch in form:
        if ch in JOINING_MARKS:
            if needle:
                gaps.add(len(needle))
        else:
            needle.append(ch)
    n = len(needle)
    if not n:
        return form, frozenset()
    gaps.update(range(MIN_SIDE, n - MIN_SIDE + 1))
    return "".join(needle), frozenset(k for k in gaps if 0 < k < n)


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """:func:`fold` of the text, and for each folded character its offset in ``text``.

    The offsets are None when folding kept the length (the common case): then they are the identity.
    Otherwise the text is folded in chunks and only chunks that changed length are mapped
    character by character.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    pieces: list[str] = []
    offsets: list[int] = []
    for start in range(0, len(text), _CHUNK):
        chunk = text[start:start + _CHUNK]
        f = fold(chunk)
        if len(f) == len(chunk):
            pieces.append(f)
            offsets.extend(range(start, start + len(chunk)))
            continue
        for i, ch in enumerate(chunk, start):
            g = fold(ch)
            pieces.append(g)
            offsets.extend([i] * len(g))
    return "".join(pieces), offsets


def close_spaces(text: str) -> str:
    """Drop stray spaces inside a paragraph, keeping those between two Latin words or numbers.

    PDF extraction leaves spaces at page joins and between CJK and digits
    (``项目 23个``, ``增长5 %``); they carry no meaning in Chinese. A space between
    two ASCII letters or digits (``Windows 10``) is a real word gap and stays, as one space.
    """

    def mend(m: re.Match[str]) -> str:
        start, end = m.start(), m.end()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        if before and after and _ASCII_ALNUM.match(before) and _ASCII_ALNUM.match(after):
            return " "
        return ""

    return _HSPACE.sub(mend, text).strip()


def display_width(text: str) -> int:
    """Columns the text takes in a fixed-width layout: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_MARK_RUN = b"(?:" + b"|".join(re.escape(m.encode(TEXT_ENCODING)) for m in JOINING_MARKS) + b")*"


def needle(text: str, gaps: frozenset[int]) -> bytes | re.Pattern[bytes]:
    """What a search-form text must hold: the term's bytes, or a pattern allowing joining marks in its gaps."""
    if not gaps:
        return text.encode(TEXT_ENCODING)
    parts = [re.escape(ch.encode(TEXT_ENCODING)) + (_MARK_RUN if i + 1 in gaps else b"") for i, ch in enumerate(text)]
    return re.compile(b"".join(parts))


def holds(needle: bytes | re.Pattern[bytes], texts: bytes | mmap.mmap, start: int = 0, end: int | None = None) -> bool:
    """Whether ``texts[start:end]`` (in TEXT_ENCODING, ``start`` even) holds ``needle`` (a string so encoded, or a
    pattern over such bytes) at a character's start: an even offset, not across two characters."""
    end = len(texts) if end is None else end
    if isinstance(needle, re.Pattern):
        match = needle.search(texts, start, end)
        while match is not None and match.start() % 2:
            match = needle.search(texts, match.start() + 1, end)
        return match is not None
    at = texts.find(needle, start, end)
    while at % 2:  # -1 (not found) is odd too, so: a miss, or a match across characters
        if at < 0:
            return False
        at = texts.find(needle, at + 1, end)
    return True
