"""The cluster backend: a Sphinx 2.2 / Manticore cluster behind the aggregator at ``sphinxql://host:port``.

Builds and updates are :mod:`cluster.write`'s; the Searcher is :class:`cluster.searcher.SphinxQLSearcher`.
A cluster is built with ``python -m indexer build --backend URL``, never by the web server, and takes no uploads.
"""

from __future__ import annotations

from pathlib import Path

from backends import Backend
from cluster.searcher import SphinxQLSearcher
from cluster.write import build_cluster, update_cluster
from indexer.errors import Report
from indexer.progress import Progress
from indexer.runs import Summary
from indexer.settings import Settings
from search.searcher import Searcher


class ClusterBackend(Backend):
    """The cluster whose aggregator is at ``url``."""

    search_lane = False  # a search mostly waits on the network: every request goes to the threads

    def __init__(self, settings: Settings, url: str):
        super().__init__(settings)
        self.url = url

    @property
    def target(self) -> str:
        return f"cluster {self.url}"

    def build(self, sources: list[Path], report: Report, progress: Progress | None = None) -> Summary:
        return build_cluster(sources, self.url, report)

    def update(self, sources: list[Path], report: Report, allow_removals: bool = False,
               progress: Progress | None = None) -> Summary:
        return update_cluster(sources, self.url, report, allow_removals)

    def searcher(self) -> Searcher:
        return SphinxQLSearcher(self.url, self.settings.query_budget_ms)
