"""The local backend: the index folder ``JIANBAO_INDEX_DIR`` (:mod:`indexer.index`), searched in this process.

Builds and updates are :mod:`indexer.build`'s; the Searcher is :class:`search.local.searcher.LocalSearcher`.
Before a server starts, :meth:`LocalBackend.prepare` builds the index when there is none, when it was
built by another version or from another folder, or when the archive's files changed since.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from backends import Backend
from indexer.build import build, update
from indexer.errors import IndexMissing, IndexStale, JianbaoError, Report
from indexer.index.layout import check_compatible, current_build, read_meta
from indexer.index.reader import IndexSnapshot
from indexer.ingest.files import CORPUS_SUFFIXES, archive_fingerprint, holds_archive_files
from indexer.progress import Progress
from indexer.runs import Summary
from indexer.stats import index_stats
from indexer.upload_jobs import UploadJobs
from indexer.uploads import Limits, Upload, UploadStore
from search.local.searcher import LocalSearcher
from search.searcher import Searcher


class LocalBackend(Backend):
    """The index in ``settings.index_dir``."""

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def target(self) -> str:
        return f"index {self.index_dir}"

    def build(self, sources: list[Path], report: Report, progress: Progress | None = None) -> Summary:
        s = self.settings
        return build(sources, self.index_dir, report, s.workers, s.lock_wait, progress=progress, memory=s.build_memory)

    def update(self, sources: list[Path], report: Report, allow_removals: bool = False,
               progress: Progress | None = None) -> Summary:
        s = self.settings
        return update(sources, self.index_dir, report, s.workers, s.lock_wait, progress=progress,
                      allow_removals=allow_removals, memory=s.build_memory)

    def searcher(self) -> Searcher:
        return LocalSearcher(self.index_dir, self.settings.query_budget_ms)

    def stats(self) -> dict[str, Any]:
        snapshot = IndexSnapshot(self.index_dir)
        try:
            return index_stats(snapshot)
        finally:
            snapshot.close()

    def prepare(self, log: Callable[[str], None]) -> None:
        reason = self.rebuild_reason()
        if reason is None:
            return
        corpus = self.settings.corpus_dir
        if not holds_archive_files(corpus):
            raise JianbaoError(f"{reason}, and {corpus} holds no file to index ({' '.join(CORPUS_SUFFIXES)}): put "
                               "the archive's files there, or name the archive's folder (JIANBAO_CORPUS_DIR=…, "
                               "make run CORPUS=…)")
        log(f"{reason}: building it from {corpus} …")
        log(self.build([corpus], Report(), Progress()).line("built"))

    def rebuild_reason(self) -> str | None:
        """Why the index must be built again from the archive folder before serving, or None."""
        index_dir, corpus = self.index_dir, self.settings.corpus_dir
        try:
            meta = check_compatible(current_build(index_dir))
        except IndexMissing:
            return f"there is no index in {index_dir} yet"
        except IndexStale:
            return f"the index in {index_dir} was built by another version of Jianbao"
        if not meta.archive_root or not corpus.is_dir() or not Path(meta.archive_root).samefile(corpus):
            return f"the index in {index_dir} was built from {meta.archive_root or 'other files'}"
        if meta.fingerprint != archive_fingerprint(corpus):
            return f"files in {corpus} changed since the index was built"
        return None

    def uploads(self, finished: Callable[[Upload], None]) -> UploadJobs:
        s = self.settings
        root = Path(read_meta(current_build(self.index_dir)).archive_root or s.corpus_dir)
        store = UploadStore(root / (s.uploads_dir or "uploads"), root, Limits(s.upload_max_bytes, s.upload_max_files))
        return UploadJobs(store, self.index_dir, s.lock_wait, finished)
