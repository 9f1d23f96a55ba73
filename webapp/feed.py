"""The Atom feed of a search (RFC 4287), written by lxml's serializer: every text and attribute escaped, the
characters XML cannot hold (control characters, non-characters) left out.

Entries are the search's items newest first, undated ones last; a dated entry has ``published`` (its date) and
``updated`` (the same); an undated one has only ``updated``, the feed's (the newest date of its entries, or now).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from indexer.items import Item

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITE_NAME = "简报检索"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedAddresses:
    """Where the feed and its entries live: its own id and address, its search page, and each item's id and page."""

    feed_id: str
    self_url: str
    search_url: str
    entry_id: Callable[[str], str]
    entry_url: Callable[[str], str]


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def atom_time(date: str | None) -> str:
    """An RFC 3339 timestamp for a date (midnight, China time), or now when there is none."""
    if date:
        return f"{date}T00:00:00+08:00"
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def atom_feed(query_text: str, items: Sequence[Item], total: int, at: FeedAddresses) -> bytes:
    """The feed of a search for ``query_text`` showing ``items`` of ``total``, as UTF-8 XML."""
    ordered = [i for i in items if i.date] + [i for i in items if not i.date]
    updated = atom_time(max((i.date for i in ordered if i.date), default=None))
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM}, attrib={XML_LANG: "zh-CN"})
    _add(feed, "id", at.feed_id)
    _add(feed, "title", f"{SITE_NAME}：{xml_text(query_text).strip() or '全部条目'}")
    _add(feed, "subtitle", f"按日期由新到旧的前 {len(ordered)} 条（共 {total} 条）")
    _add(feed, "updated", updated)
    _add(_add(feed, "author"), "name", SITE_NAME)
    _add(feed, "link", rel="self", type="application/atom+xml", href=at.self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=at.search_url)
    _add(feed, "generator", SITE_NAME)
    for item in ordered:
        _entry(feed, item, updated, at)
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _entry(feed: etree._Element, item: Item, feed_updated: str, at: FeedAddresses) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", at.entry_id(item.id))
    _add(entry, "title", xml_text(item.title).strip() or xml_text(item.body[:30]).strip() + "…")
    _add(entry, "updated", atom_time(item.date) if item.date else feed_updated)
    if item.date:
        _add(entry, "published", atom_time(item.date))
    _add(entry, "link", rel="alternate", type="text/html", href=at.entry_url(item.id))
    for unit in item.departments:
        _add(_add(entry, "author"), "name", unit)
    _add(entry, "summary", item.body[:200])
    for topic in item.topics:
        _add(entry, "category", term=topic)


def _add(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    """A child element of ``parent`` in the Atom namespace, with text and attributes made XML-safe."""
    child = etree.SubElement(parent, f"{{{ATOM}}}{name}", {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        child.text = xml_text(text)
    return child
