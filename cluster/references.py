"""Citations and validity on the cluster: lookups of the key attributes (:mod:`indexer.references`).

An item page asks, among the items the viewer may see, which hold the keys the item cites, which cite its own keys
and which repeal them: three filters on multi-valued attributes, answered in one batch and assembled by
:mod:`search.citing` and :mod:`search.validity`, as the local engine does. A search needs the items repealed for
the viewer (:func:`standing`): the items stating a repeal (the token ``REPEALS`` of their ``mark`` field) and those
holding a key they name, found with two statements and kept by the searcher while the cluster is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cluster.connect import ResultSet
from cluster.query import Standing, id_list, items_of, seen_by
from cluster.schema import REPEALS, doc_id
from indexer.items import Item
from indexer.references import cited_keys, own_keys, repealed_keys
from search.access import Viewer
from search.citing import citing, resolved_cites
from search.validity import day_range, repealed_among, validity_of

Batch = Callable[[list[str]], list[ResultSet]]
MAX_READ = 1000  # items read for one list of an item page (those citing it …)
MAX_STANDING = 20_000  # items stating repeals, and items they name, read to know which items are repealed


def standing(batch: Batch, viewer: Viewer, on: int) -> Standing:
    """The items repealed as the viewer sees them, and whether any states a validity of its own, on day ``on``."""
    index, seen = items_of(viewer), seen_by(viewer)
    stating, dated = batch([_select(index, [f"MATCH('@mark {REPEALS}')", *seen], MAX_STANDING),
                            f"SELECT id FROM {index} WHERE {' AND '.join(['valid_until > 0', *seen])} LIMIT 0, 1 "
                            "OPTION ranker=none"])
    repealers = _items(stating)
    keys = sorted({k for r in repealers for k in repealed_keys(r)})
    targets = _items(batch([_select(index, [f"own_keys IN ({id_list(keys)})", *seen], MAX_STANDING)])[0]) \
        if keys else []
    found = repealed_among(((t.id, day_range(t)[0], own_keys(t)) for t in targets),
                           ((r.id, day_range(r)[1], repealed_keys(r)) for r in repealers))
    return Standing(tuple(sorted(doc_id(i) for i in found)), bool(dated.rows), on)


def relations(batch: Batch, item: Item, viewer: Viewer, on: int) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """An item's citations resolved, the items citing it and its validity, among the items the viewer may see."""
    index, seen = items_of(viewer), seen_by(viewer)
    mine, cited = own_keys(item), cited_keys(item)
    other = f"id != {doc_id(item.id)}"
    statements = [_select(index, [f"own_keys IN ({id_list(cited)})", other, *seen]) if cited else None,
                  _select(index, [f"cite_keys IN ({id_list(mine)})", other, *seen]) if mine else None,
                  _select(index, [f"repeal_keys IN ({id_list(mine)})", other, *seen]) if mine else None]
    asked = [s for s in statements if s]
    answers = iter(batch(asked)) if asked else iter(())
    holders, citers, repealers = ([] if s is None else _items(next(answers)) for s in statements)
    return resolved_cites(item, holders), citing(item, citers), validity_of(item, repealers, on)


def _select(index: str, where: list[str], limit: int = MAX_READ) -> str:
    """The newest ``limit`` items of ``index`` meeting ``where``."""
    return (f"SELECT data FROM {index} WHERE {' AND '.join(where)} ORDER BY last_day DESC, id ASC "
            f"LIMIT 0, {limit} OPTION max_matches={limit}, ranker=none")


def _items(answer: ResultSet) -> list[Item]:
    return [Item.from_dict(json.loads(row[0])) for row in answer.rows]
