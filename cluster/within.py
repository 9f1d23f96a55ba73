"""Words in one paragraph or one sentence (``within``) on the cluster: the items matching every term anywhere,
checked one by one against their stored text (at most MAX_TOGETHER of them).

A unit (:func:`indexer.passages.units`: the title, a line or a sentence of the body, each other part) holds a term
when its search form holds the term's needle, joining marks allowed as everywhere: the local engine's rule, on the
same units. The ids of the items kept narrow the search's statements (:class:`cluster.query.Narrowed`).
"""

from __future__ import annotations

from indexer.items import Item
from indexer.normalize import TEXT_ENCODING, holds, needle, term_gaps
from indexer.passages import units
from search.query import Term

MAX_TOGETHER = 5_000  # items checked for terms in one paragraph or sentence; more is too expensive for the cluster


def together(item: Item, groups: list[list[Term]], level: str) -> bool:
    """Does one unit of ``level`` of the item hold a term of every group (a term limited to titles: the title)?"""
    forms = [form.encode(TEXT_ENCODING) for form in units(item, level)]
    needles = [[(needle(*term_gaps(t.text)), t.title_only) for t in group] for group in groups]
    return any(all(any(holds(found, form) for found, title_only in group if n == 0 or not title_only)
                   for group in needles) for n, form in enumerate(forms))
