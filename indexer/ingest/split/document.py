"""One document (a 公文, a notice, a web article) read from its text: title, 文号, 落款, stated facts.

A document is one item. Its text may carry, besides the body:

* page furniture and export headers (``扫一扫在手机打开当前页``, breadcrumbs, ``【法宝引证码】``,
  ``原文链接：``) — dropped;
* label lines of web pages (``来源：区统计局 发布时间：2022-05-05``, the gov.cn ``索引号 … 发文机关 …``
  table) — read as stated facts, dropped from the text;
* a header: a masthead (``某某办公厅 文件``), the 文号 (``国办发〔2018〕108号``) and the title,
  which may wrap over two lines or be printed twice;
* a 落款: the issuing units (from where the 文号's 机关代字 begins: a mark such as 特急 printed on the
  masthead's line is not their name) and the date (``二〇〇四年一月十六日``) on lines of their own after the
  text, before any attachment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.ingest.enrich.dates import date_line, find_date
from indexer.ingest.enrich.units import is_unit_name, issuer_by_code, read_attribution
from indexer.ingest.split.split import mend_paragraph

# Labels of stated facts, as web pages and exports print them (spaces inside a label are ignored).
LABELS = ("索引号", "主题分类", "发文机关", "发布机构", "来源", "信息来源", "文章来源", "成文日期", "发布日期",
          "发布时间", "印发日期", "标题", "发文字号", "文号", "主题词", "作者", "浏览次数", "访问量", "点击数",
          "阅读次数", "字号", "发布人")
_LABEL = re.compile(r"({})\s*[：:]\s*".format("|".join(r"\s*".join(label) for label in LABELS)))
# Lines that are page furniture or an export's header, never text.
_FURNITURE = re.compile(
    r"^(?:扫一扫在手机打开当前页|扫一扫|打印本页|关闭窗口|【?打印】?\s*【?关闭】?|【字体[：:].*|字体[：:]?\s*[大中小\s]+"
    r"|分享到[：:]?.*|当前位置[：:].*|您当前的位置[：:].*|首页\s*[>»›＞/].*|.*[>»›＞]\s*正文$|上一篇[：:].*|下一篇[：:].*"
    r"|相关(?:链接|稿件|文章)[：:]?|【法宝引证码】.*|原文链接[：:].*|https?://\S+|保存本页|收藏|责任编辑[：:].*)$"
)
# A 文号 standing on its own line: 国办发〔2018〕108号, （余府发〔2012〕3号）, 国务院令第707号.
_DOC_NUMBER = re.compile(r"^[（(]?\s*([\u4e00-\u9fff]{1,16}\s*[〔［\[(（]\s*\d{4}\s*[〕］\])）]\s*\d+\s*号"
                         r"|[\u4e00-\u9fff]{0,12}令\s*第\s*\d+\s*号|第\s*\d+\s*号)\s*[）)]?$")
# A masthead: 某某部 文件, 某某办公厅 某某局 文件.
_MASTHEAD = re.compile(r"^.{2,40}\s*文件$")
# Where a title names its issuer: 国务院办公厅关于…, 国务院办公厅转发…, 国务院办公厅对…的答复.
_TITLE_ISSUER = re.compile(r"^(.{2,40}?)(?:关于|转发|批转|印发|对)")
# The kind of document a 公文 title ends with: a title line ending so is the title's last (GB/T 9704).
_GENRE_END = re.compile(r"(?:通知|通报|意见|决定|决议|批复|报告|请示|函|公告|通告|纪要|命令|议案|办法|规定|细则|方案|"
                        r"规划|条例|答复|复函)$")
# Punctuation no title line holds.
_NOT_TITLE = re.compile(r"[。；;！!？?，,：:]")
_HEAD_LINES = 14  # the header (masthead, 文号, title) is within the first lines
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@dataclass
class Document:
    """What a document's text states about itself, and its body without header and furniture."""

    title: str = ""
    body: str = ""
    doc_number: str | None = None
    units: list[str] = field(default_factory=list)
    date: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


def read_labels(text: str) -> dict[str, str]:
    """Stated facts of ``标签：值`` pairs in a line (several a line allowed), keys without spaces."""
    found: dict[str, str] = {}
    matches = list(_LABEL.finditer(text))
    for m, after in zip(matches, matches[1:] + [None]):
        value = text[m.end():after.start() if after else len(text)].strip(" \u3000|｜")
        found.setdefault(re.sub(r"\s+", "", m.group(1)), value)
    return found


def is_label_line(line: str) -> bool:
    """Is the line only label pairs (``来源：… 发布时间：…``), page furniture rather than text?"""
    m = _LABEL.match(line.strip())
    return bool(m) and len(line) <= 120


def read_document(text: str, labels: dict[str, str] | None = None, title: str = "") -> Document:
    """Read one document: drop furniture and label lines, find header, title, 文号 and 落款.

    ``labels`` are facts stated outside the text (a page's table); ``title`` a title stated outside it.
    """
    doc = Document(labels=dict(labels or {}))
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line or _FURNITURE.match(line):
            continue
        if len(lines) < _HEAD_LINES and is_label_line(line):
            for key, value in read_labels(line).items():
                doc.labels.setdefault(key, value)
            continue
        lines.append(line)
    title = title or doc.labels.get("标题", "")
    head, title_found = _header(lines, title)
    doc.title = title or title_found
    doc.doc_number = _doc_number(lines[:head]) or doc.labels.get("发文字号") or doc.labels.get("文号") or None
    body = lines[head:]
    doc.units, doc.date = _signature(body)
    doc.units = [issuer_by_code(unit, doc.doc_number) for unit in _issuers(_masthead_units(lines[:head]), doc.units)]
    if not doc.units and (m := _TITLE_ISSUER.match(doc.title)):
        found = read_attribution(m.group(1))
        doc.units = found.units if found and not found.reporters else []
    doc.body = "\n".join(line if is_unit_name(line) else mend_paragraph(line) for line in body)
    return doc


def _header(lines: list[str], title: str) -> tuple[int, str]:
    """How many lines at the top are header (masthead, 文号, title), and the title they hold."""
    key = re.sub(r"\s+", "", title)
    found = ""
    end = 0
    i = 0
    while i < min(len(lines), _HEAD_LINES):
        line = lines[i]
        if _MASTHEAD.match(line) or _DOC_NUMBER.match(line) or (found and re.sub(r"\s+", "", line) == found):
            end = i = i + 1
            continue
        run = 0 if found else _title_run(lines, i, key)  # after the title come addressees or the body
        if run:
            found = key if key else re.sub(r"\s+", "", "".join(lines[i:i + run]))
            end = i = i + run
            continue
        if not found and not key and is_unit_name(line):
            end = i = i + 1  # a masthead's second issuer: 税务总局办公厅
            continue
        if _is_parenthesis(line) and found:
            end = i = i + 1  # （2020年）, （此件公开发布） right under the title
            continue
        break
    return end, found


def _title_run(lines: list[str], i: int, key: str) -> int:
    """How many lines from i make the title (the stated one when known, else title-like lines); 0 if none."""
    if key:
        joined = ""
        for count, line in enumerate(lines[i:i + 4], 1):
            joined += re.sub(r"\s+", "", line)
            if joined == key:
                return count
            if not key.startswith(joined):
                return 0
        return 0
    count = 0
    while i + count < len(lines) and count < 3 and _title_like(lines[i + count]):
        if count and lines[i + count] == "".join(lines[i:i + count]):
            break  # the title printed twice (law-database exports): the copy is skipped as header
        if count and _GENRE_END.search(lines[i + count - 1]):
            break  # the title ended with its kind (…的通知); the addressees follow
        count += 1
    return count if count and i + count < len(lines) else 0


def _title_like(line: str) -> bool:
    return (4 <= len(line) <= 60 and not _NOT_TITLE.search(line) and not _DOC_NUMBER.match(line)
            and not _is_parenthesis(line) and not date_line(line) and not is_unit_name(line))


def _is_parenthesis(line: str) -> bool:
    return bool(re.match(r"^[（(][^（）()]*[）)]$", line))


def _doc_number(lines: list[str]) -> str | None:
    for line in lines:
        if m := _DOC_NUMBER.match(line):
            return re.sub(r"\s+", "", m.group(1))
    return None


def _masthead_units(head: list[str]) -> list[str]:
    """The units a 发文机关标志 names: the issuer's name followed by 文件 (GB/T 9704), ``某某局文件``."""
    for line in head:
        if _MASTHEAD.match(line):
            found = read_attribution(re.sub(r"\s*文件$", "", line))
            if found and not found.reporters:
                return found.units
    return []


def _issuers(masthead: list[str], signed: list[str]) -> list[str]:
    """The issuing units: the 落款's, except where it names a masthead unit's own office (``某某局办公室`` under
    ``某某局文件``: the 印发机关 that prints the document, GB/T 9704 7.4.3), which stands for that unit."""
    if masthead and signed and all(any(u in (m + "办公室", m + "办公厅") for m in masthead) for u in signed):
        return masthead
    return signed


def _signature(body: list[str]) -> tuple[list[str], str | None]:
    """The 落款: units on the lines right above the first line that is only a date, and that date."""
    for i, line in enumerate(body):
        date = date_line(line)
        if not date or i == 0:
            continue
        units: list[str] = []
        for above in reversed(body[max(0, i - 3):i]):
            found = read_attribution(above)
            if not found or found.reporters:
                break
            units = found.units + units
        return units, date
    return [], None


def stated_date(labels: dict[str, str]) -> str | None:
    """The date a page's labels state for the document: 成文日期, else 印发日期, else 发布日期/发布时间."""
    for key in ("成文日期", "印发日期", "发布日期", "发布时间"):
        if labels.get(key) and (date := find_date(labels[key])):
            return date
    return None
