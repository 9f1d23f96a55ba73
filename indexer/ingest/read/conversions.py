"""Text converted from document files, and the cache that keeps it by content hash next to the index.

Converting a document (LibreOffice, PDF text layers, OCR) costs far more than
splitting its text, so each result is kept in ``<index>/conversions/`` under the
SHA-256 of the file's bytes and the converter's version: a rebuild or update
reads an unchanged file's text from there. A file a converter refused is
remembered too, with the reason and the converter's identity (its program,
settings and limits), so it is reported again without converting it again until
the file or the converter changes; a conversion cut short by a time limit or a
crash (:class:`ConversionInterrupted`) is not. The cache is bounded
(:data:`MAX_CACHE_BYTES`; the least recently used entries go first) and can be
cleared (``python -m indexer clear-cache``, or by deleting the folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.atomic import atomic_write
from indexer.errors import SourceError

CACHE_FOLDER = "conversions"
CONVERTER_VERSION = "2"  # change when a converter's output changes: older entries are then ignored
MAX_CACHE_BYTES = 512 * 2**20


class ConversionInterrupted(SourceError):
    """A converter stopped before it finished (time limit, killed, crashed): not remembered, tried again next run."""


@dataclass
class Extracted:
    """The text of one document file and what is known of how it was made."""

    text: str
    ocr: bool = False  # some of the text came from OCR of scanned pages
    title: str = ""  # the document's own title property, if any
    created: str | None = None  # the document's creation date property (YYYY-MM-DD), if any
    pages: int = 0
    warnings: list[str] = field(default_factory=list)  # parts left out (a page not drawn): reported, the rest read
    interrupted: bool = False  # parts left out for want of time: not kept, so the next run reads them again


class ConversionCache:
    """Converted texts by content hash, in one folder, bounded in size."""

    def __init__(self, folder: Path, max_bytes: int = MAX_CACHE_BYTES):
        self.folder = folder
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._total: int | None = None  # bytes held, counted on the first store

    @staticmethod
    def key(data: bytes, kind: str) -> str:
        """The cache key of a file's bytes read as ``kind`` (its suffix)."""
        return hashlib.sha256(data).hexdigest() + f"-{kind.lstrip('.')}-v{CONVERTER_VERSION}"

    def get(self, key: str) -> Extracted | None:
        """The stored conversion, or None (also for an unreadable entry)."""
        path = self.folder / key[:2] / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)  # recently used: evicted last
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return Extracted(**{k: data[k] for k in Extracted.__dataclass_fields__ if k in data})

    def put(self, key: str, extracted: Extracted) -> None:
        """Store a conversion (atomically), then trim the cache to its bound."""
        self._write(self.folder / key[:2] / f"{key}.json", asdict(extracted))

    def failure(self, key: str, converter: str) -> str | None:
        """Why ``converter`` (its identity: program and settings) failed on these bytes before, or None."""
        path = self._failure_path(key, converter)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            os.utime(path)
        except (OSError, ValueError):
            return None
        return data.get("reason") if data.get("converter") == converter else None

    def put_failure(self, key: str, converter: str, reason: str) -> None:
        """Remember that ``converter`` failed on these bytes, and why."""
        self._write(self._failure_path(key, converter), {"reason": reason, "converter": converter})

    def _failure_path(self, key: str, converter: str) -> Path:
        identity = hashlib.sha256(converter.encode("utf-8")).hexdigest()[:16]
        return self.folder / key[:2] / f"{key}-{identity}.failed.json"

    def _write(self, path: Path, data: dict) -> None:
        """Write one entry atomically, then trim the cache to its bound."""
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False))
        if self._total is None:
            self._total = self.size()
        else:
            self._total += path.stat().st_size
        if self._total > self.max_bytes:
            self.trim()

    def trim(self) -> None:
        """Delete the least recently used entries until the cache holds at most ``max_bytes``."""
        entries = []
        for p in self.folder.glob("*/*.json"):
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        for _, size, p in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size
        self._total = total

    def size(self) -> int:
        """Bytes the cache holds."""
        return sum(p.stat().st_size for p in self.folder.glob("*/*.json") if p.is_file())

    def clear(self) -> None:
        """Delete every entry."""
        shutil.rmtree(self.folder, ignore_errors=True)


def cache_for(index_dir: Path) -> ConversionCache:
    """The conversion cache that lives beside the index in ``index_dir``."""
    return ConversionCache(index_dir / CACHE_FOLDER)
