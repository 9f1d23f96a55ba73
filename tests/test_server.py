"""The production server as `python -m webapp` runs it: waitress workers, no debug mode, request size limits,
index switches seen by every worker."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, build_index
from tests.serving import get, running_server
from webapp import create_app


@pytest.fixture(scope="module")
def server(seed_index):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "webapp", "--index-dir", str(seed_index), "--port", str(port),
                             "--no-build"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_served_by_waitress_not_a_debug_server(server):
    status, headers, body = _request(server, "GET", "/api/health")
    assert status == 200 and headers["Server"] == "jianbao"
    assert b'"items":14' in body.replace(b" ", b"")
    assert not create_app({"INDEX_DIR": "unused"}).debug


def test_request_size_limits(server):
    status, _, _ = _request(server, "POST", "/api/search", body=b"x" * 200_000,
                            headers={"Content-Type": "application/octet-stream"})
    assert status == 413
    status, _, _ = _request(server, "GET", "/api/search", headers={"X-Filler": "y" * 200_000})
    assert status in (400, 431)
    status, headers, body = _request(server, "GET", "/api/search?q=" + "x" * 70_000)
    assert status == 414 and headers["Content-Type"].startswith("application/json")


SMALL_PATHS = ("/api/search", "/", "/admin/withdraw", "/upload/x/retry", "/api/uploads/x", "/api/uploadsx")


@pytest.mark.parametrize("path", SMALL_PATHS)
def test_a_declared_large_body_is_refused_from_its_headers_on_every_path_but_uploads(server, path):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {100 * 2**20}\r\n\r\n".encode())
        try:
            answer = _read_answer(s)  # no byte of the body was sent
        except TimeoutError:
            pytest.fail("the server waits for a 100 MB body")
    assert answer.startswith(b"HTTP/1.1 413 ")
    error = json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]
    assert error["code"] == "too_large" and error["message_zh"]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_streamed_large_body_is_refused_long_before_the_upload_limit(server, chunked):
    """The client streams 100 MB to /api/search (declared, or chunked): the server stops reading at 16 KB (at once
    when declared) and answers 413; the client can send only what the sockets' buffers hold."""
    head = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {100 * 2**20}"
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
    sent = 0
    with socket.create_connection(("127.0.0.1", server), timeout=10) as s:
        s.sendall(f"POST /api/search HTTP/1.1\r\nHost: x\r\n{head}\r\n\r\n".encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server stopped reading and closed
            while sent < 100 * 2**20 and not select.select([s], [], [], 0)[0]:
                s.sendall(frame)
                sent += len(frame)
        answer = _read_answer(s)
    assert sent < 8 * 2**20, f"the server read {sent:,} bytes"
    assert answer.startswith(b"HTTP/1.1 413 ")


def _read_answer(s: socket.socket) -> bytes:
    """The status line, headers and body of one response (read until the server closes, or 2 s of quiet)."""
    s.settimeout(5)
    data = s.recv(65536)
    s.settimeout(2)
    try:
        while chunk := s.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def test_every_worker_sees_an_index_switch(tmp_path):
    first = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")[0]
    index = build_index([first], tmp_path / "index")
    with running_server(index, {"JIANBAO_PROCESSES": "2"}) as (port, _):
        # two keep-alive connections: the workers share connections out, so each lands on another process
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(2)]
        before = [_health(conn) for conn in conns]
        assert all(h["items"] == before[0]["items"] < 14 for h in before)
        build_index([CORPUS], index)  # a full build switches `current`
        time.sleep(2)  # each worker looks at the index on disk at most once a second
        after = [_health(conn) for conn in conns] + [json.loads(get(port, "/api/health")[1]) for _ in range(10)]
        for conn in conns:
            conn.close()
    assert {h["items"] for h in after} == {14}
    assert len({h["index_version"] for h in after}) == 1 and after[0]["index_version"] != before[0]["index_version"]


def _health(conn: http.client.HTTPConnection) -> dict:
    conn.request("GET", "/api/health")
    response = conn.getresponse()
    assert response.status == 200
    return json.loads(response.read())


def test_keep_alive_connections_spread_evenly_over_the_workers(seed_index):
    with running_server(seed_index, {"JIANBAO_PROCESSES": "2"}) as (port, pid):
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
        for conn in conns:  # connected at once, as a portal's pool or a burst of visitors does
            conn.connect()
        for conn in conns:
            _health(conn)
        held = _connections_by_process(port, _children(pid))
        for conn in conns:
            conn.close()
    assert sum(held.values()) == 8 and max(held.values()) - min(held.values()) <= 2, held  # not all on one


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the server's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _connections_by_process(port: int, pids: list[int]) -> dict[int, int]:
    """How many established connections to ``port`` each process holds (from /proc/net/tcp and its open files)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
            inodes.add(fields[9])
    held = {}
    for pid in pids:
        links = (os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
        held[pid] = sum(link.startswith("socket:[") and link[8:-1] in inodes for link in links)
    return held
