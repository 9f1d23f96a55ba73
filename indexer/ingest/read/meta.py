"""Issue metadata a keeper writes beside a file: ``NAME.meta.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.errors import Report, SourceError
from indexer.ingest.enrich.access import access_or_restricted
from indexer.ingest.read.encodings import decode

META_SUFFIX = ".meta.json"


@dataclass
class IssueMeta:
    """Issue-level metadata from a ``.meta.json`` file or a page's meta tags."""

    title: str = ""
    date: Any = None
    issue: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    access: list[str] | None = None  # None: not given here (the folder's, else public)


def read_meta(path: Path, report: Report) -> IssueMeta:
    """The ``NAME.meta.json`` beside a file (``a.meta.json`` or ``a.txt.meta.json``), if any."""
    for candidate in (path.with_name(path.name + META_SUFFIX), path.with_name(path.stem + META_SUFFIX)):
        if not candidate.is_file():
            continue
        try:
            data = json.loads(decode(candidate.read_bytes(), str(candidate)))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError, SourceError) as e:
            report.warn(str(candidate), f"metadata ignored: {e}")
            return IssueMeta()
        known = {k: data.get(k) for k in ("title", "date", "issue", "source")}
        extra = {k: v for k, v in data.items() if k not in known and k != "access"}
        access = access_or_restricted(data["access"], str(candidate), report) if "access" in data else None
        return IssueMeta(str(known["title"] or ""), known["date"], str(known["issue"] or ""),
                         str(known["source"] or ""), extra, access)
    return IssueMeta()
