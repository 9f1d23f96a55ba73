"""Hostile data against the indexer: lone surrogates, truncated files, updates that would lose
items, a full disk, and worker processes outliving a killed build. Real files, real commands."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import build, update
from indexer.errors import JianbaoError, Report, SourceError
from indexer.index.layout import BUILDS, current_build
from indexer.ingest.read.encodings import decode
from tests.conftest import CORPUS, ROOT, open_index, run

SEED = CORPUS / "000_481367547d7bb0e8.txt"
SURROGATE_FIELDS = ("id", "title", "body", "source", "url", "issue", "department")


def _indexer(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kwargs)


def _items(index: Path) -> int:
    searcher = open_index(index)
    try:
        return run(searcher).total
    finally:
        searcher.close()


# Finding 5: lone surrogates.

def test_a_lone_surrogate_in_any_field_is_replaced_and_reported_and_build_and_update_finish(tmp_path):
    records = []
    for n, name in enumerate(SURROGATE_FIELDS, 1):
        record = {"id": f"rec-{n}", "title": f"区统计局发布数据{n}", "body": "统计数据平稳、向好。", "issue": "第1期"}
        record[name] = record.get(name, "区统计局") + "\ud800"
        records.append(record)
    records.append({"id": "rec-extra", "title": "附加字段", "body": "正文、内容。", "备注\udc00": ["\ud83d", {"k": "\udfff"}]})
    source = tmp_path / "archive" / "records.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="ascii")  # escapes, as exporters write
    report = Report(stream=None)
    build([source.parent], tmp_path / "index", report, workers=1)
    warned = {(p.path, p.line): p.reason for p in report.problems}
    for line, name in enumerate(SURROGATE_FIELDS, 1):
        assert name in warned[(str(source), line)] and "U+FFFD" in warned[(str(source), line)]
    assert "备注\ufffd" in warned[(str(source), len(records))]
    searcher = open_index(tmp_path / "index")
    try:
        page = searcher.item_page("rec-2")
        assert page is not None and page.item.title == "区统计局发布数据2\ufffd"
        assert searcher.item_page("rec-1\ufffd") is not None
        assert searcher.item_page("rec-extra").item.extra == {"备注\ufffd": ["\ufffd", {"k": "\ufffd"}]}
    finally:
        searcher.close()
    result = _indexer("update", str(source), "--index-dir", str(tmp_path / "index"))
    assert result.returncode == 0 and "records.jsonl:1: 1 invalid code points" in result.stderr, result.stderr


def test_non_characters_in_a_text_file_are_replaced_and_reported():
    warnings = []
    text = decode("标题\ufffe正文\U0010ffff。（区委编办）".encode(), "x.txt", warnings.append)
    assert text == "标题\ufffd正文\ufffd。（区委编办）" and "2 invalid code points" in warnings[0]


# Finding 7: truncated files and updates that would remove items.

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_a_file_that_ends_mid_character_is_refused_as_truncated(encoding):
    text = SEED.read_text(encoding="utf-8").rstrip()  # ends with a Chinese character, two or more bytes long
    data = text.encode(encoding)
    with pytest.raises(SourceError, match="truncated"):
        decode(data[:-1], "cut.txt")
    assert decode(data, "whole.txt") == text


def _archive(tmp_path: Path) -> tuple[Path, Path, Path]:
    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in CORPUS.glob("*.txt"):
        shutil.copy(seed, archive / seed.name)
    index = tmp_path / "index"
    result = _indexer("build", str(archive), "--index-dir", str(index), env={"JIANBAO_WORKERS": "1"})
    assert result.returncode == 0, result.stderr
    return archive, archive / SEED.name, index


def test_an_update_with_a_truncated_copy_keeps_every_item(tmp_path):
    archive, issue, index = _archive(tmp_path)
    before = _items(index)
    data = issue.read_bytes()
    cut = next(n for n in range(2001, len(data)) if 0x80 <= data[n] < 0xC0)  # inside a character
    issue.write_bytes(data[:cut])  # head -c: the red team's 2001 bytes, moved into a character
    result = _indexer("update", str(issue), "--index-dir", str(index))
    assert result.returncode != 0 and f"{issue}: truncated" in result.stderr, result.stderr
    assert _items(index) == before == 14


def test_an_update_that_would_remove_items_lists_them_and_needs_allow_removals(tmp_path):
    archive, issue, index = _archive(tmp_path)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text[: len(text) // 3], encoding="utf-8")  # cut at a character: reads as fewer items
    refused = _indexer("update", str(issue), "--index-dir", str(index))
    assert refused.returncode == 2 and "--allow-removals" in refused.stderr
    assert "would remove 6 items" in refused.stderr and "b52c67ac74d0-9 (" in refused.stderr, refused.stderr
    assert len([line for line in refused.stderr.splitlines() if line.startswith("error:")]) == 1
    assert _items(index) == 14
    allowed = _indexer("update", str(issue), "--index-dir", str(index), "--allow-removals")
    assert allowed.returncode == 0, allowed.stderr
    assert _items(index) == 8


# Finding 8: a full disk.

@pytest.fixture()
def small_disk(tmp_path):
    """A 4 MB tmpfs (needs root; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_fails_build_and_update_in_one_line_and_leaves_no_files(small_disk, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for seed in CORPUS.glob("*.txt"):
        shutil.copy(seed, archive / seed.name)
    index = small_disk / "index"
    build([archive], index, Report(stream=None), workers=1)
    folder = current_build(index)
    files = sorted(p.name for p in folder.iterdir())
    free = shutil.disk_usage(small_disk).free
    filler = small_disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * (free - 40 * 1024))
    for attempt in (update, build):
        with pytest.raises(JianbaoError) as failed:
            attempt([archive], index, Report(stream=None), workers=1)
        message = str(failed.value)
        assert "disk is full" in message and "\n" not in message, message
        assert sorted(p.name for p in folder.iterdir()) == files
        assert [p.name for p in (index / BUILDS).iterdir()] == [folder.name]
    filler.unlink()
    summary = update([archive], index, Report(stream=None), workers=1)
    assert summary.items == 14 and _items(index) == 14


def _records_file(path: Path, count: int) -> Path:
    """A JSON Lines file of ``count`` short items: more than 2,000 make a build use worker processes."""
    records = [{"id": f"w-{n}", "title": f"区统计局发布第{n}期数据", "body": f"统计数据平稳、向好，第{n}期。" * 20}
               for n in range(count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_full_disk_under_build_workers_ends_the_build_at_once_in_one_line(small_disk, tmp_path):
    source = _records_file(tmp_path / "records.jsonl", 4000)
    with open(small_disk / "filler", "wb") as f:
        f.write(b"\0" * (shutil.disk_usage(small_disk).free - 1024 * 1024))
    started = time.monotonic()
    result = _indexer("build", str(source), "--index-dir", str(small_disk / "index"), env={"JIANBAO_WORKERS": "2"})
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and len(errors) == 1 and "No space left on device" in errors[0], result.stderr
    assert time.monotonic() - started < 90  # not held at exit by batches no worker reads
    assert not list((small_disk / "index" / BUILDS).iterdir())


# Finding 9: workers die with a killed build.

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_build_workers_die_when_the_build_is_killed(tmp_path):
    source = _records_file(tmp_path / "records.jsonl", 6000)
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(source), "--index-dir",
                             str(tmp_path / "index")], cwd=ROOT, env={**os.environ, "JIANBAO_WORKERS": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = {p for p in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}
            time.sleep(0.2)
        assert len(workers) >= 2, "the build did not start its workers"
        time.sleep(1)  # the workers are busy with batches
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.2)
        alive = [p for p in workers if Path(f"/proc/{p}").exists()
                 and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert not alive, f"workers {alive} outlived the killed build"
    finally:
        for pid in workers:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
