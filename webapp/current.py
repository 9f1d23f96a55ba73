"""The app's Searcher, for the views, bound to what the current request may see."""

from __future__ import annotations

from typing import Any

from search import Export, Searcher, SearchQuery, SearchResult
from search.access import Viewer
from search.limits import MAX_SUGGESTIONS
from search.results import IssuePage, IssueSummary, ItemPage
from webapp.identity import viewer
from webapp.site import site


class BoundSearcher:
    """The Site's Searcher answering as one viewer may see: each method of the Searcher contract, given the viewer."""

    def __init__(self, searcher: Searcher, viewer: Viewer):
        self._searcher, self._viewer = searcher, viewer

    def search(self, query: SearchQuery) -> SearchResult:
        return self._searcher.search(query, viewer=self._viewer)

    def export(self, query: SearchQuery, limit: int) -> Export:
        return self._searcher.export(query, limit, viewer=self._viewer)

    def item_page(self, item_id: str) -> ItemPage | None:
        return self._searcher.item_page(item_id, viewer=self._viewer)

    def issues(self) -> list[IssueSummary]:
        return self._searcher.issues(viewer=self._viewer)

    def issue(self, key: str) -> IssuePage | None:
        return self._searcher.issue(key, viewer=self._viewer)

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS) -> list[dict[str, Any]]:
        return self._searcher.suggest(q, limit, viewer=self._viewer)

    def health(self) -> dict[str, Any]:
        return self._searcher.health(viewer=self._viewer)


def searcher() -> BoundSearcher:
    """The app's Searcher, answering as the current request may see."""
    return BoundSearcher(site().searcher, viewer())
