"""An item's citations resolved against the archive, and the items citing it: assembled at query time, the same way
by both backends from the items they look up (:mod:`indexer.references`).

A citation (``Item.cites``) names a document of the archive when that document's own keys hold the citation's 文号
(first) or its exact title. The backends look up the items the viewer may see whose own keys meet the item's cited
keys (``holders``), and those whose cited keys meet the item's own keys (``citers``); nothing else is read.
"""

from __future__ import annotations

from typing import Any

from indexer.items import Item
from indexer.references import cited_keys, number_key, own_keys, title_key
from search.limits import MAX_CITED_BY
from search.validity import day_range


def resolved_cites(item: Item, holders: list[Item]) -> list[dict[str, Any]]:
    """The item's citations as the API gives them, ``{"doc_number", "title", "id"}``: ``id`` is the document of
    the archive it names among ``holders`` (by 文号, else by exact title); a 《title》 without a 文号 that names no
    such document is no citation and is left out."""
    holders = sorted((h for h in holders if h.id != item.id), key=lambda h: h.id)
    keys = {h.id: set(own_keys(h)) for h in holders}
    out = []
    for cite in item.cites:
        wanted = [k for k in (number_key(cite["doc_number"]) if cite.get("doc_number") else None,
                              title_key(cite.get("title"))) if k is not None]
        found = next((h for k in wanted for h in holders if k in keys[h.id]), None)
        if found is not None:
            out.append({"doc_number": cite.get("doc_number") or found.doc_number,
                        "title": cite.get("title") or found.title, "id": found.id})
        elif cite.get("doc_number"):
            out.append({"doc_number": cite["doc_number"], "title": cite.get("title"), "id": None})
    return out


def citing(item: Item, citers: list[Item]) -> list[dict[str, Any]]:
    """The items citing ``item`` (by its 文号 or exact title), newest first, at most MAX_CITED_BY:
    ``{"id", "title", "doc_number", "date", "year"}``."""
    mine = set(own_keys(item))
    found = [c for c in citers if c.id != item.id and mine & set(cited_keys(c))]
    found.sort(key=newest_first)
    return [{"id": c.id, "title": c.title, "doc_number": c.doc_number, "date": c.date, "year": c.year}
            for c in found[:MAX_CITED_BY]]


def newest_first(item: Item) -> tuple[int, int, str]:
    """The order of lists newest first: by the latest day an item may be dated, undated ones last, then by id."""
    last = day_range(item)[1]
    return (0 if last else 1, -last, item.id)
