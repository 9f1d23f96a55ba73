"""Where a web page's content and title are, read from what the page prints.

Parts a browser does not show (``display:none``, ``hidden``) are dropped. The content is the CMS container
(TRS, UCAP, ...) that holds text, else the block holding the most paragraph text: a text node counts for
the element that holds it and its parent, half for its grandparent (the way readers of news pages find an
article), text inside links not at all. The page's own heading is the last heading printed before that
content; ``<title>`` counts only without its site part (``…_中国政府网``, ``…-某某县人民政府``).
"""

from __future__ import annotations

import re

import lxml.etree

# Content containers used by Chinese government CMSs (TRS, UCAP, ...), most specific first.
CONTENT_XPATHS = (
    "//*[@id='zoom']",
    "//*[@id='UCAP-CONTENT']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]",
    "//*[@id='content']",
    "//article",
)
# Elements a browser does not show (a page's body hidden until its scripts have run is shown then: kept).
HIDDEN_XPATH = "//body//*[contains(translate(@style, ' ', ''), 'display:none') or @hidden]"
# Headings, and elements a CMS styles as the article's title.
HEADINGS_XPATH = ("//h1 | //h2 | //h3 | //*[contains(@class, 'title') or contains(@class, 'Title')"
                  " or contains(@id, 'title') or contains(@id, 'Title')]")
# The <title> element.
TITLE_XPATH = "(//title)[1]"
# Where a <title> joins the page's own title to its column's and site's names: 标题_栏目_网站, 标题 - 网站.
_SITE_JOIN = re.compile(r"\s*(?:_|\s[-–—|｜]\s|[|｜]|--|-(?=[\u4e00-\u9fff][^-_]*$))\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_CONTAINER_TEXT = 20  # Han characters a CMS container holds when it holds the article, not a widget
_HEADING_MIN, _HEADING_MAX = 4, 100


def drop_hidden(root: lxml.etree._Element) -> None:
    """Remove what a browser would not show."""
    for el in root.xpath(HIDDEN_XPATH):
        if el.getparent() is not None:
            el.drop_tree()


def content_element(root: lxml.etree._Element) -> lxml.etree._Element:
    """The element holding the page's content: a CMS container with text, else the densest text block."""
    for xpath in CONTENT_XPATHS:
        for el in root.xpath(xpath):
            if _han(el.text_content()) >= _MIN_CONTAINER_TEXT:
                return el
    return densest_block(root)


def densest_block(root: lxml.etree._Element) -> lxml.etree._Element:
    """The element that holds the most paragraph text (see the module docstring); the root when none."""
    scores: dict[lxml.etree._Element, float] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "a" or next(el.iterancestors("a"), None) is not None:
            continue
        own = _han(el.text or "") + sum(_han(child.tail or "") for child in el)
        if not own:
            continue
        for share, holder in zip((1.0, 1.0, 0.5), _holders(el)):
            scores[holder] = scores.get(holder, 0.0) + own * share
    return max(scores, key=scores.__getitem__) if scores else root


def _holders(el: lxml.etree._Element):
    """The element and its ancestors, inline elements (span, font, strong ...) passed over."""
    while el is not None:
        if el.tag not in ("span", "font", "strong", "b", "em", "i", "u", "a"):
            yield el
        el = el.getparent()


def page_heading(root: lxml.etree._Element, content: lxml.etree._Element, text_of) -> str:
    """The last title-like heading printed before the content, or first in it; '' when none.

    ``text_of`` gives an element's text; a heading that is or holds a link (a list of other pages) is not one.
    """
    order = {el: n for n, el in enumerate(root.iter())}
    start = order.get(content, 0)
    first_text = next((order[el] for el in content.iter() if isinstance(el.tag, str) and _han(el.text or "")),
                      start)
    found = ""
    for el in root.xpath(HEADINGS_XPATH):
        if order.get(el, start) > first_text or el in content.iterancestors() or el is content:
            continue
        if el.tag == "a" or el.xpath(".//a | ancestor::a"):
            continue
        text = text_of(el).replace("\n", "")
        if _han(text) >= _HEADING_MIN and len(text) <= _HEADING_MAX and not re.search(r"[。；;：:]$", text):
            found = text
    return found


def title_without_site(title: str) -> str:
    """A ``<title>``'s own part: the first of the parts it joins with ``_`` or `` - `` (column, site name)."""
    parts = [p for p in _SITE_JOIN.split(title.strip()) if p]
    return parts[0].strip() if parts else ""


def _han(text: str) -> int:
    return len(_CJK.findall(text))
