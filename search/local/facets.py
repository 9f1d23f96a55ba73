"""Exact facet counts from the snapshot's per-document arrays.

Each facet is counted over the documents that match the query and every filter
*except that facet's own*, so a person can see how many a second department
would add (disjunctive faceting). Counts come from ``bincount`` over the value
ids of the matching documents: no per-hit work, no Whoosh grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexer.index.reader import Facet, IndexSnapshot
from indexer.items import SEPARATOR
from search.facet_values import (
    MONTHS,
    UNKNOWN_YEAR,
    FacetValue,
    flat_values,
    topic_values,
    validity_values,
    year_values,
)
from search.local.references import citing_mask, statuses
from search.validity import CODES

FEW_DOCS = 20  # a mask selecting fewer than one document in this many is counted from its documents' rows


@dataclass
class Filters:
    """The selected values of each facet (values in one facet combine with OR)."""

    department: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    validity: tuple[str, ...] = ()
    issue: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()

    def of(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)


@dataclass
class FacetMasks:
    """For each facet, which documents pass its filter (None when it has none)."""

    masks: dict[str, np.ndarray | None] = field(default_factory=dict)

    def all_but(self, name: str, base: np.ndarray) -> np.ndarray:
        """``base`` and every facet filter except ``name``'s."""
        out = base
        for other, mask in self.masks.items():
            if other != name and mask is not None:
                out = out & mask
        return out


def facet_masks(snapshot: IndexSnapshot, filters: Filters, on: int) -> FacetMasks:
    """Which documents each facet's selected values admit (validity as of day ``on``)."""
    masks: dict[str, np.ndarray | None] = {}
    masks["department"] = _has_any(snapshot, [("departments", d) for d in filters.department])
    masks["topic"] = _has_any(snapshot, [("topics" if SEPARATOR in t else "topic_tops", t) for t in filters.topic])
    if filters.year:
        masks["year"] = np.isin(snapshot.year, [0 if y == UNKNOWN_YEAR else int(y) for y in filters.year])
    else:
        masks["year"] = None
    if filters.issue:
        wanted = set(filters.issue)
        masks["issue"] = _among(snapshot.issue, [i for i, key in enumerate(snapshot.issue_names) if key in wanted],
                                len(snapshot.issue_names))
    else:
        masks["issue"] = None
    masks["validity"] = np.isin(statuses(snapshot, on), [CODES[v] for v in filters.validity]) \
        if filters.validity else None
    masks["cites"] = citing_mask(snapshot, filters.cites) if filters.cites else None
    return FacetMasks(masks)


def count_facets(snapshot: IndexSnapshot, base: np.ndarray, masks: FacetMasks,
                 filters: Filters, on: int) -> dict[str, list[FacetValue]]:
    """The facets' values and exact counts (see the module docstring)."""
    selected = _Selected()
    dept = selected(masks.all_but("department", base))
    topic = selected(masks.all_but("topic", base))
    year = selected(masks.all_but("year", base))
    validity = _statuses(statuses(snapshot, on), selected(masks.all_but("validity", base))[1])
    return {
        "department": flat_values(snapshot.departments.names, _counts(snapshot.departments, *dept),
                                  filters.department),
        "topic": _topic_tree(snapshot, topic, filters.topic),
        "year": _years(snapshot, year, filters.year),
        "validity": validity_values({code: int(n) for code, n in enumerate(validity)}, filters.validity),
    }


class _Selected:
    """A mask with its documents' numbers, found once for each mask (with no facet filter, the facets count over
    the same one)."""

    def __init__(self) -> None:
        self._found: list[tuple[np.ndarray, np.ndarray]] = []

    def __call__(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        for known, docs in self._found:
            if known is mask:
                return known, docs
        self._found.append((mask, np.flatnonzero(mask)))
        return self._found[-1]


def _statuses(codes: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """How many of the documents (their numbers) have each validity status (all of them none known, most often)."""
    if not codes.any():
        return np.asarray([len(docs), 0, 0])
    return np.bincount(codes.take(docs), minlength=3)


def _has_any(snapshot: IndexSnapshot, values: list[tuple[str, str]]) -> np.ndarray | None:
    """Documents having at least one of the (facet, value) pairs; None for no pairs (no filter)."""
    if not values:
        return None
    masks = [snapshot.having(facet, value) for facet, value in values]
    return masks[0] if len(masks) == 1 else np.logical_or.reduce(masks)


def _among(value_ids: np.ndarray, wanted: list[int], size: int) -> np.ndarray:
    """For each of ``value_ids`` (each below ``size``), whether it is one of ``wanted`` (a table lookup: ``isin``
    compares every entry with every wanted id)."""
    table = np.zeros(max(size, 1), dtype=bool)
    table[wanted] = True
    return table[value_ids] if len(value_ids) else np.zeros(0, dtype=bool)


def _counts(facet: Facet, mask: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """How many of the masked documents (``docs``, their numbers) have each value: from the documents' own rows
    when they are few, else from every value's entry (index arrays: faster than boolean masks here)."""
    if len(docs) * FEW_DOCS < len(mask):
        starts = facet.ptr.take(docs)
        lengths = facet.ptr.take(docs + 1) - starts
        entries = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
    else:
        entries = np.flatnonzero(mask.take(facet.doc_of_value))
    return np.bincount(facet.val.take(entries), minlength=len(facet.names))


def _topic_tree(snapshot: IndexSnapshot, selected: tuple[np.ndarray, np.ndarray],
                tops: tuple[str, ...]) -> list[FacetValue]:
    """Top-level topics with their counts, each with its second-level children."""
    top_counts = _counts(snapshot.topic_tops, *selected)
    path_counts = _counts(snapshot.topics, *selected)
    return topic_values(snapshot.topic_tops.names, top_counts, snapshot.topics.names, path_counts,
                        snapshot.topic_children, tops)


def _years(snapshot: IndexSnapshot, selected: tuple[np.ndarray, np.ndarray],
           chosen: tuple[str, ...]) -> list[FacetValue]:
    """Years, newest first, with ``unknown`` last."""
    counts = np.bincount(snapshot.year.take(selected[1]), minlength=1)
    return year_values({int(y): int(counts[y]) for y in np.flatnonzero(counts)}, chosen)


def month_counts(snapshot: IndexSnapshot, docs: np.ndarray) -> dict[str, int]:
    """How many of ``docs`` fall in each month ("01"…"12"), and how many have no date (``unknown``)."""
    dates = snapshot.date.take(docs)
    months = np.bincount((dates[dates > 0] // 100) % 100, minlength=13)
    counts = {m: int(months[int(m)]) for m in MONTHS}
    counts[UNKNOWN_YEAR] = int((dates <= 0).sum())
    return counts
