"""Full builds and updates of the local index: items in, segments out, the switch made atomically.

A build reads the archive in this process and has its items written as segments of a new build folder
(:mod:`indexer.index.workers`: worker processes within the memory budget); when every segment is written,
one table of contents names them all and ``current`` is switched to the new build
(:mod:`indexer.index.layout`).

An update (:mod:`indexer.runs` reads it) writes the new or changed items as new segments of the current build,
marks the documents they replace as deleted (same id; for issue files, every item of the re-read file) and
commits a new table of contents (:mod:`indexer.index.segments`): readers see the index before or after, never
in between. An update that would leave out items of an issue already indexed lists them and stops unless
removals are allowed.

A build or update that fails removes what it wrote (the new build folder; the new segment files of an update)
and raises a one-line JianbaoError naming the cause, a full disk included.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

from indexer.errors import IndexMissing, JianbaoError, Report
from indexer.index.layout import (
    IndexMeta,
    check_compatible,
    current_build,
    make_current,
    new_build,
    remove_old_builds,
    write_meta,
    writer_lock,
)
from indexer.index.segments import Segments
from indexer.index.workers import DEFAULT_MEMORY, write_segments
from indexer.ingest.files import CORPUS_SUFFIXES, archive_fingerprint, archive_root, read_items
from indexer.ingest.read.conversions import cache_for
from indexer.ingest.read.documents import DocumentReader
from indexer.progress import Progress
from indexer.runs import Summary, read_update, removal_label, removals_refused


def build(sources: list[Path], index_dir: Path, report: Report, workers: int = 0,
          lock_wait: float = 30.0, progress: Progress | None = None, memory: int = DEFAULT_MEMORY) -> Summary:
    """Build a new index of ``sources`` and make it current; the old one serves until then.

    Items name their files relative to the archive root (the folder given, or the
    files' common folder), which the index records for later updates. The build's
    processes use about ``memory`` megabytes at most together (see :func:`indexer.index.workers.memory_plan`).
    """
    started = time.monotonic()
    root = archive_root(sources)
    with writer_lock(index_dir, lock_wait):
        remove_old_builds(index_dir)
        folder = new_build(index_dir)
        try:
            segments = Segments.create(folder)
            items = read_items(sources, report, root, DocumentReader(cache_for(index_dir)), progress)
            written, count, duplicates = write_segments(items, folder, workers or os.cpu_count() or 1, report, memory)
            if not count:
                raise JianbaoError(nothing_to_index(sources, report, _has_index(index_dir)))
            segments.commit(written, generation=1)
            fingerprint = archive_fingerprint(root) if root.is_dir() else ""
            write_meta(folder, IndexMeta.fresh([str(s) for s in sources], str(root), fingerprint))
            make_current(index_dir, folder)
        except BaseException as e:
            shutil.rmtree(folder, ignore_errors=True)
            raise _failure("build", e, "the current index is kept") from e
        remove_old_builds(index_dir)
    return Summary(count - duplicates, duplicates, report.files_read, report.files_skipped,
                   report.warnings, time.monotonic() - started, f"index {folder}")


def update(sources: list[Path], index_dir: Path, report: Report, workers: int = 0,
           lock_wait: float = 30.0, allow_removals: bool = False, progress: Progress | None = None,
           memory: int = DEFAULT_MEMORY) -> Summary:
    """Add the items of ``sources`` to the current index, replacing those they supersede.

    Files are named relative to the archive root the index was built from, so a
    re-read file keeps its item ids. A re-read file whose issue loses items is
    refused (JianbaoError listing them) unless ``allow_removals``.
    """
    started = time.monotonic()
    with writer_lock(index_dir, lock_wait):
        folder = current_build(index_dir)
        meta = check_compatible(folder)
        root = Path(meta.archive_root) if meta.archive_root else archive_root(sources)
        segments = Segments.open(folder)
        batch = read_update(sources, report, root, DocumentReader(cache_for(index_dir)), progress)
        removed = [removal_label(item) for item in segments.stored_items("issue_key", batch.whole_files)
                   if item["id"] not in batch.ids]
        if removed and not allow_removals:
            raise removals_refused(removed)
        try:
            replaced = segments.delete(batch.ids, batch.whole_files)
            written, count, duplicates = write_segments(iter(batch.items), folder, workers or os.cpu_count() or 1,
                                                        report, memory)
            segments.commit(segments.toc.segments + written)
            meta.updated = IndexMeta.fresh([], meta.archive_root).updated
            meta.sources = sorted(set(meta.sources) | {str(s) for s in sources})
            if meta.fingerprint and all(_inside(s, Path(meta.archive_root)) for s in sources):
                meta.fingerprint = archive_fingerprint(Path(meta.archive_root))  # the archive as now indexed
            write_meta(folder, meta)
        except BaseException as e:
            raise _failure("update", e, f"the index is at generation {segments.rollback()}") from e
    return Summary(count - duplicates, replaced + duplicates, report.files_read, report.files_skipped,
                   report.warnings, time.monotonic() - started, f"index {folder}")


def nothing_to_index(sources: list[Path], report: Report, kept: bool) -> str:
    """The one message of a build that found no items: no file of a format read, or files without text."""
    where = ", ".join(map(str, sources))
    if report.files_read:
        found = f"no items in {where}: its {report.files_read} files hold no text to index"
    else:
        found = f"{where} holds no file to index (formats read: {' '.join(CORPUS_SUFFIXES)})"
    return found + ("; the current index is kept" if kept else "; no index was built")


def _has_index(index_dir: Path) -> bool:
    try:
        current_build(index_dir)
    except IndexMissing:
        return False
    return True


def _failure(verb: str, error: BaseException, state: str) -> BaseException:
    """The one-line error a failed build or update raises, naming the cause (interruptions pass as they are)."""
    if isinstance(error, (KeyboardInterrupt, SystemExit, JianbaoError)):
        return error
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        cause = f"the disk is full ({error.filename or 'writing the index'}: {error.strerror})"
    elif isinstance(error, OSError):
        cause = f"{error.filename or 'the index'}: {error.strerror or error}"
    else:
        cause = str(error).splitlines()[-1] if str(error) else type(error).__name__
    return JianbaoError(f"{verb} failed, its files removed, {state}: {cause}")


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))
