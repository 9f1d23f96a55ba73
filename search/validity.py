"""Whether a document is still in force, decided at query time from what the items of the archive state.

An item is **repealed** (已废止) when another item the viewer may see says so (``Item.repeals``, naming it by its
文号 or exact title: :func:`indexer.references.repealed_keys` meets its :func:`~indexer.references.own_keys`),
unless that item is dated before it; **expired** (已失效) when the validity it states for itself has ended
(``Item.expires``, its last day before today); otherwise **none known** (未见废止). Computed when asked, never
written into the items: a repeal added by an update marks the earlier item at once, a repeal in an item some
viewer may not see marks nothing for that viewer, and a validity ends without a rebuild. Both backends apply the
rules below to what they look up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any

from indexer.items import Item, date_number
from indexer.references import named_keys, own_keys, repealed_keys

NONE_KNOWN, REPEALED, EXPIRED = 0, 1, 2  # status codes, as the local engine's arrays hold them
STATUS = {NONE_KNOWN: "none_known", REPEALED: "repealed", EXPIRED: "expired"}
LABELS = {REPEALED: "已废止", EXPIRED: "已失效", NONE_KNOWN: "未见废止"}  # the facet's values, in this order
CODES = {label: code for code, label in LABELS.items()}


def today() -> int:
    """Today as ``YYYYMMDD``: a stated validity ending before it has ended."""
    return date_number(dt.date.today().isoformat())


def may_repeal(target_first_day: int, repealer_last_day: int) -> bool:
    """May an item dated ``repealer_last_day`` at the latest repeal one dated ``target_first_day`` at the earliest
    (``YYYYMMDD``, 0 unknown)? Not when it is certainly earlier."""
    return not (target_first_day and repealer_last_day and target_first_day > repealer_last_day)


def repealed_among(targets: Iterable[tuple[Hashable, int, Iterable[int]]],
                   repealers: Iterable[tuple[Hashable, int, Iterable[int]]]) -> set[Hashable]:
    """Which ``targets`` (who, first day, own keys) a repealer (who, last day, repealed keys) other than itself
    repeals: one naming a key of theirs and not certainly dated before them."""
    by_key: dict[int, list[tuple[Hashable, int]]] = defaultdict(list)
    for who, last, keys in repealers:
        for key in keys:
            by_key[key].append((who, last))
    return {who for who, first, keys in targets
            if any(r != who and may_repeal(first, last) for key in keys for r, last in by_key.get(key, ()))}


def status_code(repealed: bool, valid_until: int, on: int) -> int:
    """The status of an item: repealed first, then a stated validity ended before ``on``."""
    if repealed:
        return REPEALED
    return EXPIRED if 0 < valid_until < on else NONE_KNOWN


def validity_of(item: Item, repealers: list[Item], on: int) -> dict[str, Any]:
    """The ``validity`` of an item's page: its status, the item repealing it (the earliest of ``repealers``, the
    items the viewer may see naming it in their ``repeals``) and the sentence saying so, or the period it stated."""
    mine = set(own_keys(item))
    first, _ = day_range(item)
    found = sorted((r for r in repealers if r.id != item.id and may_repeal(first, day_range(r)[1])
                    and mine & set(repealed_keys(r))), key=lambda r: (day_range(r)[0] or 99999999, r.id))
    if found:
        by = found[0]
        evidence = next(s["evidence"] for s in by.repeals if mine & set(named_keys(s)))
        return {"status": STATUS[REPEALED], "by": {"id": by.id, "title": by.title, "doc_number": by.doc_number},
                "evidence": evidence}
    code = status_code(False, date_number(item.expires["date"]) if item.expires else 0, on)
    if item.expires:
        return {"status": STATUS[code], "by": None, "evidence": item.expires["evidence"]}
    return {"status": STATUS[NONE_KNOWN], "by": None, "evidence": ""}


def day_range(item: Item) -> tuple[int, int]:
    """First and last day an item may be dated (``YYYYMMDD``; known by its year: the year; 0 unknown)."""
    day = date_number(item.date)
    if day:
        return day, day
    if item.year:
        return item.year * 10000 + 101, item.year * 10000 + 1231
    return 0, 0

