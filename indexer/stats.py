"""What an index holds: items, issues, facet counts, size (``python -m indexer stats``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer.index.reader import Facet, IndexSnapshot


def index_stats(snapshot: IndexSnapshot) -> dict[str, Any]:
    """Counts over the live documents of a snapshot, as a JSON-ready dict."""
    live = snapshot.live
    years = snapshot.year[live]
    year_counts = {str(y) if y else "unknown": int(c) for y, c in zip(*np.unique(years, return_counts=True))}
    return {
        "items": snapshot.live_count,
        "issues": int(len(np.unique(snapshot.issue[live]))) if snapshot.live_count else 0,
        "deleted": int(snapshot.doc_count - snapshot.live_count),
        "segments": len(snapshot.segments),
        "size_bytes": snapshot.size_bytes(),
        "index_version": snapshot.version,
        "analyzer_version": snapshot.meta.analyzer_version,
        "dictionary_hash": snapshot.meta.dictionary_hash,
        "created": snapshot.meta.created,
        "updated": snapshot.meta.updated,
        "facets": {
            "department": _counts(snapshot.departments, live),
            "topic": _counts(snapshot.topics, live),
            "topic_top": _counts(snapshot.topic_tops, live),
            "year": dict(sorted(year_counts.items())),
        },
    }


def _counts(facet: Facet, live: np.ndarray) -> dict[str, int]:
    """Live documents per value, most first."""
    keep = live[facet.doc_of_value]
    counts = np.bincount(facet.val[keep], minlength=len(facet.names))
    order = sorted(range(len(facet.names)), key=lambda i: (-counts[i], facet.names[i]))
    return {facet.names[i]: int(counts[i]) for i in order if counts[i]}


def stats_text(data: dict[str, Any]) -> str:
    """The stats as lines a person reads."""
    lines = [
        f"items: {data['items']}  issues: {data['issues']}  deleted: {data['deleted']}  "
        f"segments: {data['segments']}  size: {data['size_bytes'] / 2**20:.1f} MiB",
        f"version: {data['index_version']}  analyzer {data['analyzer_version']}  "
        f"dictionary {data['dictionary_hash']}  built {data['created']}  updated {data['updated']}",
    ]
    for name, counts in data["facets"].items():
        shown = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:12])
        more = f" … ({len(counts)} values)" if len(counts) > 12 else ""
        lines.append(f"{name}: {shown}{more}")
    return "\n".join(lines)
