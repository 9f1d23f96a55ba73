"""The search engine, without Flask: a :class:`Searcher` answers queries over an index.

``open_searcher(index_dir, budget_ms)`` gives the local implementation; the web
app, the command line, the benchmarks and the tests all search through it.
"""

from __future__ import annotations

from pathlib import Path

from search.errors import BadParameter, QueryTooExpensive, SearchError
from search.local import LocalSearcher
from search.results import Hit, ItemPage, SearchQuery, SearchResult, item_path
from search.searcher import Export, Searcher

__all__ = ["BadParameter", "Export", "Hit", "ItemPage", "QueryTooExpensive", "SearchError", "SearchQuery",
           "SearchResult", "Searcher", "item_path", "open_searcher"]


def open_searcher(index_dir: Path, budget_ms: float = 2000.0) -> Searcher:
    """The Searcher over the index at ``index_dir`` (the local engine)."""
    return LocalSearcher(index_dir, budget_ms)
