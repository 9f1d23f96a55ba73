"""Facet values as every backend answers them: the facets, their listed values and the year trend's months.

A backend counts (the local engine over arrays, the cluster with grouped queries); the lists of
:class:`FacetValue` it answers are made here, so both list, order and cut values alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indexer.items import SEPARATOR, UNFILED
from search.validity import LABELS

FACETS = ("department", "topic", "year", "validity")
# The issue filter (an issue key) and the cites filter (a 文号 the items cite) narrow results but are not counted.
FILTERS = (*FACETS, "issue", "cites")
UNKNOWN_YEAR = "unknown"
MAX_VALUES = 50  # values listed a facet (the selected ones are always listed)
MONTHS = tuple(f"{m:02d}" for m in range(1, 13))  # of the trend when one year is selected


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


def flat_values(names: list[str], counts, selected: tuple[str, ...]) -> list[FacetValue]:
    """A flat facet's listed values from the count of each name (indexed like ``names``)."""
    return _listed(names, counts, selected, MAX_VALUES)


def topic_values(top_names: list[str], top_counts, path_names: list[str], path_counts,
                 children_of: dict[str, list[int]], selected: tuple[str, ...]) -> list[FacetValue]:
    """The topic tree from counts of top-level topics and of topic paths (each indexed like its names); the items
    without a topic (UNFILED) last."""
    tops = _listed(top_names, top_counts, selected, MAX_VALUES)
    tops.sort(key=lambda v: v.value == UNFILED)  # stable: the others keep their order
    for top in tops:
        idx = children_of.get(top.value, [])
        children = sorted((i for i in idx if path_counts[i] or path_names[i] in selected),
                          key=lambda i: (-path_counts[i], path_names[i]))
        top.children = [FacetValue(path_names[i], int(path_counts[i]), path_names[i] in selected)
                        for i in children if SEPARATOR in path_names[i]]
    return tops


def year_values(by_year: dict[int, int], selected: tuple[str, ...]) -> list[FacetValue]:
    """Years with a count (0 is the unknown year), newest first, with ``unknown`` last."""
    values = [FacetValue(str(y), c, str(y) in selected) for y, c in sorted(by_year.items(), reverse=True) if y]
    if 0 in by_year or UNKNOWN_YEAR in selected:
        values.append(FacetValue(UNKNOWN_YEAR, by_year.get(0, 0), UNKNOWN_YEAR in selected))
    listed = {v.value for v in values}
    values += [FacetValue(s, 0, True) for s in selected if s not in listed]
    return values


def validity_values(counts: dict[int, int], selected: tuple[str, ...]) -> list[FacetValue]:
    """The validity facet from counts by status code: 已废止, 已失效, 未见废止 in this order, those with a count or
    selected."""
    return [FacetValue(label, int(counts.get(code, 0)), label in selected) for code, label in LABELS.items()
            if counts.get(code, 0) or label in selected]


def one_year(years: list[str]) -> bool:
    """Does the year filter select exactly one known year (so the trend is by month)?"""
    return len(years) == 1 and years[0] != UNKNOWN_YEAR


def _listed(names: list[str], counts: Sequence[int], selected: tuple[str, ...], limit: int) -> list[FacetValue]:
    """Values with a count, most first (ties by name), cut at ``limit``; selected values always kept."""
    order = sorted((i for i in range(len(names)) if counts[i] or names[i] in selected),
                   key=lambda i: (-counts[i], names[i]))
    shown = order[:limit] + [i for i in order[limit:] if names[i] in selected]
    values = [FacetValue(names[i], int(counts[i]), names[i] in selected) for i in shown]
    known = set(names)
    values += [FacetValue(s, 0, True) for s in selected if s not in known]
    return values
