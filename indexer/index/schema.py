"""The Whoosh schema of the index, and how an item becomes a document of it.

Fields:

* ``id`` (unique) and ``issue_key`` (the items of one issue; for .txt and .html
  files, the items of one file, which an update replaces together): exact terms.
* ``title``, ``body``: jieba words (term frequencies, for ranking).
* ``grams``: characters and character pairs of the searchable parts of an item
  (title, body, issue number and date, 文号: :func:`searchable_parts`) without joining marks;
  ``title_grams``: the same for the title alone (title-only search); ``joined_grams``:
  the pairs of characters joining marks separate (``、`` in ``双随机、一公开``). Their postings
  are in the :class:`Counts` format: the weight of a posting is the count, with no
  value bytes beside it, so the longest lists stay small and quick to read.
* ``item``: the whole item, stored (what a hit and an item page show).

Facet values, dates and the search form of each text are not Whoosh fields: they
live beside each segment as arrays (see :mod:`indexer.index.docvalues`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import fields
from whoosh.analysis import Analyzer
from whoosh.formats import Format, tokens

from indexer.index.analyzers import GramAnalyzer, JoinedGramAnalyzer, WordAnalyzer
from indexer.items import Item, searchable_parts
from indexer.normalize import PART_SEPARATOR

WORD_FIELDS = ("title", "body")
GRAM_FIELDS = ("grams", "title_grams", "joined_grams")
KEY_FIELDS = ("id", "issue_key")


class Counts(Format):
    """Whoosh posting format: how often a term occurs in a document, as the posting's weight.

    Like Whoosh's ``Frequency`` without its value bytes (which repeat the count), so
    Whoosh's scorers, which read weights, work unchanged.
    """

    posting_size = 0

    def __init__(self, field_boost: float = 1.0, **options: Any):
        self.field_boost = field_boost
        self.options = options

    def word_values(self, value: str, analyzer: Analyzer, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        counts = Counter(t.text for t in tokens(value, analyzer, kwargs))
        return ((w, n, n * self.field_boost, b"") for w, n in sorted(counts.items()))

    def encode(self, value: Any) -> bytes:
        return b""

    def combine(self, vs: list[bytes]) -> bytes:
        return b""


def _gram_field(analyzer: Analyzer | None = None) -> fields.TEXT:
    """A field of character grams, its postings in the :class:`Counts` format."""
    field = fields.TEXT(analyzer=analyzer or GramAnalyzer(), phrase=False, vector=None)
    field.format = Counts(field_boost=field.format.field_boost)
    return field


def build_schema() -> fields.Schema:
    """The schema every Jianbao index is written with."""
    return fields.Schema(
        id=fields.ID(unique=True),
        issue_key=fields.ID(),
        title=fields.TEXT(analyzer=WordAnalyzer(), phrase=False, vector=None),
        body=fields.TEXT(analyzer=WordAnalyzer(), phrase=False, vector=None),
        grams=_gram_field(),
        title_grams=_gram_field(),
        joined_grams=_gram_field(JoinedGramAnalyzer()),
        item=fields.STORED(),
    )


def gram_value(item: Item) -> str:
    """The value of the ``grams`` field: the searchable parts, which no gram may span."""
    return PART_SEPARATOR.join(searchable_parts(item))


def document(item: Item) -> dict[str, Any]:
    """The item as keyword arguments of Whoosh's ``add_document``."""
    return {
        "id": item.id,
        "issue_key": item.issue_key,
        "title": item.title,
        "body": item.body,
        "grams": gram_value(item),
        "title_grams": item.title,
        "joined_grams": gram_value(item),
        "item": item.to_dict(),
    }
