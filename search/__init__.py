"""The search engine's contract, without Flask: a :class:`Searcher` answers queries over an archive.

Every backend's Searcher (the local engine in :mod:`search.local`, the cluster's in :mod:`cluster.searcher`)
takes a :class:`SearchQuery` and answers a :class:`SearchResult`; a backend's searcher is had from
:func:`backends.backend_for`. The web app, the command line, the benchmarks and the tests all search through it.
"""

from __future__ import annotations

from search.errors import BadParameter, QueryTooExpensive, SearchError
from search.results import Hit, ItemPage, SearchQuery, SearchResult, item_path
from search.searcher import Export, Searcher

__all__ = ["BadParameter", "Export", "Hit", "ItemPage", "QueryTooExpensive", "SearchError", "SearchQuery",
           "SearchResult", "Searcher", "item_path"]
