"""The local backend: the index folder ``JIANBAO_INDEX_DIR`` (:mod:`indexer.index`), searched in this process.

Builds and updates are :mod:`indexer.build`'s; the Searcher is :class:`search.local.searcher.LocalSearcher`.
Before a server starts, :meth:`LocalBackend.prepare` builds the index when there is none, when it was built by
another version or from another archive than the one named, or when the archive's files changed since.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backends import Backend
from indexer.build import build, update
from indexer.errors import IndexMissing, IndexStale, JianbaoError, Report
from indexer.index.layout import check_compatible, current_build, read_meta, serve_lock, served_by
from indexer.index.reader import IndexSnapshot
from indexer.ingest.files import CORPUS_SUFFIXES, archive_fingerprint, holds_archive_files
from indexer.progress import Progress
from indexer.runs import Summary
from indexer.stats import index_stats
from indexer.upload_jobs import JobLimits, UploadJobs
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
        """Build the index when it must be (see :meth:`rebuild_reason`), then hold it as served by this server.

        With an archive named (``JIANBAO_CORPUS_DIR``, ``make run CORPUS=…``) the index is of that archive; with
        none, the server serves the index it is given, rebuilt (when its files changed or this version reads it no
        more) from the archive the index records. An index another running server serves is never rebuilt from
        another archive: that start is refused, saying what to do.
        """
        archive = self.archive()
        reason = self.rebuild_reason(archive)
        if reason is not None:
            other = served_by(self.index_dir)
            if other is not None and "built from" in reason:
                raise JianbaoError(f"{reason}, and another server serves it ({other}): give this archive its own "
                                   f"index folder (JIANBAO_INDEX_DIR or --index-dir), or stop that server first")
            if not holds_archive_files(archive):
                raise JianbaoError(f"{reason}, and {archive} holds no file to index ({' '.join(CORPUS_SUFFIXES)}): "
                                   "put the archive's files there, or name the archive's folder (JIANBAO_CORPUS_DIR=…, "
                                   "make run CORPUS=…)")
            log(f"{reason}: building it from {archive} …")
            log(self.build([archive], Report(), Progress()).line("built"))
        self._serving = serve_lock(self.index_dir, f"pid {os.getpid()}, archive {archive}")

    def archive(self) -> Path:
        """The archive the index is (to be) built from: the one named, else the one the index records (when it is
        still there), else the sample archive."""
        if self.settings.named("JIANBAO_CORPUS_DIR"):
            return self.settings.corpus_dir
        with contextlib.suppress(IndexMissing, OSError, ValueError, TypeError):
            recorded = Path(read_meta(current_build(self.index_dir)).archive_root or "")
            if recorded.name and recorded.is_dir():
                return recorded
        return self.settings.corpus_dir

    def rebuild_reason(self, archive: Path) -> str | None:
        """Why the index must be built (again) from ``archive`` before serving, or None."""
        index_dir = self.index_dir
        try:
            meta = check_compatible(current_build(index_dir))
        except IndexMissing:
            return f"there is no index in {index_dir} yet"
        except IndexStale:
            return f"the index in {index_dir} was built by another version of Jianbao"
        if not meta.archive_root or not archive.is_dir() or not Path(meta.archive_root).samefile(archive):
            return f"the index in {index_dir} was built from {meta.archive_root or 'other files'}"
        if meta.fingerprint != archive_fingerprint(archive):
            return f"files in {archive} changed since the index was built"
        return None

    def uploads(self, finished: Callable[[Upload], None]) -> UploadJobs:
        s = self.settings
        root = Path(read_meta(current_build(self.index_dir)).archive_root or s.corpus_dir)
        store = UploadStore(root / (s.uploads_dir or "uploads"), root, Limits(s.upload_max_bytes, s.upload_max_files))
        return UploadJobs(store, self.index_dir, s.lock_wait, finished, JobLimits(s.upload_seconds, s.upload_memory))
