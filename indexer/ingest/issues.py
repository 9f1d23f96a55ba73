"""An issue's text into enriched items: split, dated, attributed, filed under topics.

Every reader of whole issues (text files, web pages, and the document formats)
ends here with the issue's text, its metadata and the key of the file it came from.
"""

from __future__ import annotations

from indexer.ingest import dates, topics, units
from indexer.ingest.meta import IssueMeta
from indexer.ingest.split import attribution_of, split_issue
from indexer.items import Item, stable_id


def issue_items(key: str, text: str, meta: IssueMeta) -> list[Item]:
    """Split one issue's text into items and enrich them."""
    parsed = split_issue(text)
    issue = meta.issue or meta.title or " ".join(parsed.masthead) or key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    dating = _dating(meta, parsed.masthead, text)
    return [_item(key, position, draft.title, draft.body, draft.attribution, draft.units, issue, meta, dating)
            for position, draft in enumerate(parsed.items, 1)]


def single_item(key: str, title: str, text: str, meta: IssueMeta, unit: str) -> Item:
    """A document that is one item (a web page, say); ``unit`` is the stated source when no attribution closes it."""
    found = attribution_of(text.rsplit("\n", 1)[-1])
    attribution, item_units = found if found else (unit, [unit] if unit else [])
    return _item(key, 1, title, text, attribution, item_units, meta.issue or title, meta, _dating(meta, [], text))


def enrich(item: Item, item_units: list[str]) -> Item:
    """Canonical departments from the units; topics by the rules unless already given."""
    item.departments = units.canonical_units(item_units)
    if not item.topics:
        item.topics = topics.default_rules().assign(item.title, item.body, item_units)
    return item


def _dating(meta: IssueMeta, masthead: list[str], text: str) -> dates.Dating:
    stated = dates.from_metadata(meta.date)
    return stated if stated.year else dates.from_text(masthead, text)


def _item(key: str, position: int, title: str, body: str, attribution: str, item_units: list[str], issue: str,
          meta: IssueMeta, dating: dates.Dating) -> Item:
    item = Item(
        id=f"{stable_id(key, length=12)}-{position}", title=title, body=body, issue=issue,
        source=meta.source or key, position=position, issue_key=stable_id(key), attribution=attribution,
        date=dating.date, year=dating.year, date_inferred=dating.inferred, extra=dict(meta.extra),
    )
    return enrich(item, item_units)
