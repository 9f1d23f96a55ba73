"""Who is asking: a viewer is the frozenset of groups whose items a request may see.

``public`` is always among them (:func:`viewer_of` adds it); :data:`EVERYTHING`
(the group ``*``, which no item can name) is an administrator's, who sees every
item; :func:`may_see` (kept in :mod:`indexer.items`, where uploads use it too) is the rule.
Every Searcher method takes ``viewer=`` and answers as if the items the viewer may not see
did not exist; the default is :data:`PUBLIC_ONLY`, so a call that forgets it leaks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.items import ADMIN_GROUP, PUBLIC
from indexer.items import may_see as may_see  # the shared rule, named here with the viewers

Viewer = frozenset[str]
PUBLIC_ONLY: Viewer = frozenset({PUBLIC})
EVERYTHING: Viewer = frozenset({PUBLIC, ADMIN_GROUP})


def viewer_of(groups: Iterable[str] = (), admin: bool = False) -> Viewer:
    """The viewer of someone in ``groups`` (an administrator sees everything)."""
    return EVERYTHING if admin else frozenset({PUBLIC, *(g for g in groups if g != ADMIN_GROUP)})


def index_groups(viewer: Viewer) -> frozenset[str] | None:
    """The groups to test items against, or None for an administrator (no test)."""
    return None if ADMIN_GROUP in viewer else viewer | PUBLIC_ONLY
