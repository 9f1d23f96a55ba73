"""The Whoosh schema of the index, and how an item becomes a document of it.

Fields:

* ``id`` (unique) and ``issue_key`` (the items of one issue; for .txt and .html
  files, the items of one file, which an update replaces together): exact terms.
* ``title``, ``body``: jieba words (term frequencies, for ranking).
* ``grams``: characters and character pairs of title and body (exact substrings);
  ``title_grams``: the same for the title alone (title-only search).
* ``item``: the whole item, stored (what a hit and an item page show).

Facet values, dates and the search form of each text are not Whoosh fields: they
live beside each segment as arrays (see :mod:`indexer.docvalues`).
"""

from __future__ import annotations

from typing import Any

from whoosh import fields

from indexer.items import Item
from indexer.segment import PART_SEPARATOR, GramAnalyzer, WordAnalyzer

WORD_FIELDS = ("title", "body")
GRAM_FIELDS = ("grams", "title_grams")
KEY_FIELDS = ("id", "issue_key")


def build_schema() -> fields.Schema:
    """The schema every Jianbao index is written with."""
    return fields.Schema(
        id=fields.ID(unique=True),
        issue_key=fields.ID(),
        title=fields.TEXT(analyzer=WordAnalyzer(), phrase=False, vector=None),
        body=fields.TEXT(analyzer=WordAnalyzer(), phrase=False, vector=None),
        grams=fields.TEXT(analyzer=GramAnalyzer(), phrase=False, vector=None),
        title_grams=fields.TEXT(analyzer=GramAnalyzer(), phrase=False, vector=None),
        item=fields.STORED(),
    )


def gram_value(item: Item) -> str:
    """The value of the ``grams`` field: title and body, which no gram may span."""
    return f"{item.title}{PART_SEPARATOR}{item.body}"


def document(item: Item) -> dict[str, Any]:
    """The item as keyword arguments of Whoosh's ``add_document``."""
    return {
        "id": item.id,
        "issue_key": item.issue_key,
        "title": item.title,
        "body": item.body,
        "grams": gram_value(item),
        "title_grams": item.title,
        "item": item.to_dict(),
    }
