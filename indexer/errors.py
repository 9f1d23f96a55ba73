"""Errors of the indexer and the report of problems met while reading a corpus.

Hierarchy::

    JianbaoError                 anything the product reports as one clear line
    ├── SourceError              a file cannot be used at all (the build skips it)
    └── IndexProblem             the index cannot be used as asked
        ├── IndexMissing         no index at that place: run `build`
        ├── IndexStale           built with another analyzer or dictionary: run `build`
        └── IndexLocked          another build or update holds the index

Problems that do not stop a file (a bad JSON line, a bad date) are not raised:
they are written to a :class:`Report` and the rest of the file is read.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


class JianbaoError(Exception):
    """Base class: its message is shown to the user as it is."""


class SourceError(JianbaoError):
    """A corpus file that cannot be read at all (empty, binary, unreadable, ...)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexProblem(JianbaoError):
    """The index cannot be opened or written as asked."""


class IndexMissing(IndexProblem):
    """There is no index at the given place."""


class IndexStale(IndexProblem):
    """The index was built with another analyzer version or user dictionary."""


class IndexLocked(IndexProblem):
    """Another build or update is writing the index."""


@dataclass
class Problem:
    """One line of the report: where, what, and whether the file was skipped."""

    path: str
    reason: str
    line: int | None = None
    skipped: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        verb = "skipped" if self.skipped else "warning"
        return f"{verb}: {where}: {self.reason}"


@dataclass
class Report:
    """Collects problems and prints each as one line the moment it is found."""

    stream: TextIO | None = field(default_factory=lambda: sys.stderr)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0

    def skip(self, path: str, reason: str) -> None:
        """A whole file was left out."""
        self._add(Problem(path, reason, skipped=True))

    def warn(self, path: str, reason: str, line: int | None = None) -> None:
        """Part of a file was left out or changed; the rest was read."""
        self._add(Problem(path, reason, line=line))

    @property
    def files_skipped(self) -> int:
        """How many files were left out entirely."""
        return sum(1 for p in self.problems if p.skipped)

    @property
    def warnings(self) -> int:
        """How many problems did not stop their file."""
        return sum(1 for p in self.problems if not p.skipped)

    def _add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if self.stream is not None:
            print(problem, file=self.stream, flush=True)
