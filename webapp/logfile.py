"""A line file that several processes append to, rotated by size: ``NAME``, then ``NAME.1`` … ``NAME.<keep>``.

Appends and rotations happen under an exclusive ``flock`` of ``NAME.lock`` (readers take it shared),
so the server's processes never interleave lines, never rotate twice for one crossing of the
size, and never append to a file another has just renamed. Each append is one ``write`` on a
file opened for appending. When ``NAME`` would pass ``max_bytes``, it becomes ``NAME.1`` (each
older one moves up by one, and ``NAME.<keep>`` is dropped): the files never hold much more than
``(keep + 1) * max_bytes``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

KEEP = 5  # rotated files kept beside the current one
BLOCK = 64 * 1024  # bytes read at a time when reading lines from a file's end


class RotatingFile:
    """Lines appended by any process, rotated at ``max_bytes``; read newest first."""

    def __init__(self, path: Path, max_bytes: int, keep: int = KEEP):
        self.path, self.max_bytes, self.keep = path, max_bytes, keep

    def append(self, text: str) -> None:
        """Append whole lines (rotating first when they would take the file past its size)."""
        data = text.encode("utf-8")
        if not data:
            return
        with self._locked(fcntl.LOCK_EX):
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(data) > self.max_bytes:
                self._rotate()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    def newest(self, skip: int, count: int) -> list[str]:
        """``count`` lines after the ``skip`` newest, newest first, from the current file and the rotated ones."""
        out: list[str] = []
        with self._locked(fcntl.LOCK_SH):
            for path in [self.path, *(self._rotated(n) for n in range(1, self.keep + 1))]:
                for line in _backwards(path):
                    if skip:
                        skip -= 1
                    elif len(out) < count:
                        out.append(line.decode("utf-8", errors="replace"))
                    else:
                        return out
        return out

    def _rotated(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def _rotate(self) -> None:
        self._rotated(self.keep).unlink(missing_ok=True)
        for n in range(self.keep - 1, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                os.rename(self._rotated(n), self._rotated(n + 1))
        os.rename(self.path, self._rotated(1))

    @contextlib.contextmanager
    def _locked(self, how: int) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, how)
            yield
        finally:
            os.close(fd)  # releases the lock


def _backwards(path: Path) -> Iterator[bytes]:
    """The non-empty lines of a file, last first, read in blocks from its end (none when it does not exist)."""
    try:
        with open(path, "rb") as f:
            end = f.seek(0, os.SEEK_END)
            rest = b""
            while end > 0:
                start = max(0, end - BLOCK)
                f.seek(start)
                lines = (f.read(end - start) + rest).split(b"\n")
                end = start
                rest = lines.pop(0)  # perhaps the end of a line the next block begins
                yield from (line for line in reversed(lines) if line.strip())
            if rest.strip():
                yield rest
    except FileNotFoundError:
        return
