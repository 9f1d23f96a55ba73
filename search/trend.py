"""Matches over time: the counts a trend chart draws when one year is selected (by month).

By year, the trend *is* the year facet (counted with every filter but the year's), so
the chart's bars and the facet's counts are the same numbers; by month, the matches of
the selected year are counted by the month of their date, and those with a year but no
date as ``unknown``.
"""

from __future__ import annotations

import numpy as np

from indexer.index.reader import IndexSnapshot
from search.facets import UNKNOWN_YEAR

MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


def month_counts(snapshot: IndexSnapshot, docs: np.ndarray) -> dict[str, int]:
    """How many of ``docs`` fall in each month ("01"…"12"), and how many have no date (``unknown``)."""
    dates = snapshot.date.take(docs)
    months = np.bincount((dates[dates > 0] // 100) % 100, minlength=13)
    counts = {m: int(months[int(m)]) for m in MONTHS}
    counts[UNKNOWN_YEAR] = int((dates <= 0).sum())
    return counts


def one_year(years: list[str]) -> bool:
    """Does the year filter select exactly one known year (so the trend is by month)?"""
    return len(years) == 1 and years[0] != UNKNOWN_YEAR
