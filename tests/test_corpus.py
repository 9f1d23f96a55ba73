"""Reading corpus files: encodings, HTML pages, metadata, records, and files that cannot be read."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import Report
from indexer.ingest.enrich.duplicates import Deduplicator
from indexer.ingest.files import read_items
from indexer.items import Item
from tests.conftest import CORPUS, ROOT, XWLB, write_jsonl

SEED = CORPUS / "000_481367547d7bb0e8.txt"


def _read(*paths: Path) -> tuple[list, Report]:
    report = Report(stream=io.StringIO())
    return list(read_items(list(paths), report)), report


def _fields(items):
    return [(i.title, i.body, i.departments, i.topics, i.year) for i in items]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_other_encodings_give_the_same_items(tmp_path, encoding):
    text = SEED.read_text(encoding="utf-8")
    copy = tmp_path / f"copy-{encoding}.txt"
    copy.write_bytes(text.encode(encoding))
    original, _ = _read(SEED)
    converted, report = _read(copy)
    assert _fields(converted) == _fields(original)
    assert not report.problems


def test_unreadable_empty_and_binary_files_are_reported_and_skipped(tmp_path):
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "b-binary.txt").write_bytes(bytes(range(256)) * 50)
    (tmp_path / "c-good.txt").write_bytes(SEED.read_bytes())
    locked = tmp_path / "d-locked.txt"
    locked.write_text("区科技局召开会议 会议部署工作。（区科技局）", encoding="utf-8")
    locked.chmod(0)
    (tmp_path / "e-notes.xlsx").write_bytes(b"PK\x03\x04")  # .xlsx is not an archive format
    items, report = _read(tmp_path)
    locked.chmod(0o644)
    assert len(items) == 9 + (1 if os.geteuid() == 0 else 0)  # root reads any file
    lines = report.stream.getvalue().splitlines()
    assert any("a-empty.txt" in line and "empty" in line for line in lines)
    assert any("b-binary.txt" in line and "binary" in line for line in lines)
    assert any("e-notes.xlsx" in line and "not a corpus format" in line for line in lines)
    if os.geteuid() != 0:
        assert any("d-locked.txt" in line and "ermission" in line for line in lines)
    assert all(line.startswith("skipped: ") for line in lines)


def test_html_page_with_government_meta_tags(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes("""<html><head><meta charset="gbk">
<meta name="ArticleTitle" content="区人社局开展春风行动招聘会">
<meta name="PubDate" content="2023-02-15 10:30">
<meta name="ContentSource" content="区人力资源和社会保障局">
<meta name="ColumnName" content="工作动态"><meta name="Keywords" content="招聘,就业">
<title>区人社局开展春风行动招聘会_工作动态_某区人民政府</title></head>
<body><nav>首页 | 工作动态</nav><div id="zoom"><p>2月15日，区人社局举办春风行动专场招聘会，
共有86家企业提供岗位1200余个。</p><p>现场达成就业意向326人。</p></div>
<footer>版权所有</footer><script>var x = "<b>";</script></body></html>""".encode("gbk"))
    items, report = _read(page)
    assert not report.problems
    [item] = items
    assert item.title == "区人社局开展春风行动招聘会"
    assert item.body == "2月15日，区人社局举办春风行动专场招聘会，共有86家企业提供岗位1200余个。\n现场达成就业意向326人。"
    assert item.date == "2023-02-15" and item.year == 2023 and not item.year_inferred
    assert item.departments == ["区人社局"]
    assert item.issue == "" and item.extra["columnname"] == "工作动态"  # one page is no issue of a bulletin
    assert "劳动、人事、监察\\劳动就业" in item.topics
    assert item.extra["keywords"] == "招聘,就业"


def test_html_page_holding_a_whole_issue(tmp_path):
    body = "".join(f"<p>{line}</p>" for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip())
    page = tmp_path / "issue.htm"
    page.write_text(f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="政务信息第12期">'
                    f'</head><body><div class="TRS_Editor">{body}</div></body></html>', encoding="utf-8")
    items, _ = _read(page)
    assert [i.title for i in items] == [i.title for i in _read(SEED)[0]]
    assert {i.issue for i in items} == {"政务信息第12期"}


def test_meta_json_beside_a_file(tmp_path):
    copy = tmp_path / "2022-05.txt"
    copy.write_bytes(SEED.read_bytes())
    (tmp_path / "2022-05.meta.json").write_text(json.dumps(
        {"title": "上街区政务信息", "date": "2022-04-06", "issue": "2022年第5期", "source": "区政府办公室",
         "editor": "信息科"}, ensure_ascii=False), encoding="utf-8")
    items, report = _read(copy)
    assert not report.problems
    assert {(i.issue, i.date, i.year, i.year_inferred, i.source) for i in items} == {
        ("2022年第5期", "2022-04-06", 2022, False, "区政府办公室")}
    assert items[0].extra == {"editor": "信息科"}


def test_records_bad_lines_and_bad_dates(tmp_path):
    good = {"id": "r1", "title": "区教育局部署双减工作", "body": "会议要求落实双减政策。（区教育局）", "date": "2021-09-01",
            "issue": "2021年第30期"}
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join([
        json.dumps(good, ensure_ascii=False),
        '{"id": "r2", "title": "broken',
        json.dumps({"id": "r3", "title": "区财政局预算执行情况", "html": "<p>收入增长&nbsp;5%</p><p>支出平稳</p>",
                    "date": "2021-02-30", "department": ["区财政局"], "tags": ["财政"]}, ensure_ascii=False),
        json.dumps({"title": "", "body": ""}),
        json.dumps({"title": "区科技局工作动态", "body": "科技创新。", "topics": ["科技、教育\\科技", "不存在\\的主题"]},
                   ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    items, report = _read(path)
    assert [i.id for i in items][:2] == ["r1", "r3"] and len(items) == 3
    lines = report.stream.getvalue().splitlines()
    assert any(":2:" in line and "bad JSON line" in line for line in lines)
    assert any(":3:" in line and "bad date '2021-02-30'" in line for line in lines)
    assert any(":4:" in line and "neither title nor body" in line for line in lines)
    r1, r3, r5 = items
    assert (r1.departments, r1.date, r1.year) == (["区教育局"], "2021-09-01", 2021)
    assert (r3.body, r3.date, r3.year, r3.departments, r3.extra) == (
        "收入增长5%\n支出平稳", None, None, ["区财政局"], {"tags": ["财政"]})
    assert r5.topics == ["科技、教育\\科技"] and len(r5.id) == 16


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    records = [{"id": f"g{n}", "title": f"第{n}条", "body": "内容。" * 50} for n in range(300)]
    data = gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items, report = _read(path)
    assert 0 < len(items) < 300
    assert "reading stopped after line" in report.stream.getvalue()


def test_parse_command_prints_json_lines():
    out = subprocess.run([sys.executable, "-m", "indexer", "parse", str(SEED)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 9
    for name in ("id", "title", "body", "departments", "topics", "date", "year", "issue", "source", "position"):
        assert name in rows[0]
    assert "9 items from 1 files; 0 files skipped" in out.stderr


def test_parse_prints_every_file_as_read_named_from_the_current_folder(tmp_path):
    shutil.copy(SEED, tmp_path / "copy.txt")
    (tmp_path / "page.html").write_text(
        "<html><head><meta charset='utf-8'><meta name='SiteName' content='某区人民政府网站'></head><body>"
        "<div id='zoom'><h1>区教育局召开会议</h1><p>会议部署全年工作。</p></div></body></html>", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "indexer", "parse", str(SEED), str(tmp_path)], cwd=tmp_path,
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    sources = [r["source"] for r in rows]
    assert sources.count(str(SEED.resolve())) == 9 and sources.count("copy.txt") == 9  # repeats not merged
    assert sources.count("page.html") == 1  # the file, not the site's name


@pytest.mark.shared
def test_whole_xwlb_corpus_reads_clean():
    report = Report(stream=io.StringIO())
    count = 0
    dirty = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|\r")
    for item in read_items([XWLB], report):
        count += 1
        assert not dirty.search(item.title + item.body), item.id
        assert "新闻联播" not in item.attribution and "编辑" not in item.attribution, item.id
        assert item.year and 2012 <= item.year <= 2026
    assert count == 74734
    assert not report.problems


def test_written_records_round_trip(tmp_path, seed_items):
    path = write_jsonl(tmp_path / "seeds.jsonl", [i.to_dict() | {"issue_key": None} for i in seed_items])
    items, report = _read(path)
    assert [(i.id, i.title, i.body, i.departments) for i in items] == [
        (i.id, i.title, i.body, i.departments) for i in seed_items]


def _item(item_id: str, title: str, body: str, ocr: bool = False, access: list[str] | None = None) -> Item:
    return Item(id=item_id, title=title, body=body, issue="", source=f"{item_id}.txt", position=1, ocr=ocr,
                access=access or ["public"])


def test_an_ocr_copy_is_one_item_with_its_text_layer_copy_but_never_another_document_or_access():
    body = "全区共组织开展安全生产大检查十二次，排查整改隐患八十三处，约谈企业负责人九人，督促落实主体责任。（区应急局）"
    misread = body.replace("隐患", "稳患").replace("督促", "督保")  # what OCR makes of a few characters
    kept = Deduplicator()
    kept.add([_item("scan", "区应急局开展安全生产大检查", misread, ocr=True),
              _item("text", "区应急局开展安全生产大检查", body),
              _item("secret", "区应急局开展安全生产大检查", misread, ocr=True, access=["内部"]),
              _item("other", "区应急局开展安全生产大检查", body.replace("十二", "十五").replace("八十三", "六十一")
                    .replace("九人", "四人"))])
    got = {i.id: i.duplicates for i in kept.items()}
    assert got == {"text": ["scan.txt"], "secret": [], "other": []}  # the text layer kept; the rest stay apart
