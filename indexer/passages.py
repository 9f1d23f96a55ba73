"""Paragraphs and sentences: where ``within=paragraph|sentence`` looks for a query's terms together.

A paragraph is a line of the body; a sentence ends after ``。！？；`` (and whatever folds to them: ``!?;``) or at
a line break. The title is one paragraph and one sentence, and so is each other searchable part (an issue's number
and date, the 文号): nothing is ever joined across parts.

Both backends cut alike because both cut the search forms (:func:`indexer.normalize.search_form`) here: the local
index stores where each unit begins (:func:`unit_starts`), the cluster checks the units of a stored item
(:func:`units`). The search form of a body is the forms of its lines put together (folding never joins characters
across a line break), so a unit's form is a slice of the stored one. :func:`display_units` cuts printed text the same
way, for snippets.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from indexer.items import Item, searchable_parts
from indexer.normalize import fold, search_form

LEVELS = ("item", "paragraph", "sentence")
SENTENCE_ENDS = "。!?;"  # in search form (！？； fold to !?;)
_SPACE = re.compile(r"\s")  # what search forms drop, character by character
_LINE_OR_END = re.compile("[\n" + re.escape(SENTENCE_ENDS) + "]")
BODY = 1  # the index of the body among the searchable parts


def unit_starts(item: Item, forms: list[str], level: str) -> list[int]:
    """Where each unit of ``level`` begins, as character offsets in the parts' forms joined by one separator
    character (the text the local index stores): each part's start, and in the body each line's and sentence's."""
    return both_unit_starts(item, forms, (level,))[level]


def both_unit_starts(item: Item, forms: list[str], levels: tuple[str, ...] = ("paragraph", "sentence")
                     ) -> dict[str, list[int]]:
    """:func:`unit_starts` of each of ``levels``, the body folded once."""
    inner = _inner_starts(item.body, forms[BODY]) if len(forms) > BODY else ([], [])
    out = {}
    for level in levels:
        starts: list[int] = []
        at = 0
        for n, form in enumerate(forms):
            starts.append(at)
            if n == BODY and level != "item":
                starts.extend(at + offset for offset in inner[level == "sentence"])
            at += len(form) + 1
        out[level] = starts
    return out


def units(item: Item, level: str) -> list[str]:
    """The search forms of the item's units of ``level`` (paragraphs or sentences; at ``item`` its parts)."""
    forms = [search_form(part) for part in searchable_parts(item)]
    text = "\x1f".join(forms)
    starts = unit_starts(item, forms, level) + [len(text) + 1]
    return [text[a:b].rstrip("\x1f") for a, b in zip(starts, starts[1:]) if b > a]


def _inner_starts(body: str, form: str) -> tuple[list[int], list[int]]:
    """Offsets in the body's form where a line begins, and where a line or a sentence begins, the first excepted:
    the places after a line break (or a sentence's end) in the folded body, less the whitespace before them, which
    the form drops."""
    folded = fold(body)
    spaces = [m.start() for m in _SPACE.finditer(folded)]
    if len(folded) - len(spaces) != len(form):  # never seen: then the body is one unit
        return [], []
    lines, both = [], []
    for m in _LINE_OR_END.finditer(folded):
        at = m.end() - bisect_left(spaces, m.end())
        if 0 < at < len(form):
            both.append(at)
            if m.group() == "\n":
                lines.append(at)
    return list(dict.fromkeys(lines)), list(dict.fromkeys(both))


def display_units(text: str, level: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs or sentences of printed text, empty ones left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        cuts = [start] + ([start + i + 1 for i, ch in enumerate(line) if _ends_sentence(ch)] if level == "sentence"
                          else []) + [end]
        spans.extend((a, b) for a, b in zip(cuts, cuts[1:]) if line[a - start:b - start].strip())
        start = end + 1
    return spans


@lru_cache(maxsize=4096)
def _ends_sentence(ch: str) -> bool:
    folded = fold(ch)
    return bool(folded) and folded[-1] in SENTENCE_ENDS
