"""Completions for a partial query: matching titles, departments and topics."""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer.index.reader import Facet, IndexSnapshot
from indexer.normalize import search_form
from search.local.matching import Matcher
from search.query import Term
from search.results import item_path


def suggestions(snapshot: IndexSnapshot, matcher: Matcher, q: str, limit: int = 8) -> list[dict[str, Any]]:
    """Up to ``limit`` suggestions: facet values containing the text, then the newest titles containing it."""
    form = search_form(q)
    if not form:
        return []
    out: list[dict[str, Any]] = []
    for kind, facet in (("department", snapshot.departments), ("topic", snapshot.topics)):
        out.extend({"type": kind, "value": name, "count": count} for name, count in _values(snapshot, facet, form)[:2])
    docs = matcher.docs(Term(form, q, title_only=True))
    docs = docs[snapshot.live[docs]]  # a view's live: only what the viewer may see
    newest = docs[np.argsort(-snapshot.date[docs], kind="stable")][: limit - len(out)]
    seen: set[str] = set()
    for doc in newest:
        item = snapshot.item(int(doc))
        if item.title not in seen:
            seen.add(item.title)
            out.append({"type": "title", "value": item.title, "id": item.id, "url": item_path(item.id)})
    return out[:limit]


def _values(snapshot: IndexSnapshot, facet: Facet, form: str) -> list[tuple[str, int]]:
    """Facet values containing the text, with their live counts, most first."""
    wanted = [i for i, name in enumerate(facet.names) if form in search_form(name)]
    if not wanted:
        return []
    counts = np.bincount(facet.val[snapshot.live[facet.doc_of_value]], minlength=len(facet.names))
    return sorted(((facet.names[i], int(counts[i])) for i in wanted if counts[i]), key=lambda v: -v[1])
