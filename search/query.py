"""The query language (docs/api.md, *Query syntax*), parsed into terms. Nothing here can fail.

* words separated by spaces must all be in an item;
* ``"…"`` is one exact string (its spaces are ignored, as in the indexed text);
* ``A OR B`` needs one of them; ``-word`` excludes; ``title:word`` looks only in titles.

Emoji and other symbols (Unicode's So and Sk categories, and the joiners and variation selectors of emoji)
separate unquoted terms, as a space does: ``疫情🌊`` looks for 疫情.
Every term is matched as a substring of the search form of the text (NFKC,
lower case, simplified characters, no whitespace; joining marks such as ``、“”``
may stand inside it), so a word is never missed for having been cut differently.
An unquoted term also finds its synonyms (:mod:`search.synonyms`), listed in
:attr:`ParsedQuery.also`; a quoted phrase stays literal. Input that is not valid
syntax (an unclosed quote, a lone ``-``, ``OR`` at an edge) is read as plain words,
and a note says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer.normalize import search_form
from search.limits import MAX_SYNONYMS, MAX_TERMS
from search.synonyms import synonyms

_TOKEN = re.compile(r'(-?)((?:title|标题):)?(?:"([^"]*)"|(\S+))')


@dataclass(frozen=True)
class Term:
    """One string to find: its search form, as typed, and whether it is limited to titles."""

    text: str
    raw: str
    phrase: bool = False
    title_only: bool = False


@dataclass
class ParsedQuery:
    """Groups that must all match (a group matches when any of its terms does), terms that must not,
    and the synonyms added to the groups (as written in the synonyms file)."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[Term]:
        """Every term that counts for ranking and highlighting."""
        return [t for g in self.groups for t in g]

    @property
    def is_empty(self) -> bool:
        """No positive term: browse everything (minus exclusions)."""
        return not self.groups


def parse(q: str) -> ParsedQuery:
    """Parse a query string; see the module docstring."""
    parsed = ParsedQuery()
    text = unicodedata.normalize("NFKC", q or "").strip()
    if text.count('"') % 2:
        text = text.replace('"', " ")
        parsed.notes.append("an unclosed quote was ignored")
    pieces = text.split('"')
    pieces[0::2] = ["".join(" " if _is_symbol(c) else c for c in piece) for piece in pieces[0::2]]  # outside quotes
    text = '"'.join(pieces)
    units: list[tuple[bool, Term] | str] = []
    for m in _TOKEN.finditer(text):
        negated, scope, quoted, word = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
        if word == "OR" and not negated and not scope:
            units.append("OR")
            continue
        raw = quoted if quoted is not None else word
        if quoted is None and raw.startswith('"'):
            raw = raw.strip('"')
        term = Term(search_form(raw), raw.strip(), phrase=quoted is not None, title_only=bool(scope))
        if not term.text:
            if scope and not negated:  # "title:" alone: the word "title:" itself
                units.append((False, Term(search_form(m.group(0)), m.group(0))))
            continue
        units.append((negated, term))
    _group(units, parsed)
    if len(parsed.positive_terms) + len(parsed.excluded) > MAX_TERMS:
        parsed.notes.append(f"only the first {MAX_TERMS} terms were used")
        _truncate(parsed)
    _add_synonyms(parsed)
    return parsed


def _is_symbol(char: str) -> bool:
    """Whether a character separates terms as a space does: an emoji or another symbol, or what joins emoji."""
    return unicodedata.category(char) in ("So", "Sk") or char in "\u200d\ufe0e\ufe0f"


def literal_query(text: str) -> str:
    """A query that finds every item holding ``text``: its words as plain terms, none read as syntax (no quote
    marks, no leading ``-``, no ``OR``; a word with a colon quoted, so ``title:`` limits nothing)."""
    words = []
    for word in unicodedata.normalize("NFKC", text).replace('"', " ").split():
        word = word.lstrip("-")
        if word and word != "OR":
            words.append(f'"{word}"' if ":" in word else word)
    return " ".join(words)


def _add_synonyms(parsed: ParsedQuery) -> None:
    """Let each unquoted positive term also find its synonyms (in its group, so either matches)."""
    for group in parsed.groups:
        for term in list(group):
            if term.phrase:
                continue
            for name in synonyms(term.raw, MAX_SYNONYMS):
                if name not in parsed.also:
                    parsed.also.append(name)
                group.append(Term(search_form(name), name, title_only=term.title_only))


def _group(units: list, parsed: ParsedQuery) -> None:
    """Join terms around OR into groups; an OR with no term on either side is the word "or"."""
    for i, unit in enumerate(units):
        if unit == "OR":
            before, after = units[i - 1] if i else None, units[i + 1] if i + 1 < len(units) else None
            if _positive(before) and _positive(after):
                continue
            unit = (False, Term("or", "OR"))
            units[i] = unit
        negated, term = unit
        if negated:
            parsed.excluded.append(term)
        elif i and units[i - 1] == "OR" and parsed.groups:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])


def _positive(unit: object) -> bool:
    return isinstance(unit, tuple) and not unit[0]


def _truncate(parsed: ParsedQuery) -> None:
    budget = MAX_TERMS
    groups = []
    for group in parsed.groups:
        if budget <= 0:
            break
        groups.append(group[:budget])
        budget -= len(groups[-1])
    parsed.groups = groups
    parsed.excluded = parsed.excluded[:max(budget, 0)]


def titles_only(parsed: ParsedQuery) -> ParsedQuery:
    """The query with every term limited to titles (``scope=title``)."""
    scoped = ParsedQuery(notes=parsed.notes)
    scoped.groups = [[Term(t.text, t.raw, t.phrase, True) for t in g] for g in parsed.groups]
    scoped.excluded = [Term(t.text, t.raw, t.phrase, True) for t in parsed.excluded]
    return scoped
