"""Zip packages (.docx, .ofd): parts read with limits, so a zip bomb or a broken package is a clear error.

A part's declared size is checked before reading, and the bytes are read in
chunks up to the limit (a declared size can lie); a part that inflates more than
:data:`MAX_RATIO` times its compressed size is refused as a zip bomb.
"""

from __future__ import annotations

import io
import zipfile

from indexer.errors import SourceError

MAX_PART_BYTES = 64 * 2**20  # one XML part of an office document
MAX_TOTAL_BYTES = 256 * 2**20  # all parts read from one package
MAX_RATIO = 200  # inflated / compressed size above which a part is a zip bomb
_CHUNK = 2**20


class Package:
    """An open zip package whose parts are read with size limits."""

    def __init__(self, data: bytes, path: str, kind: str):
        self.path = path
        self.kind = kind
        self.read_total = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError) as e:
            raise SourceError(path, f"not a {kind} file (not a zip package: {e})") from None
        self.names = {info.filename.lstrip("/"): info for info in self.zip.infolist()}

    def has(self, name: str) -> bool:
        """Is there a part of this name (leading slash ignored)?"""
        return name.lstrip("/") in self.names

    def read(self, name: str) -> bytes:
        """The bytes of a part; SourceError when it is missing, damaged or inflates too much."""
        info = self.names.get(name.lstrip("/"))
        if info is None:
            raise SourceError(self.path, f"{self.kind} part {name} is missing")
        if info.file_size > MAX_PART_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise SourceError(self.path, f"{self.kind} part {name} would inflate to {info.file_size:,} bytes "
                                         f"from {info.compress_size:,} (a zip bomb?)")
        out = bytearray()
        try:
            with self.zip.open(info) as f:
                while chunk := f.read(_CHUNK):
                    out += chunk
                    if len(out) > MAX_PART_BYTES or self.read_total + len(out) > MAX_TOTAL_BYTES:
                        raise SourceError(self.path, f"{self.kind} part {name} inflates past its limit "
                                                     f"({MAX_PART_BYTES // 2**20} MB; a zip bomb?)")
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as e:
            raise SourceError(self.path, f"{self.kind} part {name} cannot be read: {e}") from None
        self.read_total += len(out)
        return bytes(out)
