"""Search as a domain function: a SearchQuery in, a SearchResult out (no Flask here).

``search(snapshot, matcher, SearchQuery(q="欺凌", filters={"year": ["2022"]}))``
returns the total, one page of hits with highlights, and exact facet counts.
Pages and the JSON API render the same result object.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.index.docvalues import date_number
from indexer.index.reader import IndexSnapshot
from search import highlight
from search.facets import FACETS, UNKNOWN_YEAR, FacetMasks, FacetValue, Filters, count_facets, facet_masks
from search.matching import Deadline, Matcher
from search.query import MAX_QUERY_CHARS, ParsedQuery, Term, parse

SORTS = ("relevance", "date_desc", "date_asc")
SCOPES = ("all", "title")
MAX_SIZE = 100


class BadParameter(ValueError):
    """A request parameter that cannot be used; names the parameter and says why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


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

    def __post_init__(self) -> None:
        self.filters = {name: list(self.filters.get(name, ())) for name in FACETS}
        self.validate()

    def validate(self) -> None:
        """Raise BadParameter for any value the search cannot use."""
        if len(self.q) > MAX_QUERY_CHARS:
            raise BadParameter("q", f"longer than {MAX_QUERY_CHARS} characters")
        if self.scope not in SCOPES:
            raise BadParameter("scope", f"must be one of {', '.join(SCOPES)}")
        if self.sort not in SORTS:
            raise BadParameter("sort", f"must be one of {', '.join(SORTS)}")
        if not 1 <= self.size <= MAX_SIZE:
            raise BadParameter("size", f"must be between 1 and {MAX_SIZE}")
        if self.page < 1:
            raise BadParameter("page", "must be 1 or more")
        for year in self.filters["year"]:
            if year != UNKNOWN_YEAR and not (year.isdigit() and len(year) == 4):
                raise BadParameter("year", f"{year!r} is not a year (YYYY) or 'unknown'")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise BadParameter(name, f"{value!r} is not a date (YYYY-MM-DD)") from None

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> "SearchQuery":
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
            filters={name: [v for v in params.get(name, []) if v] for name in FACETS},
            date_from=one("date_from"),
            date_to=one("date_to"),
            scope=one("scope", "all"),
            sort=one("sort", "relevance"),
            page=number("page", 1),
            size=number("size", 10),
        )

    def to_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (defaults left out), with some values changed."""
        data = {**self.__dict__, **changes}
        pairs: list[tuple[str, str]] = []
        if data["q"]:
            pairs.append(("q", data["q"]))
        for name in FACETS:
            pairs.extend((name, v) for v in data["filters"].get(name, ()))
        for name, default in (("date_from", None), ("date_to", None), ("scope", "all"),
                              ("sort", "relevance"), ("page", 1), ("size", 10)):
            if data[name] not in (default, None):
                pairs.append((name, str(data[name])))
        return pairs

    def to_dict(self) -> dict[str, Any]:
        """The query as the API echoes it."""
        return {"q": self.q, **{name: self.filters[name] for name in FACETS}, "date_from": self.date_from,
                "date_to": self.date_to, "scope": self.scope, "sort": self.sort}


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

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    """The answer to a SearchQuery: total, one page of hits, facets, and notes on how the query was read."""

    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    took_ms: float
    notes: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """How many pages the results fill."""
        return max(1, -(-self.total // self.query.size))

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
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
        }


@dataclass
class _Selection:
    """The documents a query selects, and what ranking and facet counting need of how."""

    parsed: ParsedQuery
    base: np.ndarray
    filters: Filters
    masks: FacetMasks
    docs: np.ndarray
    matched: list[np.ndarray]


def _select(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery, deadline: Deadline | None) -> _Selection:
    parsed = parse(query.q)
    if query.scope == "title":
        parsed = _titles_only(parsed)
    base, matched = _match(snapshot, matcher, parsed, query, deadline)
    filters = Filters(**{name: tuple(query.filters[name]) for name in FACETS})
    masks = facet_masks(snapshot, filters)
    docs = np.flatnonzero(masks.all_but("", base))
    return _Selection(parsed, base, filters, masks, docs, matched)


def search(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery,
           deadline: Deadline | None = None) -> SearchResult:
    """Run a query: match, filter, count facets, rank, and build the page of hits."""
    started = time.perf_counter()
    sel = _select(snapshot, matcher, query, deadline)
    facets = count_facets(snapshot, sel.base, sel.masks, sel.filters)
    if deadline:
        deadline.check()
    order = _order(snapshot, matcher, sel, query, need=query.page * query.size)
    page_docs = order[(query.page - 1) * query.size:]
    terms = [t.text for t in sel.parsed.positive_terms]
    hits = [_hit(snapshot, int(d), terms) for d in page_docs]
    return SearchResult(query, int(len(sel.docs)), hits, facets, (time.perf_counter() - started) * 1000,
                        sel.parsed.notes)


def ordered_results(snapshot: IndexSnapshot, matcher: Matcher, query: SearchQuery,
                    deadline: Deadline | None = None) -> np.ndarray:
    """Every document the query selects, in result order (for exports); pages are ignored."""
    sel = _select(snapshot, matcher, query, deadline)
    return _order(snapshot, matcher, sel, query, need=len(sel.docs))


def _titles_only(parsed: ParsedQuery) -> ParsedQuery:
    scoped = ParsedQuery(notes=parsed.notes)
    scoped.groups = [[Term(t.text, t.raw, t.phrase, True) for t in g] for g in parsed.groups]
    scoped.excluded = [Term(t.text, t.raw, t.phrase, True) for t in parsed.excluded]
    return scoped


def _match(snapshot: IndexSnapshot, matcher: Matcher, parsed: ParsedQuery, query: SearchQuery,
           deadline: Deadline | None) -> tuple[np.ndarray, list[np.ndarray]]:
    """The mask of documents matching the query (before facet filters), and each positive term's matches."""
    mask = snapshot.live.copy()
    matched: list[np.ndarray] = []
    group_docs = []
    for group in parsed.groups:
        found = [matcher.docs(t, deadline) for t in group]
        if deadline:
            deadline.check()
        matched.extend(found)
        in_group = np.zeros(snapshot.doc_count, dtype=bool)
        for docs in found:
            in_group[docs] = True
        mask &= in_group
    for term in parsed.excluded:
        mask[matcher.docs(term, deadline)] = False
    if query.date_from or query.date_to:
        low = date_number(query.date_from) if query.date_from else 1
        high = date_number(query.date_to) if query.date_to else 99991231
        mask &= (snapshot.first_day >= low) & (snapshot.last_day <= high) & (snapshot.first_day > 0)
    return mask, matched


def _order(snapshot: IndexSnapshot, matcher: Matcher, sel: _Selection, query: SearchQuery,
           need: int) -> np.ndarray:
    """The first ``need`` selected documents in result order."""
    docs = sel.docs
    need = min(need, len(docs))
    if not need:
        return docs[:0]
    date = snapshot.first_day[docs].astype(np.float64)
    if query.sort == "date_asc":
        primary = np.where(date > 0, date, np.inf)
    elif query.sort == "date_desc" or sel.parsed.is_empty:
        primary = np.where(date > 0, -date, np.inf)
    else:
        primary = -matcher.scores(docs, sel.parsed.positive_terms, sel.matched)
    if need < len(docs):  # only the best ``need`` (and everything tied with the last of them) are sorted
        kth = np.partition(primary, need - 1)[need - 1]
        keep = primary <= kth
        docs, date, primary = docs[keep], date[keep], primary[keep]
    return docs[np.lexsort((docs, -date, primary))][:need]


def _hit(snapshot: IndexSnapshot, doc: int, terms: list[str]) -> Hit:
    item = snapshot.item(doc)
    return Hit(
        id=item.id,
        title=item.title,
        title_html=highlight.label(item.title, item.body, terms),
        snippet_html=highlight.snippet(item.body, terms),
        departments=item.departments,
        topics=item.topics,
        date=item.date,
        year=item.year,
        issue=item.issue,
        position=item.position,
        url=f"/items/{item.id}",
    )
