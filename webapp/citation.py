"""A citation of an item in the form of GB/T 7714-2015 (信息与文献 参考文献著录规则).

A work bulletin is read as a newspaper-like serial: the standard's form for an
article in a newspaper (8.4 连续出版物中的析出文献; the [N] examples), online ([N/OL]):

    主要责任者. 题名[N/OL]. 报纸名, 出版日期(版次)[引用日期]. 获取和访问路径.

* 主要责任者: the reporting units, at most three, then ", 等" (8.1.2); none when unknown
  (the entry starts with the title, 8.1.1 note);
* 报纸名: the issue's name (an issue named only by its file is cited as 工作简报);
* 出版日期: YYYY-MM-DD; a year only, as the year; a year guessed from the text, in
  square brackets (8.4.1: an estimated year is bracketed); unknown, left out;
* 版次: the item's place in the issue, as 第N条 in place of the page number of a newspaper;
* 引用日期 and 获取和访问路径: the day of citing, in square brackets, and the item's permalink.
"""

from __future__ import annotations

import datetime as dt

from indexer.items import Item
from search.results import IssueSummary

MAX_AUTHORS = 3


def citation(item: Item, issue_name: str, permalink: str, today: dt.date) -> str:
    """The GB/T 7714-2015 entry of an item (see the module docstring)."""
    units = item.departments[:MAX_AUTHORS]
    authors = ", ".join(units) + (", 等" if len(item.departments) > MAX_AUTHORS else "")
    title = item.title or item.body[:30]
    if item.date and not item.date_inferred:
        date = item.date
    elif item.date or item.year:
        year = item.date[:4] if item.date else str(item.year)
        date = f"[{year}]" if item.date_inferred else year
    else:
        date = ""
    where = issue_name + (f", {date}" if date else "") + f"(第{item.position}条)"
    head = f"{authors}. " if authors else ""
    return f"{head}{title}[N/OL]. {where}[{today.isoformat()}]. {permalink}."


def serial_name(item: Item) -> str:
    """The name a citation gives the issue's serial: its own name, or 工作简报 when it is named only by its file."""
    summary = IssueSummary(item.issue_key, item.issue, item.date, item.year, 1, item.source, item.title)
    return item.issue if summary.label == item.issue else "工作简报"
