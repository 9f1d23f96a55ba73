"""Index safety with real processes: updates while serving, two writers at once, kill -9 mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.index.layout import BUILDS, LOCK
from tests.conftest import CORPUS, ROOT, build_index, open_index, run, write_jsonl, xwlb_records
from tests.serving import running_server

pytestmark = pytest.mark.shared
REQUEST_TIMEOUT = 30  # seconds a request to the test server may take (a search of 15 items takes milliseconds)


@pytest.fixture()
def started() -> Iterator[list[subprocess.Popen]]:
    """The processes a test starts (:func:`_command`): every one still running is killed when the test ends."""
    processes: list[subprocess.Popen] = []
    try:
        yield processes
    finally:
        for proc in processes:
            if proc.poll() is None:
                _kill_group(proc)


def _command(started: list[subprocess.Popen], *args: str, env: dict | None = None) -> subprocess.Popen:
    """``python -m ARGS`` in a process group of its own, its output kept (read it with ``communicate``)."""
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    started.append(proc)
    return proc


def _finished(proc: subprocess.Popen, seconds: float) -> str:
    """Wait for the process to end successfully; its stderr."""
    _, err = proc.communicate(timeout=seconds)
    assert proc.returncode == 0, err
    return err


def _items(index_dir: Path) -> int:
    out = subprocess.run([sys.executable, "-m", "indexer", "stats", "--index-dir", str(index_dir), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["items"]


@pytest.fixture(scope="module")
def feed(tmp_path_factory) -> Path:
    """2,000 xwlb records with new ids: enough work for a writer to be caught in the middle."""
    records = [dict(r, id=f"feed-{r['id']}") for r in xwlb_records(2000, stride=23)]
    return write_jsonl(tmp_path_factory.mktemp("feed") / "feed.jsonl", records)


@pytest.fixture()
def seed_copy(tmp_path) -> Path:
    return build_index([CORPUS], tmp_path / "index")


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _mid_write(index_dir: Path) -> bool:
    """Is a writer in the middle of writing documents (Whoosh's scratch files are growing)?"""
    return any(p.stat().st_size > 0 for p in index_dir.glob(f"{BUILDS}/*/MAIN.tmp/*"))


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_update_while_serving_loses_no_request(seed_copy, tmp_path, started):
    new = write_jsonl(tmp_path / "new.jsonl", [
        {"id": "fresh-1", "title": "区数据局上线一网通办新平台", "body": "平台上线运行。（区数据局）", "date": "2026-11-01"}])
    statuses: list[int | str] = []
    stop = threading.Event()
    # The server writes its log to a file (running_server), never to a pipe nobody reads: with four clients its
    # workers log a warning a queued search (waitress's "Task queue depth"), and once such a pipe holds 64 KiB they
    # block mid-request.
    with running_server(seed_copy) as (port, _):
        base = f"http://127.0.0.1:{port}"

        def searches() -> None:
            queries = ["工作", "校园欺凌", '"首席服务官"', "区 -教育", "无人机巡查扬尘"]
            n = 0
            while not stop.is_set():
                statuses.append(_status(f"{base}/api/search?q={urllib.parse.quote(queries[n % len(queries)])}"))
                n += 1

        clients: list[threading.Thread] = []
        try:
            for i in range(4):
                clients.append(threading.Thread(target=searches, name=f"search-client-{i}", daemon=True))
                clients[-1].start()
            update = _command(started, "indexer", "update", str(new), "--index-dir", str(seed_copy))
            _finished(update, 120)
            _wait_for(lambda: _total(base, "一网通办新平台") == 1, 10, "the new item to be visible")
            time.sleep(0.5)
        finally:
            stop.set()  # the update, if still running, is killed with the test's other processes (``started``)
            for c in clients:
                c.join(timeout=REQUEST_TIMEOUT + 10)
        assert not [c.name for c in clients if c.is_alive()], "a client did not stop"
        failed = [s for s in statuses if s != 200]
        assert len(statuses) > 100
        assert not failed, f"{len(failed)} of {len(statuses)} searches failed: {failed[:5]}"
    print(f"update while serving: {len(statuses)} searches, none failed")


def test_two_updates_at_once(seed_copy, feed, tmp_path, started):
    first = _command(started, "indexer", "update", str(feed), "--index-dir", str(seed_copy))
    _wait_for(lambda: "pid" in (seed_copy / LOCK).read_text(), 60, "the first update to hold the lock")
    impatient = subprocess.run([sys.executable, "-m", "indexer", "update", str(CORPUS), "--index-dir",
                                str(seed_copy)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                               env={**os.environ, "JIANBAO_LOCK_WAIT": "0"})
    assert impatient.returncode == 2
    assert "is being written by pid" in impatient.stderr and "Try again" in impatient.stderr
    patient = _command(started, "indexer", "update", str(CORPUS), "--index-dir", str(seed_copy),
                       env={"JIANBAO_LOCK_WAIT": "300"})
    _finished(first, 300)
    _finished(patient, 300)
    assert _items(seed_copy) == 14 + 2000
    assert run(open_index(seed_copy), q="校园欺凌").total == 1  # the seeds were replaced, not doubled


def test_kill_9_during_build_keeps_the_old_index(seed_copy, feed, started):
    build = _command(started, "indexer", "build", str(feed), str(CORPUS), "--index-dir", str(seed_copy))
    _wait_for(lambda: _mid_write(seed_copy), 120, "the build to be writing")
    _kill_group(build)
    assert _items(seed_copy) == 14
    assert run(open_index(seed_copy), q="校园欺凌").total == 1
    again = subprocess.run([sys.executable, "-m", "indexer", "build", str(feed), str(CORPUS), "--index-dir",
                            str(seed_copy)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert _items(seed_copy) == 14 + 2000
    assert len(list((seed_copy / BUILDS).iterdir())) == 2  # current and previous; the killed one is gone


def test_kill_9_during_update_keeps_the_old_index(seed_copy, feed, started):
    update = _command(started, "indexer", "update", str(feed), "--index-dir", str(seed_copy))
    _wait_for(lambda: _mid_write(seed_copy), 120, "the update to be writing")
    _kill_group(update)
    assert _items(seed_copy) == 14
    assert run(open_index(seed_copy), q="区教育局").total == 2
    again = subprocess.run([sys.executable, "-m", "indexer", "update", str(feed), "--index-dir", str(seed_copy)],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert _items(seed_copy) == 14 + 2000
    build = next((seed_copy / BUILDS).iterdir())
    assert not (build / "MAIN.tmp").exists()  # the killed writer's scratch files are cleaned up


def _status(url: str) -> int | str:
    """The status of a GET, or the error that ended it (``TimeoutError: timed out``, ``ConnectionResetError: …``)."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError as e:
        return f"{type(e).__name__}: {e}"


def _total(base: str, q: str) -> int:
    with urllib.request.urlopen(f"{base}/api/search?q={urllib.parse.quote(q)}", timeout=REQUEST_TIMEOUT) as r:
        return json.loads(r.read())["total"]
