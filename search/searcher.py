"""The Searcher: the one interface the web app, the command line, the benchmarks and the tests search through.

Contract (every implementation; ``tests/test_searcher_contract.py`` checks it):

Every method below except ``close`` also takes ``viewer=`` (:mod:`search.access`): the
frozenset of groups whose items the caller may see, ``public`` always among them;
``EVERYTHING`` is an administrator's. It defaults to ``PUBLIC_ONLY``. Each answer is
exactly the answer over the archive without the items the viewer may not see: totals,
hits, every facet count, suggestions and their counts, similar items, issue
neighbours, issues and their item counts, the item count of ``health``; an item the
viewer may not see is ``None`` from ``item_page`` like a missing one. Without
restricted items in the index this costs nothing.

``search(query: SearchQuery) -> SearchResult``
    The total number of items matching ``query`` (every term and quoted phrase as an
    exact substring of the folded text; filters OR within a facet, AND across), one
    page of hits in the query's order with highlights, and exact disjunctive facet
    counts (each facet counted with every filter but its own). Raises
    ``BadParameter`` for a query it cannot use and ``QueryTooExpensive`` when the
    time budget runs out.
``export(query: SearchQuery, limit: int) -> Export``
    Every matching item in result order, at most ``limit`` of them, as a stream; the
    selection is made within the time budget before the first item is given, and
    ``Export.total`` says how many matched before the cut.
``item_page(item_id: str) -> ItemPage | None``
    The item, the items of its issue in order, and up to ``MAX_SIMILAR`` similar
    items (those sharing the most of its rare words, with the words they share);
    ``None`` when no item has that id.
``issues() -> list[IssueSummary]``
    Every issue that has items: key, name, date (the latest of its items'), year and
    number of items, newest first (issues without a date last).
``issue(key: str) -> IssuePage | None``
    One issue's summary and its items in order; ``None`` when no issue has that key.
``suggest(q: str, limit: int) -> list[dict]``
    Completions of a partial query: ``{"type", "value", ...}`` for departments,
    topics and titles containing it.
``health() -> dict``
    ``{"status": "ok", "items": N, "index_version": "…"}``; raises ``IndexProblem``
    when there is no usable index.
``close()``
    Releases the index; the searcher is not used after.

A Searcher is shared by all threads of a server and follows the index: a build or
update that commits is seen by the next request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from indexer.items import Item
from search.access import PUBLIC_ONLY, Viewer
from search.limits import MAX_SUGGESTIONS
from search.results import IssuePage, IssueSummary, ItemPage, SearchQuery, SearchResult


@dataclass
class Export:
    """An ordered stream of matching items: ``total`` matched, ``items`` gives at most the limit of them."""

    total: int
    items: Iterator[Item]


class Searcher(ABC):
    """What every search backend offers; see the module docstring for the contract."""

    @abstractmethod
    def search(self, query: SearchQuery, viewer: Viewer = PUBLIC_ONLY) -> SearchResult:
        """One page of results with facet counts."""

    @abstractmethod
    def export(self, query: SearchQuery, limit: int, viewer: Viewer = PUBLIC_ONLY) -> Export:
        """Every matching item in result order, at most ``limit``."""

    @abstractmethod
    def item_page(self, item_id: str, viewer: Viewer = PUBLIC_ONLY) -> ItemPage | None:
        """The item with its issue and similar items, or None."""

    @abstractmethod
    def issues(self, viewer: Viewer = PUBLIC_ONLY) -> list[IssueSummary]:
        """Every issue with items, newest first."""

    @abstractmethod
    def issue(self, key: str, viewer: Viewer = PUBLIC_ONLY) -> IssuePage | None:
        """One issue and its items in order, or None."""

    @abstractmethod
    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS, viewer: Viewer = PUBLIC_ONLY) -> list[dict[str, Any]]:
        """Completions for a partial query."""

    @abstractmethod
    def health(self, viewer: Viewer = PUBLIC_ONLY) -> dict[str, Any]:
        """Status, item count and index version."""

    def close(self) -> None:
        """Release what the searcher holds."""
