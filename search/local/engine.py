"""The local engine's search: match, filter, count facets, rank, and make the page of hits.

``search(snapshot, matcher, query, deadline)`` answers a SearchQuery over one
index snapshot; ``ordered_docs`` gives every selected document in result order
(for exports). The time budget is checked between steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from indexer.index.reader import IndexSnapshot
from indexer.items import date_number
from search.facet_values import FILTERS, one_year
from search.local.facets import FacetMasks, Filters, count_facets, facet_masks, month_counts
from search.local.matching import Deadline, Matcher
from search.local.within import within_docs
from search.query import ParsedQuery, parse, titles_only
from search.results import SearchQuery, SearchResult, hit_of
from search.validity import today


@dataclass
class _Selection:
    """The documents a query selects, and what ranking and facet counting need of how."""

    parsed: ParsedQuery
    base: np.ndarray
    filters: Filters
    masks: FacetMasks
    docs: np.ndarray
    matched: list[np.ndarray]
    on: int


def _select(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery, deadline: Deadline | None) -> _Selection:
    parsed = parse(query.q)
    if query.scope == "title":
        parsed = titles_only(parsed)
    base, matched = _match(snapshot, matcher, parsed, query, deadline)
    filters = Filters(**{name: tuple(query.filters[name]) for name in FILTERS})
    on = today()
    masks = facet_masks(snapshot, filters, on)
    docs = np.flatnonzero(masks.all_but("", base))
    return _Selection(parsed, base, filters, masks, docs, matched, on)


def search(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery,
           deadline: Deadline | None = None) -> SearchResult:
    """Run a query: match, filter, count facets, rank, and build the page of hits."""
    started = time.perf_counter()
    sel = _select(snapshot, matcher, query, deadline)
    facets = count_facets(snapshot, sel.base, sel.masks, sel.filters, sel.on)
    if deadline:
        deadline.check()
    order = _order(snapshot, matcher, sel, query, need=query.page * query.size)
    page_docs = order[(query.page - 1) * query.size:]
    terms = [t.text for t in sel.parsed.positive_terms]
    groups = [[t.text for t in group] for group in sel.parsed.groups] if query.within != "item" else None
    hits = [hit_of(snapshot.item(int(d)), terms, groups, query.within) for d in page_docs]
    months = month_counts(snapshot, sel.docs) if one_year(query.filters["year"]) else None
    result = SearchResult(query, int(len(sel.docs)), hits, facets, (time.perf_counter() - started) * 1000,
                        sel.parsed.notes, months=months)
    result.also_searched = sel.parsed.also
    return result


def ordered_docs(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery,
                    deadline: Deadline | None = None) -> np.ndarray:
    """Every document the query selects, in result order (for exports); pages are ignored."""
    sel = _select(snapshot, matcher, query, deadline)
    return _order(snapshot, matcher, sel, query, need=len(sel.docs))


def _match(snapshot: IndexSnapshot, matcher: Matcher, parsed: ParsedQuery, query: SearchQuery,
           deadline: Deadline | None) -> tuple[np.ndarray, list[np.ndarray]]:
    """The mask of documents matching the query (before facet filters), and each positive term's matches."""
    mask = snapshot.live.copy()
    matched: list[np.ndarray] = []
    for group in parsed.groups:
        found = [matcher.docs(t, deadline) for t in group]
        if deadline:
            deadline.check()
        matched.extend(found)
        in_group = np.zeros(snapshot.doc_count, dtype=bool)
        for docs in found:
            in_group[docs] = True
        mask &= in_group
    if query.within != "item" and parsed.groups:
        key = ("within", query.within, tuple(tuple((t.text, t.title_only) for t in g) for g in parsed.groups))
        together = matcher.kept(key, lambda: within_docs(snapshot, matcher, parsed, np.flatnonzero(mask),
                                                         query.within, deadline))
        mask = np.zeros(snapshot.doc_count, dtype=bool)
        mask[together] = True
    for term in parsed.excluded:
        mask[matcher.docs(term, deadline)] = False
    if query.date_from or query.date_to:
        low = date_number(query.date_from) if query.date_from else 1
        high = date_number(query.date_to) if query.date_to else 99991231
        mask &= (snapshot.first_day >= low) & (snapshot.last_day <= high) & (snapshot.first_day > 0)
    return mask, matched


def _order(snapshot: IndexSnapshot, matcher: Matcher, sel: _Selection, query: SearchQuery,
           need: int) -> np.ndarray:
    """The first ``need`` selected documents in result order."""
    docs = sel.docs
    need = min(need, len(docs))
    if not need:
        return docs[:0]
    date = snapshot.first_day[docs].astype(np.float64)
    if query.sort == "date_asc":
        primary = np.where(date > 0, date, np.inf)
    elif query.sort == "date_desc" or sel.parsed.is_empty:
        primary = np.where(date > 0, -date, np.inf)
    else:
        primary = -matcher.scores(docs, sel.parsed.positive_terms, sel.matched)
    if need < len(docs):  # only the best ``need`` (and everything tied with the last of them) are sorted
        kth = np.partition(primary, need - 1)[need - 1]
        keep = primary <= kth
        docs, date, primary = docs[keep], date[keep], primary[keep]
    return docs[np.lexsort((docs, -date, primary))][:need]

