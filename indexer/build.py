"""Full builds and updates: items in, Whoosh segments out, the switch made atomically.

A build reads the corpus in this process and hands batches of items to one
worker process per core; each worker segments (jieba), inverts and writes its own
Whoosh segments (:mod:`indexer.index.writer`). When every worker is done, one table
of contents naming all segments is written and ``current`` is switched to the new
build (:mod:`indexer.index.layout`). Small corpora are built in this process.

An update writes the new or changed items as new segments of the current build,
marks the documents they replace as deleted (same id; for .txt and .html files,
every item of the re-read file) and commits a new table of contents: readers see
the index before or after, never in between. An update that would leave out items
of an issue already indexed (a re-read file that now holds fewer) lists them and
stops unless removals are allowed.

A build or update that fails removes what it wrote (the new build folder; the new
segment files of an update) and raises a one-line JianbaoError naming the cause,
a full disk included. Worker processes die with the process that started them.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import multiprocessing as mp
import os
import queue
import shutil
import signal
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader

from indexer.errors import JianbaoError, Report
from indexer.index.layout import (
    INDEX_NAME,
    META,
    IndexMeta,
    check_compatible,
    current_build,
    make_current,
    new_build,
    read_toc,
    remove_old_builds,
    write_meta,
    writer_lock,
)
from indexer.index.schema import build_schema
from indexer.index.writer import SegmentBuilder
from indexer.ingest.files import archive_fingerprint, archive_root, read_items
from indexer.ingest.read.conversions import cache_for
from indexer.ingest.read.documents import DocumentReader
from indexer.items import Item
from indexer.progress import Progress
from indexer.runs import Summary, read_update, removal_label, removals_refused
from indexer.settings import Settings

SEGMENT_DOCS = 50_000  # documents a segment holds at most
DEFAULT_MEMORY = Settings.defaults().build_memory  # megabytes a build uses at most
PARENT_MB = 200  # the reading process: Python, the readers' libraries, the batches in flight, where each item went
WORKER_MB = 200  # a worker besides its postings: Python, jieba's dictionary, vocabulary, term table, stored values
SORT_FACTOR = 3  # a worker's memory at its peak over the postings it holds (sorting a run, the allocator's slack)
MIN_POSTINGS_MB = 32  # postings a worker holds at least before spilling a run
BATCH = 200  # items sent to a worker at a time
IN_PROCESS_UP_TO = 2_000  # corpora this small are built without worker processes
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies (Linux)


def build(sources: list[Path], index_dir: Path, report: Report, workers: int = 0,
          lock_wait: float = 30.0, progress: Progress | None = None, memory: int = DEFAULT_MEMORY) -> Summary:
    """Build a new index of ``sources`` and make it current; the old one serves until then.

    Items name their files relative to the archive root (the folder given, or the
    files' common folder), which the index records for later updates. The build's
    processes use about ``memory`` megabytes at most together (see :func:`memory_plan`).
    """
    started = time.monotonic()
    root = archive_root(sources)
    with writer_lock(index_dir, lock_wait):
        remove_old_builds(index_dir)
        folder = new_build(index_dir)
        try:
            storage = FileStorage(str(folder))
            schema = build_schema()
            storage.create_index(schema, indexname=INDEX_NAME)
            items = read_items(sources, report, root, DocumentReader(cache_for(index_dir)), progress)
            segments, count, duplicates = _write_segments(items, folder, workers or os.cpu_count() or 1, memory)
            if not count:
                raise JianbaoError(f"no items in {', '.join(map(str, sources))}: the current index is kept")
            commit_segments(storage, schema, segments, generation=1)
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
        storage = FileStorage(str(folder))
        toc = read_toc(storage, folder)
        batch = read_update(sources, report, root, DocumentReader(cache_for(index_dir)), progress)
        removed = _removed_items(storage, toc, batch.whole_files, batch.ids)
        if removed and not allow_removals:
            raise removals_refused(removed)
        try:
            replaced = delete_documents(storage, toc, batch.ids, batch.whole_files)
            new_segments, count, duplicates = _write_segments(iter(batch.items), folder,
                                                              workers or os.cpu_count() or 1, memory)
            commit_segments(storage, toc.schema, toc.segments + new_segments, generation=toc.generation + 1)
            meta.updated = IndexMeta.fresh([], meta.archive_root).updated
            meta.sources = sorted(set(meta.sources) | {str(s) for s in sources})
            if meta.fingerprint and all(_inside(s, Path(meta.archive_root)) for s in sources):
                meta.fingerprint = archive_fingerprint(Path(meta.archive_root))  # the archive as now indexed
            write_meta(folder, meta)
        except BaseException as e:
            committed = TOC.read(storage, INDEX_NAME)
            _remove_unnamed(storage, committed.generation, committed.segments)
            raise _failure("update", e, f"the index is at generation {committed.generation}") from e
    return Summary(count - duplicates, replaced + duplicates, report.files_read, report.files_skipped,
                   report.warnings, time.monotonic() - started, f"index {folder}")


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


def commit_segments(storage: FileStorage, schema, segments: list, generation: int) -> None:
    """Write the table of contents naming ``segments`` (atomic) and remove files nothing names."""
    TOC(schema, segments, generation).write(storage, INDEX_NAME)
    _remove_unnamed(storage, generation, segments)


def _remove_unnamed(storage: FileStorage, generation: int, segments: list) -> None:
    """Remove the files the table of contents of ``generation`` does not name (and scratch files)."""
    clean_files(storage, INDEX_NAME, generation, segments)
    for name in storage.list():
        if ".toc." in name:  # a table of contents left half-written by a killed run
            storage.delete_file(name)
    shutil.rmtree(Path(storage.folder) / f"{INDEX_NAME}.tmp", ignore_errors=True)  # Whoosh's scratch folder
    (Path(storage.folder) / f"{META}.part").unlink(missing_ok=True)  # metadata left half-written


def live_documents(storage: FileStorage, toc: TOC, field: str,
                   terms: set[str]) -> Iterator[tuple[object, int, SegmentReader]]:
    """(segment, docnum, its open reader) of every live document holding one of ``terms`` in ``field``."""
    for segment in toc.segments:
        reader = SegmentReader(storage, toc.schema, segment)
        try:
            for term in terms:
                if (field, term) not in reader:
                    continue
                for docnum in reader.postings(field, term).all_ids():
                    if not segment.is_deleted(docnum):
                        yield segment, docnum, reader
        finally:
            reader.close()


def _removed_items(storage: FileStorage, toc: TOC, issue_keys: set[str], ids: set[str]) -> list[str]:
    """``id (title)`` of each live item of these issues whose id is not among the new ones."""
    items = (reader.stored_fields(docnum)["item"]
             for _, docnum, reader in live_documents(storage, toc, "issue_key", issue_keys))
    return [removal_label(item) for item in items if item["id"] not in ids]


def delete_documents(storage: FileStorage, toc: TOC, ids: set[str], issue_keys: set[str]) -> int:
    """Mark deleted the documents with these ids or issue keys; return how many."""
    deleted = 0
    for field, terms in (("id", ids), ("issue_key", issue_keys)):
        for segment, docnum, _ in live_documents(storage, toc, field, terms):  # live when reached: none twice
            segment.delete_document(docnum)
            deleted += 1
    return deleted


class _Ledger:
    """Where each item went (worker, sequence number), and the earlier copies of repeated ids."""

    def __init__(self) -> None:
        self.where: dict[str, tuple[int, int]] = {}
        self.sent: dict[int, int] = defaultdict(int)
        self.duplicates: list[tuple[int, int]] = []

    def place(self, item: Item, worker: int) -> None:
        if item.id in self.where:
            self.duplicates.append(self.where[item.id])
        self.where[item.id] = (worker, self.sent[worker])
        self.sent[worker] += 1

    def placed(self, items: Iterable[Item], worker: int) -> Iterator[Item]:
        for item in items:
            self.place(item, worker)
            yield item

    @property
    def count(self) -> int:
        return sum(self.sent.values())


def memory_plan(memory: int, workers: int) -> tuple[int, int]:
    """(worker processes, bytes of postings each holds before spilling a sorted run) for a build of ``memory`` MB.

    The reading process takes PARENT_MB; each worker WORKER_MB and SORT_FACTOR times the postings it
    holds (1 MB at least). Fewer workers than asked are used when each could not hold MIN_POSTINGS_MB.
    """
    room = memory - PARENT_MB
    workers = max(1, min(workers, room // (WORKER_MB + SORT_FACTOR * MIN_POSTINGS_MB)))
    return workers, max(1, (room // workers - WORKER_MB) // SORT_FACTOR) * 2**20


def _write_segments(items: Iterator[Item], folder: Path, workers: int,
                    memory: int = DEFAULT_MEMORY) -> tuple[list, int, int]:
    """Write the items as segments; return (segments, items written, earlier duplicates deleted).

    When an id comes twice, the later item wins: the earlier document is marked deleted.
    """
    workers, postings = memory_plan(memory, workers)
    head = list(itertools.islice(items, IN_PROCESS_UP_TO))
    first = next(items, None)
    everything = itertools.chain(head, [first] if first is not None else [], items)
    ledger = _Ledger()
    if workers <= 1 or first is None:
        by_worker = [_segments_of(ledger.placed(everything, 0), folder, postings)]
    else:
        by_worker = _parallel(everything, folder, workers, ledger, postings)
    for worker, seq in ledger.duplicates:
        by_worker[worker][seq // SEGMENT_DOCS].delete_document(seq % SEGMENT_DOCS)
    return [s for segments in by_worker for s in segments], ledger.count, len(ledger.duplicates)


def _segments_of(items: Iterable[Item], folder: Path, postings: int) -> list:
    """Write items as consecutive segments of at most SEGMENT_DOCS documents each.

    A segment's builder holds ``postings`` bytes of postings at most, the rest in sorted runs on disk.
    """
    storage = FileStorage(str(folder))
    schema = build_schema()
    segments = []
    builder = None
    for item in items:
        if builder is None:
            builder = SegmentBuilder(storage, schema, INDEX_NAME, postings_bytes=postings)
        builder.add(item)
        if builder.doc_count >= SEGMENT_DOCS:
            segments.append(builder.finish(folder))
            builder = None
    if builder is not None:
        segments.append(builder.finish(folder))
    return segments


def _parallel(items: Iterator[Item], folder: Path, workers: int, ledger: _Ledger, postings: int) -> list[list]:
    """Deal batches of items round-robin to worker processes; return each worker's segments."""
    ctx = mp.get_context("spawn")
    inboxes = [ctx.Queue(maxsize=8) for _ in range(workers)]
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(w, str(folder), inboxes[w], results, os.getpid(), postings),
                         daemon=True)
             for w in range(workers)]
    for p in procs:
        p.start()
    try:
        for n, batch in enumerate(_batches(items, BATCH)):
            w = n % workers
            for item in batch:
                ledger.place(item, w)
            _put(inboxes[w], batch, procs[w])
        for inbox, proc in zip(inboxes, procs):
            _put(inbox, None, proc)
        return _collect(results, procs)
    except BaseException:
        for inbox, p in zip(inboxes, procs):
            inbox.cancel_join_thread()  # batches no worker will read must not hold this process at exit
            p.terminate()
        raise
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()


def _collect(results, procs: list) -> list[list]:
    """Wait for every worker's segments; a worker's failure becomes an error naming it."""
    by_worker: dict[int, list] = {}
    while len(by_worker) < len(procs):
        try:
            kind, w, payload = results.get(timeout=5)
        except queue.Empty:
            dead = [i for i, p in enumerate(procs) if not p.is_alive() and i not in by_worker]
            if dead:
                raise JianbaoError(f"build worker {dead[0]} stopped unexpectedly") from None
            continue
        if kind == "error":
            raise JianbaoError(f"build worker {w} failed: {payload}")
        by_worker[w] = payload
    return [by_worker[w] for w in range(len(procs))]


def _put(inbox, batch, proc) -> None:
    """Put a batch in a worker's inbox, noticing if the worker has died meanwhile."""
    while True:
        try:
            inbox.put(batch, timeout=5)
            return
        except queue.Full:
            if not proc.is_alive():
                raise JianbaoError("a build worker stopped unexpectedly") from None


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _worker(worker: int, folder: str, inbox, results, parent: int, postings: int) -> None:
    """Worker process: write the items of the batches it is dealt as segments, then report them."""
    _die_with(parent)
    try:
        def stream() -> Iterator[Item]:
            while (batch := inbox.get()) is not None:
                yield from batch

        results.put(("done", worker, _segments_of(stream(), Path(folder), postings)))
    except BaseException as e:  # report any failure to the parent instead of dying silently
        results.put(("error", worker, traceback.format_exception_only(e)[-1].strip()))


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends, even by ``kill -9``: the kernel's parent-death signal on
    Linux, else a thread watching the parent; at once if the parent has already gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
