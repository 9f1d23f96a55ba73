"""The SphinxQL Searcher: the same search over a Sphinx 2.2 / Manticore cluster (``JIANBAO_BACKEND``).

A search is two batches sent to the aggregator at once: the page of hits (with ``SHOW META``
for the exact total), and the grouped counts, one a facet, all under the match alone and
each counting the matches that pass every facet filter but its own.
Hits are made from the stored items by the local engine's highlighter, facet lists by
the local engine's value listing (:mod:`search.facets`), terms by its parser.

A shard that does not answer makes the aggregator return fewer matches with a warning;
such an answer is never used: the batch is sent again (with mirrors, the aggregator then
asks a live mirror) and, if a shard is still missing, :class:`ClusterDegraded` is raised
(a 503 with the shard's error) and ``health()`` says ``degraded``. A cluster whose items index
lacks a column this code reads (configured by an earlier version) is refused on connecting
(:func:`cluster.schema.outdated`, a 503 naming the fix).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pymysql

from cluster.connect import ClusterUnavailable, ResultSet, connect, parse_url, run_batch
from cluster.memo import Memo
from cluster.query import (
    VSTATE,
    Narrowed,
    Standing,
    conditions,
    facet_counts,
    id_list,
    items_of,
    match,
    order,
    parsed_query,
    ranking,
    seen_by,
    term_match,
    validity_column,
)
from cluster.references import relations, standing
from cluster.schema import (
    EVERYTHING,
    GENERATION,
    ITEM_ATTRS,
    ITEMS,
    META_ID,
    PUBLIC_ITEMS,
    TOPIC_TOP,
    VALUES,
    content_problem,
    doc_id,
    generation_of,
    issue_hash,
    outdated,
    phrase,
    topic_top,
    value_id,
)
from cluster.within import MAX_TOGETHER, together
from indexer.analysis import jieba_tokenizer
from indexer.errors import IndexStale
from indexer.items import Item, date_number
from indexer.normalize import search_form
from search.access import PUBLIC_ONLY, Viewer, index_groups
from search.errors import QueryTooExpensive
from search.facet_values import (
    MONTHS,
    UNKNOWN_YEAR,
    FacetValue,
    flat_values,
    one_year,
    topic_values,
    validity_values,
    year_values,
)
from search.limits import MAX_ISSUE_ITEMS, MAX_SIMILAR, MAX_SUGGESTIONS
from search.query import ParsedQuery, Term
from search.results import IssuePage, IssueSummary, ItemPage, SearchQuery, SearchResult, Similar, hit_of, item_path
from search.searcher import Export, Searcher
from search.similar import key_words, similar_enough
from search.validity import NONE_KNOWN, today

RETRIES = 4  # times a batch is sent again when a shard did not answer
# Seconds before the first of them, doubled before each next one (0.1 + 0.2 + 0.4 + 0.8): the aggregator's mirror
# pings run every 0.2 s, and a mirror killed just before a search was still asked 0.3 s later in 3 test runs of 8.
RETRY_PAUSE = 0.1
LOST_DURING_QUERY = (2006, 2013)  # MySQL client errors: server gone away, connection lost during the query
MAX_BATCH = 32  # statements searchd 2.2 takes in one batch
GROUPS = 20_000  # facet values a name listing returns, and a grouped count keeps, at most
FIRST_GROUPS = 64  # values a grouped count keeps at first: searchd makes room for all of them in every query
GROWTH = 4  # a grouped count that came back full is run again keeping this many times more values
EXPORT_CHUNK = 500  # items fetched a statement when exporting
SIMILAR_TITLE_WEIGHT = 3
SIMILAR_CANDIDATES = 2  # times MAX_SIMILAR items ranked, of which those similar enough are kept


_GROUPED = re.compile(r"GROUP BY (?P<attr>\w+) LIMIT 0, (?P<limit>\d+) OPTION")  # a grouped count (_grouped)
# Every attribute of the items index: refused ("unknown column") by a cluster configured before one was added
_SCHEMA_PROBE = f"SELECT {', '.join(name for _, name in ITEM_ATTRS)} FROM {ITEMS} LIMIT 0, 1 OPTION ranker=none"
# The generation rows, one a shard: the name of what each holds
_META = f"SELECT name FROM {VALUES} WHERE id = {META_ID} LIMIT 0, 1000"
_GENERATION = f"SELECT name FROM {VALUES} WHERE MATCH('@name_text {GENERATION}') LIMIT 0, 1000 OPTION ranker=none"


# A search's answer: the page and its SHOW META, the grouped counts by attribute, and whether it used kept answers
# of a generation that is no longer the cluster's.
_Answer = tuple[list[ResultSet], dict[str, list[tuple[int, int]]], bool]


class ClusterDegraded(ClusterUnavailable):
    """A shard of the cluster did not answer: the answer would be incomplete, so none is given."""


class SphinxQLSearcher(Searcher):
    """Answers from the cluster whose aggregator is at ``url`` (``sphinxql://host:port``)."""

    def __init__(self, url: str, budget_ms: float = 2000.0):
        self.url = url
        self.host, self.port = parse_url(url)
        self.budget = budget_ms / 1000.0
        self._local = threading.local()
        self._names: dict[int, tuple[str, str]] = {}  # value hash -> (kind, name)
        self._names_lock = threading.Lock()
        self._group_limits: dict[str, int] = {}  # attribute -> values its grouped counts keep
        self._group_limits_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sphinxql")  # its own connections
        self._memo = Memo()  # facet counts and items narrowed to, while the cluster's content is unchanged
        self._lengths_read: dict[str, tuple[str | None, tuple[float, float]]] = {}  # index -> (generation, lengths)
        self._restricted_read: tuple[str | None, bool] | None = None  # (generation, holds items some may not see)
        jieba_tokenizer()  # similar items cut words: load the dictionary now, not in a request

    # Sending statements

    def _batch(self, statements: list[str]) -> list[ResultSet]:
        """Run a batch on the aggregator; an answer with a missing shard is retried, then refused.

        A connection lost while the batch ran is tried once more on a new one, never again: a query that
        takes ``searchd`` down (it did with a huge ``max_matches``) must not do it once a retry.
        """
        problem = ""
        lost = False
        for attempt in range(RETRIES + 1):
            if attempt:
                time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
            try:
                conn = getattr(self._local, "conn", None) or self._connect()
                results = run_batch(conn, statements)
            except pymysql.OperationalError as e:
                self._drop()
                if "timed out" in str(e):
                    raise QueryTooExpensive(
                        f"the query needed more than {self.budget * 1000:.0f} ms; use fewer or longer terms") from None
                problem = f"the aggregator at {self.host}:{self.port} failed: {e.args[-1]}"
                if e.args and e.args[0] in LOST_DURING_QUERY:
                    if lost:
                        raise ClusterUnavailable(f"{problem} (twice while answering this query: not tried again)") \
                            from None
                    lost = True
                continue
            except pymysql.MySQLError as e:
                if "agent" not in str(e):  # not a shard that failed: a statement searchd refused
                    raise ClusterUnavailable(f"the cluster refused a statement: {e.args[-1]}") from None
                problem = f"the cluster answered with an error: {e.args[-1]}"
                continue
            if not any(r.warnings for r in results):
                return results
            problem = _warning(results) or "a shard did not answer"
        raise ClusterDegraded(f"cluster degraded, no complete answer: {problem}")

    def _grouped(self, attr: str, where: str, index: str, columns: str = "GROUPBY() AS k, COUNT(*) AS c") -> str:
        """Matches in ``index`` counted by the values of ``attr``, keeping as many values as such counts were seen
        to need."""
        limit = self._group_limits.get(attr, FIRST_GROUPS)
        return (f"SELECT {columns} FROM {index} WHERE {where} GROUP BY {attr} "
                f"LIMIT 0, {limit} OPTION max_matches={limit}, ranker=none")

    def _grouped_all(self, attrs: list[str], where: str, index: str, columns: str,
                     standing: Standing | None = None) -> list[str]:
        """Grouped counts by each attribute (:data:`VSTATE`: by the validity ``standing`` gives)."""
        return [self._grouped(attr, where, index, columns + (f", {standing.expression()} AS {VSTATE}"
                                                             if attr == VSTATE and standing else "")) for attr in attrs]

    def _counted(self, statements: Callable[[], list[str]]) -> list[ResultSet]:
        """Run the batch of ``statements()``; while a grouped count comes back full (a value may be left out),
        run it again keeping :data:`GROWTH` times more values, up to :data:`GROUPS`."""
        while True:
            batch = statements()
            results = self._batch(batch)
            full = {m["attr"]: int(m["limit"]) for st, r in zip(batch, results)
                    if (m := _GROUPED.search(st)) and len(r.rows) >= int(m["limit"]) and int(m["limit"]) < GROUPS}
            if not full:
                return results
            with self._group_limits_lock:  # shared by the threads: another may have grown a limit meanwhile
                for attr, limit in full.items():
                    grown = min(GROWTH * limit, GROUPS)
                    self._group_limits[attr] = max(grown, self._group_limits.get(attr, FIRST_GROUPS))

    def _connect(self) -> pymysql.Connection:
        """A new connection of this thread, once the items index is seen to have every column this code reads."""
        conn = connect(self.host, self.port, timeout=self.budget)
        try:
            meta = run_batch(conn, [_SCHEMA_PROBE, _META])[1]
        except pymysql.ProgrammingError as e:  # a refused statement; a shard that did not answer is left to the caller
            if "unknown column" in str(e):
                conn.close()
                raise outdated(str(e.args[-1]).rstrip("\x00")) from None
        except pymysql.MySQLError:
            conn.close()
            raise
        else:
            if problem := content_problem(meta.rows):
                conn.close()
                raise IndexStale(problem)
        self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(pymysql.MySQLError):
                conn.close()

    # The Searcher

    def search(self, query: SearchQuery, viewer: Viewer = PUBLIC_ONLY) -> SearchResult:
        started = time.perf_counter()
        parsed = parsed_query(query)
        known = self._memo.generation
        worked_out: dict[Hashable, Any] = {}
        (page, meta), counts, stale = self._answer(query, parsed, viewer, known, worked_out)
        if stale:  # kept answers were used, and the content has changed since: ask afresh
            worked_out.clear()
            (page, meta), counts, _ = self._answer(query, parsed, viewer, None, worked_out)
        self._memo.keep(known, worked_out)
        words = [t.text for t in parsed.positive_terms]
        groups = [[t.text for t in group] for group in parsed.groups] if query.within != "item" else None
        items = self._shown([Item.from_dict(json.loads(row[0])) for row in page.rows], viewer)
        hits = [hit_of(item, words, groups, query.within) for item in items]
        facets = self._facets(query, counts["departments"], counts["topic_keys"], counts["years"])
        facets["validity"] = validity_values(dict(counts["vstate"]), tuple(query.filters["validity"]))
        result = SearchResult(query, _meta(meta.rows)["total_found"], hits, facets,
                              (time.perf_counter() - started) * 1000, parsed.notes,
                              months=_months(counts["months"]) if "months" in counts else None)
        result.also_searched = parsed.also
        return result

    def _answer(self, query: SearchQuery, parsed: ParsedQuery, viewer: Viewer, known: str | None,
                worked_out: dict[Hashable, Any]) -> _Answer:
        """The page with ``SHOW META``, the grouped counts by attribute as (value, count) rows, and whether counts or
        narrowings kept under generation ``known`` were used while the generation read beside the page is another.
        The counts and narrowings worked out are put in ``worked_out``."""
        index = items_of(viewer)
        narrowed = self._narrowed(query, parsed, viewer, known, worked_out)
        extra, order_by = order(query, parsed)
        extra += validity_column(query, narrowed.standing)
        offset = (query.page - 1) * query.size
        ranker = ranking(parsed, order_by, partial(self._lengths, index))
        where = conditions(query, parsed, viewer, narrowed=narrowed)
        page_statements = [f"SELECT data{extra} FROM {index} WHERE {where} ORDER BY {order_by} "
                           f"LIMIT {offset}, {query.size} OPTION max_matches={offset + query.size}, {ranker}",
                           "SHOW META"]
        # The grouped counts, one a facet (and the months of one year's trend), are one batch sent beside the
        # page's: searchd matches once for them (not with the ranked page in the batch, nor with another
        # statement), the facet filters tested in their columns.
        # Validity is counted by a grouped query of its own only when some item is not 未见废止 (its key being an
        # expression, its answer has another shape); otherwise its one count is the years' sum.
        counted = [("departments", "department"), ("topic_keys", "topic"), ("years", "year")]
        counted += [("months", "all")] if one_year(query.filters["year"]) else []
        counted += [(VSTATE, "validity")] if narrowed.standing.known else []
        columns, at = facet_counts(query, narrowed.standing)
        statements = partial(self._grouped_all, [attr for attr, _ in counted],
                             conditions(query, parsed, viewer, facet_filters=False, narrowed=narrowed),
                             index, columns, narrowed.standing)
        key = _counts_key(statements())
        grouped = self._memo.get(key, known)
        pending = self._pool.submit(self._counted, statements) if grouped is None else None
        used_kept = grouped is not None or any(k not in worked_out for k in self._narrowing_keys(query, parsed, viewer))
        read = self._pool.submit(self._generation) if used_kept or known is None else None
        page = self._batch(page_statements)
        if pending is not None:
            grouped = worked_out[key] = [r.rows for r in pending.result()]
        counts = {attr: _column(rows, at[column]) for (attr, column), rows in zip(counted, grouped)}
        if not narrowed.standing.known:
            counts[VSTATE] = [(NONE_KNOWN, sum(c for _, c in _column(grouped[2], at["validity"])))]
        generation = read.result() if read is not None else known
        return page, counts, used_kept and generation != known

    def _lengths(self, index: str) -> tuple[float, float]:
        """The average length of the titles and bodies (search form) of the items of ``index``, which the ranking
        normalises by: read again when a new generation is known (while a run writes, those read before it serve)."""
        known = self._memo.generation
        read = self._lengths_read.get(index)
        if read is None or (known is not None and read[0] != known):
            rows = self._batch([f"SELECT AVG(title_chars), AVG(body_chars) FROM {index}"])[0].rows
            title, body = rows[0] if rows else (0, 0)
            read = self._lengths_read[index] = (known, (float(title or 0), float(body or 0)))
        return read[1]

    def _generation(self) -> str | None:
        """The cluster's generation (None: nothing may be kept), also given to the memo."""
        found = generation_of(self._batch([_GENERATION])[0].rows)
        self._memo.read(found)
        return found

    def export(self, query: SearchQuery, limit: int, viewer: Viewer = PUBLIC_ONLY) -> Export:
        parsed = parsed_query(query)
        extra, order_by = order(query, parsed)
        index = items_of(viewer)
        ranker = ranking(parsed, order_by, partial(self._lengths, index))
        narrowed = self._narrowed(query, parsed, viewer)
        extra += validity_column(query, narrowed.standing)
        where = conditions(query, parsed, viewer, narrowed=narrowed)
        # Counted first: searchd sizes its sorter by max_matches, so it is asked for no more than there are.
        total = _meta(self._batch([f"SELECT id{validity_column(query, narrowed.standing)} FROM {index} WHERE {where} "
                                   "LIMIT 0, 1 OPTION ranker=none", "SHOW META"])[1].rows)["total_found"]
        wanted = max(min(limit, total), 1)
        ids = self._batch([f"SELECT id{extra} FROM {index} WHERE {where} ORDER BY {order_by} "
                           f"LIMIT 0, {wanted} OPTION max_matches={wanted}, {ranker}"])[0]
        return Export(total, self._items_in_order([row[0] for row in ids.rows][:limit], viewer))

    def _items_in_order(self, ids: list[int], viewer: Viewer) -> Iterator[Item]:
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start:start + EXPORT_CHUNK]
            rows = self._batch([f"SELECT id, data FROM {items_of(viewer)} WHERE id IN ({', '.join(map(str, chunk))}) "
                                f"LIMIT 0, {len(chunk)}"])[0].rows
            by_id = {row[0]: row[1] for row in rows}
            yield from self._shown([Item.from_dict(json.loads(by_id[i])) for i in chunk if i in by_id], viewer)

    def _shown(self, items: list[Item], viewer: Viewer) -> list[Item]:
        """The items with their positions counted among the items of their issues the viewer may see (only a
        cluster holding items some may not see needs the count: one statement over the items' issues)."""
        if not items or index_groups(viewer) is None or not self._restricted():
            return items
        hashes = sorted({issue_hash(i.issue_key) for i in items})
        wanted = len(hashes) * MAX_ISSUE_ITEMS
        rows = self._batch([f"SELECT id, issue_hash FROM {items_of(viewer)} "
                            f"{_where([f'issue_hash IN ({id_list(hashes)})', *seen_by(viewer)])} "
                            f"ORDER BY issue_hash ASC, position ASC, id ASC LIMIT 0, {wanted} "
                            f"OPTION max_matches={wanted}, ranker=none"])[0].rows
        rank: dict[int, int] = {}
        previous, n = None, 0
        for doc, issue in rows:
            n = n + 1 if issue == previous else 1
            rank[int(doc)], previous = n, issue
        for item in items:
            item.position = rank.get(doc_id(item.id), item.position)
        return items

    def _restricted(self) -> bool:
        """Whether the cluster holds items not everyone may see (read again when a new generation is known)."""
        known = self._memo.generation
        read = self._restricted_read
        if read is None or (known is not None and read[0] != known):
            everything, public = self._batch([
                f"SELECT id FROM {ITEMS} LIMIT 0, 1 OPTION ranker=none", "SHOW META",
                f"SELECT id FROM {PUBLIC_ITEMS} LIMIT 0, 1 OPTION ranker=none", "SHOW META",
            ])[1::2]
            restricted = _meta(everything.rows)["total_found"] > _meta(public.rows)["total_found"]
            read = self._restricted_read = (known, restricted)
        return read[1]

    def item_page(self, item_id: str, viewer: Viewer = PUBLIC_ONLY) -> ItemPage | None:
        where = _where([f"id = {doc_id(item_id)}", *seen_by(viewer)])
        rows = self._batch([f"SELECT data FROM {items_of(viewer)} {where}"])[0].rows
        items = [Item.from_dict(json.loads(r[0])) for r in rows]
        item = next((i for i in items if i.id == item_id), None)
        if item is None:
            return None
        neighbours = self._issue_items(item.issue_key, viewer)
        item.position = next((i.position for i in neighbours if i.id == item.id), item.position)
        cites, cited_by, validity = relations(self._batch, item, viewer, today())
        return ItemPage(item, neighbours, self._similar(item, viewer), cites, cited_by, validity)

    def _similar(self, item: Item, viewer: Viewer) -> list[Similar]:
        """Other items holding the item's rare words (chosen as the local engine chooses them, counted among the
        items the viewer may see), best first, each holding enough of them (:func:`search.similar.similar_enough`)."""
        weighted = _key_words_with_frequencies(self, item, viewer)
        words = [w for w, _ in weighted]
        if not words:
            return []
        expr = " | ".join(f"(@(title,body) {phrase(search_form(w))})" for w in words)
        rows = self._batch([
            f"SELECT data FROM {items_of(viewer)} "
            f"{_where([_match(expr), f'id != {doc_id(item.id)}', *seen_by(viewer)])} "
            f"ORDER BY WEIGHT() DESC, first_day DESC, id ASC LIMIT 0, {MAX_SIMILAR * SIMILAR_CANDIDATES} "
            f"OPTION ranker=bm25, field_weights=(title={SIMILAR_TITLE_WEIGHT}, body=1)"])[0].rows
        title = search_form(item.title)
        out = []
        for found in (Item.from_dict(json.loads(r[0])) for r in rows):
            held = [w for w in words if search_form(w) in search_form(found.title) + "\n" + search_form(found.body)]
            in_titles = {w for w in held if search_form(w) in title and search_form(w) in search_form(found.title)}
            if similar_enough(weighted, held, in_titles):
                out.append(Similar(found, held))
        return out[:MAX_SIMILAR]

    def issues(self, viewer: Viewer = PUBLIC_ONLY) -> list[IssueSummary]:
        rows = self._batch([
            f"SELECT data, COUNT(*) AS n, MAX(day) AS d, MAX(year) AS y FROM {items_of(viewer)} "
            f"{_where(seen_by(viewer))} "
            "GROUP BY issue_hash "
            f"WITHIN GROUP ORDER BY position ASC, id ASC LIMIT 0, {GROUPS * 10} "
            f"OPTION max_matches={GROUPS * 10}, ranker=none"])[0].rows
        out = [_summary(Item.from_dict(json.loads(data)), int(n), int(d), int(y)) for data, n, d, y in rows]
        out.sort(key=lambda s: (s.date or "", s.year or 0, s.name), reverse=True)
        return out

    def issue(self, key: str, viewer: Viewer = PUBLIC_ONLY) -> IssuePage | None:
        items = self._issue_items(key, viewer)
        if not items:
            return None
        latest = max(date_number(i.date) for i in items)
        return IssuePage(_summary(items[0], len(items), latest, max(i.year or 0 for i in items)), items)

    def _issue_items(self, key: str, viewer: Viewer) -> list[Item]:
        where = _where([f"issue_hash = {issue_hash(key)}", *seen_by(viewer)])
        rows = self._batch([f"SELECT data FROM {items_of(viewer)} {where} ORDER BY position ASC, "
                            f"id ASC LIMIT 0, {MAX_ISSUE_ITEMS} OPTION ranker=none"])[0].rows
        items = [i for i in (Item.from_dict(json.loads(r[0])) for r in rows) if i.issue_key == key]
        for n, item in enumerate(items, 1):  # counted among the items the viewer may see
            item.position = n
        return items

    def suggest(self, q: str, limit: int = MAX_SUGGESTIONS, viewer: Viewer = PUBLIC_ONLY) -> list[dict[str, Any]]:
        form = search_form(q)
        if not form:
            return []
        everything = " AND ".join([_match(f"@mark {EVERYTHING}"), *seen_by(viewer)])
        in_title = Term(form, q, title_only=True)
        titled = _where([_match(term_match(in_title)), *seen_by(viewer)])
        index = items_of(viewer)
        departments, topics, titles = self._counted(lambda: [
            self._grouped("departments", everything, index), self._grouped("topic_keys", everything, index),
            f"SELECT data FROM {index} {titled} "
            "ORDER BY first_day DESC, id ASC "
            f"LIMIT 0, {limit} OPTION ranker=none"])
        out: list[dict[str, Any]] = []
        for kind, rows in (("department", departments.rows), ("topic", topics.rows)):
            counts = self._named(kind, rows)
            found = sorted(((n, c) for n, c in counts.items() if form in search_form(n)), key=lambda v: -v[1])
            out.extend({"type": kind, "value": n, "count": c} for n, c in found[:2])
        seen: set[str] = set()
        for row in titles.rows:
            item = Item.from_dict(json.loads(row[0]))
            if item.title not in seen and len(out) < limit:
                seen.add(item.title)
                out.append({"type": "title", "value": item.title, "id": item.id, "url": item_path(item.id)})
        return out[:limit]

    def health(self, viewer: Viewer = PUBLIC_ONLY) -> dict[str, Any]:
        try:
            where = _where(seen_by(viewer))
            rows = self._batch([f"SELECT COUNT(*) AS n, MAX(stamp) AS s FROM {items_of(viewer)} {where}"])[0].rows
        except ClusterDegraded as e:
            return {"status": "degraded", "items": None, "index_version": None, "problem": str(e)}
        count, stamp = rows[0] if rows else (0, 0)
        return {"status": "ok", "items": int(count), "index_version": f"sphinxql-{count}-{stamp}"}

    def close(self) -> None:
        self._pool.shutdown()
        self._drop()

    def _narrowing_keys(self, query: SearchQuery, parsed: ParsedQuery, viewer: Viewer) -> list[Hashable]:
        """The memo's keys of the validity and the items holding the terms together a search uses."""
        keys: list[Hashable] = [("standing", index_groups(viewer), today())]
        if query.within != "item" and parsed.groups:
            keys.append(("together", query.within, match(parsed), index_groups(viewer)))
        return keys

    def _narrowed(self, query: SearchQuery, parsed: ParsedQuery, viewer: Viewer,
                  known: str | None = None, worked_out: dict[Hashable, Any] | None = None) -> Narrowed:
        """The validity of items (:func:`cluster.references.standing`) and, for ``within``, the items holding a term
        of every group in one paragraph or sentence, checked one by one (kept under generation ``known``; those
        worked out are put in ``worked_out``)."""
        keys = self._narrowing_keys(query, parsed, viewer)
        found = []
        for key in keys:
            kept = self._memo.get(key, known)
            if kept is None:
                kept = ([standing(self._batch, viewer, key[2])] if key[0] == "standing"
                        else self._together(query, parsed, viewer))
                if worked_out is not None:
                    worked_out[key] = kept
            found.append(kept)
        return Narrowed(tuple(found[1]) if len(found) > 1 else None, found[0][0])

    def _together(self, query: SearchQuery, parsed: ParsedQuery, viewer: Viewer) -> list[int]:
        """The items the viewer may see holding a term of every group in one paragraph or sentence."""
        where = " AND ".join([f"MATCH('{match(parsed)}')", *seen_by(viewer)])
        rows, meta = self._batch([f"SELECT id, data FROM {items_of(viewer)} WHERE {where} LIMIT 0, {MAX_TOGETHER} "
                                  f"OPTION max_matches={MAX_TOGETHER}, ranker=none", "SHOW META"])
        if _meta(meta.rows)["total_found"] > MAX_TOGETHER:
            raise QueryTooExpensive(f"more than {MAX_TOGETHER} items hold these terms: they are checked one by one "
                                    "for a paragraph or sentence holding them all; add terms or filters")
        return sorted(int(doc) for doc, data in rows.rows
                      if together(Item.from_dict(json.loads(data)), parsed.groups, query.within))

    # Facets

    def _facets(self, query: SearchQuery, departments: list[tuple], topics: list[tuple],
                years: list[tuple]) -> dict[str, list[FacetValue]]:
        selected = {name: tuple(query.filters[name]) for name in ("department", "topic", "year")}
        dept_counts = self._named("department", departments, selected["department"])
        dept_names = sorted(dept_counts)
        top_counts = self._named(TOPIC_TOP, topics, selected["topic"])
        path_counts = self._named("topic", topics, selected["topic"])
        top_names, path_names = sorted(top_counts), sorted(path_counts)
        children: dict[str, list[int]] = {}
        for i, path in enumerate(path_names):
            children.setdefault(topic_top(path), []).append(i)
        return {
            "department": flat_values(dept_names, [dept_counts[n] for n in dept_names], selected["department"]),
            "topic": topic_values(top_names, [top_counts[n] for n in top_names], path_names,
                                  [path_counts[n] for n in path_names], children, selected["topic"]),
            "year": year_values({int(k): int(c) for k, c in years}, selected["year"]),
        }

    def _named(self, kind: str, rows: list[tuple], selected: tuple[str, ...] = ()) -> dict[str, int]:
        """Counts by name of the values of ``kind`` among grouped rows, and the selected values it knows (0)."""
        if any(int(k) not in self._names for k, _ in rows):
            self._load_names()
        counts: dict[str, int] = {}
        for key, count in rows:
            known = self._names.get(int(key))
            if known and known[0] == kind:
                counts[known[1]] = int(count)
        for name in selected:
            if value_id(kind, name) in self._names and name not in counts:
                counts[name] = 0
        return counts

    def _load_names(self) -> None:
        with self._names_lock:
            rows = self._batch([f"SELECT id, kind, name FROM {VALUES} LIMIT 0, {GROUPS * 10} "
                                f"OPTION max_matches={GROUPS * 10}, ranker=none"])[0].rows
            self._names = {int(i): (kind, name) for i, kind, name in rows}


class _Frequencies:
    """What :func:`search.related.key_words` asks of an index, answered by the cluster in one batch.

    ``key_words`` is run twice: first to learn which words it asks about (answering 2, so
    none is dropped), then with their real document frequencies.
    """

    def __init__(self, searcher: SphinxQLSearcher):
        self.searcher = searcher
        self.asked: set[tuple[str, str]] = set()
        self.known: dict[tuple[str, str], int] | None = None
        self.live_count = 0

    def doc_frequency(self, field: str, word: str) -> int:
        if self.known is None:
            self.asked.add((field, word))
            return 2
        return self.known.get((field, word), 0)


def _key_words_with_frequencies(searcher: SphinxQLSearcher, item: Item, viewer: Viewer) -> list[tuple[str, float]]:
    """The item's key words, counted among the items the viewer may see."""
    freq = _Frequencies(searcher)
    key_words(freq, item)
    asked = sorted(freq.asked)
    index, seen = items_of(viewer), seen_by(viewer)
    rows = searcher._batch([f"SELECT COUNT(*) FROM {index} {_where(seen)}"])[0].rows
    freq.live_count = int(rows[0][0]) if rows else 0
    freq.known = {}
    for start in range(0, len(asked), MAX_BATCH // 2):
        chunk = asked[start:start + MAX_BATCH // 2]
        statements = []
        for field, word in chunk:
            match = _match(f"@{field} {phrase(search_form(word))}")
            statements += [f"SELECT id FROM {index} {_where([match, *seen])} LIMIT 0, 1 "
                           "OPTION ranker=none", "SHOW META"]
        results = searcher._batch(statements)
        freq.known.update((pair, _meta(results[2 * i + 1].rows)["total_found"]) for i, pair in enumerate(chunk))
    return key_words(freq, item)


def _summary(first: Item, count: int, latest_day: int, year: int) -> IssueSummary:
    """An issue's summary from its first item, item count, latest day (``YYYYMMDD``, 0 unknown) and latest year."""
    date = f"{latest_day // 10000:04d}-{latest_day // 100 % 100:02d}-{latest_day % 100:02d}" if latest_day else None
    return IssueSummary.of(first, count, date, year or None)


def _counts_key(statements: list[str]) -> tuple[str, bytes]:
    """The memo's key for the grouped counts of these statements (a digest: a condition may name 5,000 items)."""
    return ("counts", hashlib.blake2b("\n".join(statements).encode("utf-8"), digest_size=16).digest())


def _match(expr: str) -> str:
    return f"MATCH('{expr}')"


def _column(rows: list[tuple], at: int) -> list[tuple[int, int]]:
    """(value, count) of the grouped rows whose count in column ``at`` is not 0."""
    return [(int(row[0]), int(row[at])) for row in rows if int(row[at])]


def _months(rows: list[tuple]) -> dict[str, int]:
    """Grouped counts by month (0: no exact date) as the local engine's trend gives them."""
    by = {int(k): int(c) for k, c in rows}
    return {**{m: by.get(int(m), 0) for m in MONTHS}, UNKNOWN_YEAR: by.get(0, 0)}


def _where(conditions: list[str]) -> str:
    return "WHERE " + " AND ".join(conditions) if conditions else ""


def _meta(rows: list[tuple]) -> dict[str, int]:
    return {k: int(v) for k, v in rows if k in ("total", "total_found")}


def _warning(results: list[ResultSet]) -> str:
    for r in results:
        for row in r.rows:
            if len(row) == 2 and row[0] == "warning":
                return str(row[1])
    return ""
