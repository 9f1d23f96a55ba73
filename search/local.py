"""The search service: one open index snapshot shared by all requests, reopened when the index changes.

Every entry point the pages and the API use goes through :class:`SearchService`:
``search``, ``item_page``, ``suggest`` and ``health``. The snapshot (and its
matcher, with their caches) is replaced when a build switches ``current`` or an
update commits a new generation; requests already running finish on the old one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.items import Item
from indexer.index.reader import IndexSnapshot
from indexer.analysis import jieba_tokenizer
from search.matching import Deadline, Matcher
from search.related import issue_items, similar_items
from search.results import SearchQuery, SearchResult, search
from search.suggest import suggestions

RECHECK_SECONDS = 1.0  # how often to look whether the index on disk changed


@dataclass
class ItemPage:
    """An item with its issue (the other items in order) and similar items."""

    item: Item
    issue_items: list[Item] = field(default_factory=list)
    similar: list[Item] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The item page as ``/api/items/<id>`` returns it."""

        def brief(i: Item) -> dict[str, Any]:
            return {"id": i.id, "title": i.title, "position": i.position, "date": i.date,
                    "departments": i.departments, "url": f"/items/{i.id}",
                    "label": i.title or i.body[:40]}

        return {
            "item": {**self.item.to_dict(), "page_url": f"/items/{self.item.id}"},
            "issue": {"title": self.item.issue, "date": self.item.date, "key": self.item.issue_key,
                      "items": [brief(i) for i in self.issue_items]},
            "similar": [brief(i) for i in self.similar],
        }


class SearchService:
    """Holds the current snapshot of the index at ``index_dir`` and answers through it."""

    def __init__(self, index_dir: Path, budget_ms: float = 2000.0):
        self.index_dir = index_dir
        self.budget = budget_ms / 1000.0
        self._lock = threading.Lock()
        self._current: tuple[IndexSnapshot, Matcher] | None = None
        self._checked = 0.0

    def current(self) -> tuple[IndexSnapshot, Matcher]:
        """The snapshot in use and its matcher; reopened when the index on disk has changed."""
        now = time.monotonic()
        current = self._current
        if current is not None and now - self._checked < RECHECK_SECONDS:
            return current
        with self._lock:
            current = self._current
            if current is None or (now - self._checked >= RECHECK_SECONDS and not current[0].is_current()):
                jieba_tokenizer()  # load the dictionary now, not in the first query
                snapshot = IndexSnapshot(self.index_dir)
                current = self._current = (snapshot, Matcher(snapshot))
            self._checked = now
        return current

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a query within the time budget (QueryTooExpensive when it is exceeded)."""
        snapshot, matcher = self.current()
        return search(snapshot, matcher, query, Deadline(self.budget))

    def item_page(self, item_id: str) -> ItemPage | None:
        """The item with this id, its issue and similar items; None when there is no such item."""
        snapshot, matcher = self.current()
        doc = snapshot.find_id(item_id)
        if doc is None:
            return None
        item = snapshot.item(doc)
        return ItemPage(item, issue_items(snapshot, doc), similar_items(snapshot, doc, limit=5))

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, Any]]:
        """Completions for a partial query."""
        snapshot, matcher = self.current()
        return suggestions(snapshot, matcher, q, limit)

    def health(self) -> dict[str, Any]:
        """Status, item count and index version (IndexMissing when there is no index)."""
        snapshot, _ = self.current()
        return {"status": "ok", "items": snapshot.live_count, "index_version": snapshot.version}
