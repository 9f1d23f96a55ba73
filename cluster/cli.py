"""The cluster commands of ``python -m indexer``: ``cluster up|down`` and ``cluster-config``."""

from __future__ import annotations

import argparse
from pathlib import Path

from cluster import loopback
from cluster.config import plan, write_configs

BACKEND_HELP = "write into the cluster at sphinxql://host:port instead of the local index (default: $JIANBAO_BACKEND)"


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``cluster`` and ``cluster-config`` to the indexer's subcommands."""
    c = sub.add_parser("cluster", help="start or stop a local Sphinx cluster on loopback (for trying and tests)")
    actions = c.add_subparsers(required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start the cluster in DIR and print its backend URL")
    up.add_argument("--shards", type=int, default=2)
    up.add_argument("--replicas", type=int, default=1, help="nodes serving each shard (mirrors)")
    up.add_argument("--dir", type=Path, required=True, metavar="DIR")
    up.set_defaults(run=_up)
    down = actions.add_parser("down", help="stop the cluster in DIR (its data stays)")
    down.add_argument("--dir", type=Path, required=True, metavar="DIR")
    down.set_defaults(run=_down)

    g = sub.add_parser("cluster-config", help="write searchd configs for shards, mirrors and the aggregator")
    g.add_argument("--shards", type=int, required=True)
    g.add_argument("--replicas", type=int, default=1)
    g.add_argument("--hosts", nargs="+", required=True, metavar="HOST",
                   help="hosts the shard nodes are placed on, round robin (replicas of a shard apart)")
    g.add_argument("--aggregator-host", required=True, metavar="HOST")
    g.add_argument("--port", type=int, default=9306,
                   help="SphinxQL port of every node (agents on port + 1); nodes sharing a host get port + 10, + 20 …")
    g.add_argument("--data-dir", type=Path, default=Path("/var/lib/jianbao-sphinx"),
                   help="folder on each host where a node keeps its data (a subfolder a node)")
    g.add_argument("--listen", default="0.0.0.0", help="address the nodes listen on")
    g.add_argument("--out", type=Path, required=True, metavar="DIR", help="where the NODE.conf files are written")
    g.set_defaults(run=_config)


def _up(args: argparse.Namespace) -> int:
    topology = loopback.up(args.dir, args.shards, args.replicas)
    print(topology.url)
    return 0


def _down(args: argparse.Namespace) -> int:
    loopback.down(args.dir)
    return 0


def _config(args: argparse.Namespace) -> int:
    hosts = list(args.hosts)
    count = args.shards * args.replicas
    used: dict[str, int] = {}
    ports = []
    for i in range(count):  # the host plan() gives node i, and how many nodes that host already has
        host = hosts[((i // args.replicas) + (i % args.replicas)) % len(hosts)]
        ports.append(args.port + 10 * used.get(host, 0))
        used[host] = used.get(host, 0) + 1
    ports.append(args.port + 10 * used.get(args.aggregator_host, 0))
    topology = plan(args.shards, args.replicas, hosts, ports, args.aggregator_host)
    written = write_configs(topology, args.out, lambda node: args.data_dir / node.name, args.listen)
    for node in topology.nodes:
        print(f"{written[node.name]}\t{node.host}:{node.sql_port}")
    print(f"backend: {topology.url}")
    return 0
