"""Whether a change left the answers as they were: ``python -m bench.answers --index-dir DIR --save FILE``, then
after the change ``python -m bench.answers --index-dir DIR --compare FILE``.

Every query of ``bench/queries.json`` and the public relevance sets is answered with its facets, highlights and
first page; the whole answer (totals, facet counts, hits with their snippets, notes) but its time is saved, or
compared query by query with a saved run. ``--backend URL`` asks a cluster instead of the local index.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from backends import backend_for
from bench.case_speed import SETS, queries_of
from indexer.settings import Settings
from search.errors import SearchError


def answers(index_dir: Path, backend: str) -> dict[str, dict]:
    """Each set's query → its answer as ``/api/search`` gives it, without ``took_ms``."""
    searcher = backend_for(Settings.defaults(), backend, index_dir).searcher()
    found: dict[str, dict] = {}
    for name, path in SETS.items():
        for query in queries_of(path):
            key = _key(f"{name}: {query.q}", query.filters)
            answer: dict = {}
            with contextlib.suppress(SearchError):
                answer = searcher.search(query).to_dict()
                answer.pop("took_ms")
            found[key] = answer
    return found


def _key(asked: str, filters: dict) -> str:
    """A query's key: the set and query text, and the filters it uses (filters added to the contract later, empty
    here, do not change it)."""
    return f"{asked} {json.dumps({k: v for k, v in filters.items() if v}, ensure_ascii=False, sort_keys=True)}"


def _rekeyed(saved: dict[str, dict]) -> dict[str, dict]:
    """Answers saved under keys that listed empty filters, under today's keys."""
    out = {}
    for key, answer in saved.items():
        asked, _, filters = key.rpartition(" {")
        out[_key(asked, json.loads("{" + filters))] = answer
    return out


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """One line per query whose answer changed, naming the parts that did. A field the answers gained (a new facet,
    a new parameter echoed in ``query``) is not a change: it is listed once, at the end."""
    lines, gained = [], set()
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            lines.append(f"{key}: only {'after' if old is None else 'before'}")
            continue
        gained |= _gained(old, new)
        parts = [part for part in sorted(old) if part not in new or _changed(old[part], new[part])]
        if parts:
            lines.append(f"{key}: {', '.join(parts)} differ")
    return lines + ([f"(fields the answers gained: {', '.join(sorted(gained))})"] if gained else [])


def _changed(old: object, new: object) -> bool:
    """Whether ``new`` differs from ``old`` in what ``old`` holds (fields only ``new`` has do not count)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return any(k not in new or _changed(v, new[k]) for k, v in old.items())
    if isinstance(old, list) and isinstance(new, list):
        return len(old) != len(new) or any(_changed(a, b) for a, b in zip(old, new, strict=True))
    return old != new


def _gained(old: dict, new: dict, at: str = "") -> set[str]:
    """The fields ``new`` has and ``old`` lacks, as dotted paths (dictionaries only)."""
    out = {f"{at}{k}" for k in new.keys() - old.keys()}
    for k in new.keys() & old.keys():
        pairs = zip(old[k], new[k], strict=False) if isinstance(old[k], list) else [(old[k], new[k])]
        for a, b in pairs:
            if isinstance(a, dict) and isinstance(b, dict):
                out |= _gained(a, b, f"{at}{k}.")
    return out


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.answers", description=__doc__.split("\n")[0])
    p.add_argument("--index-dir", type=Path, required=True, help="a local index of the xwlb corpus")
    p.add_argument("--backend", default="local", help="local (default) or a cluster's sphinxql://host:port")
    saved = p.add_mutually_exclusive_group(required=True)
    saved.add_argument("--save", type=Path, help="write the answers to this file")
    saved.add_argument("--compare", type=Path, help="compare the answers with this file")
    args = p.parse_args()
    found = answers(args.index_dir, args.backend)
    if args.save:
        args.save.write_text(json.dumps(found, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"{len(found)} answers saved to {args.save}")
        return 0
    changed = differences(_rekeyed(json.loads(args.compare.read_text(encoding="utf-8"))), found)
    real = [line for line in changed if not line.startswith("(")]
    print("\n".join(changed + ([] if real else [f"all {len(found)} answers unchanged"])))
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
