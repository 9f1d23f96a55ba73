"""A citation of an item in the form of GB/T 7714-2015 (信息与文献 参考文献著录规则), by what the item is.

* A document (a 公文, a web article: what /issues lists as a 单篇文件) is an electronic resource (4.6, [EB/OL])::

      发文机关. 题名: 文号[EB/OL]. (发布日期)[引用日期]. 获取和访问路径.

* An item of a numbered bulletin issue (``政务信息 2023年第14期``, an upload named ``2024年第5期``) is an article of
  a serial (4.4, [J/OL]); the bulletin's name is the issue's name without its number and date, 工作简报 when
  nothing is left::

      报送单位. 题名[J/OL]. 刊名, 年(期): 第N条[引用日期]. 获取和访问路径.

* An item of an issue named by its date (``新闻联播 2012-07-02``) or by its file only is an article of a
  newspaper-like serial (4.4, [N/OL])::

      报送单位. 题名[N/OL]. 刊名, 出版日期(第N条)[引用日期]. 获取和访问路径.

Units: at most three, then ``等``. A year guessed from the text is bracketed in a serial's year (``[2021]``) and
left out of a stated date. :func:`csl_record` gives the item as CSL-JSON and :func:`citation` renders it as the
official CSL style ``china-national-standard-gb-t-7714-2015-numeric`` does (``tests/test_citation.py`` renders
the same records with citeproc-py and that style and compares).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from indexer.items import ISSUE_NUMBER, Item, issue_facts
from search.results import IssueSummary, short_label

MAX_AUTHORS = 3  # the style's et-al-use-first; et-al-min is one more
UNTITLED_CHARS = 30  # of an untitled item's text that stands for its title
GENERIC_SERIAL = "工作简报"
KIND_ZH = {"webpage": "电子资源", "article-journal": "连续出版物（期刊）中的析出文献",
           "article-newspaper": "连续出版物（报纸）中的析出文献"}


def csl_record(item: Item, issue: IssueSummary, permalink: str, today: dt.date) -> dict[str, Any]:
    """The item as a CSL-JSON record of its kind (see the module docstring)."""
    record: dict[str, Any] = {"id": item.id, "title": item.title or short_label(item.body, UNTITLED_CHARS),
                              "URL": permalink, "accessed": _parts(today.isoformat())}
    units = item.departments or ([item.attribution] if issue.is_document and item.attribution else [])
    if units:
        record["author"] = [{"literal": unit} for unit in units]
    stated = item.date if item.date and not item.date_inferred else None
    if issue.is_document:
        record.update(type="webpage", **({"number": item.doc_number} if item.doc_number else {}))
        if stated:
            record["issued"] = _parts(stated)
        return record
    record.update({"container-title": serial_name(item, issue), "page": f"第{item.position}条"})
    number = _issue_number(item.issue)
    if number is None:
        record["type"] = "article-newspaper"
        if stated:
            record["issued"] = _parts(stated)
        return record
    year, record["issue"] = number
    record["type"] = "article-journal"
    if year or item.date or item.year:
        record["issued"] = _parts(year or (item.date or "")[:4] or str(item.year))
        if not year and item.date_inferred:
            record["issued"]["circa"] = True
    return record


def citation(record: dict[str, Any]) -> str:
    """A CSL-JSON record of :func:`csl_record` as the GB/T 7714-2015 entry (without its number)."""
    accessed = f"[{_date(record['accessed'])}]"
    parts = [_names(record.get("author", []))]
    if record["type"] == "webpage":
        parts.append(record["title"] + (f": {record['number']}" if record.get("number") else "") + "[EB/OL]")
        parts.append((f"({_date(record['issued'])})" if "issued" in record else "") + accessed)
    elif record["type"] == "article-journal":
        issued = record.get("issued", {"date-parts": record["accessed"]["date-parts"], "circa": True})
        year = str(issued["date-parts"][0][0])
        year = f"[{year}]" if issued.get("circa") else year
        parts.append(f"{record['title']}[J/OL]")
        parts.append(f"{record['container-title']}, {year}({record['issue']}): {record['page']}{accessed}")
    else:
        where = ", ".join([record["container-title"]] + ([_date(record["issued"])] if "issued" in record else []))
        parts.append(f"{record['title']}[N/OL]")
        parts.append(f"{where}({record['page']}){accessed}")
    parts.append(record["URL"])
    return ". ".join(p for p in parts if p) + "."


def serial_name(item: Item, issue: IssueSummary) -> str:
    """The name of the item's serial: its issue's name without the issue's number and date (``政务信息`` of
    ``政务信息 2023年第14期``), the masthead's journal, or 工作简报 (an issue named only by its file or number)."""
    if not issue.name or issue.label != issue.name:  # named by its file only
        return item.extra.get("journal") or GENERIC_SERIAL
    name = issue.name
    for fact in issue_facts(name).split():
        name = name.replace(fact, " ")
    name = re.sub(r"[（(]\s*[)）]", " ", name).strip(" ，,、:：-—")
    return " ".join(name.split()) or item.extra.get("journal") or GENERIC_SERIAL


def kind_zh(record: dict[str, Any]) -> str:
    """The kind of reference the record is cited as, in the standard's words."""
    return KIND_ZH[record["type"]]


def _issue_number(name: str) -> tuple[str | None, str] | None:
    """(year, number) of the issue a name states (``2023年第14期``), never the running total (``总第123期``)."""
    for m in ISSUE_NUMBER.finditer(name):
        if not name[:m.start()].rstrip().endswith("总"):
            return m.group(1), m.group(2)
    return None


def _names(units: list[dict[str, str]]) -> str:
    names = [u["literal"] for u in units]
    return ", ".join(names[:MAX_AUTHORS]) + (", 等" if len(names) > MAX_AUTHORS else "")


def _parts(date: str) -> dict[str, Any]:
    """``2022-03-31``, ``2022-03`` or ``2022`` as CSL date parts."""
    return {"date-parts": [[int(p) for p in date[:10].split("-")]]}


def _date(value: dict[str, Any]) -> str:
    """CSL date parts as the style's numeric date: ``2022-03-31``, ``2022-03``, ``2022``."""
    parts = value["date-parts"][0]
    return "-".join([str(parts[0])] + [f"{p:02d}" for p in parts[1:]])
