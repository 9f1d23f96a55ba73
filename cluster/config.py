"""``searchd`` configurations for a cluster: shard nodes (with replicas) and the distributed aggregator.

A cluster is N shards, each served by R replica nodes (mirrors), and one aggregator
whose distributed indexes (``jianbao``: every item; ``jianbao_public``: the public items; the facet
values) send every query to one replica of each shard and merge the answers. Every node listens for
SphinxQL on its port P and for agents
(Sphinx's own protocol, which the aggregator speaks) on P + 1: the writer finds the
shards from the aggregator's agent list and reaches each one's SphinxQL port this way.

The configs are written for Sphinx 2.2.11 (what the tests run); Manticore Search reads
them too, apart from the differences docs/cluster.md lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cluster.schema import (
    ITEM_ATTRS,
    ITEM_FIELDS,
    ITEMS,
    PUBLIC_ITEMS,
    VALUE_ATTRS,
    VALUE_FIELDS,
    VALUES,
    item_indexes,
    shard_index,
    values_index,
)

AGENT_PORT_OFFSET = 1  # a node's agent port, after its SphinxQL port
AGGREGATOR = "aggregator"


@dataclass(frozen=True)
class Node:
    """One ``searchd``: its name (``s0r1``: shard 0, replica 1), host and SphinxQL port."""

    name: str
    host: str
    sql_port: int

    @property
    def agent_port(self) -> int:
        return self.sql_port + AGENT_PORT_OFFSET


@dataclass(frozen=True)
class Topology:
    """The nodes of a cluster: for each shard its replicas, and the aggregator."""

    shards: tuple[tuple[Node, ...], ...]
    aggregator: Node

    @property
    def url(self) -> str:
        """The backend URL searchers and writers are given (the aggregator's SphinxQL address)."""
        return f"sphinxql://{self.aggregator.host}:{self.aggregator.sql_port}"

    @property
    def nodes(self) -> list[Node]:
        """Every node, shard replicas first, the aggregator last."""
        return [n for replicas in self.shards for n in replicas] + [self.aggregator]


def plan(shards: int, replicas: int, hosts: list[str], ports: list[int], aggregator_host: str) -> Topology:
    """Place ``shards`` × ``replicas`` nodes on ``hosts`` (round robin) at the given SphinxQL ports.

    ``ports`` holds one port a node, the aggregator's last; replicas of a shard go on different hosts
    when there are enough of them.
    """
    if shards < 1 or replicas < 1:
        raise ValueError("a cluster needs at least one shard and one replica")
    if len(ports) != shards * replicas + 1:
        raise ValueError(f"{shards * replicas + 1} ports needed, {len(ports)} given")
    placed = []
    for s in range(shards):
        placed.append(tuple(Node(f"s{s}r{r}", hosts[(s + r) % len(hosts)], ports[s * replicas + r])
                            for r in range(replicas)))
    return Topology(tuple(placed), Node(AGGREGATOR, aggregator_host, ports[-1]))


def _index(name: str, kind: str, path: Path, fields: tuple[str, ...], attrs: tuple[tuple[str, str], ...],
           extra: tuple[str, ...] = ()) -> str:
    lines = [f"index {name}", "{", f"    type = {kind}", f"    path = {path / name}"]
    lines += [f"    rt_field = {f}" for f in fields]
    lines += [f"    {k} = {a}" for k, a in attrs]
    lines += [f"    {line}" for line in extra]
    # Tokens are hex code points (see cluster.schema): only 0-9 and a-z are word characters.
    lines += ["    charset_table = 0..9, a..z", "    min_word_len = 1", "    dict = keywords",
              "    rt_mem_limit = 256M", "}", ""]
    return "\n".join(lines)


def _searchd(node: Node, data_dir: Path, listen_host: str, extra: list[str] | None = None) -> str:
    lines = ["searchd", "{",
             f"    listen = {listen_host}:{node.sql_port}:mysql41",
             f"    listen = {listen_host}:{node.agent_port}",
             f"    log = {data_dir / 'searchd.log'}",
             f"    query_log = {data_dir / 'query.log'}",
             f"    pid_file = {data_dir / 'searchd.pid'}",
             f"    binlog_path = {data_dir}",
             "    binlog_flush = 1",  # every transaction is on disk before it is acknowledged
             "    workers = threads",
             "    read_timeout = 5",
             "    max_packet_size = 32M",
             *(extra or []), "}", ""]
    return "\n".join(lines)


def shard_config(node: Node, shard: int, data_dir: Path, listen_host: str | None = None) -> str:
    """The config of a replica of ``shard``: its RT indexes of public items, restricted items and facet values."""
    return "\n".join([
        f"# Jianbao shard {shard}, node {node.name}",
        # Phrases read the lists of their character pairs, not the long ones of their characters; a prefix (the
        # bare fields' character with or without marks before it) is expanded from the dictionary.
        *(_index(name, "rt", data_dir, ITEM_FIELDS, ITEM_ATTRS, ("bigram_index = all", "min_prefix_len = 1"))
          for name in item_indexes(shard)),
        _index(values_index(shard), "rt", data_dir, VALUE_FIELDS, VALUE_ATTRS),
        _searchd(node, data_dir, listen_host or node.host),
    ])


def _agents(topology: Topology, index_of) -> list[str]:
    lines = []
    for s, replicas in enumerate(topology.shards):
        mirrors = "|".join(f"{n.host}:{n.agent_port}" for n in replicas)
        lines.append(f"    agent = {mirrors}:{index_of(s)}")
    return lines


def aggregator_config(topology: Topology, data_dir: Path, listen_host: str | None = None) -> str:
    """The config of the aggregator: distributed indexes over one replica of every shard."""
    node = topology.aggregator
    parts = [f"# Jianbao aggregator: {len(topology.shards)} shards"]
    for name, index_of in ((ITEMS, lambda s: ",".join(item_indexes(s))), (PUBLIC_ITEMS, shard_index),
                           (VALUES, values_index)):
        parts.append("\n".join([
            f"index {name}", "{", "    type = distributed", *_agents(topology, index_of),
            "    agent_connect_timeout = 300",
            "    agent_query_timeout = 30000",
            "    ha_strategy = nodeads",  # a mirror that stopped answering is left out until it answers again
            "}", ""]))
    parts.append(_searchd(node, data_dir, listen_host or node.host,
                          ["    ha_ping_interval = 200", "    ha_period_karma = 10"]))
    return "\n".join(parts)


def write_configs(topology: Topology, out_dir: Path, data_dir_of, listen_host: str | None = None) -> dict[str, Path]:
    """Write ``NODE.conf`` for every node into ``out_dir``; ``data_dir_of(node)`` is where it keeps its data."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for s, replicas in enumerate(topology.shards):
        for node in replicas:
            written[node.name] = out_dir / f"{node.name}.conf"
            written[node.name].write_text(shard_config(node, s, data_dir_of(node), listen_host), encoding="utf-8")
    agg = topology.aggregator
    written[agg.name] = out_dir / f"{agg.name}.conf"
    written[agg.name].write_text(aggregator_config(topology, data_dir_of(agg), listen_host), encoding="utf-8")
    return written
