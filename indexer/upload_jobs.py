"""Indexing uploads in the background, resuming those a stop cut short, and withdrawing items and uploads.

Each upload is indexed by :func:`indexer.build.update` of its folder, in one background
thread per process, one upload at a time. While it runs, the thread holds an ``flock`` on
the upload's ``.lock`` (the system drops it when the process dies), so an upload whose state
says ``indexing`` but whose lock is free was cut short and is taken up again by
:meth:`UploadJobs.resume`. An update either commits or leaves the index as it was, so a
server killed mid-way serves the old index and the retried update gives the same ids.
The index's writer lock serialises uploads of every process: an upload waits for it
(as long as it takes), it never fails for it.

An upload may not replace items already in the index: if a record's id is taken by an
item of another file, the upload fails and the index is not touched; its message names
only the taken ids whose items the uploader may see.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from indexer.build import update
from indexer.errors import IndexLocked, JianbaoError, Report
from indexer.index.layout import writer_lock
from indexer.index.segments import Segments
from indexer.ingest.files import read_files
from indexer.ingest.read.conversions import cache_for
from indexer.ingest.read.documents import DocumentReader
from indexer.items import may_see
from indexer.progress import Progress
from indexer.uploads import UNFINISHED, Refused, Upload, UploadStore, now

log = logging.getLogger("jianbao.uploads")
LOCK = ".lock"
SAVE_EVERY = 1.0  # seconds between saves of an upload's progress
LISTED = 5  # problems or clashing ids named in an upload's message


class Busy(JianbaoError):
    """The upload is being indexed by another thread or process."""


@contextlib.contextmanager
def claimed(folder: Path, wait: bool = False) -> Iterator[None]:
    """Hold the upload's lock (Busy when another holds it and ``wait`` is false)."""
    with open(folder / LOCK, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise Busy(f"upload {folder.name} is being indexed; try again when it has finished") from None
            raise
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class _Saving(Progress):
    """Progress that writes the files and items done into the upload's state, at most once a second."""

    def __init__(self, store: UploadStore, upload: Upload):
        super().__init__(stream=None)
        self.store, self.upload, self._saved = store, upload, 0.0

    def start(self, total: int) -> None:
        super().start(total)
        self._save(force=True)

    def advance(self, items: int) -> None:
        super().advance(items)
        self._save(force=self.files == self.total)

    def _save(self, force: bool) -> None:
        if force or time.monotonic() - self._saved >= SAVE_EVERY:
            self.upload.progress = {"files": self.files, "total": self.total, "items": self.items}
            self.store.save(self.upload)
            self._saved = time.monotonic()


class UploadJobs:
    """The background indexer of one process; ``finished`` is called with each upload that ends."""

    def __init__(self, store: UploadStore, index_dir: Path, lock_wait: float,
                 finished: Callable[[Upload], None] | None = None):
        self.store, self.index_dir, self.lock_wait = store, index_dir, lock_wait
        self.finished = finished or (lambda upload: None)
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, upload_id: str) -> None:
        """Index the upload in the background (after those submitted before it)."""
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="jianbao-uploads", daemon=True)
                self._thread.start()
        self._queue.put(upload_id)

    def resume(self) -> list[str]:
        """Submit every upload a stop left queued or half-indexed; return their ids."""
        ids = self.store.unfinished()
        for upload_id in ids:
            self.submit(upload_id)
        return ids

    def _loop(self) -> None:
        while True:
            upload_id = self._queue.get()
            try:
                self.run(upload_id)
            except Busy:
                pass  # another process indexes it
            except Exception:  # one upload's failure must not stop the others
                log.exception("upload %s", upload_id)

    def run(self, upload_id: str) -> Upload:
        """Index one upload now, unless it has ended or another holds it (Busy)."""
        with claimed(self.store.path(upload_id)):
            upload = self.store.load(upload_id)
            if upload.status not in UNFINISHED:
                return upload
            upload.status, upload.message = "indexing", "reading the files"
            self.store.save(upload)
            try:
                self._index(upload)
                upload.status = "done"
            except JianbaoError as e:
                upload.status, upload.message = "failed", str(e)
            upload.finished = now()
            self.store.save(upload)
        self.finished(upload)
        return upload

    def retry(self, upload_id: str) -> Upload:
        """Queue a failed or interrupted upload again; Refused (409) when it is running or has ended well."""
        try:
            with claimed(self.store.path(upload_id)):
                upload = self.store.load(upload_id)
                if upload.status not in ("failed", *UNFINISHED):
                    raise Refused(f"upload {upload_id} is {upload.status}", "该上传无需重试", 409)
                upload.status, upload.message = "queued", "queued again"
                self.store.save(upload)
        except Busy as e:
            raise Refused(str(e), "该上传正在索引", 409) from None
        self.submit(upload_id)
        return upload

    def withdraw_upload(self, upload_id: str) -> Upload:
        """Remove an upload's items from the index and move its folder aside (see :func:`withdraw_upload`)."""
        return withdraw_upload(self.store, self.index_dir, upload_id, self.lock_wait)

    def withdraw_item(self, item_id: str) -> tuple[int, str]:
        """Remove one item from the index (see :func:`withdraw_item`)."""
        return withdraw_item(self.store, self.index_dir, item_id, self.lock_wait)

    def _index(self, upload: Upload) -> None:
        folder = self.store.path(upload.id)
        root = self.store.archive_root
        report = Report(stream=None)
        by_file = {path.relative_to(root).as_posix(): items
                   for path, items in read_files([folder], report, root, DocumentReader(cache_for(self.index_dir)))}
        items = [item for file_items in by_file.values() for item in file_items]
        problems = "; ".join(f"{Path(p.path).name}: {p.reason}" for p in report.problems[:LISTED])
        if not items:
            raise JianbaoError(f"no items found in the files ({problems or 'nothing readable'}); nothing indexed")
        clashes = taken_ids(self.index_dir, {i.id for i in items}, {i.issue_key for i in items})
        if clashes:  # the uploader learns that an id is taken, but not which of those it may not see
            named = sorted(i for i, access in clashes.items() if may_see(frozenset(upload.viewer), access))
            listed = f" ({', '.join(named[:LISTED])}{'…' if len(named) > LISTED else ''})" if named else ""
            raise JianbaoError(f"item ids of these files are already used by other files of the archive{listed}; "
                               "nothing indexed, nothing replaced")
        for entry in upload.files:
            entry["items"] = [i.id for i in by_file.get(entry["stored"], [])]
        while True:
            try:
                summary = update([folder], self.index_dir, Report(stream=None), workers=1,
                                 lock_wait=self.lock_wait, progress=_Saving(self.store, upload))
                break
            except IndexLocked:
                upload.message = "waiting for another writer of the index"
                self.store.save(upload)
        upload.items = [i.id for i in items]
        upload.message = (f"indexed {summary.items} items of {summary.files_read} files"
                          + (f"; problems: {problems}" if problems else ""))


def taken_ids(index_dir: Path, ids: set[str], own_issue_keys: set[str]) -> dict[str, list[str]]:
    """The ids among ``ids`` that live items of other issues (not ``own_issue_keys``) already have, with the
    access of those items."""
    items = Segments.current(index_dir).stored_items("id", ids)
    return {item["id"]: item.get("access", []) for item in items if item.get("issue_key") not in own_issue_keys}


def remove_items(index_dir: Path, ids: set[str], lock_wait: float) -> int:
    """Remove the items with these ids from the index (one new generation); return how many were live.
    Waits for the writer lock as long as it takes."""
    while True:
        try:
            with writer_lock(index_dir, lock_wait):
                segments = Segments.current(index_dir)
                removed = segments.delete(ids, set())
                if removed:
                    segments.commit()
                return removed
        except IndexLocked:
            continue


def withdraw_upload(store: UploadStore, index_dir: Path, upload_id: str, lock_wait: float) -> Upload:
    """Remove an upload's items from the index and move its folder aside (kept, never deleted)."""
    with claimed(store.path(upload_id)):
        upload = store.load(upload_id)
        if upload.status == "withdrawn":
            raise JianbaoError(f"upload {upload_id} was withdrawn already")
        remove_items(index_dir, set(upload.items) - set(upload.withdrawn_items), lock_wait)
        store.move_aside(upload)
        upload.status, upload.finished = "withdrawn", now()
        upload.withdrawn_items = list(upload.items)
        upload.message = f"withdrawn: {len(upload.items)} items removed from the index, files kept aside"
        store.save(upload)
    return upload


def withdraw_item(store: UploadStore, index_dir: Path, item_id: str, lock_wait: float) -> tuple[int, str]:
    """Remove one item from the index: (items removed, what became of its file).

    An uploaded file whose every item is withdrawn moves aside to the ``.withdrawn`` folder; a file
    still holding other items stays (a full rebuild would read the item again).
    """
    removed = remove_items(index_dir, {item_id}, lock_wait)
    for upload_id in store.ids():
        with contextlib.suppress(KeyError, ValueError):
            upload = store.load(upload_id)
            for entry in upload.files:
                if item_id in entry.get("items", []):
                    return removed, _withdraw_from(store, upload, entry, item_id)
    return removed, "the file stays in the archive (a full rebuild reads the item again)"


def _withdraw_from(store: UploadStore, upload: Upload, entry: dict, item_id: str) -> str:
    with claimed(store.path(upload.id), wait=True):
        upload = store.load(upload.id)
        entry = next(e for e in upload.files if e["stored"] == entry["stored"])
        upload.withdrawn_items = sorted(set(upload.withdrawn_items) | {item_id})
        if set(entry["items"]) <= set(upload.withdrawn_items):
            source = store.archive_root / entry["stored"]
            aside = store.withdrawn_path(upload.id)
            aside.mkdir(parents=True, exist_ok=True)
            for path in (source, source.with_name(source.name + ".meta.json")):
                if path.exists() and not (aside / path.name).exists():
                    os.rename(path, aside / path.name)
            entry["withdrawn"] = True
            outcome = f"its file {entry['stored']} was moved aside to {aside.relative_to(store.archive_root)}"
        else:
            outcome = f"its file {entry['stored']} stays: it holds other items"
        store.save(upload)
    return outcome
