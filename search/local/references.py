"""Citations and validity on the local engine: lookups of the snapshot's key arrays (:mod:`indexer.references`).

What an item cites, what cites it and what repeals it are found among the documents the snapshot (or the viewer's
view of it) holds live, then assembled by :mod:`search.citing` and :mod:`search.validity`, as the cluster does.
Each document's validity status is one array a view and a day, computed when first asked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from indexer.index.reader import IndexSnapshot
from indexer.references import cited_keys, number_key, own_keys
from search.citing import citing, resolved_cites
from search.validity import EXPIRED, NONE_KNOWN, REPEALED, repealed_among, validity_of

MAX_READ = 1000  # items read to list those citing or repealing one (newest first)


def statuses(snapshot: IndexSnapshot, on: int) -> np.ndarray:
    """Each document's validity status code (:mod:`search.validity`) as the snapshot's viewer sees it on day ``on``
    (``YYYYMMDD``); kept for the view and the day."""
    kept: dict[int, np.ndarray] = snapshot.__dict__.setdefault("_statuses", {})
    found = kept.get(on)
    if found is None:
        found = np.where(_repealed(snapshot), REPEALED,
                         np.where((snapshot.valid_until > 0) & (snapshot.valid_until < on), EXPIRED, NONE_KNOWN))
        kept.clear()
        kept[on] = found = found.astype(np.int8)
    return found


def citing_mask(snapshot: IndexSnapshot, numbers: tuple[str, ...]) -> np.ndarray:
    """The documents citing any of the 文号."""
    mask = np.zeros(snapshot.doc_count, dtype=bool)
    mask[snapshot.cite_keys.docs_with([k for k in map(number_key, numbers) if k is not None])] = True
    return mask


def relations(snapshot: IndexSnapshot, doc: int, on: int) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """An item's citations resolved, the items citing it and its validity, among the documents the view holds."""
    item = snapshot.item(doc)
    mine = own_keys(item)
    holders = _read(snapshot, snapshot.own_keys.docs_with(cited_keys(item)), doc)
    citers = _read(snapshot, snapshot.cite_keys.docs_with(mine), doc)
    repealers = _read(snapshot, snapshot.repeal_keys.docs_with(mine), doc)
    return resolved_cites(item, holders), citing(item, citers), validity_of(item, repealers, on)


def _read(snapshot: IndexSnapshot, docs: np.ndarray, but: int) -> list:
    """The items of the live documents among ``docs`` other than ``but``, the newest MAX_READ."""
    docs = docs[snapshot.live[docs] & (docs != but)] if len(docs) else docs
    if len(docs) > MAX_READ:
        last = snapshot.last_day[docs]
        docs = docs[np.lexsort((docs, -last, last == 0))][:MAX_READ]
    return [snapshot.item(int(d)) for d in docs]


def _repealed(snapshot: IndexSnapshot) -> np.ndarray:
    """Which live documents a live document repeals (:func:`search.validity.repealed_among`)."""
    out = np.zeros(snapshot.doc_count, dtype=bool)
    rep, own, live = snapshot.repeal_keys, snapshot.own_keys, snapshot.live
    chosen = live[rep.doc_of_value] if len(rep.val) else np.zeros(0, dtype=bool)
    if not chosen.any():
        return out
    keys, repealers = rep.val[chosen], rep.doc_of_value[chosen]
    named = np.isin(own.val, keys) & live[own.doc_of_value]
    targets = own.doc_of_value[named].tolist()
    found = repealed_among(
        ((t, int(snapshot.first_day[t]), (k,)) for t, k in zip(targets, own.val[named].tolist())),
        ((r, int(snapshot.last_day[r]), (k,)) for r, k in zip(repealers.tolist(), keys.tolist())))
    out[list(found)] = True
    return out
