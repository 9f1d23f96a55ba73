"""The index lifecycle through the command line: build, update, stats, stale dictionaries."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import IndexStale
from indexer.index import layout
from indexer.index.layout import check_compatible, current_build
from tests.conftest import CORPUS, ROOT, build_index, ids, open_index, run, write_jsonl


def indexer(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


def stats(index_dir: Path) -> dict:
    out = indexer("stats", "--index-dir", str(index_dir), "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_build_stats_and_atomic_switch(tmp_path):
    index_dir = tmp_path / "index"
    out = indexer("build", str(CORPUS), "--index-dir", str(index_dir))
    assert out.returncode == 0, out.stderr
    assert "built 14 items from 2 files; 0 files skipped" in out.stderr
    data = stats(index_dir)
    assert (data["items"], data["issues"]) == (14, 2)
    assert data["facets"]["year"] == {"2022": 5, "unknown": 9}
    assert data["facets"]["department"]["区教育局"] == 2
    first = current_build(index_dir)

    out = indexer("build", str(CORPUS / "004_25bc5815877f9951.txt"), "--index-dir", str(index_dir))
    assert out.returncode == 0, out.stderr
    second = current_build(index_dir)
    assert second != first and (index_dir / "current").is_symlink()
    assert stats(index_dir)["items"] == 5
    assert first.exists()  # the previous build stays for readers that still hold it


def test_nothing_usable_keeps_the_old_index(tmp_path):
    index_dir = tmp_path / "index"
    assert indexer("build", str(CORPUS), "--index-dir", str(index_dir)).returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   \n", encoding="utf-8")
    out = indexer("build", str(empty), "--index-dir", str(index_dir))
    assert out.returncode != 0
    assert "blank.txt: empty file" in out.stderr and "current index is kept" in out.stderr
    assert stats(index_dir)["items"] == 14


def test_update_adds_and_replaces_by_id_and_by_file(tmp_path):
    index_dir = tmp_path / "index"
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    records = [{"id": "n1", "title": "区科技局举办创新大赛", "body": "共有20家企业参赛。（区科技局）", "date": "2023-05-01"},
               {"id": "n2", "title": "区财政局完善预算管理", "body": "细化预算。（区财政局）", "date": "2023-05-02"}]
    feed = write_jsonl(tmp_path / "feed.jsonl", records)
    assert indexer("build", str(corpus), str(feed), "--index-dir", str(index_dir)).returncode == 0
    assert stats(index_dir)["items"] == 16

    records[0]["title"] = "区科技局举办第二届创新大赛"
    records.append({"id": "n3", "title": "区审计局完成专项审计", "body": "审计项目5个。", "date": "2023-06-01"})
    write_jsonl(feed, records)
    issue = corpus / "000_481367547d7bb0e8.txt"
    issue.write_text(issue.read_text(encoding="utf-8").split("区公安局做实")[0], encoding="utf-8")
    out = indexer("update", str(feed), str(issue), "--index-dir", str(index_dir), "--allow-removals")  # issue shortened
    assert out.returncode == 0, out.stderr
    assert "updated 7 items, 11 replaced" in out.stderr
    data = stats(index_dir)
    assert data["items"] == 5 + 4 + 3 and data["deleted"] == 11
    searcher = open_index(index_dir)
    assert ids(searcher, "第二届创新大赛") == {"n1"} and ids(searcher, "创新大赛") == {"n1"}
    assert ids(searcher, "区残联") == set()  # the re-read issue lost its last items
    [kept] = run(searcher, q="校园欺凌").hits
    assert kept.title == "区教育局扎实做好校园欺凌防治工作" and kept.id.endswith("-4")


def test_update_needs_an_index(tmp_path):
    out = indexer("update", str(CORPUS), "--index-dir", str(tmp_path / "none"))
    assert out.returncode == 2
    assert "run `python -m indexer build`" in out.stderr


def test_later_duplicate_ids_replace_earlier_ones_in_a_build(tmp_path):
    feed = write_jsonl(tmp_path / "dupes.jsonl", [
        {"id": "same", "title": "旧标题", "body": "旧内容"},
        {"id": "other", "title": "另一条", "body": "内容"},
        {"id": "same", "title": "新标题", "body": "新内容"},
    ])
    index_dir = tmp_path / "index"
    out = indexer("build", str(feed), "--index-dir", str(index_dir))
    assert "built 2 items, 1 replaced" in out.stderr
    searcher = open_index(index_dir)
    assert ids(searcher, "新标题") == {"same"} and ids(searcher, "旧标题") == set()


def test_an_index_built_with_another_dictionary_says_how_to_fix_it(tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    assert indexer("build", str(CORPUS), "--index-dir", str(index_dir)).returncode == 0
    build = current_build(index_dir)
    meta = json.loads((build / layout.META).read_text(encoding="utf-8"))
    meta["dictionary_hash"] = "0000000000000000"
    (build / layout.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexStale, match="run `python -m indexer build`"):
        check_compatible(build)
    out = indexer("update", str(CORPUS), "--index-dir", str(index_dir))
    assert out.returncode == 2 and "dictionary 0000000000000000" in out.stderr
    out = indexer("stats", "--index-dir", str(index_dir))
    assert out.returncode == 2 and "rebuild" in out.stderr


def test_an_index_whose_schema_names_code_that_moved_says_how_to_fix_it(tmp_path):
    index_dir = tmp_path / "index"
    assert indexer("build", str(CORPUS), "--index-dir", str(index_dir)).returncode == 0
    [toc] = current_build(index_dir).glob("*.toc")
    pickled = toc.read_bytes()
    assert b"indexer.index.analyzers" in pickled  # the analyzers are pickled by module path
    toc.write_bytes(pickled.replace(b"indexer.index.analyzers", b"indexer.index.analyzerz"))  # as if written by another version
    with pytest.raises(IndexStale, match="another version of Jianbao.*run `python -m indexer build`"):
        open_index(index_dir).health()
    for command in (("update", str(CORPUS)), ("stats",)):
        out = indexer(*command, "--index-dir", str(index_dir))
        assert out.returncode == 2 and "another version of Jianbao" in out.stderr, command


def test_item_ids_depend_on_the_archive_not_the_environment(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(CORPUS, archive / "2022")
    env = {**os.environ, "JIANBAO_CORPUS_DIR": str(tmp_path / "elsewhere")}
    parsed = [json.loads(line)["id"] for line in indexer("parse", str(archive / "2022"), env=env).stdout.splitlines()]
    assert indexer("build", str(archive), "--index-dir", str(tmp_path / "a")).returncode == 0
    assert indexer("build", str(archive), "--index-dir", str(tmp_path / "b"), env=env).returncode == 0
    ids_a = {h.id for h in run(open_index(tmp_path / "a"), size=100).hits}
    ids_b = {h.id for h in run(open_index(tmp_path / "b"), size=100).hits}
    assert ids_a == ids_b and len(ids_a) == 14
    assert set(parsed) != ids_a  # `parse` of the sub-folder names files relative to it, the build relative to its root
    searcher = open_index(tmp_path / "a")
    sources = {searcher.item_page(i).item.source for i in ids_a}
    assert {s.split("/")[0] for s in sources} == {"2022"}  # relative to the archive root, no server path


def test_missing_doc_values_are_rebuilt_from_the_stored_items(tmp_path):
    index_dir = tmp_path / "index"
    assert indexer("build", str(CORPUS), "--index-dir", str(index_dir)).returncode == 0
    before = run(open_index(index_dir), q="工作", filters={"year": ["2022"]}, size=20)
    for side_file in [*current_build(index_dir).glob("*.jbdv.npz"), *current_build(index_dir).glob("*.jbtext")]:
        side_file.unlink()
    after = run(open_index(index_dir), q="工作", filters={"year": ["2022"]}, size=20)
    assert [h.id for h in after.hits] == [h.id for h in before.hits] and after.total == before.total > 0
    assert {v.value: v.count for v in after.facets["department"]} == \
           {v.value: v.count for v in before.facets["department"]}
    assert list(current_build(index_dir).glob("*.jbdv.npz"))


def test_the_server_rebuilds_only_when_the_archive_changed(tmp_path, capsys):
    from backends import backend_for
    from indexer.settings import Settings

    def ensure_index(index_dir, settings):  # what `python -m webapp` does before it serves
        backend_for(settings, index_dir=index_dir).prepare(lambda line: print(line, file=sys.stderr))

    archive, other, index_dir = tmp_path / "archive", tmp_path / "other", tmp_path / "index"
    shutil.copytree(CORPUS, archive)
    shutil.copytree(CORPUS, other)
    settings = Settings.from_env({"JIANBAO_CORPUS_DIR": str(archive), "JIANBAO_WORKERS": "1"})
    ensure_index(index_dir, settings)
    assert "there is no index" in capsys.readouterr().err
    first = current_build(index_dir)
    ensure_index(index_dir, settings)
    assert current_build(index_dir) == first and capsys.readouterr().err == ""  # nothing changed: no build
    (archive / "new.txt").write_text("区科技局举办创新大赛 共有20家企业参赛。（区科技局）", encoding="utf-8")
    ensure_index(index_dir, settings)
    assert "changed since the index was built" in capsys.readouterr().err
    assert ids(open_index(index_dir), "创新大赛") and current_build(index_dir) != first
    ensure_index(index_dir, Settings.from_env({"JIANBAO_CORPUS_DIR": str(other), "JIANBAO_WORKERS": "1"}))
    assert f"was built from {archive}" in capsys.readouterr().err
    assert not ids(open_index(index_dir), "创新大赛")


def test_a_server_given_an_index_and_no_archive_serves_it_and_rebuilds_it_from_its_own_archive(tmp_path, capsys):
    from backends import backend_for
    from indexer.settings import Settings

    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    shutil.copytree(CORPUS, archive)
    (archive / "own.txt").write_text("区统计局发布季度数据 本期专有词：梧桐叶。（区统计局）", encoding="utf-8")
    build_index([archive], index_dir)
    first = current_build(index_dir)
    unnamed = Settings.from_env({"JIANBAO_WORKERS": "1"})  # no archive named: JIANBAO_CORPUS_DIR unset
    backend_for(unnamed, index_dir=index_dir).prepare(lambda line: print(line, file=sys.stderr))
    assert current_build(index_dir) == first and capsys.readouterr().err == ""  # served as given, not from corpus/
    (archive / "more.txt").write_text("区统计局再发数据 又一专有词：银杏果。（区统计局）", encoding="utf-8")
    backend_for(unnamed, index_dir=index_dir).prepare(lambda line: print(line, file=sys.stderr))
    assert f"building it from {archive}" in capsys.readouterr().err
    assert ids(open_index(index_dir), "梧桐叶") and ids(open_index(index_dir), "银杏果")


def test_two_archives_get_two_index_folders_and_a_served_index_is_never_rebuilt_from_another(tmp_path):
    from backends import backend_for
    from indexer.errors import JianbaoError
    from indexer.settings import Settings

    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(CORPUS, first)
    shutil.copytree(CORPUS, second)
    named = [Settings.from_env({"JIANBAO_CORPUS_DIR": str(a), "JIANBAO_INDEX_DIR": str(tmp_path / "data"),
                                "JIANBAO_WORKERS": "1"}) for a in (first, second)]
    assert named[0].served_index_dir() == named[0].index_dir  # an index folder named is used as it is
    own = [dataclasses.replace(s, given=s.given - {"JIANBAO_INDEX_DIR"}) for s in named]
    assert own[0].served_index_dir() != own[1].served_index_dir()
    assert own[0].served_index_dir().parent == own[0].index_dir / "archives"
    serving = backend_for(named[0], index_dir=tmp_path / "shared")
    serving.prepare(lambda line: None)  # a server of the first archive holds the folder
    with pytest.raises(JianbaoError, match="another server serves it"):
        backend_for(named[1], index_dir=tmp_path / "shared").prepare(lambda line: None)
    assert ids(open_index(tmp_path / "shared"), "校园欺凌")  # still the first archive's index
