"""A local cluster on loopback, for trying the SphinxQL backend and for the tests.

``up(folder, shards, replicas)`` writes the configs (:mod:`cluster.config`)
into ``folder``, starts one ``searchd`` a node on free loopback ports and records
the topology in ``folder/cluster.json``; ``down(folder)`` stops them all. Data stays
in ``folder``: starting the same folder again serves what was written before.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from cluster.config import Node, Topology, plan, write_configs
from indexer.errors import JianbaoError

STATE = "cluster.json"
LOOPBACK = "127.0.0.1"
START_SECONDS = 20.0


class ClusterError(JianbaoError):
    """A local cluster that cannot be started, found or stopped."""


def searchd_binary() -> str:
    """The ``searchd`` to run (Debian's ``sphinxsearch`` package, or Manticore's)."""
    found = shutil.which("searchd")
    if not found:
        raise ClusterError("searchd is not installed: apt-get install sphinxsearch (or Manticore Search)")
    return found


def up(folder: Path, shards: int, replicas: int = 1) -> Topology:
    """Start a cluster in ``folder`` (reusing its ports and data when it was started there before)."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / STATE).exists():
        topology = load(folder)
    else:
        topology = plan(shards, replicas, [LOOPBACK], _free_port_pairs(shards * replicas + 1), LOOPBACK)
        write_configs(topology, folder, lambda node: folder / node.name)
        (folder / STATE).write_text(json.dumps(_to_json(topology), indent=1), encoding="utf-8")
    for node in topology.nodes:
        start_node(folder, node)
    return topology


def down(folder: Path) -> None:
    """Stop every node of the cluster in ``folder`` (those already stopped are skipped)."""
    for node in load(folder).nodes:
        stop_node(folder, node)


def load(folder: Path) -> Topology:
    """The topology recorded in ``folder``."""
    path = folder.resolve() / STATE
    if not path.exists():
        raise ClusterError(f"no cluster in {folder}: start one with `python -m indexer cluster up --dir {folder}`")
    data = json.loads(path.read_text(encoding="utf-8"))
    shards = tuple(tuple(Node(**n) for n in replicas) for replicas in data["shards"])
    return Topology(shards, Node(**data["aggregator"]))


def node_named(folder: Path, name: str) -> Node:
    """The node called ``name`` (``s0r0``, ``aggregator``) of the cluster in ``folder``."""
    for node in load(folder).nodes:
        if node.name == name:
            return node
    raise ClusterError(f"no node {name!r} in {folder}")


def start_node(folder: Path, node: Node) -> None:
    """Start one node's ``searchd`` (if not running) and wait until it answers SphinxQL."""
    folder = folder.resolve()
    if _pid(folder, node) is not None:
        return
    (folder / node.name).mkdir(exist_ok=True)
    done = subprocess.run([searchd_binary(), "-c", str(folder / f"{node.name}.conf")],
                          capture_output=True, text=True, cwd=folder)
    if done.returncode != 0:
        raise ClusterError(f"searchd {node.name} did not start: {(done.stdout + done.stderr).strip()[-500:]}")
    deadline = time.monotonic() + START_SECONDS
    while not _answers(node):
        if time.monotonic() > deadline:
            raise ClusterError(f"searchd {node.name} started but does not answer on port {node.sql_port}")
        time.sleep(0.05)


def stop_node(folder: Path, node: Node, kill: bool = False) -> None:
    """Stop one node: SIGTERM and wait (its RAM chunk is saved), or SIGKILL when ``kill`` (a crash)."""
    pid = _pid(folder.resolve(), node)
    if pid is None:
        return
    os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
    deadline = time.monotonic() + START_SECONDS
    while _alive(pid) or _answers(node):
        if time.monotonic() > deadline:
            raise ClusterError(f"searchd {node.name} (pid {pid}) did not stop")
        time.sleep(0.05)
    (folder.resolve() / node.name / "searchd.pid").unlink(missing_ok=True)


def _pid(folder: Path, node: Node) -> int | None:
    """The pid of the node's running searchd, or None."""
    try:
        pid = int((folder / node.name / "searchd.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child of ours stays a zombie until reaped; searchd daemonizes, so it is not our child.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def _answers(node: Node) -> bool:
    try:
        with socket.create_connection((node.host, node.sql_port), timeout=0.5) as s:
            return bool(s.recv(1))  # the MySQL greeting
    except OSError:
        return False


def _free_port_pairs(count: int) -> list[int]:
    """``count`` ports P on loopback with P and P + 1 both free."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as s:
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
        if port + 1 < 65536 and port not in ports and port + 1 not in ports and port - 1 not in ports \
                and _free(port) and _free(port + 1):
            ports.append(port)
    return ports


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _to_json(topology: Topology) -> dict:
    def node(n: Node) -> dict:
        return {"name": n.name, "host": n.host, "sql_port": n.sql_port}

    return {"url": topology.url, "shards": [[node(n) for n in replicas] for replicas in topology.shards],
            "aggregator": node(topology.aggregator)}
