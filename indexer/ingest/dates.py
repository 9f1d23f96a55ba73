"""Dates and years: from metadata, else from the issue's own text, else unknown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NUMERIC_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# A year written as a date's year: 2022年3月, 2022年度, 2022年底 …
_YEAR_MENTION = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# Years that name a target, not the time of writing: 到2025年, 至2035年 …
_TARGET_YEAR = re.compile(r"(?:到|(?<!截)至|力争|预计|计划)\s*$")


@dataclass(frozen=True)
class Dating:
    """When an item was written, and whether that was read from its text rather than stated."""

    date: str | None = None
    year: int | None = None
    inferred: bool = False


def parse_date(value: object) -> str | None:
    """An ISO date (``YYYY-MM-DD``) from a metadata value, or None when it is not a real date."""
    if not isinstance(value, str):
        return None
    for pattern in (_NUMERIC_DATE, _COMPACT_DATE, _CHINESE_DATE):
        m = pattern.search(value) if pattern is _CHINESE_DATE else pattern.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                return None
    return None


def from_metadata(value: object) -> Dating:
    """A stated date: the year follows from it; nothing is inferred."""
    date = parse_date(value)
    return Dating(date, int(date[:4]), False) if date else Dating()


def from_text(masthead: list[str], text: str, today: dt.date | None = None) -> Dating:
    """The issue's date line if it has one, else the latest year it mentions; marked inferred.

    Years after this year and target years (``到2025年``) are not taken.
    """
    this_year = (today or dt.date.today()).year
    for line in masthead:
        m = _CHINESE_DATE.search(line)
        date = parse_date(m.group(0)) if m else None
        if date and int(date[:4]) <= this_year:
            return Dating(date, int(date[:4]), True)
    years = [
        int(m.group(1))
        for m in _YEAR_MENTION.finditer(text)
        if int(m.group(1)) <= this_year and not _TARGET_YEAR.search(text[max(0, m.start() - 4):m.start()])
    ]
    return Dating(None, max(years), True) if years else Dating()
