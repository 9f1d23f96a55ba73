"""The trend chart of a search: its matches by year (the year facet's counts), or by month when one
year is selected, drawn server-side as SVG bars that link to the filter they stand for."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass

from search import SearchResult
from search.facet_values import UNKNOWN_YEAR

BAR, GAP, HEIGHT = 28, 6, 90  # SVG units: bar width, gap, plot height


@dataclass
class Bar:
    """One bar: what it counts, how many, its geometry and the URL that filters to it."""

    value: str
    label: str
    count: int
    selected: bool
    url: str = ""
    x: int = 0
    y: int = 0
    h: int = 0


@dataclass
class Trend:
    """The bars of a result's trend chart and the chart's size."""

    bars: list[Bar]
    by_month: bool
    width: int
    height: int = HEIGHT


def trend_of(result: SearchResult, link: Callable[[Bar], str] | None = None) -> Trend:
    """The trend of a result: by year, oldest first (``年份不详`` last), or by month of the one selected year."""
    if result.months is not None:
        year = result.query.filters["year"][0]
        bars = [Bar(m, f"{int(m)}月", n, False) for m, n in result.months.items() if m != UNKNOWN_YEAR]
        if result.months.get(UNKNOWN_YEAR):
            bars.append(Bar(UNKNOWN_YEAR, f"{year}年日期不详", result.months[UNKNOWN_YEAR], False))
    else:
        values = sorted(result.facets["year"], key=lambda v: (v.value == UNKNOWN_YEAR, v.value))
        bars = [Bar(v.value, "年份不详" if v.value == UNKNOWN_YEAR else v.value, v.count, v.selected) for v in values]
    peak = max((b.count for b in bars), default=0) or 1
    for i, bar in enumerate(bars):
        bar.h = max(2, round(HEIGHT * bar.count / peak)) if bar.count else 0
        bar.x, bar.y = i * (BAR + GAP), HEIGHT - bar.h
        bar.url = link(bar) if link else ""
    return Trend(bars, result.months is not None, max(len(bars) * (BAR + GAP) - GAP, 1))


def month_range(year: str, month: str) -> tuple[str, str]:
    """The first and last day of a month, as ``date_from`` and ``date_to``."""
    last = calendar.monthrange(int(year), int(month))[1]
    return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
