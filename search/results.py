"""What a search is asked and what it answers: SearchQuery, Hit, SearchResult, ItemPage (no Flask here).

Every Searcher takes and returns these; pages and the JSON API render the same
objects. :func:`item_path` is the one place an item's URL path is made.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from indexer.analysis import word_spans
from indexer.docnumbers import typed
from indexer.items import Item, issue_facts
from search.errors import BadParameter, ResultWindow
from search.facet_values import FILTERS, UNKNOWN_YEAR, FacetValue
from search.highlight import label, passage, snippet
from search.limits import (
    MAX_FACET_VALUES,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
    MAX_VALUE_CHARS,
    SCOPES,
    SORTS,
    WITHIN,
)
from search.validity import CODES

FIRST_TEXT_CHARS = 60  # of the text of an untitled first item kept to name its issue
SHORT_LABEL_CHARS = 24  # the most characters of such a name


def item_path(item_id: str) -> str:
    """The URL path of an item's page (the id percent-encoded, so any id can be opened)."""
    return "/items/" + quote(item_id, safe="")


def issue_path(key: str) -> str:
    """The URL path of an issue's page."""
    return "/issues/" + quote(key, safe="")


@dataclass
class SearchQuery:
    """Everything that selects and orders results (the parameters of ``/api/search``)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    scope: str = "all"
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    within: str = "item"  # where every term must stand together: the item, one paragraph, one sentence

    def __post_init__(self) -> None:
        self.filters = {name: list(dict.fromkeys(self.filters.get(name, ()))) for name in FILTERS}
        self.validate()

    def validate(self) -> None:
        """Raise BadParameter for any value the search cannot use."""
        if len(self.q) > MAX_QUERY_CHARS:
            raise BadParameter("q", f"longer than {MAX_QUERY_CHARS} characters")
        if self.scope not in SCOPES:
            raise BadParameter("scope", f"must be one of {', '.join(SCOPES)}")
        if self.within not in WITHIN:
            raise BadParameter("within", f"must be one of {', '.join(WITHIN)}")
        if self.sort not in SORTS:
            raise BadParameter("sort", f"must be one of {', '.join(SORTS)}")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise BadParameter("size", f"must be between 1 and {MAX_PAGE_SIZE}")
        if self.page < 1:
            raise BadParameter("page", "must be 1 or more")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise ResultWindow(MAX_RESULT_WINDOW)
        for name, values in self.filters.items():
            if len(values) > MAX_FACET_VALUES:
                raise BadParameter(name, f"at most {MAX_FACET_VALUES} different values")
            if any(len(v) > MAX_VALUE_CHARS for v in values):
                raise BadParameter(name, f"a value is longer than {MAX_VALUE_CHARS} characters")
        for value in self.filters["validity"]:
            if value not in CODES:
                raise BadParameter("validity", f"{value!r} is not one of {', '.join(CODES)}")
        for number in self.filters["cites"]:
            if typed(number) is None:
                raise BadParameter("cites", f"{number!r} is not a 文号 (such as 国办发〔2016〕82号)")
        for year in self.filters["year"]:
            if year != UNKNOWN_YEAR and not (len(year) == 4 and year.isascii() and year.isdigit()):
                raise BadParameter("year", f"{year!r} is not a year (YYYY) or 'unknown'")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                try:
                    if not (len(value) == 10 and value.isascii() and value[4] == value[7] == "-"):  # not 2022-W01-1
                        raise ValueError(value)
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise BadParameter(name, f"{value!r} is not a date (YYYY-MM-DD)") from None

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> SearchQuery:
        """Build a query from request parameters (each a list of values), or raise BadParameter."""

        def one(name: str, default: str | None = None) -> str | None:
            values = [v for v in params.get(name, []) if v != ""]
            return values[-1] if values else default

        def number(name: str, default: int) -> int:
            value = one(name)
            if value is None:
                return default
            try:
                return int(value)
            except ValueError:
                raise BadParameter(name, f"{value!r} is not a whole number") from None

        return cls(
            q=one("q", "") or "",
            filters={name: [v for v in params.get(name, []) if v] for name in FILTERS},
            date_from=one("date_from"),
            date_to=one("date_to"),
            scope=one("scope", "all"),
            sort=one("sort", "relevance"),
            page=number("page", 1),
            size=number("size", 10),
            within=one("within", "item"),
        )

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (defaults left out), with some values changed."""
        data = {**self.__dict__, **changes}
        pairs: list[tuple[str, str]] = []
        if data["q"]:
            pairs.append(("q", data["q"]))
        for name in FILTERS:
            pairs.extend((name, v) for v in data["filters"].get(name, ()))
        for name, default in (("date_from", None), ("date_to", None), ("scope", "all"), ("within", "item"),
                              ("sort", "relevance"), ("page", 1), ("size", 10)):
            if data[name] not in (default, None):
                pairs.append((name, str(data[name])))
        return pairs

    def to_dict(self) -> dict[str, Any]:
        """The query as the API echoes it."""
        return {"q": self.q, **{name: self.filters[name] for name in FILTERS}, "date_from": self.date_from,
                "date_to": self.date_to, "scope": self.scope, "within": self.within, "sort": self.sort}


@dataclass
class Hit:
    """One result: what a hit list shows of an item."""

    id: str
    title: str
    title_html: str
    snippet_html: str
    departments: list[str]
    topics: list[str]
    date: str | None
    year: int | None
    issue: str
    position: int
    url: str
    issue_key: str = ""  # the issue's key (its page is issue_path(issue_key))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def hit_of(item: Item, terms: list[str], groups: list[list[str]] | None = None, within: str = "item") -> Hit:
    """The hit showing ``item``, its title and snippet highlighted for the search-form ``terms``; with ``within`` a
    paragraph or a sentence, the snippet is the first one holding a term of every one of the query's ``groups``."""
    together = passage(item.body, groups, within) if groups and within != "item" else None
    return Hit(
        id=item.id,
        title=item.title,
        title_html=label(item.title, item.body, terms),
        snippet_html=together if together is not None else snippet(item.body, terms),
        departments=item.departments,
        topics=item.topics,
        date=item.date,
        year=item.year,
        issue=item.issue,
        position=item.position,
        url=item_path(item.id),
        issue_key=item.issue_key,
    )


@dataclass
class SearchResult:
    """The answer to a SearchQuery: total, one page of hits, facets, notes on how the query was read,
    and the synonyms its terms also found (``also_searched``)."""

    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    took_ms: float
    notes: list[str] = field(default_factory=list)
    also_searched: list[str] = field(default_factory=list)
    months: dict[str, int] | None = None  # matches by month ("01"…"12", "unknown") when one year is selected

    @property
    def pages(self) -> int:
        """How many pages the results fill, up to the last page within the result window."""
        return max(1, min(-(-self.total // self.query.size), MAX_RESULT_WINDOW // self.query.size))

    def to_dict(self) -> dict[str, Any]:
        """The result as ``/api/search`` returns it."""
        return {
            "total": self.total,
            "page": self.query.page,
            "size": self.query.size,
            "pages": self.pages,
            "took_ms": round(self.took_ms, 2),
            "query": self.query.to_dict(),
            "notes": self.notes,
            "also_searched": self.also_searched,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
            **({"months": self.months} if self.months is not None else {}),
        }


@dataclass
class ItemPage:
    """An item with its issue (the other items in order) and similar items; its citations resolved against the
    archive (``cites``: :func:`search.citing.resolved_cites`), the items citing it (``cited_by``) and whether it is
    still in force (``validity``: :func:`search.validity.validity_of`), all as the viewer may see them."""

    item: Item
    issue_items: list[Item] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    cites: list[dict[str, Any]] = field(default_factory=list)
    cited_by: list[dict[str, Any]] = field(default_factory=list)
    validity: dict[str, Any] = field(default_factory=lambda: {"status": "none_known", "by": None, "evidence": ""})

    def to_dict(self) -> dict[str, Any]:
        """The item page as ``/api/items/<id>`` returns it."""
        return {
            "item": {**self.item.to_dict(), "page_url": item_path(self.item.id), "cites": self.cites,
                     "cited_by": self.cited_by, "validity": self.validity},
            "issue": {"title": self.item.issue, "date": self.item.date, "key": self.item.issue_key,
                      "items": [item_brief(i) for i in self.issue_items]},
            "similar": [{**item_brief(s.item), "shared_terms": s.shared} for s in self.similar],
        }


@dataclass
class Similar:
    """A similar item and the rare words it shares with the item, rarest first."""

    item: Item
    shared: list[str]

    @property
    def id(self) -> str:
        """The similar item's id."""
        return self.item.id


@dataclass
class IssueSummary:
    """One bulletin issue, or one document (:attr:`is_document`): its key, name, date (the latest of its items'),
    year, number of items, source file, and its first item's title (or the start of its text, cut at a word) and
    id."""

    key: str
    name: str
    date: str | None
    year: int | None
    items: int
    source: str
    first_title: str
    first_id: str = ""

    @classmethod
    def of(cls, first: Item, items: int, date: str | None, year: int | None) -> IssueSummary:
        """The summary of the issue whose first item is ``first``."""
        return cls(first.issue_key, first.issue, date, year, items, first.source,
                   first.title or short_label(first.body[:FIRST_TEXT_CHARS]), first.id)

    @property
    def is_document(self) -> bool:
        """Is it a document (a 公文, a web article, a poem, an invoice), or a file of documents, rather than a bulletin
        issue? It is when it has no issue name (records without one), or when it is one item named by its own title,
        or by a name that states no issue number or date (its file's name, a web page's column). One item of
        ``2024年第5期`` or of ``新闻联播 2012-07-02`` is an issue."""
        return not self.name or (self.items == 1 and (self.name == self.first_title or not issue_facts(self.name)))

    @property
    def label(self) -> str:
        """The name to show: the issue's own, or for an issue named only by its file, its first title (cut at a word
        or punctuation mark)."""
        stem = self.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if self.name and self.name != stem:
            return self.name
        more = f"等 {self.items} 条" if self.items > 1 else ""
        return f"《{short_label(self.first_title)}》{more}"

    def to_dict(self) -> dict[str, Any]:
        """The issue as ``/api/issues`` lists it."""
        return {"key": self.key, "name": self.name, "label": self.label, "date": self.date, "year": self.year,
                "items": self.items, "kind": "document" if self.is_document else "issue", "url": issue_path(self.key),
                "first_url": item_path(self.first_id) if self.first_id else None}


def short_label(text: str, limit: int = SHORT_LABEL_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters, cut after a punctuation mark or space, else at the end of
    a word (never inside one), with … when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit or (flat.endswith("…") and len(flat) <= limit + 1):  # short, or cut already
        return flat
    marks = [i + (unicodedata.category(ch) not in ("Ps", "Pi")) for i, ch in enumerate(flat[:limit])
             if ch.isspace() or unicodedata.category(ch)[0] == "P"]  # after a mark, before an opening one
    ends = [end for _, _, _, end in word_spans(flat[:limit + SHORT_LABEL_CHARS], index=False) if end <= limit]
    cut = max(marks) if marks and max(marks) >= limit // 2 else max(ends + marks, default=limit)
    return flat[:cut].rstrip(" ，、；：,;:") + "…"


@dataclass
class IssuePage:
    """An issue and its items in order."""

    issue: IssueSummary
    items: list[Item]

    def to_dict(self) -> dict[str, Any]:
        """The issue as ``/api/issues/<key>`` returns it."""
        return {"issue": self.issue.to_dict(),
                "items": [item_brief(i) for i in self.items]}


def item_brief(i: Item) -> dict[str, Any]:
    """What a list of items (an issue, similar items) gives of each."""
    return {"id": i.id, "title": i.title, "position": i.position, "date": i.date,
            "departments": i.departments, "url": item_path(i.id), "label": i.title or i.body[:40]}
