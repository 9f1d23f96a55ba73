"""Reading an archive: files and folders in, enriched items out, problems reported.

Formats (docs/archive.md): ``.txt`` (one issue a file), ``.html``/``.htm`` (one
issue or one item a page), ``.jsonl``/``.jsonl.gz`` (one item a line), the document
formats ``.docx .doc .wps .rtf .odt .pdf .ofd`` (one issue or document a file,
converted to text by :mod:`indexer.ingest.read.documents`), and a ``NAME.meta.json``
beside any file with issue-level metadata. A file that cannot be read is reported
with the reason and skipped, and reading goes on.

Items name their file by its path relative to the archive root (the folder the
build was given), so ids depend on nothing but the archive itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.errors import JianbaoError, Report, SourceError
from indexer.ingest.enrich.access import ACCESS_FILE, folder_access, nearest_access
from indexer.ingest.enrich.duplicates import Deduplicator
from indexer.ingest.enrich.topic_learning import Stated, refile, stated
from indexer.ingest.read.conversions import Extracted
from indexer.ingest.read.documents import DOCUMENT_SUFFIXES, MAX_DOCUMENT_BYTES, DocumentReader, is_document
from indexer.ingest.read.encodings import decode
from indexer.ingest.read.filetypes import MIN_READABLE, SNIFF_BYTES, mismatch, readable_share
from indexer.ingest.read.meta import META_SUFFIX, IssueMeta, read_meta
from indexer.ingest.read.records import RECORD_SUFFIXES, read_records
from indexer.ingest.read.webpage import PAGE_SUFFIXES, read_page
from indexer.ingest.split.issues import issue_items
from indexer.items import Item, truncation
from indexer.progress import Progress
from indexer.withdrawals import Withdrawals

TEXT_SUFFIXES = (".txt",)
CORPUS_SUFFIXES = TEXT_SUFFIXES + PAGE_SUFFIXES + RECORD_SUFFIXES + DOCUMENT_SUFFIXES
# A .txt or .html file larger than this is not one bulletin issue (JSON Lines exports have no limit).
MAX_ISSUE_BYTES = 32 * 2**20


def is_corpus_file(path: Path) -> bool:
    """Is this a file the archive reader takes (by its name)?"""
    name = path.name.lower()
    if name.startswith(".") or name.endswith(META_SUFFIX):
        return False
    return name.endswith(CORPUS_SUFFIXES)


def is_record_file(path: Path) -> bool:
    """Does the file hold one item a record (JSON Lines), rather than whole issues?"""
    return path.name.lower().endswith(RECORD_SUFFIXES)


def archive_root(sources: list[Path]) -> Path:
    """The folder item sources are named relative to: the one folder given, else the files' common folder."""
    folders = [s if s.is_dir() else s.parent for s in sources] or [Path(".")]
    return Path(os.path.commonpath([os.path.abspath(f) for f in folders]))


def archive_fingerprint(root: Path) -> str:
    """A digest of every file under an archive folder (name, size, time of change): equal while nothing changed."""
    digest = hashlib.sha1()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            with contextlib.suppress(OSError):  # a file vanishing under the walk changes the digest anyway
                st = path.stat()
                digest.update(f"{path.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def source_key(path: Path, root: Path) -> str:
    """How an item names the file it came from: its path relative to the archive root when inside it.

    Links are not followed: a linked file is named where it stands in the archive.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return absolute.as_posix()


def iter_files(sources: list[Path], report: Report) -> Iterator[Path]:
    """The archive files under the given files and folders, in a stable order.

    Folders are walked without following links (a link loop cannot trap the walk);
    a linked file is read. A source that does not exist is reported.
    """
    for source in sources:
        if source.is_dir():
            for root, dirs, files in os.walk(source, onerror=lambda e: report.skip(e.filename, e.strerror)):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    path = Path(root) / name
                    if is_corpus_file(path):
                        yield path
                    elif not name.startswith(".") and not name.lower().endswith(META_SUFFIX) and name != ACCESS_FILE:
                        report.skip(str(path), f"not a corpus format ({' '.join(CORPUS_SUFFIXES)})")
        elif source.exists() or source.is_symlink():
            yield source
        else:
            report.skip(str(source), "no such file or folder")


def holds_archive_files(folder: Path) -> bool:
    """Does the folder hold at least one file of a format the archive reads?"""
    return next(iter_files([folder], Report(stream=None)), None) is not None


def read_items(sources: list[Path], report: Report, root: Path | None = None,
               documents: DocumentReader | None = None, progress: Progress | None = None) -> Iterator[Item]:
    """Every item of every archive file under ``sources``; bad files reported and skipped.

    Records stream through (a JSON Lines export is never held whole); the items of issue and
    document files come at the end, the same item read from several files once
    (:mod:`indexer.ingest.enrich.duplicates`), and filed again with the terms the archive's documents that state
    their topics teach (:mod:`indexer.ingest.enrich.topic_learning`).
    """
    kept = Deduplicator()
    teachers: list[Stated] = []
    for path, items in read_files(sources, report, root, documents, progress, stream_records=True):
        if is_record_file(path):
            for item in items:
                if (taught := stated(item)) is not None:
                    teachers.append(taught)
                yield item
        else:
            kept.add(items)
    documents_read = kept.items()
    teachers += [t for t in map(stated, documents_read) if t is not None]
    refile(documents_read, teachers)  # the archive's stated documents teach the topics of its other documents
    yield from documents_read


def read_files(sources: list[Path], report: Report, root: Path | None = None,
               documents: DocumentReader | None = None,
               progress: Progress | None = None,
               stream_records: bool = False) -> Iterator[tuple[Path, Iterable[Item]]]:
    """Each archive file under ``sources`` with its items (none for a file reported and skipped).

    The files are listed first, so ``progress`` knows the total and the LibreOffice
    formats are converted in one run; ``documents`` converts document files
    (with its conversion cache; without one, nothing is cached). The items are a list,
    or with ``stream_records`` for a JSON Lines file, read as they are taken (take them all
    before the next file). Items an administrator withdrew (:mod:`indexer.withdrawals`) are left out.
    """
    root = root or archive_root(sources)
    try:
        withdrawn = Withdrawals(root).ids()
    except OSError as e:
        raise JianbaoError(str(e)) from None
    documents = documents or DocumentReader()
    paths = list(iter_files(sources, report))
    progress = progress or Progress(stream=None)
    progress.start(len(paths))
    documents.prepare(paths)
    for path in paths:
        if stream_records and is_record_file(path):
            yield path, _counted((i for i in read_file(path, report, root, documents) if i.id not in withdrawn),
                                 progress)
            continue
        items = [i for i in read_file(path, report, root, documents) if i.id not in withdrawn]
        progress.advance(len(items))
        yield path, items
    progress.close()


def read_file(path: Path, report: Report, root: Path, documents: DocumentReader | None = None) -> Iterator[Item]:
    """The items of one file. A file that cannot be read at all is reported and yields nothing."""
    key = source_key(path, root)
    inherited = folder_access(path, root, report)
    if problem := _kind_problem(path):
        report.skip(str(path), problem)
        return
    if is_record_file(path):
        yield from _records(path, key, report, inherited)
        return
    try:
        if is_document(path):
            data = _read_bytes(path, MAX_DOCUMENT_BYTES)
            extracted = (documents or DocumentReader()).extract(path, data)
            for reason in extracted.warnings:
                report.warn(str(path), reason)
            _check_text(str(path), extracted.text)
            items = _document_items(key, extracted, read_meta(path, report))
        else:
            data = _read_bytes(path)
            meta = read_meta(path, report)
            if path.name.lower().endswith(PAGE_SUFFIXES):
                items = read_page(key, str(path), data, meta)
            else:
                text = decode(data, str(path), lambda reason: report.warn(str(path), reason))
                _check_text(str(path), text)
                items = issue_items(key, text, meta)
        if not items:
            raise SourceError(str(path), "no items found")
    except SourceError as e:
        report.skip(e.path, e.reason)
        return
    report.files_read += 1
    access = nearest_access(read_meta(path, Report(stream=None)).access, inherited)  # an issue's items share it
    for item in items:
        item.access = list(access)
        if item.truncated:
            report.warn(str(path), truncation(item))
    yield from items


def _records(path: Path, key: str, report: Report, inherited: list[str]) -> Iterator[Item]:
    """The items of a JSON Lines file as they are read (records carry their own access); none: reported."""
    count = 0
    try:
        for item in read_records(path, key, report, inherited):
            count += 1
            yield item
    except SourceError as e:
        report.skip(e.path, e.reason)
        return
    if count:
        report.files_read += 1
    else:
        report.skip(str(path), "no items found")


def _counted(items: Iterator[Item], progress: Progress) -> Iterator[Item]:
    """The items, the file counted done in ``progress`` once they are all taken."""
    count = 0
    for item in items:
        count += 1
        yield item
    progress.advance(count)


def _document_items(key: str, extracted: Extracted, meta: IssueMeta) -> list[Item]:
    """The items of a document's text; its title and creation date properties used only where the text has none."""
    items = issue_items(key, extracted.text, meta)
    fallback_issue = key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for item in items:
        item.ocr = extracted.ocr
        if extracted.title and item.issue == fallback_issue:
            item.issue = extracted.title
        if extracted.created and item.year is None:
            item.date, item.year, item.date_inferred = extracted.created, int(extracted.created[:4]), True
    return items


def _kind_problem(path: Path) -> str | None:
    """Why a file is not what its name says (random bytes named .doc), from its first bytes; None when it is."""
    name = path.name.lower()
    suffix = next((s for s in sorted(CORPUS_SUFFIXES, key=len, reverse=True) if name.endswith(s)), "")
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return None  # reported, with its reason, when it is read
    return mismatch(suffix, head, nul_is_binary=False)


def _check_text(path: str, text: str) -> None:
    """SourceError when the text a file gave is mostly not text (what a damaged file or another format gives)."""
    share = readable_share(text[:200_000])
    if share < MIN_READABLE:
        raise SourceError(path, f"what was read is mostly not text ({share:.0%} of its characters are those of a "
                                "Chinese text): a damaged file, or another format")


def _read_bytes(path: Path, limit: int = MAX_ISSUE_BYTES) -> bytes:
    """The bytes of an archive file; SourceError if it is not a regular file, too large or unreadable."""
    try:
        st = path.stat()  # follows links: a link loop or a broken link fails here
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(str(path), "not a regular file")
        if st.st_size > limit:
            raise SourceError(str(path), f"{st.st_size / 2**20:.0f} MB is too large for one bulletin issue "
                                         f"(limit {limit // 2**20} MB); split it into issues")
        return path.read_bytes()
    except OSError as e:
        raise SourceError(str(path), e.strerror or str(e)) from None
