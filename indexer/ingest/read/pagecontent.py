"""Where a web page's content and title are, read from what the page prints.

Parts a browser does not show (``display:none``, ``hidden``) are dropped. The content is the CMS container
(TRS, UCAP, ...) that holds text, else the block holding the most paragraph text: a text node's characters
count for the element that holds it and its parent, half for its grandparent (the way readers of news pages
find an article), text inside links not at all. The page's own title is the heading nearest that content
which its ``<title>`` repeats; ``<title>`` counts only without its site part (``…_中国政府网``,
``某某县人民政府-…``).
"""

from __future__ import annotations

import re

import lxml.etree

# Content containers used by Chinese government CMSs (TRS, UCAP, ...), found in one pass; ranked by _CONTAINERS.
CONTENT_XPATH = ("//*[@id='zoom' or @id='UCAP-CONTENT' or @id='content' or contains(@class, 'TRS_Editor')"
                 " or contains(@class, 'article-content')] | //article")
# The containers, most specific first: an id, a class (one of its words), a tag.
_CONTAINERS = (("id", "zoom"), ("id", "UCAP-CONTENT"), ("class", "TRS_Editor"), ("class", "article-content"),
               ("id", "content"), ("tag", "article"))
# Elements that may be hidden, below the body (a body hidden until its scripts have run is shown then: kept).
HIDDEN_XPATH = "//body//*[contains(@style, 'none') or @hidden]"
# Elements inside links: their text is a link's, not content.
IN_LINK_XPATH = "//a//*"
# Headings, and elements a CMS styles as the article's title.
HEADINGS_XPATH = ("//h1 | //h2 | //h3 | //*[contains(@class, 'title') or contains(@class, 'Title')"
                  " or contains(@id, 'title') or contains(@id, 'Title')]")
# The <title> element.
TITLE_XPATH = "(//title)[1]"
# A site's name: …网, …网站, …门户, …人民政府 (a government's portal is named after it).
_SITE_NAME = re.compile(r"(?:网|网站|门户|人民政府|政府)$")
# Where a <title> joins the page's own title to its column's and site's names: 标题_栏目_网站, 标题 - 网站.
_SITE_JOIN = re.compile(r"\s*(?:_|\s[-–—|｜]\s|[|｜]|--|-(?=[\u4e00-\u9fff][^-_]*$))\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Twenty Han characters: a CMS container holds that many when it holds the article, not a widget.
_ENOUGH_TEXT = re.compile(r"[\u4e00-\u9fff](?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){19}")
_HEADING_MIN, _HEADING_MAX = 4, 100


def drop_hidden(root: lxml.etree._Element) -> None:
    """Remove what a browser would not show."""
    for el in root.xpath(HIDDEN_XPATH):
        hidden = el.get("hidden") is not None or "display:none" in el.get("style", "").replace(" ", "").lower()
        if hidden and el.getparent() is not None:
            el.drop_tree()


def content_element(root: lxml.etree._Element) -> lxml.etree._Element:
    """The element holding the page's content: a CMS container with text, else the densest text block."""
    ranked = sorted((rank, n, el) for n, el in enumerate(root.xpath(CONTENT_XPATH))
                    if (rank := _container_rank(el)) is not None)
    found = next((el for _, _, el in ranked if _ENOUGH_TEXT.search(el.text_content())), None)
    return found if found is not None else densest_block(root)


def _container_rank(el: lxml.etree._Element) -> int | None:
    """Where the element stands in :data:`_CONTAINERS` (None: its class only contains a container's name)."""
    words = {"id": [el.get("id")], "class": (el.get("class") or "").split(), "tag": [el.tag]}
    return next((rank for rank, (kind, name) in enumerate(_CONTAINERS) if name in words[kind]), None)


def densest_block(root: lxml.etree._Element) -> lxml.etree._Element:
    """The element that holds the most paragraph text (see the module docstring); the root when none."""
    scores: dict[lxml.etree._Element, float] = {}
    in_links = set(root.xpath(IN_LINK_XPATH))
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "a" or el in in_links:
            continue
        own = len((el.text or "").strip()) + sum(len((child.tail or "").strip()) for child in el)
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


def page_title(root: lxml.etree._Element, content: lxml.etree._Element, text_of, site: str = "") -> str:
    """The page's own title: the heading nearest the content that its ``<title>`` repeats, else the ``<title>``
    without its site part, else the heading nearest the content; '' when none.

    ``text_of`` gives an element's text; ``site`` is the site's name (its ``SiteName`` meta tag), never a title.
    """
    found = root.xpath(TITLE_XPATH)
    titled = title_without_site(text_of(found[0]).replace("\n", ""), site) if found else ""
    headings = _headings(root, content, text_of)
    confirmed = [h for h in headings if titled and (h in titled or titled in h)]
    return (confirmed or [titled] if titled else headings or [""])[-1]


def _headings(root: lxml.etree._Element, content: lxml.etree._Element, text_of) -> list[str]:
    """The title-like headings printed before the content or first in it, in order; a heading that is or holds a
    link (a list of other pages) is none."""
    headings = set(root.xpath(HEADINGS_XPATH))
    first_text = next((el for el in content.iter() if isinstance(el.tag, str) and _han(el.text or "")), content)
    around = {content, *content.iterancestors()}
    found = []
    for el in root.iter():
        if el in headings and el not in around and el.tag != "a" and not el.xpath(".//a | ancestor::a"):
            text = text_of(el).replace("\n", "")
            if _han(text) >= _HEADING_MIN and len(text) <= _HEADING_MAX and not re.search(r"[。；;：:]", text):
                found.append(text)
        if el is first_text:
            break
    return found


def title_without_site(title: str, site: str = "") -> str:
    """A ``<title>``'s own part: of the parts it joins with ``_`` or `` - `` (its column's and site's names), the
    longest that is not the site's name (``中国政府网``, ``某某县人民政府``, ``site``)."""
    parts = [p.strip() for p in _SITE_JOIN.split(title.strip()) if p.strip()]
    own = [p for p in parts if p != site and not _SITE_NAME.search(p)] if len(parts) > 1 else parts
    return max(own, key=len) if own else ""


def _han(text: str) -> int:
    return len(_CJK.findall(text))
