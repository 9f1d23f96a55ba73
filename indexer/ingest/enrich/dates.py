"""Dates and years: as stated (metadata, a date line, a 落款), else a year read from the text, marked inferred.

Dates are read in every form offices write them: ``2017年2月8日``, ``二〇一七年二月八日``,
``2017-02-08``, ``2017.2.8``, ``2017/02/08``, full-width digits (``２０２４年１月２３日``) too.
A year is inferred only from the text's own date expressions: the year of its own 文号 (``〔2022〕``), a line
that is only a year and month (``二〇二二年十二月``); in a bulletin also its issue number (``2022年第5期``) and
the year and month its items date their events by (``2022年3月底前``), not a birth-year limit
(``1980年1月及以后出生``), the end of a validity period or a target (``有效期至2028年``, ``到2025年``), nor a
blank form's date (``2023年 月 日``). Never from any number followed by 年.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_NUMERIC_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DIGIT = "〇○零O０一二三四五六七八九"
_CN_DIGITS = {c: i % 10 for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0, "０": 0}
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"
# A date in Chinese numerals: 二〇〇四年一月十六日, 二○一二年一月九日.
_CN_DATE = re.compile(rf"([{_DIGIT}]{{4}})\s*年\s*({_CN_NUMBER})\s*月\s*({_CN_NUMBER})\s*日")
# A date with digits: 2017年2月8日, 2017-02-08, 2017.2.8, 2017/02/08.
_DIGIT_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                         r"|[-/.](\d{1,2})[-/.](\d{1,2})(?!\d))")
# A line that is nothing but a date (a 落款 or an issue's date line), brackets and spaces allowed.
_DATE_ONLY = re.compile(rf"^[\s（(]*(?:{_CN_DATE.pattern}|{_DIGIT_DATE.pattern})[\s）)]*$")
# Years that name a target or a period's end, not the time of writing: 到2025年, 至2035年, 有效期至 …
_TARGET_YEAR = re.compile(r"(?:到|(?<!截)至|力争|预计|计划|有效期)\s*$")
# An event's year and month, as a bulletin item dates what it reports: 2022年3月底前, 2022年1-3月.
_EVENT_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*(?:[-—至~]\s*\d{1,2}\s*)?月(?!\s*日)"
                          r"(?!.{0,4}(?:以后|以前|之后|之前)?出生)")
# The year of a 文号 (〔2022〕) and of an issue number (2022年第5期).
_NUMBER_YEAR = re.compile(r"[〔［\[]\s*((?:19|20)\d{2})\s*[〕］\]]")
_ISSUE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*第\s*\d+\s*期")
# A line that is only a year and month (a cover's or a 落款's date without its day): 二〇二二年十二月, 2022年12月.
_MONTH_ONLY = re.compile(rf"^[\s（(]*(?:([{_DIGIT}]{{4}})\s*年\s*{_CN_NUMBER}\s*月"
                         r"|((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月)[\s）)]*$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_HAS_FULL_WIDTH = re.compile("[０-９]")


def _ascii_digits(text: str) -> str:
    """Full-width digits as ASCII ones (translated only where there are any: most text has none)."""
    return text.translate(_FULL_WIDTH) if _HAS_FULL_WIDTH.search(text) else text


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
    if _CN_DATE.search(value):
        return find_date(value)
    for pattern in (_NUMERIC_DATE, _COMPACT_DATE, _CHINESE_DATE):
        m = pattern.search(value) if pattern is _CHINESE_DATE else pattern.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                return None
    return None


def _cn_number(text: str) -> int:
    """二十七 -> 27, 十 -> 10, 九 -> 9."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first real date written in the text, in any of the forms offices use, as ``YYYY-MM-DD``."""
    text = _ascii_digits(text)
    found: list[tuple[int, str]] = []
    for m in _DIGIT_DATE.finditer(text):
        month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        if (date := _iso(int(m.group(1)), int(month), int(day))):
            found.append((m.start(), date))
            break
    for m in _CN_DATE.finditer(text):
        year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        if (date := _iso(year, _cn_number(m.group(2)), _cn_number(m.group(3)))):
            found.append((m.start(), date))
            break
    return min(found)[1] if found else None


def date_line(line: str) -> str | None:
    """The date when the line is nothing but a date (a 落款 date, an issue's date line), else None."""
    return find_date(line) if _DATE_ONLY.match(_ascii_digits(line.strip())) else None


def month_line(line: str) -> int | None:
    """The year of a line that is only a year and month (``二〇二二年十二月``, ``2022年12月``), else None."""
    m = _MONTH_ONLY.match(_ascii_digits(line.strip()))
    if not m:
        return None
    return int(m.group(2)) if m.group(2) else int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))


def from_metadata(value: object) -> Dating:
    """A stated date: the year follows from it; nothing is inferred."""
    date = parse_date(value)
    return Dating(date, int(date[:4]), False) if date else Dating()


def stated(*values: object) -> Dating:
    """The first of several stated dates (metadata values or dates found in text) that is a real date."""
    for value in values:
        found = from_metadata(value)
        if found.date:
            return found
    return Dating()


def from_text(text: str, bulletin: bool = False, doc_number: str | None = None, today: dt.date | None = None) -> Dating:
    """The latest year of the text's own date expressions (see the module docstring), marked inferred.

    ``doc_number`` is the document's own 文号 (those it cites are not its own). Years after this year and targets
    (``到2025年``) are not taken.
    """
    this_year = (today or dt.date.today()).year
    text = _ascii_digits(text)
    years = [int(m.group(1)) for m in _NUMBER_YEAR.finditer(_ascii_digits(doc_number or ""))]
    years += [year for line in text.split("\n") if (year := month_line(line))]
    if bulletin:
        years += [int(m.group(1)) for m in _ISSUE_YEAR.finditer(text)]
        years += [int(m.group(1)) for m in _EVENT_MONTH.finditer(text)
                  if 1 <= int(m.group(2)) <= 12 and not _TARGET_YEAR.search(text[max(0, m.start() - 4):m.start()])]
    years = [year for year in years if year <= this_year]
    return Dating(None, max(years), True) if years else Dating()
