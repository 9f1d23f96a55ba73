"""Progress of long reading work: files done of the total, items, rate and time left.

On a terminal a tqdm bar is redrawn in place; otherwise (a log, a pipe, CI) a
plain line is written at the start, every :data:`INTERVAL` seconds, and once at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

INTERVAL = 10.0  # seconds between plain progress lines


class Progress:
    """Counts files and items as a build reads them and shows how far it is."""

    def __init__(self, stream: TextIO | None = sys.stderr, bar: bool | None = None, interval: float = INTERVAL):
        self.stream = stream
        self.bar = bar if bar is not None else bool(stream is not None and stream.isatty())
        self.interval = interval
        self.total = 0
        self.files = 0
        self.items = 0
        self._tqdm: tqdm | None = None
        self._started = self._shown = 0.0

    def start(self, total: int) -> None:
        """Begin counting ``total`` files."""
        self.total, self.files, self.items = total, 0, 0
        self._started = self._shown = time.monotonic()
        if self.stream is not None and self.bar:
            self._tqdm = tqdm(total=total, unit="file", file=self.stream, desc="reading", dynamic_ncols=True)
        elif self.stream is not None:  # at once: converting documents and reading scans may take minutes
            print(f"reading {total} files …", file=self.stream, flush=True)

    def advance(self, items: int) -> None:
        """One more file done, which gave ``items`` items."""
        self.files += 1
        self.items += items
        if self._tqdm is not None:
            self._tqdm.set_postfix(items=self.items, refresh=False)
            self._tqdm.update(1)
        elif self.stream is not None and time.monotonic() - self._shown >= self.interval:
            self._shown = time.monotonic()
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        """The plain progress line: files done of total, items, rate, time left."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.files / elapsed
        left = (self.total - self.files) / rate if rate else 0.0
        return (f"read {self.files}/{self.total} files, {self.items} items; "
                f"{rate:.1f} files/s, about {left:.0f} s left")

    def close(self) -> None:
        """Finish the bar (or write the last plain line)."""
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self.stream is not None and self.files:
            print(self.line(), file=self.stream, flush=True)
