"""Items written as segments of one build folder: in this process, or dealt in batches to worker processes.

Each worker segments (jieba), inverts and writes its own segments (:mod:`indexer.index.writer`) within its share
of the build's memory (:func:`memory_plan`); small corpora are written in this process. Of the items sharing an
id, one is kept (:class:`indexer.runs.OneItemAnId`): the others' documents are marked deleted. Workers end with
the process that started them (:mod:`indexer.processes`) and report a failure instead of dying silently.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import traceback
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from indexer.errors import JianbaoError, Report
from indexer.index.layout import INDEX_NAME
from indexer.index.schema import build_schema
from indexer.index.writer import SegmentBuilder
from indexer.items import Item
from indexer.processes import die_with_parent
from indexer.runs import OneItemAnId
from indexer.settings import Settings

SEGMENT_DOCS = 50_000  # documents a segment holds at most
DEFAULT_MEMORY = Settings.defaults().build_memory  # megabytes a build uses at most
PARENT_MB = 200  # the reading process: Python, the readers' libraries, the batches in flight, where each item went
WORKER_MB = 200  # a worker besides its postings: Python, jieba's dictionary, vocabulary, term table, stored values
SORT_FACTOR = 3  # a worker's memory at its peak over the postings it holds (sorting a run, the allocator's slack)
MIN_POSTINGS_MB = 32  # postings a worker holds at least before spilling a run
BATCH = 200  # items sent to a worker at a time
IN_PROCESS_UP_TO = 2_000  # corpora this small are built without worker processes


class _Ledger:
    """Where each item went (worker, sequence number), and the documents to delete: of the items sharing an id,
    those :class:`~indexer.runs.OneItemAnId` leaves out."""

    def __init__(self, ids: OneItemAnId) -> None:
        self.ids = ids
        self.where: dict[str, tuple[int, int]] = {}
        self.sent: dict[int, int] = defaultdict(int)
        self.duplicates: list[tuple[int, int]] = []

    def place(self, item: Item, worker: int) -> None:
        here = (worker, self.sent[worker])
        self.sent[worker] += 1
        admitted = self.ids.admit(item)
        if admitted is False:
            self.duplicates.append(here)
            return
        if admitted is None:
            self.duplicates.append(self.where[item.id])
        self.where[item.id] = here

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


def write_segments(items: Iterator[Item], folder: Path, workers: int, report: Report,
                   memory: int = DEFAULT_MEMORY) -> tuple[list, int, int]:
    """Write the items as segments; return (segments, items written, documents deleted as repeats of an id).

    Of the items sharing an id, one is kept (:class:`~indexer.runs.OneItemAnId`, repeats across files reported):
    the others' documents are marked deleted.
    """
    workers, postings = memory_plan(memory, workers)
    head = list(itertools.islice(items, IN_PROCESS_UP_TO))
    first = next(items, None)
    everything = itertools.chain(head, [first] if first is not None else [], items)
    ledger = _Ledger(OneItemAnId(report))
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
    die_with_parent(parent)
    try:
        def stream() -> Iterator[Item]:
            while (batch := inbox.get()) is not None:
                yield from batch

        results.put(("done", worker, _segments_of(stream(), Path(folder), postings)))
    except BaseException as e:  # report any failure to the parent instead of dying silently
        results.put(("error", worker, traceback.format_exception_only(e)[-1].strip()))
