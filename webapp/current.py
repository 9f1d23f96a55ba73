"""The app's Searcher, for the views, bound to what the current request may see."""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app

from search import Searcher
from search.access import Viewer
from webapp.identity import viewer


class ViewerSearcher:
    """A Searcher whose every method that takes ``viewer=`` is given the request's viewer, so no view
    (and no view added later) can forget it."""

    def __init__(self, searcher: Searcher, seen_by: Viewer):
        self._searcher = searcher
        self._viewer = seen_by

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._searcher, name)
        code = getattr(getattr(attribute, "__func__", None), "__code__", None)
        if code is not None and "viewer" in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]:
            return functools.partial(attribute, viewer=self._viewer)
        return attribute


def searcher() -> Searcher:
    """The Searcher the app was created with, answering as the current request may see."""
    return ViewerSearcher(current_app.extensions["jianbao"], viewer())  # type: ignore[return-value]
