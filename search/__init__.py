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


def open_searcher(index_dir: Path, budget_ms: float = 2000.0, backend: str = "local") -> Searcher:
    """The Searcher of ``backend``: ``local`` (the index at ``index_dir``) or ``sphinxql://host:port`` (a cluster)."""
    if backend.startswith("sphinxql:"):
        from search.sphinxql import SphinxQLSearcher  # PyMySQL is loaded only for a cluster

        return SphinxQLSearcher(backend, budget_ms)
    return LocalSearcher(index_dir, budget_ms)
