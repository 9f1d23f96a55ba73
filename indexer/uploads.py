"""Uploaded bulletins: files checked and stored in the archive, each upload's state kept on disk beside them.

An upload is a new folder ``<uploads folder>/<id>/`` inside the archive (the build's
recorded archive root, or ``JIANBAO_UPLOADS_DIR`` within it), so uploaded files are
named, and their items identified, like every other archive file, and a rebuild reads
them. Nothing is ever written over: every upload gets a folder of its own, each file
is written under a hidden ``.part`` name and then linked to its final name, which
fails rather than replace a file. Beside the files:

* ``.upload.json``: the upload's state (who, when, files, status, progress, items);
* ``_access.json`` and ``NAME.meta.json``: the access and issue metadata given with it.

Each file is checked as it streams in: its name made safe, its size bounded, and its
type sniffed from its first bytes; the extension must agree with the content (a zip
package named ``.docx`` must be a Word package that would not inflate past the
reader's limits). A file that fails is refused with the reason and nothing of it kept.
A withdrawn upload's folder moves to ``<uploads folder>/.withdrawn/``, a failed one's to ``.failed/`` until it is
retried (both hidden: no build reads them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from indexer.atomic import atomic_write
from indexer.errors import JianbaoError
from indexer.ingest.enrich.access import ACCESS_FILE, parse_access
from indexer.ingest.files import CORPUS_SUFFIXES, MAX_ISSUE_BYTES, is_record_file
from indexer.ingest.read.documents import MAX_DOCUMENT_BYTES
from indexer.ingest.read.filetypes import SIGNATURES, SNIFF_BYTES, ZIP_KINDS, mismatch
from indexer.ingest.read.meta import META_SUFFIX
from indexer.ingest.read.zippackage import MAX_RATIO, MAX_TOTAL_BYTES
from indexer.items import PUBLIC

STATE = ".upload.json"
WITHDRAWN = ".withdrawn"
FAILED = ".failed"  # where a failed upload's files wait for a retry, out of every build's reach
CHUNK = 1 << 20
MAX_NAME_CHARS = 120
UNFINISHED = ("queued", "indexing")
ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]')


class Refused(JianbaoError):
    """An upload or one of its files is not accepted; the message says why (in English and Chinese)."""

    def __init__(self, message: str, message_zh: str, status: int = 400):
        super().__init__(message)
        self.message_zh = message_zh
        self.status = status


@dataclass(frozen=True)
class Limits:
    """How much one upload may hold."""

    max_bytes: int
    max_files: int


@dataclass
class Upload:
    """One upload's state, as kept in its ``.upload.json``."""

    id: str
    user: str
    address: str
    created: str
    issue: str = ""
    date: str = ""
    access: list[str] | None = None
    viewer: list[str] = field(default_factory=lambda: [PUBLIC])  # groups whose items the uploader may see
    files: list[dict[str, Any]] = field(default_factory=list)  # name (as sent), stored (relative), bytes, kind
    refused: list[dict[str, str]] = field(default_factory=list)  # name, reason
    status: str = "receiving"  # receiving, queued, indexing, done, failed, withdrawn
    message: str = ""
    message_zh: str = ""  # the message for people (pages); ``message`` stays for the API and logs
    progress: dict[str, int] = field(default_factory=lambda: {"files": 0, "total": 0, "items": 0})
    items: list[str] = field(default_factory=list)
    withdrawn_items: list[str] = field(default_factory=list)
    finished: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready data."""
        return asdict(self)


def now() -> str:
    """The local time, to the second, as ISO 8601."""
    return dt.datetime.now().isoformat(timespec="seconds")


def safe_name(name: str) -> str:
    """A file name that is one plain name in one folder: no path, no control or reserved characters,
    not hidden, at most :data:`MAX_NAME_CHARS` characters (the extension kept)."""
    base = unicodedata.normalize("NFC", re.split(r"[/\\]", name or "")[-1])
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if base.lower().endswith(META_SUFFIX) or base == ACCESS_FILE:
        base = "_" + base
    suffix = "".join(Path(base).suffixes[-2:]) if base.lower().endswith(".jsonl.gz") else Path(base).suffix
    if len(base) > MAX_NAME_CHARS:
        base = base[:MAX_NAME_CHARS - len(suffix)] + suffix
    return base or "file"


def suffix_of(name: str) -> str:
    """The archive format a name says it is (``.jsonl.gz`` counts as one), or "" when it is none."""
    lower = name.lower()
    return next((s for s in sorted(CORPUS_SUFFIXES, key=len, reverse=True) if lower.endswith(s)), "")


def check_type(name: str, suffix: str, head: bytes) -> str:
    """The format of a file whose first bytes are ``head``, when they agree with its extension; else Refused."""
    if not suffix:
        raise Refused(f"{name}: not a format the archive reads ({' '.join(CORPUS_SUFFIXES)})",
                      f"{name}：不支持的文件类型")
    problem = mismatch(suffix, head)
    if problem is not None:
        text_wanted = suffix not in ZIP_KINDS and suffix not in SIGNATURES
        raise Refused(f"{name}: {problem}", f"{name}：文件内容与扩展名不符" + ("（应为文本）" if text_wanted else ""))
    return suffix


def check_package(path: Path, suffix: str, name: str) -> None:
    """Refused unless the stored zip package is the kind its name says and would not inflate past the reader's
    limits (a zip bomb named .docx)."""
    part, kind = ZIP_KINDS[suffix]
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename.lstrip("/") for i in infos}
            inflated = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            worst = max((i.file_size / max(i.compress_size, 1024) for i in infos), default=0)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise Refused(f"{name}: not a {kind} file (a damaged zip package: {e})", f"{name}：文件已损坏") from None
    if inflated > MAX_TOTAL_BYTES or worst > MAX_RATIO:
        raise Refused(f"{name}: would inflate to {inflated:,} bytes from {packed:,} (a zip bomb?); refused",
                      f"{name}：压缩包解压后过大，疑似压缩炸弹，已拒绝")
    if part not in names:
        raise Refused(f"{name}: a zip package without {part}, so not a {kind} file", f"{name}：文件内容与扩展名不符")


def file_limit(suffix: str) -> int:
    """The most bytes the reader takes from one file of this format (none for JSON Lines)."""
    if suffix in ZIP_KINDS or suffix in (".pdf", ".doc", ".wps", ".rtf"):
        return MAX_DOCUMENT_BYTES
    return MAX_ISSUE_BYTES if suffix in (".txt", ".html", ".htm") else 1 << 62


def parse_metadata(issue: str, date: str, access: str) -> tuple[str, str, list[str] | None]:
    """The issue name, date (YYYY-MM-DD) and access (comma-separated groups, or public) of a form; else Refused."""
    issue = " ".join((issue or "").split())[:200]
    date = (date or "").strip()
    if date:
        try:
            date = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise Refused(f"date {date!r} is not YYYY-MM-DD", "日期格式应为 YYYY-MM-DD") from None
    groups = [g.strip() for g in re.split(r"[,，\s]+", access or "") if g.strip()]
    try:
        parsed = parse_access(groups) if groups else None
    except ValueError as e:
        raise Refused(f"access: {e}", "可见范围格式有误") from None
    return issue, date, parsed


class UploadStore:
    """The uploads folder: each upload's files and state."""

    def __init__(self, folder: Path, archive_root: Path, limits: Limits):
        folder, root = Path(os.path.abspath(folder)), Path(os.path.abspath(archive_root))
        if folder != root and root not in folder.parents:
            raise JianbaoError(f"the uploads folder {folder} is not inside the archive {root}: its files "
                               "would not be named like the archive's; set JIANBAO_UPLOADS_DIR inside it")
        self.folder, self.archive_root, self.limits = folder, root, limits

    def create(self, user: str, address: str, issue: str, date: str, access: list[str] | None,
               viewer: list[str] | None = None) -> Upload:
        """A new, empty upload with its own folder (``viewer``: the groups whose items the uploader may see)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            upload = Upload(dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4), user, address, now(),
                            issue, date, access, sorted(viewer or [PUBLIC]))
            try:
                self.path(upload.id).mkdir()
                break
            except FileExistsError:
                continue
        if access is not None:
            _write_new(self.path(upload.id) / ACCESS_FILE, json.dumps({"access": access}, ensure_ascii=False))
        self.save(upload)
        return upload

    def path(self, upload_id: str) -> Path:
        """The folder of an upload."""
        if not ID_PATTERN.match(upload_id):
            raise KeyError(upload_id)
        return self.folder / upload_id

    def add_file(self, upload: Upload, name: str, stream: BinaryIO, budget: int) -> int:
        """Store one file of the upload from ``stream``, reading at most ``budget`` bytes more than it may hold;
        return its size. Refused (nothing kept) when its name, size or content is not acceptable."""
        sent = name
        name = safe_name(name)
        suffix = suffix_of(name)
        head = stream.read(SNIFF_BYTES)
        kind = check_type(sent, suffix, head)
        limit = min(budget, file_limit(suffix))
        folder = self.path(upload.id)
        part = folder / f".part-{secrets.token_hex(6)}"
        size = 0
        try:
            with open(part, "xb") as out:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > limit:
                        raise Refused(f"{sent}: larger than {limit:,} bytes, the most this upload may still hold",
                                      f"{sent}：文件过大（上限 {limit // 2**20} MB）", 413)
                    out.write(chunk)
                    chunk = stream.read(CHUNK)
            if size == 0:
                raise Refused(f"{sent}: the file is empty", f"{sent}：文件为空")
            if kind in ZIP_KINDS:
                check_package(part, kind, sent)
            final = _link_new(part, folder, name)
        finally:
            part.unlink(missing_ok=True)
        if (upload.issue or upload.date) and not is_record_file(final):
            meta = {k: v for k, v in (("issue", upload.issue), ("date", upload.date)) if v}
            _write_new(final.with_name(final.name + META_SUFFIX), json.dumps(meta, ensure_ascii=False))
        upload.files.append({"name": sent, "stored": final.relative_to(self.archive_root).as_posix(),
                             "bytes": size, "kind": kind})
        return size

    def save(self, upload: Upload) -> None:
        """Write the upload's state (atomically) in the folder its files are in."""
        atomic_write(self.where(upload.id) / STATE, json.dumps(upload.to_dict(), ensure_ascii=False, indent=1))

    def where(self, upload_id: str) -> Path:
        """The folder an upload's files are in now: in the archive, set aside after a failure, or withdrawn."""
        for folder in (self.path(upload_id), self.failed_path(upload_id), self.withdrawn_path(upload_id)):
            if folder.is_dir():
                return folder
        raise KeyError(upload_id)

    def load(self, upload_id: str) -> Upload:
        """The state of an upload (failed and withdrawn ones too); KeyError when there is none."""
        for folder in (self.path(upload_id), self.failed_path(upload_id), self.withdrawn_path(upload_id)):
            try:
                data = json.loads((folder / STATE).read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue
            return Upload(**{k: v for k, v in data.items() if k in Upload.__dataclass_fields__})
        raise KeyError(upload_id)

    def failed_path(self, upload_id: str) -> Path:
        """Where a failed upload's folder waits for a retry (hidden: no build reads it)."""
        return self.folder / FAILED / self.path(upload_id).name

    def set_aside(self, upload: Upload) -> None:
        """Move a failed upload's folder out of the archive's reach, so no later build reads its files."""
        self.failed_path(upload.id).parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.path(upload.id), self.failed_path(upload.id))

    def restore(self, upload: Upload) -> None:
        """Move a failed upload's folder back into the archive, to be indexed again."""
        if self.failed_path(upload.id).is_dir():
            os.rename(self.failed_path(upload.id), self.path(upload.id))

    def withdrawn_path(self, upload_id: str) -> Path:
        """Where a withdrawn upload's folder is kept."""
        return self.folder / WITHDRAWN / self.path(upload_id).name

    def move_aside(self, upload: Upload) -> None:
        """Move a withdrawn upload's folder out of the archive's reach (never deleted, never replacing)."""
        source, target = self.where(upload.id), self.withdrawn_path(upload.id)
        target.mkdir(parents=True, exist_ok=True)  # files withdrawn one by one may be there already
        for path in sorted(source.iterdir()):
            if (target / path.name).exists():
                raise JianbaoError(f"{target / path.name} exists already; nothing more was moved")
            os.rename(path, target / path.name)
        source.rmdir()

    def discard(self, upload: Upload) -> None:
        """Remove an upload that stored no file (its state, metadata and folder: nothing of the archive)."""
        folder = self.path(upload.id)
        for name in (STATE, ACCESS_FILE):
            (folder / name).unlink(missing_ok=True)
        folder.rmdir()

    def ids(self) -> Iterator[str]:
        """Every upload in the archive or set aside after a failure, oldest first."""
        folders = [self.folder, self.folder / FAILED]
        yield from sorted(p.name for f in folders if f.is_dir() for p in f.iterdir() if ID_PATTERN.match(p.name))

    def unfinished(self) -> list[str]:
        """Uploads whose indexing has not ended (queued, or cut short by a stop)."""
        out = []
        for upload_id in self.ids():
            try:
                if self.load(upload_id).status in UNFINISHED:
                    out.append(upload_id)
            except (KeyError, ValueError, TypeError):
                continue
        return out


def _link_new(part: Path, folder: Path, name: str) -> Path:
    """Give ``part`` the name ``name`` in ``folder``, or ``name (2)`` … when taken; never replaces a file."""
    stem, suffix = (name[:-len(".jsonl.gz")], ".jsonl.gz") if name.lower().endswith(".jsonl.gz") else \
        (Path(name).stem, Path(name).suffix)
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            os.link(part, target)
            return target
        except FileExistsError:
            continue
    raise Refused(f"{name}: too many files of this name", f"{name}：同名文件过多")


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet."""
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
