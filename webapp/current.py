"""The app's Searcher, for the views."""

from __future__ import annotations

from flask import current_app

from search import Searcher


def searcher() -> Searcher:
    """The Searcher the app was created with."""
    return current_app.extensions["jianbao"]
