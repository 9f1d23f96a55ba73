"""A backend: where an archive's items are written and searched. One object per engine, one lookup.

:func:`backend_for` reads ``JIANBAO_BACKEND`` (``local``, or ``sphinxql://host:port``) and gives a
:class:`Backend`: the local index in a folder (:mod:`backends.local`) or a Sphinx/Manticore cluster
(:mod:`backends.cluster`). The command lines and the web app reach an engine only through it: they
build, update and search without knowing which engine answers. Nothing else branches on the name.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.errors import JianbaoError, Report
from indexer.progress import Progress
from indexer.runs import Summary
from indexer.settings import SettingError, Settings
from indexer.uploads import Upload
from search.searcher import Searcher

if TYPE_CHECKING:  # the local backend's uploads service, named for its type only
    from indexer.upload_jobs import UploadJobs

LOCAL = "local"
CLUSTER_SCHEME = "sphinxql://"


class Backend(ABC):
    """An engine the archive is written into and searched in."""

    #: whether searches are answered one at a time by a thread of their own in each server process
    #: (CPU work under one GIL, see webapp.lanes); a backend that waits on the network answers on every thread
    search_lane: bool = True

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    @abstractmethod
    def target(self) -> str:
        """Where the items are: ``index FOLDER`` or ``cluster URL``."""

    @abstractmethod
    def build(self, sources: list[Path], report: Report, progress: Progress | None = None) -> Summary:
        """Write every item of ``sources``, then drop the items they no longer have (a failed build drops nothing)."""

    @abstractmethod
    def update(self, sources: list[Path], report: Report, allow_removals: bool = False,
               progress: Progress | None = None) -> Summary:
        """Add or replace (by id) the items of ``sources``; see :mod:`indexer.runs`."""

    @abstractmethod
    def searcher(self) -> Searcher:
        """A Searcher over the items, within the settings' query budget."""

    def stats(self) -> dict[str, Any]:
        """What the backend holds: items, issues, facet counts, size."""
        raise JianbaoError(f"stats are not available for {self.target}")

    def prepare(self, log: Callable[[str], None]) -> None:
        """Make the backend ready to serve before the web server starts (the local index: build it if needed)."""

    def uploads(self, finished: Callable[[Upload], None]) -> UploadJobs:
        """The store of uploaded files and the background indexer of uploads into this backend (``finished``
        is called with each upload that ends); JianbaoError when the backend takes none."""
        raise JianbaoError(f"uploads need the local index (JIANBAO_BACKEND={LOCAL}), not {self.target}")


def backend_for(settings: Settings, url: str | None = None, index_dir: Path | None = None) -> Backend:
    """The backend ``url`` names (default: ``JIANBAO_BACKEND``), its local index in ``index_dir`` when local."""
    name = url or settings.backend
    if index_dir is not None:
        settings = dataclasses.replace(settings, index_dir=index_dir)
    if name == LOCAL:
        from backends.local import LocalBackend

        return LocalBackend(settings)
    if name.startswith(CLUSTER_SCHEME):
        from backends.cluster import ClusterBackend  # PyMySQL is loaded only for a cluster

        return ClusterBackend(settings, name)
    raise SettingError(f"JIANBAO_BACKEND={name!r} must be `{LOCAL}` or `{CLUSTER_SCHEME}host:port`")

