"""Where an index lives on disk, which build is current, and who may write it.

::

    index_data/
      current -> builds/20261122-130501-4f2a   the build readers open (a symlink)
      builds/<name>/                           one full build: a Whoosh index + jianbao.json
      .lock                                    held by the one build or update writing

A full build writes a new folder and then points ``current`` at it with one
atomic rename, so readers see the old index or the new one, never half of one.
``jianbao.json`` records what the index was built with; an index whose analyzer,
user dictionary or file format differs from this code's is refused with the command that fixes it.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import pickle
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.analysis import ANALYZER_VERSION, dictionary_hash
from indexer.atomic import atomic_write, sync_folder
from indexer.errors import IndexLocked, IndexMissing, IndexStale

CURRENT = "current"
BUILDS = "builds"
LOCK = ".lock"
SERVING = ".serving"  # held (shared) by every server serving the folder
META = "jianbao.json"
INDEX_NAME = "MAIN"
KEEP_BUILDS = 2  # the current build and the one before (readers may still hold it open)
# 2: search forms in UTF-16, short posting lists inside their term infos, stored items deflated with a dictionary
# 3: stored items in raw deflate (reading one no longer checks the dictionary's checksum)
# 4: grams of a single document beside the term table (indexer.index.singles); short posting lists as bare
#    pickle opcodes; posting blocks at zlib level 6; doc values compressed
# 5: items without a topic in the topic facet's arrays as 未分类
# 6: the keys of what names a document, what it cites and repeals, its stated validity, where its paragraphs and
#    sentences begin (doc values)
INDEX_FORMAT = "6"


@dataclass
class IndexMeta:
    """What ``jianbao.json`` says of a build."""

    analyzer_version: str
    dictionary_hash: str
    created: str
    updated: str
    sources: list[str] = field(default_factory=list)
    archive_root: str = ""  # the folder item sources are named relative to
    fingerprint: str = ""  # of the archive root's files when last read whole (see files.archive_fingerprint)
    index_format: str = "1"  # of the files (INDEX_FORMAT when written; builds from before it was recorded: 1)

    @classmethod
    def fresh(cls, sources: list[str], archive_root: str, fingerprint: str = "") -> IndexMeta:
        now = dt.datetime.now().isoformat(timespec="seconds")
        return cls(ANALYZER_VERSION, dictionary_hash(), now, now, sources, archive_root, fingerprint, INDEX_FORMAT)


def current_build(index_dir: Path) -> Path:
    """The folder of the current build; IndexMissing when there is none."""
    link = index_dir / CURRENT
    target = link.resolve() if link.is_symlink() else None
    if target is None or not (target / META).is_file():
        raise IndexMissing(f"no index in {index_dir}: run `python -m indexer build` to create it")
    return target


def read_meta(build: Path) -> IndexMeta:
    """The metadata of a build."""
    data = json.loads((build / META).read_text(encoding="utf-8"))
    return IndexMeta(**{k: data[k] for k in IndexMeta.__dataclass_fields__ if k in data})


def write_meta(build: Path, meta: IndexMeta) -> None:
    """Write a build's metadata (atomically)."""
    atomic_write(build / META, json.dumps(asdict(meta), ensure_ascii=False, indent=1))


def check_compatible(build: Path) -> IndexMeta:
    """The build's metadata; IndexStale when its tokens or files would differ from this code's."""
    meta = read_meta(build)
    if meta.analyzer_version != ANALYZER_VERSION or meta.dictionary_hash != dictionary_hash():
        raise IndexStale(
            f"the index in {build.parent.parent} was built with analyzer {meta.analyzer_version} and "
            f"dictionary {meta.dictionary_hash}, this code uses analyzer {ANALYZER_VERSION} and dictionary "
            f"{dictionary_hash()}: run `python -m indexer build` to rebuild it"
        )
    if meta.index_format != INDEX_FORMAT:
        raise IndexStale(
            f"the index in {build.parent.parent} is in file format {meta.index_format}, this code reads format "
            f"{INDEX_FORMAT}: run `python -m indexer build` to rebuild it"
        )
    return meta


def new_build(index_dir: Path) -> Path:
    """A new, empty build folder (not yet current)."""
    name = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    path = index_dir / BUILDS / name
    path.mkdir(parents=True)
    return path


def make_current(index_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` in one atomic step."""
    tmp = index_dir / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(Path(BUILDS) / build.name, tmp)
    os.replace(tmp, index_dir / CURRENT)
    sync_folder(index_dir)


def remove_old_builds(index_dir: Path) -> None:
    """Delete builds other than the current one and the one before it, and unfinished ones."""
    builds = index_dir / BUILDS
    if not builds.is_dir():
        return
    try:
        current = current_build(index_dir).name
    except IndexMissing:
        current = None
    finished = sorted((p for p in builds.iterdir() if (p / META).is_file()), key=lambda p: p.name)
    keep = {p.name for p in finished[-KEEP_BUILDS:]} | {current}
    for path in builds.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(index_dir: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the index's writer lock; wait up to ``wait_seconds`` for another writer, then IndexLocked.

    The lock is an ``flock`` on ``.lock``: the system releases it when its holder
    dies, so a killed build never leaves the index locked.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+") as f:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    f.seek(0)
                    holder = f.read().strip() or "another process"
                    raise IndexLocked(
                        f"{index_dir} is being written by {holder}; waited {wait_seconds:g} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(0.2)
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            fcntl.flock(f, fcntl.LOCK_UN)


def read_toc(storage: FileStorage, build: Path) -> TOC:
    """The build's table of contents; IndexStale when its schema names code this version no longer has."""
    try:
        return TOC.read(storage, INDEX_NAME)
    except (ImportError, AttributeError, pickle.UnpicklingError) as e:
        raise IndexStale(f"the index in {build.parent.parent} was written by another version of Jianbao ({e}): "
                         "run `python -m indexer build` to rebuild it") from None


def serve_lock(index_dir: Path, what: str) -> TextIO:
    """Say that a server serves this folder (``what``: its archive and address) for as long as the returned file
    stays open: a shared ``flock`` on ``.serving``, dropped by the system when the server ends."""
    index_dir.mkdir(parents=True, exist_ok=True)
    f = open(index_dir / SERVING, "a+")  # noqa: SIM115 - held open for the server's life
    fcntl.flock(f, fcntl.LOCK_SH)
    f.seek(0, os.SEEK_END)
    f.write(f"{what}\n")
    f.flush()
    return f


def served_by(index_dir: Path) -> str | None:
    """What another running server said of itself when it took this folder (:func:`serve_lock`), or None."""
    path = index_dir / SERVING
    if not path.exists():
        return None
    with open(path, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            lines = f.read().strip().splitlines()
            return lines[-1] if lines else "another server"
        f.truncate(0)  # no server holds it: what was written is of servers gone
        fcntl.flock(f, fcntl.LOCK_UN)
    return None
