"""The cluster target of ``build`` and ``update``: items written into N RT shard indexes.

The writer asks the aggregator (``DESCRIBE jianbao``) which shards there are and which
nodes mirror each one, and writes every item to every replica of its shard
(:func:`cluster.schema.shard_of`), so mirrors hold the same rows. ``REPLACE``
by document id replaces an item in place, and every row records the run that wrote it
(``stamp``, higher than any before). A build writes every item first and only then
deletes the rows of earlier runs (the items its sources no longer have, the facet values
no item names any more): a build that fails leaves every item in place. An update of a
re-read ``.txt`` or ``.html`` file that no longer holds items of its issue is refused
unless removals are allowed, as the local update is; then they are deleted, once every
item is written. A replica that cannot be written stops the run with its name: the shards
must not drift apart silently. A run marks the cluster's generation as being written before
it writes and names it after its stamp when it ends (:meth:`ClusterWriter.changing`), so searchers
drop the answers they kept. A replica whose indexes lack a column of this code (configured
by an earlier version) is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pymysql

from cluster.config import AGENT_PORT_OFFSET
from cluster.connect import ClusterUnavailable, ResultSet, connect, parse_url, run_batch
from cluster.schema import (
    CONTENT_VERSION,
    EVERYTHING,
    ITEMS,
    META_ID,
    check_columns,
    content_problem,
    doc_id,
    generation_row,
    index_of,
    issue_hash,
    item_indexes,
    item_row,
    shard_of,
    value_rows,
    values_index,
)
from indexer.errors import IndexStale, JianbaoError, Report
from indexer.ingest.files import archive_root, read_items
from indexer.items import Item
from indexer.runs import OneItemAnId, Summary, read_update, removal_label, removals_refused

BATCH_ROWS = 200  # rows a REPLACE statement carries
SWEEP_ROWS = 10_000  # rows of earlier runs a build deletes a statement


@dataclass(frozen=True)
class Shard:
    """One shard: its number and the SphinxQL addresses of its replicas."""

    number: int
    replicas: tuple[tuple[str, int], ...]


def shards_of(url: str) -> list[Shard]:
    """The shards behind the aggregator at ``url``, read from its distributed index's agents."""
    host, port = parse_url(url)
    conn = connect(host, port)
    try:
        rows = run_batch(conn, [f"DESCRIBE {ITEMS}"])[0].rows
    finally:
        conn.close()
    replicas: dict[int, list[tuple[str, int]]] = {}
    for agent, _kind in rows:  # "host:port:jianbao_s0,jianbao_r0", one row a mirror
        address, _, indexes = agent.rpartition(":")
        host, _, port = address.rpartition(":")
        number = int(indexes.split(",")[0].rsplit("_s", 1)[1])
        replicas.setdefault(number, []).append((host, int(port) - AGENT_PORT_OFFSET))
    shards = [Shard(number, tuple(found)) for number, found in replicas.items()]
    shards.sort(key=lambda s: s.number)
    if [s.number for s in shards] != list(range(len(shards))):
        raise JianbaoError(f"the aggregator at {url} does not list shards 0..N-1: {rows}")
    return shards


class ClusterWriter:
    """Open connections to every replica of every shard; rows are written to all replicas of a shard.

    A replica whose indexes lack a column of this code is refused (IndexStale naming the fix).
    """

    def __init__(self, url: str):
        self.url = url
        self.shards = shards_of(url)
        self._conns: dict[tuple[str, int], pymysql.Connection] = {}
        for shard in self.shards:
            for address in shard.replicas:
                self._conns[address] = connect(*address)
        try:
            for shard in self.shards:
                indexes = [*item_indexes(shard.number), values_index(shard.number)]
                for replica in self._each_replica(shard, [f"DESCRIBE {index}" for index in indexes]):
                    for index, described in zip(indexes, replica):
                        check_columns(index, described.rows)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()

    def _each_replica(self, shard: Shard, statements: list[str]) -> list[list[ResultSet]]:
        out = []
        for address in shard.replicas:
            try:  # searchd runs only SELECT and SHOW statements as a batch: writes go one by one
                out.append([run_batch(self._conns[address], [st])[0] for st in statements])
            except pymysql.MySQLError as e:
                raise ClusterUnavailable(
                    f"shard {shard.number} replica {address[0]}:{address[1]} failed: {e.args[-1]}; "
                    "its replicas may now differ: run the same command again when it is back") from None
        return out

    def flush(self) -> None:
        """Save every replica's RAM chunk to disk: what a run wrote survives a crash of the node.

        Sphinx 2.2.11's binary log alone is not enough: replaying large commits after a crash
        stops at a CRC mismatch (seen in the tests), losing the rows after it.
        """
        for shard in self.shards:
            self._each_replica(shard, [f"FLUSH RTINDEX {index}"
                                       for index in (*item_indexes(shard.number), values_index(shard.number))])

    @contextlib.contextmanager
    def changing(self, stamp: int) -> Iterator[None]:
        """Mark every replica's generation as being written by run ``stamp`` for the time of the block, then
        name it after the run, even when the block failed (what it wrote changed the content all the same).

        The name holds a random part: two runs given the same stamp (in the same second) are told apart."""
        run = f"{stamp}.{secrets.token_hex(6)}"
        self._mark(stamp, run, writing=True)
        try:
            yield
        except BaseException:
            with contextlib.suppress(ClusterUnavailable):  # the failure is what to report; unmarked, nothing is kept
                self._mark(stamp, run, writing=False)
            raise
        self._mark(stamp, run, writing=False)

    def _mark(self, stamp: int, run: str, writing: bool) -> None:
        """Write the generation row on every replica and save the values index to disk: a node restarted after a
        crash must not name an earlier generation (Sphinx 2.2.11's binary log alone may lose the row)."""
        for shard in self.shards:
            index = values_index(shard.number)
            self._each_replica(shard, [_replace(index, [generation_row(shard.number, stamp, run, writing)]),
                                       f"FLUSH RTINDEX {index}"])

    def next_stamp(self) -> int:
        """The number of a new run: the time, or one more than any run's before it."""
        latest = 0
        for shard in self.shards:
            statements = [f"SELECT MAX(stamp) AS s FROM {index}" for index in item_indexes(shard.number)]
            for replica in self._each_replica(shard, statements):
                latest = max([latest, *(int(row[0] or 0) for answer in replica for row in answer.rows)])
        return max(int(time.time()), latest + 1)

    def write(self, items: Iterable[Item], stamp: int, ids: OneItemAnId) -> int:
        """Replace (by id) the given items, as written by run ``stamp``, one item an id as ``ids`` decides;
        returns how many were written."""
        pending: dict[int, list[Item]] = {s.number: [] for s in self.shards}
        kept: set[str] = set()
        for item in items:
            admitted = ids.admit(item)
            if admitted is False:
                continue
            kept.add(item.id)
            shard = shard_of(doc_id(item.id), len(self.shards))
            if admitted is None:  # in place of an earlier item: not also in the same statement
                pending[shard] = [i for i in pending[shard] if i.id != item.id]
            pending[shard].append(item)
            if len(pending[shard]) >= BATCH_ROWS:
                self._flush(shard, pending[shard], stamp)
                pending[shard] = []
        for shard, batch in pending.items():
            if batch:
                self._flush(shard, batch, stamp)
        return len(kept)

    def _flush(self, number: int, items: list[Item], stamp: int) -> None:
        """Write the items into the public or the restricted index of their shard, and take them out of the other
        (an item whose access changed moves)."""
        shard = self.shards[number]
        statements = []
        for index in item_indexes(number):
            kept = [i for i in items if index_of(i, number) == index]
            others = [doc_id(i.id) for i in items if index_of(i, number) != index]
            if kept:
                statements.append(_replace(index, [item_row(i, stamp) for i in kept]))
            if others:
                statements.append(f"DELETE FROM {index} WHERE id IN ({', '.join(map(str, others))})")
        values = list({r["id"]: r for i in items for r in value_rows(i, stamp)}.values())
        if values:
            statements.append(_replace(values_index(number), values))
        self._each_replica(shard, statements)

    def delete_before(self, stamp: int) -> int:
        """Delete every item and facet value written by a run before ``stamp``; returns how many items."""
        deleted = 0
        for shard in self.shards:
            deleted += sum(self._sweep(shard, index, stamp) for index in item_indexes(shard.number))
            self._sweep(shard, values_index(shard.number), stamp)
        return deleted

    def _sweep(self, shard: Shard, index: str, stamp: int) -> int:
        """Delete the rows of ``index`` written by a run before ``stamp``; returns how many."""
        deleted = 0
        while True:
            found = self._each_replica(shard, [f"SELECT id FROM {index} WHERE stamp < {stamp} "
                                               f"LIMIT 0, {SWEEP_ROWS} OPTION max_matches={SWEEP_ROWS}"])
            gone = sorted({row[0] for replica in found for row in replica[0].rows})
            if not gone:
                return deleted
            self._delete(shard, gone, index)
            deleted += len(gone)

    def issue_items(self, issue_keys: set[str], keep: set[str]) -> dict[int, str]:
        """The items of these issues whose ids are not in ``keep``: ``id (title)`` by document id."""
        kept = {doc_id(i) for i in keep}
        found: dict[int, str] = {}
        for shard in self.shards:
            for key in issue_keys:
                rows = self._each_replica(shard, [f"SELECT id, data FROM {index} WHERE issue_hash = {issue_hash(key)} "
                                                  "LIMIT 0, 100000 OPTION max_matches = 100000"
                                                  for index in item_indexes(shard.number)])
                found.update((r[0], removal_label(json.loads(r[1]))) for replica in rows for answer in replica
                             for r in answer.rows if r[0] not in kept)
        return found

    def delete(self, docs: Iterable[int]) -> int:
        """Delete these documents from their shards; returns how many were asked for."""
        by_shard: dict[int, list[int]] = {}
        for doc in docs:
            by_shard.setdefault(shard_of(doc, len(self.shards)), []).append(doc)
        for number, gone in by_shard.items():
            for index in item_indexes(number):
                self._delete(self.shards[number], sorted(gone), index)
        return sum(map(len, by_shard.values()))

    def _delete(self, shard: Shard, docs: list[int], index: str) -> None:
        for start in range(0, len(docs), BATCH_ROWS):
            chunk = docs[start:start + BATCH_ROWS]
            self._each_replica(shard, [f"DELETE FROM {index} WHERE id IN ({', '.join(map(str, chunk))})"])

    def set_archive_root(self, root: Path, stamp: int) -> None:
        """Record the archive root on every shard (updates name files relative to it), as written by run ``stamp``."""
        meta = {"archive_root": str(root), "content": CONTENT_VERSION}
        row = {"id": META_ID, "name_text": EVERYTHING, "kind": "meta", "name": json.dumps(meta), "stamp": stamp}
        for shard in self.shards:
            self._each_replica(shard, [_replace(values_index(shard.number), [row])])

    def content_problem(self) -> str | None:
        """Why this code may not add to the items already written (another content version), or None."""
        rows = self._each_replica(self.shards[0], [f"SELECT name FROM {values_index(0)} WHERE id = {META_ID}"])
        return content_problem(rows[0][0].rows)

    def archive_root(self) -> Path | None:
        """The archive root recorded by the last build, if any."""
        rows = self._each_replica(self.shards[0], [f"SELECT name FROM {values_index(0)} WHERE id = {META_ID}"])
        found = rows[0][0].rows
        return Path(json.loads(found[0][0])["archive_root"]) if found else None


def _literal(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(str(int(v)) for v in value) + ")"
    if isinstance(value, int):
        return str(value)
    return pymysql.converters.escape_string(str(value)).join("''")


def _replace(index: str, rows: list[dict]) -> str:
    columns = list(rows[0])
    values = ", ".join("(" + ", ".join(_literal(r[c]) for c in columns) + ")" for r in rows)
    return f"REPLACE INTO {index} ({', '.join(columns)}) VALUES {values}"


def build_cluster(sources: list[Path], url: str, report: Report) -> Summary:
    """Write every item of ``sources`` into the cluster, then delete the items they no longer have.

    Until every item is written nothing is deleted: a build that fails leaves the cluster's items in
    place (those already written in their new form).
    """
    started = time.monotonic()
    root = archive_root(sources)
    writer = ClusterWriter(url)
    try:
        stamp = writer.next_stamp()
        with writer.changing(stamp):
            count = writer.write(read_items(sources, report, root), stamp, OneItemAnId(report))
            if not count:
                raise JianbaoError(f"no items in {', '.join(map(str, sources))}: the cluster is kept as it was")
            writer.set_archive_root(root, stamp)
            removed = writer.delete_before(stamp)
            writer.flush()
    finally:
        writer.close()
    return Summary(count, removed, report.files_read, report.files_skipped, report.warnings,
                   time.monotonic() - started, f"cluster {url}")


def update_cluster(sources: list[Path], url: str, report: Report, allow_removals: bool = False) -> Summary:
    """Add or replace (by id) the items of ``sources``; a re-read issue file replaces all its items.

    An issue file that no longer holds items indexed from it is refused (JianbaoError listing
    them, nothing changed) unless ``allow_removals``; those items are deleted once every item is written.
    """
    started = time.monotonic()
    writer = ClusterWriter(url)
    try:
        if problem := writer.content_problem():
            raise IndexStale(problem)
        root = writer.archive_root() or archive_root(sources)
        batch = read_update(sources, report, root)
        removed = writer.issue_items(batch.whole_files, batch.ids)
        if removed and not allow_removals:
            raise removals_refused(sorted(removed.values()))
        stamp = writer.next_stamp()
        with writer.changing(stamp):
            count = writer.write(batch.items, stamp, OneItemAnId(report))
            replaced = writer.delete(removed)
            writer.flush()
    finally:
        writer.close()
    return Summary(count, replaced, report.files_read, report.files_skipped, report.warnings,
                   time.monotonic() - started, f"cluster {url}")

