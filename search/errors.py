"""Errors a Searcher raises; the web app maps each to a status (see webapp/errors.py).

Hierarchy::

    SearchError            a request the search cannot answer as asked
    ├── BadParameter       a parameter that cannot be used: names it and says why (400)
    └── QueryTooExpensive  the query needed more than its time budget (400)

An index that cannot be opened raises :class:`indexer.errors.IndexProblem` (503).
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class: its message is shown to the user as it is."""


class BadParameter(SearchError, ValueError):
    """A request parameter that cannot be used; names the parameter and says why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class QueryTooExpensive(SearchError):
    """The query needed more than its time budget."""
