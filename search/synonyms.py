"""Synonyms of search terms (abbreviations and full names), read from ``indexer/data/synonyms.txt``.

One group a line, names separated by whitespace, ``#`` starts a comment. Names are
compared in search form without joining marks, so ``人社局`` and ``人社局`` typed in
full width or traditional characters find the same group.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from indexer.normalize import search_form, term_gaps
from indexer.settings import DATA_DIR

SYNONYMS_FILE = DATA_DIR / "synonyms.txt"


def _key(name: str) -> str:
    return term_gaps(search_form(name))[0]


@lru_cache(maxsize=4)
def load(path: Path = SYNONYMS_FILE) -> dict[str, tuple[str, ...]]:
    """For each name (by its key), the other names of its groups, as written, in file order."""
    groups: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        names = list(dict.fromkeys(line.split("#", 1)[0].split()))
        for name in names:
            others = groups.setdefault(_key(name), [])
            others.extend(n for n in names if _key(n) != _key(name) and n not in others)
    return {key: tuple(names) for key, names in groups.items()}


def synonyms(term: str, limit: int, path: Path = SYNONYMS_FILE) -> list[str]:
    """The names a term also finds: its group's others, leaving out those that hold the term (already found)."""
    key = _key(term)
    found = [n for n in load(path).get(key, ()) if key not in _key(n)]
    return found[:limit]
