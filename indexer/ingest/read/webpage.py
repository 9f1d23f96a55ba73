"""Web pages: HTML through lxml (from bytes) to an issue or one item; record bodies (fragments) to text.

A page's stated facts come from its government meta tags (``ArticleTitle``, ``PubDate``,
``ContentSource`` …) and from label tables such as gov.cn's ``索引号 … 主题分类 … 发文机关 …
成文日期 … 标题 … 发文字号 … 发布日期`` table, which is read and then removed from the text.
The page is one item (:mod:`indexer.ingest.split.document`) unless its content is a bulletin issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from indexer.errors import SourceError
from indexer.ingest.read.encodings import detect_encoding
from indexer.ingest.read.meta import IssueMeta
from indexer.ingest.read.pagecontent import content_element, drop_hidden, page_title
from indexer.ingest.split.document import is_label_line, read_labels
from indexer.ingest.split.issues import issue_items
from indexer.items import Item
from indexer.normalize import clean_display, close_spaces

PAGE_SUFFIXES = (".html", ".htm")

# <meta name="…" content="…"> tags, whatever the case of their name.
META_XPATH = "//meta[@name and @content]"
# Table rows: a label table states a page's facts in cells such as <td>发文机关：</td><td>国务院</td>.
ROWS_XPATH = "//tr"
# Elements whose text is never content.
SKIP_XPATH = "//script | //style | //noscript | //template | //nav | //header | //footer"

_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
                         "section", "article", "blockquote", "pre", "dd", "dt", "hr"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_PREAMBLE_LEVELS = 3  # how far up from the content label lines are looked for
_BLOCK_MARK = "\u2029"  # PARAGRAPH SEPARATOR: marks block boundaries while the text is pulled out


def read_page(key: str, path: str, data: bytes, meta: IssueMeta) -> list[Item]:
    """A page's items: an issue when its content splits into several items, else one item."""
    encoding = declared_charset(data) or detect_encoding(data, path)
    try:
        page = parse_page(data, encoding)
    except (ValueError, LookupError, SyntaxError) as e:
        raise SourceError(path, f"cannot parse HTML: {e}") from None
    page_meta = IssueMeta(
        title=meta.title or page.title,
        date=meta.date,  # PubDate is when the page was made: a printed date comes first (a label below)
        issue=meta.issue,  # the column's name is no issue: it stays in extra["columnname"], like the site's name
        source=meta.source,  # the item names its file
        extra={**{k: v for k, v in page.meta.items() if k in ("keywords", "sitename", "columnname",
                                                               "contentsource")}, **meta.extra},
    )
    if not page.text:
        raise SourceError(path, "no text found in the page (it may be nested deeper than the parser reads)")
    labels = dict(page.labels)
    if page.meta.get("pubdate"):
        labels["PubDate"] = page.meta["pubdate"]
    return issue_items(key, page.text, page_meta, labels, meta.title or labels.get("标题", "") or page.title,
                       page.meta.get("contentsource", ""))


@dataclass
class Page:
    """What a web page gives: its title, its meta tags and its content as text lines."""

    title: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag within its first 4 KB, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def parse_page(data: bytes, encoding: str) -> Page:
    """Parse a whole page: meta tags, title, and the text of its content container."""
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True, huge_tree=True)
    root = lxml.html.document_fromstring(data, parser=parser)
    meta: dict[str, str] = {}
    for el in root.xpath(META_XPATH):
        meta.setdefault(el.get("name").strip().lower(), el.get("content").strip())
    for el in root.xpath(SKIP_XPATH):
        el.drop_tree()
    drop_hidden(root)
    labels = _table_labels(root)
    content = content_element(root)
    title = meta.get("articletitle", "") or page_title(root, content, _lines_of, meta.get("sitename", ""))
    for key, value in _preamble_labels(content).items():
        labels.setdefault(key, value)
    text = _lines_of(content)
    if title and text.startswith(title):
        # A heading repeated at the top of the content is not body text.
        text = text[len(title):].lstrip("\n")
    return Page(title=title.strip(), text=text, meta=meta, labels=labels)


def _table_labels(root: lxml.etree._Element) -> dict[str, str]:
    """Facts stated in label tables (``<td>发文机关：</td><td>国务院</td>``); such tables are removed."""
    labels: dict[str, str] = {}
    tables = set()
    for row in root.xpath(ROWS_XPATH):
        cells = [re.sub(r"\s+", " ", c.text_content()).strip() for c in row if c.tag in ("td", "th")]
        found = read_labels(" ".join(f"{c}" if c.endswith(("：", ":")) else f"{c} |" for c in cells))
        found = {k: v.rstrip(" |") for k, v in found.items()}
        if found:
            labels.update({k: v for k, v in found.items() if k not in labels})
            tables.add(next(row.iterancestors("table"), None))
    for table in tables:
        if table is not None and table.getparent() is not None and not table.xpath(".//*[@id='UCAP-CONTENT']"):
            table.drop_tree()
    return labels


def _preamble_labels(content: lxml.etree._Element) -> dict[str, str]:
    """Facts printed in label lines just above the content (``来源：… 发布时间：…`` under its heading): in the
    elements before it, its parent's and up to two levels higher."""
    labels: dict[str, str] = {}
    node = content
    for _ in range(_PREAMBLE_LEVELS):
        above = node.getparent()
        if above is None:
            break
        for el in above:
            if el is node:
                break
            for line in _lines_of(el).split("\n"):
                if is_label_line(line):
                    for key, value in read_labels(line).items():
                        labels.setdefault(key, value)
        node = above
    return labels


def fragment_text(html: str) -> str:
    """The text of an HTML fragment (a record's body), one paragraph a line, stray spaces closed."""
    if "<" not in html and "&" not in html:
        return closed_lines(_tidy_lines(clean_display(html)))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.xpath(SKIP_XPATH.replace("//", ".//")):
        el.drop_tree()
    return closed_lines(_lines_of(root))


def _lines_of(element: lxml.etree._Element) -> str:
    """Text of an element, one line per block (no recursion: deep trees are safe).

    Line breaks in the HTML source are spaces, as a browser shows them; a block
    element starts a new line; runs of spaces become one (a title may end at one).
    """
    for el in element.iter(*_BLOCK_TAGS):
        el.text = _BLOCK_MARK + (el.text or "")
        el.tail = _BLOCK_MARK + (el.tail or "")
    parts = element.text_content().split(_BLOCK_MARK)
    return _tidy_lines("\n".join(clean_display(p).replace("\n", " ") for p in parts))


def _tidy_lines(text: str) -> str:
    """One space for each run of spaces, none at line ends; no blank lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def closed_lines(text: str) -> str:
    """Lines with their stray spaces closed (for text that is one item, not an issue to split)."""
    return "\n".join(close_spaces(line) for line in text.split("\n"))
