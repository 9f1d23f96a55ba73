"""A corpus of hostile files: each is reported by path and reason and skipped or partly read,
every good item around it is indexed, and the build's summary counts both."""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.index.reader import IndexSnapshot
from tests.conftest import CORPUS, ROOT, ids, open_index, run

SEED_000 = CORPUS / "000_481367547d7bb0e8.txt"
SEED_004 = CORPUS / "004_25bc5815877f9951.txt"
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _hostile_corpus(folder: Path) -> None:
    shutil.copy(SEED_000, folder / "good-000.txt")
    shutil.copy(SEED_004, folder / "good-004.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(random.Random(1).randbytes(20_000))
    text = SEED_000.read_text(encoding="utf-8")
    nul = bytearray(text.encode("utf-8"))
    for at in range(500, len(nul), 1500):
        nul[at:at] = b"\x00"
    (folder / "nul-bytes.txt").write_bytes(bytes(nul))
    with open(folder / "huge.txt", "wb") as f:
        block = text.encode("utf-8")
        for _ in range(100 * 2**20 // len(block) + 1):
            f.write(block)
    first, second = SEED_004.read_text(encoding="utf-8").split("小小无人机", 1)
    (folder / "mixed-encodings.txt").write_bytes(first.encode("utf-8") + ("小小无人机" + second).encode("gb18030"))
    (folder / "nested.html").write_text(
        "<html><head><meta charset='utf-8'></head><body>" + "<div>" * 200_000 + "<p>藏得很深的内容。</p>",
        encoding="utf-8")
    (folder / "truncated.html").write_text(
        "<html><head><meta charset='utf-8'><meta name='ArticleTitle' content='区财政局完善预算管理'></head>"
        "<body><div id='zoom'><p>一是细化预算编制，提高预算执行率。</p><p>二是加强绩效", encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text("区科技局召开会议 会议部署工作。（区科技局）", encoding="utf-8")
    locked.chmod(0)
    os.symlink(".", folder / "loop")  # a folder link back to itself
    os.symlink("self.txt", folder / "self.txt")  # a file link to itself
    records = [json.dumps({"id": f"rec-{n}", "title": f"区统计局发布第{n}期数据", "body": "统计数据平稳。",
                           "date": "2023-02-30" if n == 2 else f"2023-03-{n:02d}"}, ensure_ascii=False)
               for n in range(1, 6)]
    records.insert(3, '{"id": "broken", "title": ')
    records.insert(5, "[1, 2, 3]")
    (folder / "records.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    many = "".join(json.dumps({"id": f"gz-{n}", "title": f"条目{n}", "body": "内容。" * 40}, ensure_ascii=False) + "\n"
                   for n in range(400)).encode("utf-8")
    packed = gzip.compress(many)
    (folder / "truncated.jsonl.gz").write_bytes(packed[: len(packed) * 2 // 3])


def _without_file_override() -> None:
    """In the child: drop the capabilities that let root read any file, so permissions apply to it too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus, index_dir = base / "corpus", base / "index"
    corpus.mkdir()
    _hostile_corpus(corpus)
    out = subprocess.run(
        [sys.executable, "-m", "indexer", "build", str(corpus), "--index-dir", str(index_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        preexec_fn=_without_file_override if os.geteuid() == 0 else None,
    )
    yield out, index_dir
    (corpus / "locked.txt").chmod(0o644)


EXPECTED_LINES = [
    ("skipped", "empty.txt", "empty file"),
    ("skipped", "binary.txt", "binary"),
    ("warning", "nul-bytes.txt", "NUL bytes removed"),
    ("skipped", "huge.txt", "too large for one bulletin issue"),
    ("warning", "mixed-encodings.txt", "mixed encodings"),
    ("skipped", "nested.html", "nested deeper than the parser reads"),
    ("skipped", "locked.txt", "Permission denied"),
    ("skipped", "self.txt", "Too many levels of symbolic links"),
    ("warning", "records.jsonl:4", "bad JSON line"),
    ("warning", "records.jsonl:6", "not a JSON object"),
    ("warning", "records.jsonl:2", "bad date '2023-02-30'"),
    ("warning", "truncated.jsonl.gz", "reading stopped after line"),
]


@pytest.mark.parametrize("kind, name, reason", EXPECTED_LINES)
def test_each_hostile_file_is_reported_by_path_and_reason(hostile_build, kind, name, reason):
    out, _ = hostile_build
    assert any(line.startswith(f"{kind}: ") and f"/{name}" in line and reason in line
               for line in out.stderr.splitlines()), out.stderr


def test_the_build_goes_on_and_counts_both(hostile_build):
    out, index_dir = hostile_build
    assert out.returncode == 0, out.stderr
    summary = re.search(r"built (\d+) items from (\d+) files; (\d+) files skipped, (\d+) warnings", out.stderr)
    assert summary, out.stderr
    items, files, skipped, warnings = map(int, summary.groups())
    assert skipped == 6 and warnings == 6
    gz_items = IndexSnapshot(index_dir).live_count - (14 + 9 + 5 + 1 + 5)
    assert 0 < gz_items < 400
    assert items == 14 + 9 + 5 + 1 + 5 + gz_items and files == 7


def test_good_items_around_the_bad_ones_are_indexed(hostile_build):
    _, index_dir = hostile_build
    searcher = open_index(index_dir)
    [bullying] = run(searcher, q="校园欺凌").hits  # the seed and its copy with NUL bytes: one item, two sources
    assert searcher.item_page(bullying.id).item.duplicates == ["nul-bytes.txt"]
    [drone] = run(searcher, q="小小无人机织密大气污染治理防护网").hits
    assert drone.departments == ["通航试验区管委会"]  # the GBK part decoded: the same item as the seed's
    assert searcher.item_page(drone.id).item.duplicates == ["mixed-encodings.txt"]
    assert ids(searcher, "区财政局完善预算管理") == {h.id for h in run(searcher, q="细化预算编制").hits}
    assert run(searcher, q="区统计局发布").total == 5
    assert {h.date for h in run(searcher, q='"区统计局发布第2期"').hits} == {None}


@pytest.mark.parametrize("name", ["random.doc", "random.wps", "random.docx", "random.pdf", "random.ofd", "random.rtf",
                                  "random.odt", "random.jsonl.gz"])
def test_random_bytes_named_as_an_office_file_are_reported_never_items(tmp_path, name):
    from indexer.errors import Report
    from indexer.ingest.files import read_items

    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(SEED_000, archive / "good.txt")
    (archive / name).write_bytes(random.Random(name).randbytes(30_000))
    report = Report(stream=None)
    items = list(read_items([archive], report))
    assert {i.source for i in items} == {"good.txt"}
    [problem] = report.problems
    assert problem.skipped and problem.path.endswith(name) and "content" in problem.reason


def test_a_text_that_reads_as_mojibake_is_reported_not_indexed(tmp_path):
    from indexer.errors import Report
    from indexer.ingest.files import read_items

    archive = tmp_path / "archive"
    archive.mkdir()
    rng = random.Random(3)
    mojibake = "".join(chr(rng.randrange(0x4E00, 0xA000)) for _ in range(5000))  # every code point a hanzi
    (archive / "mojibake.txt").write_text(mojibake, encoding="utf-8")  # valid UTF-8, but no text
    shutil.copy(SEED_004, archive / "good.txt")
    report = Report(stream=None)
    assert {i.source for i in read_items([archive], report)} == {"good.txt"}
    assert [p.path.endswith("mojibake.txt") and "mostly not text" in p.reason for p in report.problems] == [True]
