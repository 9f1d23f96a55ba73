"""A build bounded in memory: postings spilled to sorted runs and merged give the same index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashWriter

from indexer.build import build
from indexer.errors import Report
from indexer.index.layout import current_build
from indexer.index.runs import FieldPostings
from indexer.index.term_table import compact_buckets
from indexer.index.workers import PARENT_MB, WORKER_MB, memory_plan
from indexer.ingest.files import read_items
from indexer.settings import SettingError, Settings
from search import SearchQuery
from tests.conftest import CORPUS, ROOT, open_index, write_jsonl, xwlb_records

QUERIES = json.loads((ROOT / "bench" / "queries.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> list[Path]:
    """The seed bulletins and 3,000 xwlb items spread over the years."""
    records = tmp_path_factory.mktemp("records") / "xwlb.jsonl"
    return [CORPUS, write_jsonl(records, xwlb_records(limit=3000, stride=24))]


@pytest.fixture(scope="module")
def both(archive, tmp_path_factory) -> tuple[Path, Path, int]:
    """The archive built within the default memory (no spill) and within 1 MB of postings; the runs spilled."""
    plain = tmp_path_factory.mktemp("plain")
    build(archive, plain, Report(stream=None), workers=1)
    spills = []
    spill = FieldPostings.spill
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FieldPostings, "spill", lambda self, rank=None: spills.append(1) or spill(self, rank))
        spilled = tmp_path_factory.mktemp("spilled")
        build(archive, spilled, Report(stream=None), workers=1, memory=PARENT_MB + WORKER_MB + 3)
    return plain, spilled, len(spills)


def test_a_build_in_little_memory_answers_every_query_as_one_without_spilling(both):
    plain, spilled, spills = both
    assert spills > 50  # several runs of each of the five fields
    one, other = open_index(plain), open_index(spilled)
    for q in QUERIES + [{"q": "会议", "scope": "title", "sort": "date_desc", "page": 2}, {"q": '"重要讲话"'}]:
        query = SearchQuery(**q)
        first, second = one.search(query).to_dict(), other.search(query).to_dict()
        first.pop("took_ms"), second.pop("took_ms")
        assert first == second, q


def test_a_build_in_little_memory_writes_the_same_postings_and_terms(both):
    plain, spilled, _ = both
    for suffix in (".pst", ".trm"):
        first, second = (sorted(current_build(d).glob(f"*{suffix}")) for d in (plain, spilled))
        assert len(first) == len(second) == 1
        assert first[0].read_bytes() == second[0].read_bytes()


def test_a_fields_runs_are_merged_in_term_order_and_removed_once_read(tmp_path):
    postings = FieldPostings(tmp_path / "runs")
    for doc in range(6):  # three runs of two documents each
        postings.add(np.array([doc % 3, 5 + doc]), np.array([1, doc + 1]))
        if doc % 2:
            postings.spill()
    assert len(list((tmp_path / "runs").iterdir())) == 3
    keys, docs, freqs = (np.concatenate(parts) for parts in zip(*postings.merged()))
    assert keys.tolist() == [0, 0, 1, 1, 2, 2, 5, 6, 7, 8, 9, 10]
    assert docs.tolist() == [0, 3, 1, 4, 2, 5, 0, 1, 2, 3, 4, 5]
    assert freqs.tolist() == [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6]
    assert not (tmp_path / "runs").exists()


def test_the_memory_setting_is_checked_and_named():
    assert Settings.from_env({}).build_memory == 1024
    assert Settings.from_env({"JIANBAO_BUILD_MEMORY": "2048"}).build_memory == 2048
    with pytest.raises(SettingError, match="JIANBAO_BUILD_MEMORY='1G' is not a number"):
        Settings.from_env({"JIANBAO_BUILD_MEMORY": "1G"})
    with pytest.raises(SettingError, match="JIANBAO_BUILD_MEMORY='200' must be at least 512"):
        Settings.from_env({"JIANBAO_BUILD_MEMORY": "200"})


def test_fewer_workers_than_asked_when_they_would_not_fit():
    assert memory_plan(512, 4) == (1, 37 * 2**20)  # (512 - 200 - 200) / 3
    assert memory_plan(1024, 2) == (2, 70 * 2**20)  # ((1024 - 200) / 2 - 200) / 3
    assert memory_plan(1024, 4) == (2, 70 * 2**20)  # a third worker would hold less than 32 MB
    assert memory_plan(8192, 4) == (4, 599 * 2**20)


def test_json_lines_records_stream_to_the_build_as_they_are_read(tmp_path):
    records = xwlb_records(limit=2)
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + "{not json\n",
                    encoding="utf-8")
    report = Report(stream=None)
    items = read_items([path], report, tmp_path)
    assert next(items).title == records[0]["title"]
    assert report.warnings == 0  # the bad third line is not read yet: the file is not held whole
    assert [i.title for i in items] == [records[1]["title"]]
    assert report.warnings == 1 and report.files_read == 1


def test_the_compact_term_table_writes_what_whoosh_writes(tmp_path):
    keys = sorted(f"{n:05d}词".encode() for n in range(5000))
    written = []
    for name, compact in (("whoosh", False), ("compact", True)):
        table = OrderedHashWriter(FileStorage(str(tmp_path)).create_file(name))
        if compact:
            compact_buckets(table)
        for n, key in enumerate(keys):
            table.add(key, n.to_bytes(4, "big"))
        table.close()
        written.append((tmp_path / name).read_bytes())
    assert written[0] == written[1]
