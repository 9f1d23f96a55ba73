"""The local Searcher: the Whoosh-format index files of ``index_data/``, opened in this process.

One :class:`~indexer.index.reader.IndexSnapshot` (and its matcher, with their
caches) is shared by all requests and replaced when a build switches ``current``
or an update commits a new generation; requests already running finish on the old one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from indexer.analysis import jieba_tokenizer
from indexer.index.reader import IndexSnapshot
from search.access import PUBLIC_ONLY, Viewer, index_groups
from search.limits import MAX_SIMILAR, MAX_SUGGESTIONS
from search.local.engine import ordered_docs, search
from search.local.matching import Deadline, Matcher
from search.local.references import relations
from search.local.related import issue_docs, issue_items, issue_summaries, issue_summary, similar_items
from search.local.suggest import suggestions
from search.results import IssuePage, IssueSummary, ItemPage, SearchQuery, SearchResult
from search.searcher import Export, Searcher
from search.validity import today

RECHECK_SECONDS = 1.0  # how often to look whether the index on disk changed
VIEW_MATCHERS = 16  # matchers of viewers with groups kept (each holds its lengths and term matches)


class LocalSearcher(Searcher):
    """Answers from the index at ``index_dir``, each search within ``budget_ms`` milliseconds."""

    def __init__(self, index_dir: Path, budget_ms: float = 2000.0):
        self.index_dir = index_dir
        self.budget = budget_ms / 1000.0
        self._lock = threading.Lock()
        self._current: tuple[IndexSnapshot, Matcher] | None = None
        self._checked = 0.0
        self._issues: tuple[tuple, list[IssueSummary]] | None = None  # the issue list of one version and viewer
        self._matchers: OrderedDict[tuple[str, frozenset[str]], Matcher] = OrderedDict()  # of views, newest last

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

    def seen_by(self, viewer: Viewer) -> tuple[IndexSnapshot, Matcher]:
        """The current snapshot as the viewer sees it (:meth:`IndexSnapshot.view`), and the matcher of that view:
        the snapshot's own when the viewer sees every document, else one of the view's (kept for the last few)."""
        snapshot, matcher = self.current()
        groups = index_groups(viewer)
        view = snapshot.view(groups)
        if view is snapshot:
            return snapshot, matcher
        key = (snapshot.version, groups)
        with self._lock:
            found = self._matchers.get(key)
            if found is not None:
                self._matchers.move_to_end(key)
                return view, found
        found = Matcher(view)
        with self._lock:
            self._matchers[key] = found
            while len(self._matchers) > VIEW_MATCHERS:
                self._matchers.popitem(last=False)
        return view, found

    def search(self, query: SearchQuery, viewer: Viewer = PUBLIC_ONLY) -> SearchResult:
        snapshot, matcher = self.seen_by(viewer)
        return search(snapshot, matcher, query, Deadline(self.budget))

    def export(self, query: SearchQuery, limit: int, viewer: Viewer = PUBLIC_ONLY) -> Export:
        snapshot, matcher = self.seen_by(viewer)
        docs = ordered_docs(snapshot, matcher, query, Deadline(self.budget))
        return Export(len(docs), (snapshot.item(int(d)) for d in docs[:limit]))

    def item_page(self, item_id: str, viewer: Viewer = PUBLIC_ONLY) -> ItemPage | None:
        snapshot, _ = self.seen_by(viewer)
        doc = snapshot.find_id(item_id)
        if doc is None or not snapshot.live[doc]:  # an item the viewer may not see is as missing
            return None
        cites, cited_by, validity = relations(snapshot, doc, today())
        return ItemPage(snapshot.item(doc), issue_items(snapshot, doc), similar_items(snapshot, doc, MAX_SIMILAR),
                        cites, cited_by, validity)

    def issues(self, viewer: Viewer = PUBLIC_ONLY) -> list[IssueSummary]:
        snapshot, _ = self.seen_by(viewer)
        key = (snapshot.version, index_groups(viewer) if snapshot.restricted else None)
        cached = self._issues
        if cached is None or cached[0] != key:
            cached = self._issues = (key, issue_summaries(snapshot))
        return cached[1]

    def issue(self, key: str, viewer: Viewer = PUBLIC_ONLY) -> IssuePage | None:
        snapshot, _ = self.seen_by(viewer)
        try:
            issue_id = snapshot.issue_names.index(key)
        except ValueError:
            return None
        docs = issue_docs(snapshot, issue_id)
        if not len(docs):
            return None
        return IssuePage(issue_summary(snapshot, issue_id), [snapshot.item(int(d)) for d in docs])

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS, viewer: Viewer = PUBLIC_ONLY) -> list[dict[str, Any]]:
        snapshot, matcher = self.seen_by(viewer)
        return suggestions(snapshot, matcher, q, limit)

    def health(self, viewer: Viewer = PUBLIC_ONLY) -> dict[str, Any]:
        snapshot, _ = self.seen_by(viewer)
        return {"status": "ok", "items": snapshot.live_count, "index_version": snapshot.version}

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current[0].close()
                self._current = None
