"""Text normalisation: clean display text, and the folded form search works on.

Two forms of every text exist. The *display* text keeps the characters as the
source printed them (only control characters, odd line ends and stray spaces are
mended). The *search* form is NFKC-folded (full-width letters and digits become
ASCII), lower-cased and has no whitespace at all: phrases and substrings are
matched on it, so ``２０２２年`` finds ``2022年`` and a phrase may cross a line break.
"""

from __future__ import annotations

import re
import unicodedata

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


def clean_display(text: str) -> str:
    """Mend what no reader wants: CR/LF line ends, control and zero-width characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def search_form(text: str) -> str:
    """The form substrings are matched on: NFKC, lower case, no whitespace."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text).lower())


def fold(text: str) -> str:
    """NFKC and lower case, whitespace kept (the form words are cut from)."""
    return unicodedata.normalize("NFKC", text).lower()


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
