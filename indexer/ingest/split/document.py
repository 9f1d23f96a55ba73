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

from indexer.ingest.enrich.dates import date_line, find_date, month_line
from indexer.ingest.enrich.units import is_unit_name, issuer_by_code, read_attribution
from indexer.ingest.split import gongwen
from indexer.ingest.split.split import closing_attribution, mend_paragraph

# Labels of stated facts, as web pages and exports print them (spaces inside a label are ignored).
LABELS = ("索引号", "主题分类", "发文机关", "发布机构", "来源", "信息来源", "文章来源", "成文日期", "发文日期",
          "发布日期", "发布时间", "印发日期", "标题", "发文字号", "文号", "主题词", "作者", "浏览次数", "访问量",
          "点击数", "阅读次数", "字号", "发布人")
_LABEL = re.compile(r"({})\s*[：:]\s*".format("|".join(r"\s*".join(label) for label in LABELS)))
# Lines that are page furniture or an export's header, never text.
_FURNITURE = re.compile(
    r"^(?:扫一扫在手机打开当前页|扫一扫|打印本页|关闭窗口|【?打印】?\s*【?关闭】?|【字体[：:].*|字体[：:]?\s*[大中小\s]+"
    r"|分享到[：:]?.*|当前位置[：:].*|您当前的位置[：:].*|首页\s*[>»›＞/].*|.*[>»›＞]\s*正文$|上一篇[：:].*|下一篇[：:].*"
    r"|相关(?:链接|稿件|文章)[：:]?|点击(?:查看|下载|阅读)\S{0,8}[：:].{0,60}|【法宝引证码】.*|原文链接[：:].*|https?://\S+|保存本页|收藏|责任编辑[：:].*)$"
)
# Where a title names its issuer: 国务院办公厅关于…, 国务院办公厅转发…, 国务院办公厅对…的答复.
_TITLE_ISSUER = re.compile(r"^(.{2,40}?)(?:关于|转发|批转|印发|对)")
# A transcript's organ: the one whose spokesman speaks (2004年7月13日外交部发言人章启月在例行记者会上答记者问),
# or that answers (外交部就…答问).
_SPOKESMAN = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日)?([\u4e00-\u9fff]{2,20}?)"
                       r"(?:(?:新闻)?发言人|就.{2,60}答(?:记者)?问$)")
# A law's promulgation note under its title: （2021年7月27日中华人民共和国国务院令第746号公布）; the decree's organ
# without the state's name before it.
_PROMULGATED = re.compile(r"^[（(]\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:中华人民共和国)?"
                          r"([\u4e00-\u9fff]{2,20}?)令\s*第\s*\d+\s*号(?:公布|发布)")
# The kind of document a 公文 title ends with: a title line ending so is the title's last (GB/T 9704).
_GENRE_END = re.compile(r"(?:通知|通报|意见|决定|决议|批复|报告|请示|函|公告|通告|纪要|命令|议案|办法|规定|细则|方案|"
                        r"规划|条例|答复|复函)$")
# How a title ends: its kind, or a note on its edition or standing (（2023年版）, （试行）).
_TITLE_END = re.compile(rf"{_GENRE_END.pattern}"
                        r"|[（(](?:\d{4}年(?:版|修订|修正)?|试行|暂行|修订|草案|征求意见稿)[）)]$")
# Punctuation no title line holds.
_NOT_TITLE = re.compile(r"[。；;！!？?，,：:]")
# Lines that open what follows a title, never part of it: a first section heading (一、 （一） 1. 第一章 第一条),
# a report's date and speaker line (——2024年3月5日在…会议上), a table's header row (序号 姓名 …).
_AFTER_TITLE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]"
                          r"|第[一二三四五六七八九十百\d]+[章节条]|[—–－-]{1,2}|(?:序号|编号)\s)"
                          r"|在.{2,40}(?:会议|大会|会)上")
# A crawler's export header: title: … url: … author: … content: (the author is the site, not an organ).
_EXPORT_FIELD = re.compile(r"^(title|url|author|source|date|time|pubdate|publish_?time|content)\s*[:：]\s*(.*)$", re.I)
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
    year: int | None = None  # stated without its day: a cover's 二〇二二年十二月
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
        if not lines and (m := _EXPORT_FIELD.match(line)):
            if m.group(1).lower() == "title" and m.group(2):
                doc.labels.setdefault("标题", m.group(2).strip())
            continue
        if len(lines) < _HEAD_LINES and is_label_line(line):
            for key, value in read_labels(line).items():
                doc.labels.setdefault(key, value)
            continue
        lines.append(line)
    title = title or doc.labels.get("标题", "")
    head = _header(lines, title)
    doc.title = head.title or title
    doc.doc_number = head.doc_number or doc.labels.get("发文字号") or doc.labels.get("文号") or None
    body = lines[head.end:]
    signed, doc.date = _signature(body)
    doc.date, doc.year = doc.date or head.date, head.year
    doc.units = [issuer_by_code(unit, doc.doc_number) for unit in _issuers(head.mark_units, signed)]
    doc.units = doc.units or _closing_units(body) or head.cover_units or _title_issuer(doc.title)
    doc.body = "\n".join(line if is_unit_name(line) else mend_paragraph(line) for line in body)
    return doc


@dataclass
class _Head:
    """What the lines at the top of a document state (GB/T 9704's 版头 and 标题, a report's cover)."""

    end: int = 0
    title: str = ""
    doc_number: str | None = None
    mark_units: list[str] = field(default_factory=list)
    cover_units: list[str] = field(default_factory=list)
    date: str | None = None
    year: int | None = None


def _header(lines: list[str], title: str) -> _Head:
    """Read the 版头 marks, the 发文机关标志 and 文号, an attachment's label, the title (with its issuers' names when
    they stand on lines of their own above ``关于…``), then a cover's organs and date lines under it."""
    key = re.sub(r"\s+", "", title)
    head = _Head()
    names: list[str] = []  # unit names above the title: a masthead's second line, or the title's issuers
    i = 0
    while i < min(len(lines), _HEAD_LINES) and not head.title:
        line = lines[i]
        units = gongwen.issuer_mark(line)
        if units is not None or gongwen.is_head_mark(line) or gongwen.ATTACHMENT_LABEL.match(line):
            head.mark_units += _units_of(names) + (units or [])  # names above a mark are the masthead's
            names = []
        elif number := gongwen.doc_number(line):
            head.doc_number = head.doc_number or number
            head.mark_units += _units_of(names)  # the title comes after the 文号
            names = []
        elif signed := gongwen.signature_line(line):
            head.cover_units, head.date = signed  # a masthead of unit and date: 区民政局　2024年5月20日
        elif run := _title_run(lines, i, key):
            joined = re.sub(r"\s+", "", "".join(lines[i:i + run]))
            head.title, head.date = _report_title(key or _printed_title(names, joined.translate(_BOOK_MARKS)))
            i += run
            break
        elif is_unit_name(line):
            names.append(line)
        elif key and (printed := _title_run(lines, i, "")) and _prints_stated(lines[i:i + printed], key):
            # the page named what the document issues: the title it prints wins
            head.title = _printed_title(names, re.sub(r"\s+", "", "".join(lines[i:i + printed])))
            i += printed
            break
        else:
            break
        i += 1
    head.end = i
    if not head.title and not key:
        return head  # with a title stated outside the text, what stands under it may open the text
    head.mark_units = head.mark_units or _units_of(names)
    organs: list[str] = []  # unit names under the title: a cover's organs when a date line follows, else a list
    while i < len(lines):  # under the title: its copy, 文号, notes, a report's date line, a cover's organs and date
        line, bare = lines[i], re.sub(r"\s+", "", lines[i])
        if organs and not (is_unit_name(line) or date_line(line) or month_line(line)):
            break
        if bare == head.title:
            pass
        elif number := gongwen.doc_number(line):
            head.doc_number = head.doc_number or number
        elif m := _PROMULGATED.match(line):
            head.date, head.cover_units = head.date or find_date(line), head.cover_units + _units_of([m.group(1)])
        elif gongwen.NOTE.match(line) or _AFTER_TITLE.match(line) and _REPORT_LINE.search(line):
            head.date = head.date or (find_date(line) if _REPORT_LINE.search(line) else None)
        elif is_unit_name(line) and not _NOT_TITLE.search(line):
            organs.append(line)
        elif m := _SPEAKER.match(line):
            head.cover_units += _units_of([m.group(1)])  # a report's speaker: 国务院总理 李强 speaks for 国务院
        elif date := date_line(line):
            head.date, head.cover_units = head.date or date, head.cover_units + _units_of(organs)
            organs = []
        elif year := month_line(line):
            head.year, head.cover_units = head.year or year, head.cover_units + _units_of(organs)
            organs = []
        else:
            break
        i += 1
    head.end = i - len(organs)  # organs no date line followed are the body's: a list of units
    return head


def _closing_units(body: list[str]) -> list[str]:
    """The units of an attribution closing the text (``…。（市统计局）``, or alone on the last line)."""
    found = closing_attribution(body[-1]) if body else None
    return found[1].units if found and not found[1].reporters else []


def _units_of(lines: list[str]) -> list[str]:
    return [unit for line in lines if (found := read_attribution(line)) for unit in found.units]


# A report's speaker: the organ, the office, the name (国务院总理 李强, 市人民政府市长 张三).
_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,20}?)(?:副?(?:总理|省长|市长|县长|区长|州长|主席|主任|局长|部长))\s*"
                      r"[\u4e00-\u9fff·]{2,8}$")
# A report's date and speaker line: ——2024年3月5日在第十四届全国人民代表大会第二次会议上, （2024年1月在…上）.
_REPORT_LINE = re.compile(r"\d{4}\s*年.{0,12}在.{2,60}上")


# Book-title marks a PDF font gives as guillemets: «安全生产治本攻坚三年行动方案».
_BOOK_MARKS = str.maketrans("«»", "《》")


def _report_title(title: str) -> tuple[str, str | None]:
    """A title without a report's date and speaker line run into it (``政府工作报告——2024年3月5日在…上``), and
    that line's date."""
    m = re.search(r"[—–－-]{1,2}(?=\d{4}\s*年)|[（(](?=\d{4}\s*年.{0,12}在)", title)
    if m and m.start() >= 4 and _REPORT_LINE.search(title[m.end():]):
        return title[:m.start()], find_date(title[m.end():])
    return title, None


def _printed_title(names: list[str], title: str) -> str:
    """The title as printed: the issuers' names on lines above ``关于…`` are its first part (GB/T 9704 7.3.1)."""
    return "".join(names) + title if names and title.startswith("关于") else title


def _prints_stated(run: list[str], key: str) -> bool:
    """Does a title printed in the text issue the document a page is titled with (``关于印发《key》的通知``)?"""
    printed = re.sub(r"\s+", "", "".join(run))
    return printed != key and key in printed and bool(re.search(r"印发|转发|发布|颁布", printed))


def _title_issuer(title: str) -> list[str]:
    """The units a title names as its issuer (``国务院办公厅关于…``), or a transcript's organ (``外交部发言人…``)."""
    for pattern in (_TITLE_ISSUER, _SPOKESMAN):
        if (m := pattern.match(title)) and (found := read_attribution(m.group(1))) and not found.reporters:
            return found.units
    return []


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
        if count and _TITLE_END.search(lines[i + count - 1]) and _closed("".join(lines[i:i + count])):
            break  # the title ended with its kind (…的通知) or its edition note (（2023年版）); what follows is not it
        count += 1
    return count if count and i + count < len(lines) else 0


def _closed(text: str) -> bool:
    """Are the book-title marks and parentheses of the text all closed (《…方案》 ends no title line before 》)?"""
    pairs = (("《«", "》»"), ("（(", "）)"))
    return all(sum(map(text.count, opening)) == sum(map(text.count, closing)) for opening, closing in pairs)


def _title_like(line: str) -> bool:
    line = _report_title(line)[0]
    return (4 <= len(line) <= 60 and not _NOT_TITLE.search(line) and not gongwen.doc_number(line)
            and not gongwen.NOTE.match(line) and not date_line(line) and not is_unit_name(line)
            and not _AFTER_TITLE.search(line) and not gongwen.ATTACHMENT_LABEL.match(line))


def _issuers(masthead: list[str], signed: list[str]) -> list[str]:
    """The issuing units: the 落款's (the 发文机关署名), else the 发文机关标志's; a 落款 naming a masthead unit's
    own office (``某某局办公室`` under ``某某局文件``: the 印发机关 that prints it, GB/T 9704 7.4.3) stands for it."""
    if masthead and signed and all(any(u in (m + "办公室", m + "办公厅") for m in masthead) for u in signed):
        return masthead
    return signed or masthead


def _signature(body: list[str]) -> tuple[list[str], str | None]:
    """The 落款: units on the lines right above the first line that is only a date, and that date; or units and
    date on one line (``某某局 2024年5月20日``)."""
    for i, line in enumerate(body):
        if i and (signed := gongwen.signature_line(line)):
            return signed
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
    """The date a page's labels state for the document: 成文日期 or 发文日期, else 印发日期, else 发布日期/发布时间."""
    for key in ("成文日期", "发文日期", "印发日期", "发布日期", "发布时间"):
        if labels.get(key) and (date := find_date(labels[key])):
            return date
    return None
