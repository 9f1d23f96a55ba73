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
    masks["department"] = _has_any(snapshot.departments, filters.department) if filters.department else None
    if filters.topic:
        tops = [t for t in filters.topic if SEPARATOR not in t]
        paths = [t for t in filters.topic if SEPARATOR in t]
        masks["topic"] = _has_any(snapshot.topic_tops, tops) | _has_any(snapshot.topics, paths)
    else:
        masks["topic"] = None
    if filters.year:
        wanted = [0 if y == UNKNOWN_YEAR else int(y) for y in filters.year]
        masks["year"] = np.isin(snapshot.year, wanted)
    else:
        masks["year"] = None
    if filters.issue:
        wanted = set(filters.issue)
        masks["issue"] = np.isin(snapshot.issue, [i for i, key in enumerate(snapshot.issue_names) if key in wanted])
    else:
        masks["issue"] = None
    masks["validity"] = np.isin(statuses(snapshot, on), [CODES[v] for v in filters.validity]) \
        if filters.validity else None
    masks["cites"] = citing_mask(snapshot, filters.cites) if filters.cites else None
    return FacetMasks(masks)


def count_facets(snapshot: IndexSnapshot, base: np.ndarray, masks: FacetMasks,
                 filters: Filters, on: int) -> dict[str, list[FacetValue]]:
    """The facets' values and exact counts (see the module docstring)."""
    dept_mask = masks.all_but("department", base)
    topic_mask = masks.all_but("topic", base)
    year_mask = masks.all_but("year", base)
    validity = _statuses(statuses(snapshot, on), masks.all_but("validity", base))
    return {
        "department": _flat(snapshot.departments, dept_mask, filters.department),
        "topic": _topic_tree(snapshot, topic_mask, filters.topic),
        "year": _years(snapshot, year_mask, filters.year),
        "validity": validity_values({code: int(n) for code, n in enumerate(validity)}, filters.validity),
    }


def _statuses(codes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """How many of the masked documents have each validity status (all of them none known, most often)."""
    if not codes.any():
        return np.asarray([int(np.count_nonzero(mask)), 0, 0])
    return np.bincount(codes.take(np.flatnonzero(mask)), minlength=3)


def _has_any(facet: Facet, values: list[str] | tuple[str, ...]) -> np.ndarray:
    """Documents having at least one of the values."""
    ids = [i for i, name in enumerate(facet.names) if name in set(values)]
    hit = np.isin(facet.val, ids)
    docs = facet.doc_of_value[hit]
    mask = np.zeros(len(facet.ptr) - 1, dtype=bool)
    mask[docs] = True
    return mask


def _counts(facet: Facet, mask: np.ndarray) -> np.ndarray:
    """How many of the masked documents have each value (index arrays: faster than boolean masks here)."""
    entries = np.flatnonzero(mask.take(facet.doc_of_value))
    return np.bincount(facet.val.take(entries), minlength=len(facet.names))


def _flat(facet: Facet, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    return flat_values(facet.names, _counts(facet, mask), selected)


def _topic_tree(snapshot: IndexSnapshot, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    """Top-level topics with their counts, each with its second-level children."""
    top_counts = _counts(snapshot.topic_tops, mask)
    path_counts = _counts(snapshot.topics, mask)
    return topic_values(snapshot.topic_tops.names, top_counts, snapshot.topics.names, path_counts,
                        snapshot.topic_children, selected)


def _years(snapshot: IndexSnapshot, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    """Years, newest first, with ``unknown`` last."""
    counts = np.bincount(snapshot.year.take(np.flatnonzero(mask)), minlength=1)
    return year_values({int(y): int(counts[y]) for y in np.flatnonzero(counts)}, selected)


def month_counts(snapshot: IndexSnapshot, docs: np.ndarray) -> dict[str, int]:
    """How many of ``docs`` fall in each month ("01"…"12"), and how many have no date (``unknown``)."""
    dates = snapshot.date.take(docs)
    months = np.bincount((dates[dates > 0] // 100) % 100, minlength=13)
    counts = {m: int(months[int(m)]) for m in MONTHS}
    counts[UNKNOWN_YEAR] = int((dates <= 0).sum())
    return counts
