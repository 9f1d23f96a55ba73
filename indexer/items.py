"""The Item record and the words every stage and every backend shares about it.

* :class:`Item`: one searchable unit of a bulletin issue, as every stage sees it;
* :data:`PUBLIC` (the access of an item everyone may see) and :data:`SEPARATOR` (between a topic's levels);
* :func:`may_see`: whether a viewer (:mod:`search.access`) may see an item of an access list;
* :func:`searchable_parts` and :func:`issue_facts`: the texts a term is looked for in;
* :func:`date_number`: a date as an ordered integer, as both backends store it;
* :func:`bounded`: the limit of one item's text, the same for every reader (a longer text is cut and says so).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.normalize import PART_SEPARATOR

PUBLIC = "public"  # the access of an item everyone may see
MAX_ITEM_CHARS = 200_000  # characters of one item's body indexed and shown; the rest is left out, and said so
MAX_TEXT_CHARS = 2_000_000  # characters of one file's text split into items (a bulletin issue is far shorter)
ADMIN_GROUP = "*"  # in a viewer, an administrator's group: every item (no item can name it)
SEPARATOR = "\\"  # between the levels of a topic path: 科技、教育\\教育
UNFILED = "未分类"  # the topic facet's value of the items without a topic
NO_DATE = 0
# The issue number: 第14期, 2023年第14期, (总第123期).
ISSUE_NUMBER = re.compile(r"(?:(\d{4})\s*年\s*)?第\s*([\d一二三四五六七八九十〇零]+)\s*期")
# What an issue's name states of the issue itself: its number (2023年第14期, 总第123期) and its date.
_ISSUE_FACTS = re.compile(rf"(?:总\s*)?{ISSUE_NUMBER.pattern}|\d{{4}}\s*(?:[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}}"
                          rf"|年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)")


def may_see(viewer: frozenset[str], access: Iterable[str]) -> bool:
    """Whether the viewer (the groups whose items one may see) may see an item with this access list."""
    return ADMIN_GROUP in viewer or not viewer.isdisjoint(access) or PUBLIC in access


@dataclass
class Item:
    """One item of a bulletin issue, after reading, splitting and enrichment.

    ``title`` may be empty (short ``△`` items have none). ``body`` is the item's
    text as printed, closing attribution included; ``attribution`` is the raw text
    inside the closing ``（…）`` and ``departments`` its canonical unit names.
    ``date_inferred`` is true when the date or year was guessed rather than stated;
    ``reporters`` are names from an attribution such as ``(市应急局:孙洪)``;
    ``duplicates`` are the other sources of the same item; ``access`` is
    ``["public"]`` or the groups that may see the item; ``topic_basis`` says why the
    rules gave its topics (``依据：标题含“收费公路”``), empty when stated or none.
    ``cites`` are the documents the text names (by 文号 or 《title》), ``repeals`` those it
    says are no longer in force (with the sentence saying so) and ``expires`` the end of
    the validity it states for itself (:mod:`indexer.ingest.enrich.citations`,
    :mod:`indexer.ingest.enrich.validity`).
    """

    id: str
    title: str
    body: str
    issue: str
    source: str
    position: int
    issue_key: str = ""
    attribution: str = ""
    departments: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    date: str | None = None
    year: int | None = None
    date_inferred: bool = False
    url: str | None = None
    doc_number: str | None = None
    reporters: list[str] = field(default_factory=list)
    ocr: bool = False
    duplicates: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=lambda: [PUBLIC])
    topic_basis: str = ""  # why the topic was given (依据：标题含“收费公路”), when no document stated it
    truncated: int = 0  # characters of the text left out beyond MAX_ITEM_CHARS (MAX_TEXT_CHARS for a whole file)
    cites: list[dict[str, Any]] = field(default_factory=list)  # [{"doc_number", "title"}] as the text names them
    repeals: list[dict[str, Any]] = field(default_factory=list)  # [{"doc_number", "title", "evidence"}] it ends
    expires: dict[str, str] | None = None  # {"date", "evidence"}: the end of the validity it states for itself
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year_inferred(self) -> bool:
        """The former name of :attr:`date_inferred`."""
        return self.date_inferred

    def to_dict(self) -> dict[str, Any]:
        """The item as a JSON-ready dict with the field names of docs/api.md (``year_inferred`` kept as an alias)."""
        data = asdict(self)
        data["year_inferred"] = self.date_inferred
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """Rebuild an item from :meth:`to_dict` output (unknown keys are ignored)."""
        names = cls.__dataclass_fields__.keys()
        fields = {k: v for k, v in data.items() if k in names}
        if "date_inferred" not in fields and "year_inferred" in data:
            fields["date_inferred"] = data["year_inferred"]
        return cls(**fields)


def stable_id(*parts: str, length: int = 16) -> str:
    """A short, URL-safe id derived from ``parts`` (same parts, same id)."""
    digest = hashlib.sha1(PART_SEPARATOR.join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def issue_facts(name: str) -> str:
    """The searchable part of an issue's name: its number and date, without the 刊名 (``新闻联播``,
    ``政务信息``) that every item of a journal shares (``政务信息 2023年第14期`` gives ``2023年第14期``)."""
    return " ".join(m.group(0) for m in _ISSUE_FACTS.finditer(name))


def searchable_parts(item: Item) -> tuple[str, str, str, str]:
    """The texts a term is looked for in: title, body, the issue's number and date (not its 刊名) and the 文号."""
    return item.title, item.body, issue_facts(item.issue or ""), item.doc_number or ""


def date_number(date: str | None) -> int:
    """``2022-03-31`` as the integer 20220331 (0 when unknown): ordered like the dates."""
    return int(date[:10].replace("-", "")) if date else NO_DATE


def bounded(item: Item) -> Item:
    """The item with its body cut at :data:`MAX_ITEM_CHARS`, the characters left out counted in ``truncated``."""
    if len(item.body) > MAX_ITEM_CHARS:
        item.truncated += len(item.body) - MAX_ITEM_CHARS
        item.body = item.body[:MAX_ITEM_CHARS]
    return item


def truncation(item: Item) -> str:
    """What a report says of an item whose text was cut."""
    return (f"item {item.id}: {item.truncated:,} characters beyond the limit of {MAX_ITEM_CHARS:,} a text are "
            "left out (the item says so)")


def facet_topics(item: Item) -> list[str]:
    """The item's values in the topic facet: its topics, or :data:`UNFILED` (so a researcher sees how many are)."""
    return item.topics or [UNFILED]
