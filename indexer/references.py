"""How items name documents, as both backends store it: 63-bit keys of 文号 and titles.

* :func:`own_keys`: what names the item itself: its 文号 (a decree's bare ``第706号`` also as ``<organ>令第706号`` for
  each of its organs) and its exact title;
* :func:`cited_keys`: the 文号 and titles of the documents it cites (``Item.cites``);
* :func:`repealed_keys`: those of the documents it says are no longer in force (``Item.repeals``);
* :func:`valid_until`: the last day of the validity it states for itself, as ``YYYYMMDD`` (0: none stated).

A citation or a repeal names a document of the archive when one of its keys is among that document's own keys:
"which items cite this one" and "which item repeals this one" are lookups of its own keys, on either backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from indexer.docnumbers import bare_serial, typed
from indexer.items import Item, date_number
from indexer.normalize import search_form

NUMBER = "number"
TITLE = "title"
MIN_TITLE = 5  # characters of a title matched exactly (shorter ones name too many things)


def key(kind: str, text: str) -> int:
    """A stable positive 63-bit integer for a 文号 (``kind`` NUMBER) or a title (TITLE), never 0."""
    digest = hashlib.sha1(f"{kind}\x1f{text}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> 1) or 1


def number_key(number: str) -> int | None:
    """The key of a 文号 as written (None when it is not one)."""
    found = typed(number)
    return key(NUMBER, found) if found else None


def title_key(title: str | None) -> int | None:
    """The key of an exact title (its search form, inner 〈〉 read as 《》), None for one too short to name a
    document by."""
    if not title:
        return None
    form = search_form(title).replace("〈", "《").replace("〉", "》")
    return key(TITLE, form) if len(form) >= MIN_TITLE else None


def own_keys(item: Item) -> list[int]:
    """The keys naming the item itself: its 文号 and its title."""
    out = []
    if item.doc_number:
        serial = bare_serial(item.doc_number)
        if serial is None:
            out.append(number_key(item.doc_number))
        else:
            out += [number_key(f"{organ}令第{serial}号") for organ in item.departments]
    out.append(title_key(item.title))
    return _distinct(out)


def cited_keys(item: Item) -> list[int]:
    """The keys of the documents the item cites."""
    return _distinct(k for c in item.cites for k in named_keys(c))


def repealed_keys(item: Item) -> list[int]:
    """The keys of the documents the item says are no longer in force."""
    return _distinct(k for r in item.repeals for k in named_keys(r))


def named_keys(named: dict[str, Any]) -> list[int]:
    """The keys of one citation or repeal (``{"doc_number", "title", …}``): its 文号's, its title's."""
    return _distinct([number_key(named["doc_number"]) if named.get("doc_number") else None,
                      title_key(named.get("title"))])


def valid_until(item: Item) -> int:
    """The last valid day the item states for itself as ``YYYYMMDD``, 0 when it states none."""
    return date_number(item.expires["date"]) if item.expires else 0


def _distinct(keys: Iterable[int | None]) -> list[int]:
    return list(dict.fromkeys(k for k in keys if k is not None))
