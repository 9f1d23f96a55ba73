"""The production server as `python -m webapp` runs it: waitress workers, no debug mode, request size limits,
index switches seen by every worker."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, SHARED, build_index
from tests.serving import free_port, get, running_server
from webapp import create_app
from webapp.server import MAX_HEADER_BYTES


@pytest.fixture(scope="module")
def server(seed_index):
    with running_server(seed_index) as (port, _):
        yield port


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


def test_the_readme_curl_examples_work_as_written(server):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^curl '(http://127\.0\.0\.1:5000[^']+)'", readme, re.MULTILINE)
    assert len(commands) >= 2 and any(not c.isascii() for c in commands)  # raw Chinese in the URL, as typed
    for url in commands:
        out = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", url.replace(":5000", f":{server}")],
                             capture_output=True, timeout=30)
        body, status = out.stdout.rsplit(b"\n", 1)
        assert status == b"200", (url, body[:300])
        assert json.loads(body)
    found = json.loads(_raw(server, "GET /api/search?q=校园欺凌&department=区教育局 HTTP/1.1".encode()).split(b"\r\n\r\n")[1])
    assert found["total"] >= 1 and found["query"]["q"] == "校园欺凌" and found["query"]["department"] == ["区教育局"]


HOST = b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n"


def _raw(port: int, request_line: bytes, headers: bytes = b"", end: bytes = b"\r\n") -> bytes:
    """The whole answer to a request sent as these bytes (no encoding by a client library)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request_line + HOST + headers + end)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def _too_long(request_line: bytes) -> bytes:
    """Headers that bring the request to exactly the server's limit (every byte sent is read: no reset)."""
    return b"X-Filler: " + b"y" * (MAX_HEADER_BYTES - len(request_line + HOST + b"X-Filler: "))


@pytest.mark.parametrize("headers, status", [
    (b"Content-Length: abc\r\n", 400),                        # a request waitress cannot read
    (None, 431),                                              # headers past the server's limit
    (b"Transfer-Encoding: gzip\r\n", 501),                    # a transfer coding it does not take
])
def test_errors_the_server_answers_itself_are_json_under_api_and_chinese_pages_elsewhere(server, headers, status):
    answers = []
    for line in ("GET /api/search?q=工作 HTTP/1.1".encode(), "GET /search?q=工作 HTTP/1.1".encode()):
        answers.append(_raw(server, line, headers) if headers else _raw(server, line, _too_long(line), b""))
    head, body = answers[0].split(b"\r\n\r\n", 1)
    assert re.match(rb"HTTP/1\.[01] %d " % status, head) and b"Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] and error["message"] and not error["message_zh"].isascii()
    head, body = answers[1].split(b"\r\n\r\n", 1)
    assert re.match(rb"HTTP/1\.[01] %d " % status, head) and b"Content-Type: text/html" in head
    text = body.decode("utf-8")
    assert '<html lang="zh-CN">' in text and "回到检索首页" in text and "Bad Request" not in text
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
    body = answer.split(b"\r\n\r\n", 1)[1]
    if path.startswith("/api/"):  # JSON under /api/, a Chinese page elsewhere
        error = json.loads(body)["error"]
        assert error["code"] == "too_large" and error["message_zh"]
    else:
        assert '<html lang="zh-CN">' in body.decode("utf-8")


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
        _wait_until_every_worker_serves(port, pid, 2)  # on a busy machine the second may start seconds later
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(8)]
        for conn in conns:  # connected at once, as a portal's pool or a burst of visitors does
            conn.connect()
        for conn in conns:
            _health(conn)
        held = _connections_by_process(port, _children(pid))
        for conn in conns:
            conn.close()
    assert sum(held.values()) == 8 and max(held.values()) - min(held.values()) <= 2, held  # not all on one


def _wait_until_every_worker_serves(port: int, pid: int, workers: int, seconds: float = 60) -> None:
    """Open connections (a few at a time, as a browser does) until each of the server's workers has taken one: a
    worker takes connections only once it serves."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probes = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(workers * 2)]
        try:
            for conn in probes:
                conn.connect()
                _health(conn)
            held = _connections_by_process(port, _children(pid))
        finally:
            for conn in probes:
                conn.close()
        if len(held) == workers and all(held.values()):
            return
        time.sleep(0.5)
    raise AssertionError(f"not every one of {workers} workers took a connection in {seconds} s")


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


# What the commands say when they start.

OFD = SHARED / "corpora" / "ofd"


def _start(tmp_path: Path, archive: Path) -> subprocess.Popen:
    env = {**os.environ, "JIANBAO_CORPUS_DIR": str(archive), "JIANBAO_PROCESSES": "1"}
    return subprocess.Popen([sys.executable, "-m", "webapp", "--index-dir", str(tmp_path / "index"), "--port",
                             str(free_port())], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def test_an_empty_archive_folder_gives_one_clear_message(tmp_path):
    (tmp_path / "archive").mkdir()
    proc = _start(tmp_path, tmp_path / "archive")
    _, err = proc.communicate(timeout=60)
    lines = err.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, err
    assert lines[0].startswith("error: there is no index") and "holds no file to index" in lines[0]
    assert "CORPUS" in lines[0] and "kept" not in lines[0]


def test_the_server_start_build_prints_progress_like_the_command_line(tmp_path):
    proc = _start(tmp_path, OFD)
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line.strip())
            if line.startswith("Jianbao serving"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    steps = [next(i for i, line in enumerate(lines) if line.startswith(start))
             for start in ("there is no index", "reading 6 files …", "read 6/6 files", "built 6 items", "Jianbao")]
    assert steps == sorted(steps), lines


def test_the_tokens_command_prints_no_warning(tmp_path):
    out = subprocess.run([sys.executable, "-m", "webapp.tokens", "--file", str(tmp_path / "tokens.json"), "add",
                          "--user", "张三"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("jb_") and out.stderr == ""
