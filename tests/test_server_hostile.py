"""The production server against clients that hold connections: idle sockets, slow headers, readers that stall.

Real servers on loopback, bounded in count and time (about 40 s in all).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

from tests.conftest import build_index
from tests.serving import get, running_server, timed_search

IDLE, SLOW = 150, 150  # sockets of each kind the attacker keeps open
HOLD_SECONDS = 30
TIMEOUTS = {"JIANBAO_IDLE_TIMEOUT": "5", "JIANBAO_HEADER_TIMEOUT": "5"}


class Attacker:
    """Keeps ``IDLE`` sockets that send nothing and ``SLOW`` sockets that send a header line every 2 s open,
    opening a new one whenever the server closes one; counts how many the server closed."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[socket.socket] = []
        self.slow: list[socket.socket] = []
        self.closed = {"idle": 0, "slow": 0}
        self.stop = threading.Event()

    def open(self, slow: bool) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if slow:
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        s.setblocking(False)
        return s

    def run(self) -> None:
        self.idle = [self.open(False) for _ in range(IDLE)]
        self.slow = [self.open(True) for _ in range(SLOW)]
        n = 0
        while not self.stop.wait(1.0):
            n += 1
            for kind, sockets in (("idle", self.idle), ("slow", self.slow)):
                for i, s in enumerate(sockets):
                    if _closed_by_server(s):
                        s.close()
                        self.closed[kind] += 1
                        sockets[i] = self.open(kind == "slow")
                    elif kind == "slow" and n % 2 == 0:
                        with contextlib.suppress(OSError):
                            s.send(b"X-Slow: %d\r\n" % n)
        for s in self.idle + self.slow:
            s.close()


def _closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_idle_and_slow_header_sockets_do_not_lock_out_visitors(seed_index):
    with running_server(seed_index, TIMEOUTS) as (port, _):
        timed_search(port)
        attacker = Attacker(port)
        thread = threading.Thread(target=attacker.run, daemon=True)
        thread.start()
        time.sleep(2)  # all 300 sockets open
        latencies = []
        deadline = time.monotonic() + HOLD_SECONDS
        try:
            while time.monotonic() < deadline:
                latencies.append(timed_search(port, timeout=5))
                time.sleep(0.5)
        finally:
            attacker.stop.set()
            thread.join(timeout=30)
    assert len(latencies) >= 40
    assert max(latencies) < 1.0, sorted(latencies)[-5:]
    # idle and slow-header connections are closed after their timeouts (5 s here), so the attacker had to reopen
    # each about every 5 s: over 30 s, several times each
    assert attacker.closed["idle"] >= 3 * IDLE and attacker.closed["slow"] >= 3 * SLOW, attacker.closed


def test_a_client_that_never_reads_its_export_is_cut_off(xwlb_slice, tmp_path):
    index = build_index([xwlb_slice], tmp_path / "index")
    send_timeout = 3
    with running_server(index, {"JIANBAO_SEND_TIMEOUT": str(send_timeout), "JIANBAO_IDLE_TIMEOUT": "30"}) as (port, _):
        fetch_started = time.monotonic()
        status, whole = get(port, "/export.csv", timeout=60)
        export_seconds = time.monotonic() - fetch_started  # a response stalls from when the app has written it
        assert status == 200 and whole.count(b"\n") > 2000
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel holds little for it
        stalled.connect(("127.0.0.1", port))
        stalled.sendall(b"GET /export.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        started = time.monotonic()
        searches, cut_after = [], None
        while time.monotonic() - started < export_seconds + send_timeout + 3:
            searches.append(timed_search(port))
            if cut_after is None and _server_side_state(port, stalled.getsockname()[1]) != "ESTABLISHED":
                cut_after = time.monotonic() - started
            time.sleep(0.1)
        stalled.settimeout(5)
        received = bytearray()
        with contextlib.suppress(OSError):  # a reset is a cut too
            while chunk := stalled.recv(65536):
                received += chunk
        stalled.close()
    assert max(searches) < 1.0
    # cut when the response has not moved for the send timeout (checked each second): not before, and not never
    assert cut_after is not None and send_timeout - 0.5 <= cut_after <= export_seconds + send_timeout + 2, cut_after
    assert 0 < len(received) < len(whole), (len(received), len(whole))


def _server_side_state(server_port: int, client_port: int) -> str:
    """TCP state of the server's end of a loopback connection (from /proc/net/tcp), or "gone"."""
    states = {"01": "ESTABLISHED", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE",
              "08": "CLOSE_WAIT", "09": "LAST_ACK", "0B": "CLOSING"}
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return states.get(fields[3], fields[3])
    return "gone"


def test_a_connection_whose_bytes_wait_unread_is_not_closed_as_idle_or_slow():
    """The check runs before the loop reads: on a busy machine a visitor's request may wait there past the idle or
    header timeout, and must be read, not reset."""
    from types import SimpleNamespace

    from webapp.server import GuardedChannel

    config = SimpleNamespace(idle_timeout=5, header_timeout=5, send_timeout=30)
    ours, theirs = socket.socketpair()
    try:
        ours.setblocking(False)
        idle = SimpleNamespace(requests=[], total_outbufs_len=0, request=None, last_activity=0.0, socket=ours)
        started = SimpleNamespace(requests=[], total_outbufs_len=0, request=SimpleNamespace(headers_finished=False),
                                  request_started=0.0, last_activity=0.0, socket=ours)
        assert GuardedChannel.overdue(idle, 10.0, config) == "idle"
        assert GuardedChannel.overdue(started, 10.0, config) == "request line and headers not sent in time"
        theirs.sendall(b"GET /api/search?q=%E5%B7%A5%E4%BD%9C HTTP/1.1\r\n")
        assert GuardedChannel.overdue(idle, 10.0, config) is None
        assert GuardedChannel.overdue(started, 10.0, config) is None
        assert ours.recv(100).startswith(b"GET ")  # the peek read nothing away
        assert GuardedChannel.overdue(idle, 10.0, config) == "idle"
        theirs.close()  # a peer that has gone is not waiting either
        assert GuardedChannel.overdue(idle, 10.0, config) == "idle"
    finally:
        ours.close()
        theirs.close()


def test_closing_overdue_connections_never_closes_a_new_visitor_given_a_freed_descriptor():
    """The loop's check closes overdue connections while it lists the sockets to poll, so their old descriptors were
    still listed; a visitor accepted in that same turn gets the lowest free descriptor, one of those, and the stale
    entry's "invalid descriptor" event must not close the visitor (it did: a reset under load)."""
    from waitress import wasyncore

    from webapp.server import GuardedServer, ServerConfig, listen

    config = ServerConfig(port=0, idle_timeout=5, header_timeout=5, search_lane=False)
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = GuardedServer(lambda environ, start: [], sock, config)
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
    visitor = None
    try:
        while len(server.active_channels) < len(idle):
            wasyncore.poll2(0.1, server._map)
        for channel in server.active_channels.values():
            channel.last_activity -= 60  # idle for a minute
        server.next_channel_cleanup = 0  # the check runs in this turn
        visitor = socket.create_connection(("127.0.0.1", port))
        visitor.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Wait: ")  # a request on its way
        time.sleep(0.1)
        wasyncore.poll2(0.1, server._map)  # closes the idle ones, accepts the visitor
        assert [c.addr[1] for c in server.active_channels.values()] == [visitor.getsockname()[1]]
        visitor.setblocking(False)
        assert not _closed_by_server(visitor)
    finally:
        for s in idle + ([visitor] if visitor else []):
            s.close()
        server.close()
        server.task_dispatcher.shutdown()
