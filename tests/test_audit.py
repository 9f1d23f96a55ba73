"""The audit log under attack: floods of denied requests with long paths, through a real server; bounded entries;
denials counted; rotation by size while several processes append; /admin a page at a time."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import re
from pathlib import Path

import pytest

from tests.conftest import CORPUS, build_index
from tests.serving import running_server
from webapp.audit import BURST, MAX_CHARS, PAGE, WINDOW, AuditLog, bounded

ADMIN = {"X-Remote-User": "root", "X-Remote-Groups": "jianbao-admin"}
CAP = 65536  # JIANBAO_AUDIT_MAX_BYTES of the server tests (its least value)


def _lines(folder: Path) -> list[dict]:
    """Every entry of the audit log and its rotated files."""
    return [json.loads(line) for path in sorted(folder.glob("audit.jsonl*")) if not path.name.endswith(".lock")
            for line in path.read_text(encoding="utf-8").splitlines()]


def _get(port: int, path: str, source: str = "127.0.0.1", headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    return build_index([CORPUS], tmp_path_factory.mktemp("audit-index"))


def test_a_flood_of_denied_requests_with_long_paths_leaves_a_small_log_and_a_paged_admin_page(index, tmp_path):
    log = tmp_path / "audit" / "audit.jsonl"
    env = {"JIANBAO_TRUSTED_PROXIES": "127.0.0.1", "JIANBAO_PROCESSES": "2", "JIANBAO_AUDIT_LOG": str(log),
           "JIANBAO_AUDIT_MAX_BYTES": str(CAP)}
    long_path = "/upload/" + "x" * 80_000
    with running_server(index, env) as (port, _):
        for _ in range(300):  # one address, one action: 300 × 80 KB paths
            assert _get(port, long_path)[0] == 401
        for n in range(2, 62):  # 60 more addresses, each denied a few times
            for _ in range(3):
                assert _get(port, long_path + str(n), source=f"127.0.0.{n}")[0] == 401
        status, first = _get(port, "/admin", headers=ADMIN)
        assert status == 200 and len(first) < 200_000
        page = first.decode()
        assert page.count("<tr><td>20") <= PAGE and 'href="/admin?log=2"' in page
        status, second = _get(port, "/admin?log=2", headers=ADMIN)
        assert status == 200 and 'href="/admin?log=3"' in second.decode() and len(second) < 200_000
    files = [p for p in log.parent.iterdir() if not p.name.endswith(".lock")]
    assert all(p.stat().st_size <= CAP for p in files) and len(files) <= 6
    entries = _lines(log.parent)
    assert all(len(json.dumps(e, ensure_ascii=False)) < 2 * MAX_CHARS + 500 for e in entries)
    flood = [e for e in entries if e["address"] == "127.0.0.1" and e["action"] == "upload status"]
    assert 0 < len(flood) <= 2 * BURST  # two processes, each writing its first few
    assert all(e["path"].startswith("/upload/xxx") and len(e["path"]) < MAX_CHARS + 20 for e in flood)


def test_denials_past_the_burst_are_counted_in_one_line_when_their_minute_ends(tmp_path):
    clock = [0.0]
    log = AuditLog(tmp_path / "audit.jsonl", CAP, clock=lambda: clock[0])
    client = ("10.0.0.9", None, None)
    for n in range(100):
        log.deny({"action": "upload", "outcome": "denied", "address": "10.0.0.9", "path": f"/api/uploads/{n}"},
                 client)
    log.deny({"action": "admin page", "outcome": "denied", "address": "10.0.0.9"}, client)  # another action
    assert len(_lines(tmp_path)) == BURST + 1
    clock[0] = WINDOW + 1
    log.write({"action": "upload", "outcome": "accepted", "user": "wang"})
    entries = _lines(tmp_path)
    counted = [e for e in entries if e.get("repeated")]
    assert [(e["action"], e["address"], e["repeated"]) for e in counted] == [("upload", "10.0.0.9", 100 - BURST)]
    assert counted[0]["since"] <= counted[0]["until"] and entries[-1]["outcome"] == "accepted"
    log.deny({"action": "upload", "outcome": "denied", "address": "10.0.0.9"}, client)  # a new minute
    assert len(_lines(tmp_path)) == len(entries) + 1


def test_entries_are_bounded_and_old_unbounded_lines_are_shown_bounded(tmp_path):
    entry = bounded({"path": "/" + "x" * 90_000, "files": [f"{n}.txt" for n in range(1000)],
                     "refused": [{"name": "甲" * 1000, "reason": "r"}] * 3, "items_added": 3})
    assert len(entry["path"]) < MAX_CHARS + 20 and len(entry["files"]) == 21 and entry["files"][-1].startswith("…")
    assert len(entry["refused"][0]["name"]) < MAX_CHARS + 20 and entry["items_added"] == 3
    path = tmp_path / "audit.jsonl"
    path.write_text(json.dumps({"action": "upload", "path": "/" + "y" * 90_000}) + "\nnot json\n", encoding="utf-8")
    shown, older = AuditLog(path, CAP).page(1)
    assert not older and shown[0]["action"] == "unreadable line" and len(shown[1]["path"]) < MAX_CHARS + 20


def _append(path: Path, writer: int, count: int) -> None:
    log = AuditLog(path, CAP, keep=100)
    for n in range(count):
        log.write({"action": "test", "outcome": "done", "writer": writer, "n": n, "padding": "填" * 100})


def test_several_processes_append_and_rotate_without_losing_tearing_or_overfilling(tmp_path):
    path = tmp_path / "audit.jsonl"
    workers = [multiprocessing.get_context("fork").Process(target=_append, args=(path, w, 400)) for w in range(4)]
    try:
        for w in workers:
            w.start()
    finally:
        for w in workers:
            w.join(60)
            if w.is_alive():
                w.kill()
    assert all(w.exitcode == 0 for w in workers)
    files = [p for p in tmp_path.iterdir() if re.fullmatch(r"audit\.jsonl(\.\d+)?", p.name)]
    assert len(files) > 5 and all(p.stat().st_size <= CAP for p in files)
    entries = _lines(tmp_path)  # every line whole JSON
    assert sorted((e["writer"], e["n"]) for e in entries) == [(w, n) for w in range(4) for n in range(400)]
    shown, older = AuditLog(path, CAP, keep=100).page(2, size=10)
    assert older and len(shown) == 10
