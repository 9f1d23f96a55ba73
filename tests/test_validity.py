"""What is no longer in force: repeals stated by later documents and stated validity periods, read from real
sentences of gov.cn documents, marked only when a sentence or a date says so."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from indexer.ingest.enrich.validity import repeals, stated_expiry
from indexer.ingest.read.records import record_item
from indexer.items import Item
from search import SearchQuery
from search.validity import today
from tests.conftest import GOV_108, REPEALED_RECORD, SHARED
from webapp import create_app

HEBEI = SHARED / "corpora" / "topics" / "hebei_bgt_884.jsonl.gz"


def _record(path, record_id: str) -> Item:
    """One record of a shared JSON Lines export, read as the archive reads it."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        record = next(json.loads(line) for line in f if f'"{record_id}"' in line)
    return record_item(record, path.name, {})


def _item(body: str, date: str | None = "2019-01-02", doc_number: str | None = None) -> Item:
    return Item(id="x", title="某某关于某事的通知", body=body, issue="", source="x", position=1, date=date,
                doc_number=doc_number)


# Repeals, from real sentences: what each rule marks and what it leaves alone.

def test_a_document_named_by_title_and_number_stops_being_in_force(precedents_searcher):
    page = next(i for i in precedents_searcher.export(SearchQuery(), 1000).items if i.source.endswith("5347465.html"))
    [repeal] = page.repeals
    assert repeal["doc_number"] == "国办发〔2016〕82号"
    assert repeal["evidence"].startswith("自本通知印发之日起，《国务院办公厅关于对真抓实干") and \
        repeal["evidence"].endswith("停止执行。")


def test_a_document_named_after_who_issued_and_revised_it_is_repealed_at_the_same_time():
    [repeal] = _record(GOV_108, "gccmpd-2546").repeals  # 1990年…财政部发布，1995年…修订的《…暂行规定》同时废止。
    assert repeal["title"] == "中外合作开采陆上石油资源缴纳矿区使用费暂行规定" and repeal["doc_number"] is None
    assert repeal["evidence"].endswith("同时废止。")


def test_a_title_with_its_number_in_brackets_is_repealed_at_the_same_time():
    [repeal] = _record(HEBEI, "hebei-ed3ab8ef7e90").repeals
    assert repeal["doc_number"] == "冀政办字〔2019〕81号" and repeal["title"].startswith("河北省重污染天气应急预案")


@pytest.mark.parametrize("source, record_id", [
    (GOV_108, "gccmpd-2488"),  # …颁发的与此相抵触或不一致的法规即行作废: no document named
    (GOV_108, "gccmpd-2826"),  # “…已经加价的应停止执行”: a practice, not a document
    (GOV_108, "gccmpd-5282177"),
])
def test_sentences_naming_no_document_mark_nothing(source, record_id):
    assert _record(source, record_id).repeals == []


def test_a_provision_of_a_document_that_no_longer_applies_does_not_repeal_the_document(precedents_archive):
    # 5342665: …不再执行《外商投资建筑业企业管理规定》中关于工程承包范围的限制性规定。
    page = (precedents_archive / "web_html" / "govcn_content_5342665.html").read_text(encoding="utf-8")
    assert "不再执行《外商投资建筑业企业管理规定》中关于" in page
    item = _item("对自贸试验区内的港澳台资建筑业企业，不再执行《外商投资建筑业企业管理规定》中关于工程承包范围的限制性规定。")
    assert repeals(item) == []


@pytest.mark.parametrize("body, expected", [
    ("《某某管理办法》（某发〔2010〕5号）、《某某实施细则》同时废止。",
     [("某发〔2010〕5号", "某某管理办法"), (None, "某某实施细则")]),
    ("本办法自2019年1月1日起施行，同时废止《某某管理办法》（某发〔2010〕5号）。", [("某发〔2010〕5号", "某某管理办法")]),
    ("自即日起，国发〔1983〕117号文件停止执行。", [("国发〔1983〕117号", None)]),
    ("原《某某暂行规定》自本规定施行之日起失效。", [(None, "某某暂行规定")]),
    ("根据《某某管理办法》停止执行的项目，不再审批。", []),  # relied on, not repealed
    ("《某某管理办法》中关于收费的规定停止执行。", []),  # a provision
    ("停止执行《某某管理办法》第五条。", []),
    ("各地要及时修改或废止不相适应的规定。", []),
    ("凡与本通知不一致的，以本通知为准，原有规定不再执行。", []),
    ("本通知（某发〔2019〕1号）自印发之日起施行，某发〔2019〕1号以前的文件不再执行。", []),
])
def test_repeal_rules_on_written_sentences(body, expected):
    found = repeals(_item(body, doc_number="某发〔2019〕1号"))
    assert [(r["doc_number"], r["title"]) for r in found] == expected
    assert all(r["evidence"] == body for r in found)


# Stated validity periods.

def test_a_validity_of_years_counts_from_the_date():
    item = _record(HEBEI, "hebei-f2d0a15bb228")  # 本措施自发布之日起实施，有效期3年，… (2023-06-29)
    assert item.date == "2023-06-29"
    assert item.expires["date"] == "2026-06-28" and "有效期3年" in item.expires["evidence"]


@pytest.mark.parametrize("body, date, last_day", [
    ("本办法自2019年1月1日起施行，有效期至2020年12月31日。", "2018-12-20", "2020-12-31"),
    ("本通知自印发之日起施行，有效期5年。", "2018-12-06", "2023-12-05"),
    ("本意见有效期为三年。", "2020-02-29", "2023-02-27"),
    ("本规划自2021年1月1日起实施，有效期5年。", "2020-12-25", "2025-12-31"),  # from the date the clause states
    ("本方案有效期至2025年底。", "2021-03-01", "2025-12-31"),
    ("本通知自印发之日起施行，有效期5年。", None, None),  # no date to count from
    ("许可证有效期5年，期满前三个月申请延续。", "2018-12-06", None),  # a licence's
    ("省级文化部门核发的批准文件在有效期内可一证多批使用。", "2018-12-06", None),
    ("从购买债券开始计算，一年后开始供电，用电指标有效期限为二十年。", "1987-01-01", None),
])
def test_validity_rules_on_written_sentences(body, date, last_day):
    found = stated_expiry(_item(body, date))
    assert (found["date"] if found else None) == last_day


@pytest.mark.parametrize("source, record_id", [(HEBEI, "hebei-b895811f12f3"), (GOV_108, "gccmpd-2553"),
                                               (GOV_108, "gccmpd-2815"), (GOV_108, "gccmpd-2546")])
def test_validities_of_other_things_are_not_the_documents(source, record_id):
    assert _record(source, record_id).expires is None


# The archive: every mark, with what says so.

def test_the_added_record_is_repealed_by_the_later_notice_with_its_sentence(precedents_searcher):
    later = next(i for i in precedents_searcher.export(SearchQuery(), 1000).items if i.source.endswith("5347465.html"))
    validity = precedents_searcher.item_page(REPEALED_RECORD["id"]).validity
    assert validity["status"] == "repealed"
    assert validity["by"] == {"id": later.id, "title": later.title, "doc_number": "国办发〔2018〕117号"}
    assert validity["evidence"] == later.repeals[0]["evidence"]
    assert precedents_searcher.item_page(later.id).validity == {"status": "none_known", "by": None, "evidence": ""}


def test_no_document_of_the_archive_is_marked_but_the_one_a_sentence_says(precedents_searcher):
    marked = precedents_searcher.search(SearchQuery(filters={"validity": ["已废止", "已失效"]}, size=100))
    assert [h.id for h in marked.hits] == [REPEALED_RECORD["id"]]
    facet = {v.value: v.count for v in precedents_searcher.search(SearchQuery()).facets["validity"]}
    total = precedents_searcher.health()["items"]
    assert facet == {"已废止": 1, "未见废止": total - 1}
    for item in precedents_searcher.export(SearchQuery(), 1000).items:  # every page says what the facet says
        status = precedents_searcher.item_page(item.id).validity["status"]
        assert status == ("repealed" if item.id == REPEALED_RECORD["id"] else "none_known"), item.id


def test_an_earlier_document_does_not_repeal_a_later_one(tmp_path):
    from tests.conftest import build_index, open_index, write_jsonl

    records = [{"id": "old", "title": "甲", "date": "2010-01-01", "body": "《某某管理办法》（某发〔2015〕1号）同时废止。"},
               {"id": "new", "title": "某某管理办法", "doc_number": "某发〔2015〕1号", "date": "2015-03-01",
                "body": "第一条 为了……"},
               {"id": "later", "title": "乙", "date": "2020-01-01", "body": "某发〔2015〕1号文件停止执行。"},
               {"id": "soon", "title": "丙", "date": "2020-01-01", "body": "本通知自印发之日起施行，有效期5年。"},
               {"id": "open", "title": "丁", "date": f"{dt.date.today().year}-01-01",
                "body": "本通知自印发之日起施行，有效期5年。"}]
    searcher = open_index(build_index([write_jsonl(tmp_path / "r.jsonl", records)], tmp_path / "index"))
    assert searcher.item_page("new").validity["by"]["id"] == "later"  # not "old", dated before it
    assert searcher.item_page("soon").validity == {"status": "expired", "by": None,
                                                   "evidence": "本通知自印发之日起施行，有效期5年。"}
    assert searcher.item_page("open").validity["status"] == "none_known"
    counts = {v.value: v.count for v in searcher.search(SearchQuery()).facets["validity"]}
    assert counts == {"已废止": 1, "已失效": 1, "未见废止": 3} and today() > 20250101
    searcher.close()


def test_the_item_page_and_the_api_say_it(precedents_index):
    client = create_app({"INDEX_DIR": str(precedents_index), "TESTING": True}).test_client()
    item = client.get(f"/api/items/{REPEALED_RECORD['id']}").get_json()["item"]
    assert item["validity"]["status"] == "repealed" and "停止执行" in item["validity"]["evidence"]
    page = client.get(f"/items/{REPEALED_RECORD['id']}").get_data(as_text=True)
    top = page.split('<div class="body">')[0]
    assert "已废止" in top and f'href="/items/{item["validity"]["by"]["id"]}"' in top and "停止执行" in top
    later = client.get(f"/items/{item['validity']['by']['id']}").get_data(as_text=True)
    assert "本文引用（1）" in later and f'href="/items/{REPEALED_RECORD["id"]}"' in later
    assert "被引用（1）" in page
    found = client.get("/api/search?validity=已废止").get_json()
    assert [h["id"] for h in found["hits"]] == [REPEALED_RECORD["id"]]
    assert client.get("/api/search?validity=废止").status_code == 400
