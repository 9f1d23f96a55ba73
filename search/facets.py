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
from indexer.ingest.enrich.topics import SEPARATOR

FACETS = ("department", "topic", "year")
FILTERS = (*FACETS, "issue")  # the issue filter (an issue key) narrows results but is not counted as a facet
UNKNOWN_YEAR = "unknown"
MAX_VALUES = 50  # values listed a facet (the selected ones are always listed)


@dataclass
class FacetValue:
    """One value of a facet: its count among the matches, whether it is selected, and its children."""

    value: str
    count: int
    selected: bool = False
    children: list[FacetValue] | None = None

    def to_dict(self) -> dict:
        d = {"value": self.value, "count": self.count, "selected": self.selected}
        if self.children is not None:
            d["children"] = [c.to_dict() for c in self.children]
        return d


@dataclass
class Filters:
    """The selected values of each facet (values in one facet combine with OR)."""

    department: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    issue: tuple[str, ...] = ()

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


def facet_masks(snapshot: IndexSnapshot, filters: Filters) -> FacetMasks:
    """Which documents each facet's selected values admit."""
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
    return FacetMasks(masks)


def count_facets(snapshot: IndexSnapshot, base: np.ndarray, masks: FacetMasks,
                 filters: Filters) -> dict[str, list[FacetValue]]:
    """The three facets' values and exact counts (see the module docstring)."""
    dept_mask = masks.all_but("department", base)
    topic_mask = masks.all_but("topic", base)
    year_mask = masks.all_but("year", base)
    return {
        "department": _flat(snapshot.departments, dept_mask, filters.department),
        "topic": _topic_tree(snapshot, topic_mask, filters.topic),
        "year": _years(snapshot, year_mask, filters.year),
    }


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


def _listed(names: list[str], counts: np.ndarray, selected: tuple[str, ...], limit: int) -> list[FacetValue]:
    """Values with a count, most first (ties by name), cut at ``limit``; selected values always kept."""
    order = sorted((i for i in range(len(names)) if counts[i] or names[i] in selected),
                   key=lambda i: (-counts[i], names[i]))
    shown = order[:limit] + [i for i in order[limit:] if names[i] in selected]
    values = [FacetValue(names[i], int(counts[i]), names[i] in selected) for i in shown]
    known = set(names)
    values += [FacetValue(s, 0, True) for s in selected if s not in known]
    return values


def _flat(facet: Facet, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    return flat_values(facet.names, _counts(facet, mask), selected)


def flat_values(names: list[str], counts, selected: tuple[str, ...]) -> list[FacetValue]:
    """A flat facet's listed values from the count of each name (indexed like ``names``)."""
    return _listed(names, counts, selected, MAX_VALUES)


def _topic_tree(snapshot: IndexSnapshot, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    """Top-level topics with their counts, each with its second-level children."""
    top_counts = _counts(snapshot.topic_tops, mask)
    path_counts = _counts(snapshot.topics, mask)
    return topic_values(snapshot.topic_tops.names, top_counts, snapshot.topics.names, path_counts,
                        snapshot.topic_children, selected)


def topic_values(top_names: list[str], top_counts, path_names: list[str], path_counts,
                 children_of: dict[str, list[int]], selected: tuple[str, ...]) -> list[FacetValue]:
    """The topic tree from counts of top-level topics and of topic paths (each indexed like its names)."""
    tops = _listed(top_names, top_counts, selected, MAX_VALUES)
    for top in tops:
        idx = children_of.get(top.value, [])
        children = sorted((i for i in idx if path_counts[i] or path_names[i] in selected),
                          key=lambda i: (-path_counts[i], path_names[i]))
        top.children = [FacetValue(path_names[i], int(path_counts[i]), path_names[i] in selected)
                        for i in children if SEPARATOR in path_names[i]]
    return tops


def _years(snapshot: IndexSnapshot, mask: np.ndarray, selected: tuple[str, ...]) -> list[FacetValue]:
    """Years, newest first, with ``unknown`` last."""
    counts = np.bincount(snapshot.year.take(np.flatnonzero(mask)), minlength=1)
    return year_values({int(y): int(counts[y]) for y in np.flatnonzero(counts)}, selected)


def year_values(by_year: dict[int, int], selected: tuple[str, ...]) -> list[FacetValue]:
    """Years with a count (0 is the unknown year), newest first, with ``unknown`` last."""
    values = [FacetValue(str(y), c, str(y) in selected) for y, c in sorted(by_year.items(), reverse=True) if y]
    if 0 in by_year or UNKNOWN_YEAR in selected:
        values.append(FacetValue(UNKNOWN_YEAR, by_year.get(0, 0), UNKNOWN_YEAR in selected))
    listed = {v.value for v in values}
    values += [FacetValue(s, 0, True) for s in selected if s not in listed]
    return values
