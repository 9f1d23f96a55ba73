"""Indexing uploads in the background, resuming those a stop cut short, and withdrawing items and uploads.

Each upload is indexed by :func:`indexer.build.update` of its folder, one upload at a time, in a child process
(``python -m indexer.upload_jobs``) started by a background thread of the server process: a huge or hostile file
costs the child's CPU, at a lower priority than the server's searches, and at most ``JIANBAO_UPLOAD_MEMORY``
megabytes and ``JIANBAO_UPLOAD_SECONDS`` seconds (then it is stopped and the upload fails, nothing indexed). Uploads
wait their turn fairly: the next is taken from the uploader who has waited longest, so one uploader's queue never
holds the others' for more than an upload's time. While it runs, the thread holds an ``flock`` on
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

import argparse
import contextlib
import errno
import fcntl
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.build import update
from indexer.errors import IndexLocked, JianbaoError, Report
from indexer.index.layout import writer_lock
from indexer.index.segments import Segments
from indexer.ingest.files import read_files
from indexer.ingest.read.conversions import cache_for
from indexer.ingest.read.documents import DocumentReader
from indexer.items import may_see
from indexer.processes import die_with_parent
from indexer.progress import Progress
from indexer.uploads import UNFINISHED, Limits, Refused, Upload, UploadStore, now
from indexer.withdrawals import Withdrawals

log = logging.getLogger("jianbao.uploads")
LOCK = ".lock"
SAVE_EVERY = 1.0  # seconds between saves of an upload's progress
LISTED = 5  # problems or clashing ids named in an upload's message


class Busy(JianbaoError):
    """The upload is being indexed by another thread or process."""


@dataclass(frozen=True)
class JobLimits:
    """What indexing one upload may take: seconds, and megabytes of address space for its process."""

    seconds: float = 300.0
    memory_mb: int = 2048


class FairQueue:
    """Uploads waiting to be indexed, taken in turn by uploader: each uploader's oldest, uploaders round robin."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[str, deque[str]] = OrderedDict()
        self._ready = threading.Condition()

    def put(self, user: str, upload_id: str) -> None:
        with self._ready:
            self._waiting.setdefault(user, deque()).append(upload_id)
            self._ready.notify()

    def get(self) -> str:
        """The next upload (blocks until there is one)."""
        with self._ready:
            while not self._waiting:
                self._ready.wait()
            user, ids = next(iter(self._waiting.items()))
            upload_id = ids.popleft()
            del self._waiting[user]
            if ids:  # the uploader's next waits behind every other uploader's
                self._waiting[user] = ids
            return upload_id


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
                 finished: Callable[[Upload], None] | None = None, limits: JobLimits = JobLimits()):
        self.store, self.index_dir, self.lock_wait, self.limits = store, index_dir, lock_wait, limits
        self.finished = finished or (lambda upload: None)
        self._queue = FairQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, upload_id: str) -> None:
        """Index the upload in the background (after those submitted before it)."""
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="jianbao-uploads", daemon=True)
                self._thread.start()
        try:
            user = self.store.load(upload_id).user
        except (KeyError, ValueError, TypeError):
            user = ""
        self._queue.put(user, upload_id)

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
        with claimed(self.store.where(upload_id)):
            upload = self.store.load(upload_id)
            if upload.status not in UNFINISHED:
                return upload
            upload.status, upload.message, upload.message_zh = "indexing", "reading the files", "正在读取文件"
            self.store.save(upload)
            try:
                upload = self._index_in_child(upload)
                upload.status = "done"
            except JianbaoError as e:
                upload.status, upload.message = "failed", str(e)
                self.store.set_aside(upload)  # its files must not enter the archive with the next build
                upload.message_zh = getattr(e, "message_zh", "索引失败，未建立索引（原因见原始信息）")
            upload.finished = now()
            self.store.save(upload)
        self.finished(upload)
        return upload

    def retry(self, upload_id: str) -> Upload:
        """Queue a failed or interrupted upload again; Refused (409) when it is running or has ended well."""
        try:
            with claimed(self.store.where(upload_id)):
                upload = self.store.load(upload_id)
                if upload.status not in ("failed", *UNFINISHED):
                    raise Refused(f"upload {upload_id} is {upload.status}", "该上传无需重试", 409)
                self.store.restore(upload)
                upload.status, upload.message, upload.message_zh = "queued", "queued again", "已重新排队"
                self.store.save(upload)
        except Busy as e:
            raise Refused(str(e), "该上传正在索引", 409) from None
        self.submit(upload_id)
        return upload

    def withdraw_upload(self, upload_id: str) -> Upload:
        """Remove an upload's items from the index and move its folder aside (see :func:`withdraw_upload`)."""
        return withdraw_upload(self.store, self.index_dir, upload_id, self.lock_wait)

    def withdraw_item(self, item_id: str, user: str = "") -> int:
        """Remove one item from the index and list it as withdrawn (see :func:`withdraw_item`)."""
        return withdraw_item(self.store, self.index_dir, item_id, self.lock_wait, user)

    def restore_item(self, item_id: str) -> str:
        """Put a withdrawn item back (see :func:`restore_item`)."""
        return restore_item(self.store, self.index_dir, item_id, self.lock_wait)

    def withdrawals(self) -> dict[str, dict]:
        """The archive's withdrawn items (id -> title, file, who, when)."""
        return Withdrawals(self.store.archive_root).entries()

    def _index_in_child(self, upload: Upload) -> Upload:
        """Index the upload in a child process within the limits; the upload as the child left it.

        JianbaoError saying why when the child fails, or is stopped for its time or memory."""
        command = [sys.executable, "-m", "indexer.upload_jobs", str(self.store.folder), str(self.store.archive_root),
                   str(self.index_dir), upload.id, str(self.lock_wait), str(os.getpid()), str(self.limits.memory_mb)]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
        try:
            _, err = child.communicate(timeout=self.limits.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise JianbaoError(f"indexing took longer than {self.limits.seconds:.0f} s (JIANBAO_UPLOAD_SECONDS) "
                               "and was stopped; nothing indexed") from None
        if child.returncode != 0:
            lines = [line for line in err.splitlines() if line.strip()]
            if child.returncode < 0 or any("MemoryError" in line for line in lines):
                raise JianbaoError(f"indexing was stopped (it needed more than {self.limits.memory_mb} MB, "
                                   "JIANBAO_UPLOAD_MEMORY, or was killed); nothing indexed")
            raise JianbaoError(lines[-1] if lines else f"indexing failed (exit status {child.returncode})")
        return self.store.load(upload.id)

    def _index(self, upload: Upload) -> None:
        folder = self.store.path(upload.id)
        root = self.store.archive_root
        report = Report(stream=None)
        by_file = {path.relative_to(root).as_posix(): items
                   for path, items in read_files([folder], report, root, DocumentReader(cache_for(self.index_dir)))}
        items = [item for file_items in by_file.values() for item in file_items]
        problems = "; ".join(f"{Path(p.path).name}: {p.reason}" for p in report.problems[:LISTED])
        unread = "、".join(dict.fromkeys(Path(p.path).name for p in report.problems[:LISTED]))
        if not items:
            raise UploadFailed(f"no items found in the files ({problems or 'nothing readable'}); nothing indexed",
                               f"文件中没有读出可检索的条目{f'（无法读取：{unread}）' if unread else ''}，未建立索引")
        clashes = taken_ids(self.index_dir, {i.id for i in items}, {i.issue_key for i in items})
        if clashes:  # the uploader learns that an id is taken, but not which of those it may not see
            named = sorted(i for i, access in clashes.items() if may_see(frozenset(upload.viewer), access))
            listed = f" ({', '.join(named[:LISTED])}{'…' if len(named) > LISTED else ''})" if named else ""
            raise UploadFailed(f"item ids of these files are already used by other files of the archive{listed}; "
                               "nothing indexed, nothing replaced",
                               f"部分条目编号已被档案中的其他文件使用{listed}，未建立索引，也未替换任何条目")
        for entry in upload.files:
            entry["items"] = [i.id for i in by_file.get(entry["stored"], [])]
        while True:
            try:
                summary = update([folder], self.index_dir, Report(stream=None), workers=1,
                                 lock_wait=self.lock_wait, progress=_Saving(self.store, upload))
                break
            except IndexLocked:
                upload.message = "waiting for another writer of the index"
                upload.message_zh = "正在等待其他索引任务完成"
                self.store.save(upload)
        upload.items = [i.id for i in items]
        upload.message = (f"indexed {summary.items} items of {summary.files_read} files"
                          + (f"; problems: {problems}" if problems else ""))
        upload.message_zh = (f"已从 {summary.files_read} 个文件建立 {summary.items} 条索引"
                             + (f"；未能读取：{unread}" if unread else ""))


class UploadFailed(JianbaoError):
    """An upload that cannot be indexed; the message says why, in English and (``message_zh``) Chinese."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message_zh = message_zh


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
    with claimed(store.where(upload_id)):
        upload = store.load(upload_id)
        if upload.status == "withdrawn":
            raise JianbaoError(f"upload {upload_id} was withdrawn already")
        remove_items(index_dir, set(upload.items) - set(upload.withdrawn_items), lock_wait)
        store.move_aside(upload)
        upload.status, upload.finished = "withdrawn", now()
        upload.withdrawn_items = list(upload.items)
        upload.message = f"withdrawn: {len(upload.items)} items removed from the index, files kept aside"
        upload.message_zh = f"已撤回：{len(upload.items)} 条已从索引中移除，文件另行保存"
        store.save(upload)
    return upload


def withdraw_item(store: UploadStore, index_dir: Path, item_id: str, lock_wait: float, user: str = "") -> int:
    """Remove one item from the index and list it among the archive's withdrawals (:mod:`indexer.withdrawals`),
    so no later build or update reads it back; return how many documents were removed (0: no such item)."""
    found = next(Segments.current(index_dir).stored_items("id", {item_id}), None)
    if found is None:
        return 0
    Withdrawals(store.archive_root).add(item_id, title=found["title"] or found["body"][:30], source=found["source"],
                                        user=user, time=now())
    return remove_items(index_dir, {item_id}, lock_wait)


def restore_item(store: UploadStore, index_dir: Path, item_id: str, lock_wait: float) -> str:
    """Take a withdrawn item off the list and read its file again (an update): what became of it."""
    entry = Withdrawals(store.archive_root).remove(item_id)
    if entry is None:
        raise Refused(f"item {item_id} is not withdrawn", "该条目未被撤回", 404)
    source = store.archive_root / entry.get("source", "")
    if not source.is_file():
        return f"item {item_id} is no longer withdrawn; its file {entry.get('source')} is not in the archive"
    while True:
        try:
            update([source], index_dir, Report(stream=None), workers=1, lock_wait=lock_wait)
            return f"item {item_id} restored: {entry.get('source')} read again"
        except IndexLocked:
            continue


def _limit_self(memory_mb: int) -> None:
    """A lower CPU priority than the server's searches, and at most ``memory_mb`` megabytes of address space."""
    os.nice(10)
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))


def main(argv: list[str] | None = None) -> int:
    """The child process indexing one upload: its state saved as it goes, one line on stderr if it fails."""
    p = argparse.ArgumentParser(prog="python -m indexer.upload_jobs", description="Index one upload (for the server).")
    for name in ("uploads_dir", "archive_root", "index_dir"):
        p.add_argument(name, type=Path)
    p.add_argument("upload_id")
    p.add_argument("lock_wait", type=float)
    p.add_argument("parent", type=int)
    p.add_argument("memory_mb", type=int)
    args = p.parse_args(argv)
    die_with_parent(args.parent)
    _limit_self(args.memory_mb)
    store = UploadStore(args.uploads_dir, args.archive_root, Limits(0, 0))
    jobs = UploadJobs(store, args.index_dir, args.lock_wait)
    upload = store.load(args.upload_id)
    try:
        jobs._index(upload)
    except JianbaoError as e:
        print(str(e), file=sys.stderr)
        return 2
    store.save(upload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
