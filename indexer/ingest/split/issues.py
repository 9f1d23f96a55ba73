"""An issue's text into enriched items: split, dated, attributed, filed under topics.

Every reader of whole files (text files, web pages, and the document formats)
ends here with the file's text, its metadata and the key of the file it came from.
A text is a bulletin issue when its masthead numbers it or its items close with
attributions; otherwise it is one document (:mod:`indexer.ingest.split.document`).

Dates are taken as stated: the ``.meta.json`` date, else the issue's date line or
the document's 落款, else a date the page states (成文日期, 发布日期 …); only then a
year guessed from the text, marked inferred.
"""

from __future__ import annotations

from indexer.ingest.enrich import dates, topics, units
from indexer.ingest.enrich.citations import citations
from indexer.ingest.enrich.dates import find_date
from indexer.ingest.enrich.validity import repeals, stated_expiry
from indexer.ingest.read.encodings import strip_bidi
from indexer.ingest.read.meta import IssueMeta
from indexer.ingest.split.document import read_document, stated_date
from indexer.ingest.split.split import ParsedIssue, split_issue
from indexer.items import MAX_TEXT_CHARS, Item, bounded, stable_id

# Labels naming a page's unit, most specific first (the 落款 comes after 发文机关).
_UNIT_LABELS = ("发布机构", "来源", "信息来源", "文章来源")


def issue_items(key: str, text: str, meta: IssueMeta, labels: dict[str, str] | None = None,
                title: str = "", unit: str = "") -> list[Item]:
    """The items of one file's text: a bulletin's items, or the one item a document is.

    ``labels`` and ``title`` are facts a page states outside its text; ``unit`` a source it names in its meta tags.
    A text longer than MAX_TEXT_CHARS is read to there, and each item's body to MAX_ITEM_CHARS (``truncated``
    counts what is left out).
    """
    cut = max(0, len(text) - MAX_TEXT_CHARS)
    text = text[:MAX_TEXT_CHARS]
    parsed = split_issue(text)
    if parsed.is_bulletin and not (title and len(parsed.items) == 1):  # one attributed article is a document
        items = _bulletin_items(key, parsed, text, meta, stated_date(labels or {}) or (labels or {}).get("PubDate"))
    else:
        items = [_document_item(key, text, meta, labels or {}, title, unit)]
    items[-1].truncated += cut
    return [bounded(item) for item in items]


def _bulletin_items(key: str, parsed: ParsedIssue, text: str, meta: IssueMeta, page_date: str | None) -> list[Item]:
    header = parsed.header
    issue = meta.issue or meta.title or header.name or key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    dating = dates.stated(meta.date, header.date, page_date)
    dating = dating if dating.date else dates.from_text(text, bulletin=True)
    extra = {k: v for k, v in (("issue_number", header.number), ("issue_total", header.total),
                               ("journal", header.journal), ("editor", header.editor)) if v}
    items = []
    for position, draft in enumerate(parsed.items, 1):
        item = _item(key, position, draft.title, draft.body, issue, meta, dating)
        item.attribution, item.reporters = draft.attribution, list(draft.reporters)
        item.extra = {**extra, **item.extra}
        items.append(enrich(item, draft.units, _meta_topics(meta)))
    return items


def _document_item(key: str, text: str, meta: IssueMeta, labels: dict[str, str], title: str, unit: str) -> Item:
    doc = read_document(text, labels, title or meta.title)
    unit_text = doc.labels.get("发文机关") or " ".join(doc.units)
    unit_text = unit_text or next((doc.labels[k] for k in _UNIT_LABELS if doc.labels.get(k)), "")
    unit_text = unit_text or units.labelled_unit(text) or _source_unit(unit, meta)
    found = units.read_attribution(unit_text) if unit_text else None
    # a stated 发文机关 is taken as written; a 来源 that names no unit (a database, a website) is none
    stated_issuer = unit_text and unit_text == doc.labels.get("发文机关")
    item_units = found.units if found else [unit_text] if stated_issuer else []
    # printed dates first (落款, a cover's date line, the page's 成文日期 …, a full date in the title), then the
    # time the page was made (its PubDate meta tag)
    dating = dates.stated(meta.date, doc.date, stated_date(doc.labels), find_date(doc.title), doc.labels.get("PubDate"))
    dating = dating if dating.year else dates.Dating(None, doc.year) if doc.year else dates.from_text(
        doc.body, doc_number=doc.doc_number)
    item = _item(key, 1, doc.title, doc.body, meta.issue, meta, dating)
    item.attribution, item.doc_number = unit_text, doc.doc_number
    stated = _meta_topics(meta) or topics.stated_topics(doc.labels.get("主题分类", ""))
    return enrich(item, item_units, stated)


def _source_unit(unit: str, meta: IssueMeta) -> str:
    """A page's ContentSource as a unit (bidirectional controls removed), unless it is the site's own name (a
    source, never a unit)."""
    unit = strip_bidi(unit).strip()
    return "" if unit and unit == meta.extra.get("sitename") else unit


def enrich(item: Item, item_units: list[str], stated_topics: list[str] | None = None) -> Item:
    """Canonical departments from the units; topics as stated, else as given, else by the rules; the documents
    the text cites, those it says are no longer in force, and the validity it states for itself."""
    item.departments = units.canonical_units(item_units)
    if stated_topics:
        item.topics = stated_topics
    if not item.topics:
        topics.file_item(item, item_units)
    item.cites = citations(item)
    item.repeals = repeals(item)
    item.expires = stated_expiry(item)
    return item


def _meta_topics(meta: IssueMeta) -> list[str]:
    given = meta.extra.get("topics")
    return topics.stated_topics(given) if given else []


def _item(key: str, position: int, title: str, body: str, issue: str, meta: IssueMeta, dating: dates.Dating) -> Item:
    return Item(
        id=f"{stable_id(key, length=12)}-{position}", title=title, body=body, issue=issue,
        source=meta.source or key, position=position, issue_key=stable_id(key),
        date=dating.date, year=dating.year, date_inferred=dating.inferred, extra=dict(meta.extra),
    )
