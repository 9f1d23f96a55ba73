"""Browsing on the seed index: issues, the Atom feed, the trend chart and its CSV, dates, citations, help."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from tests.conftest import run
from webapp import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://jianbao.example.gov.cn"


@pytest.fixture(scope="module")
def public_client(seed_index):
    """A client of the app with its public address configured (feeds and citations give absolute links)."""
    return create_app({"INDEX_DIR": str(seed_index), "PUBLIC_URL": PUBLIC, "TESTING": True}).test_client()


def test_issue_list_and_issue_pages(client):
    issues = client.get("/api/issues").get_json()["issues"]
    assert [(i["key"], i["year"], i["items"]) for i in issues] == [("1a1277cd50c69ba2", 2022, 5),
                                                                 ("b52c67ac74d0f6a8", None, 9)]
    one = client.get("/api/issues/b52c67ac74d0f6a8").get_json()
    assert [i["position"] for i in one["items"]] == list(range(1, 10))
    assert client.get("/api/issues/nope").get_json()["error"]["message_zh"]
    page = client.get("/issues").get_data(as_text=True)
    assert page.index("2022年") < page.index("年份不详") and "/issues/b52c67ac74d0f6a8" in page
    issue = client.get("/issues/b52c67ac74d0f6a8").get_data(as_text=True)
    assert 'name="issue" value="b52c67ac74d0f6a8"' in issue and issue.count("/items/b52c67ac74d0-") == 9
    within = client.get("/api/search?issue=b52c67ac74d0f6a8&q=工作").get_json()
    assert within["total"] > 0 and all(h["issue_key"] == "b52c67ac74d0f6a8" for h in within["hits"])


def test_feed_has_the_required_atom_elements(public_client, client):
    r = public_client.get("/feed.atom?q=教育")
    assert r.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(r.data)
    assert feed.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):  # RFC 4287 4.1.1: exactly one of each
        assert len(feed.findall(ATOM + name)) == 1
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == client.get("/api/search?q=教育&size=50").get_json()["total"] > 0
    feed_has_author = feed.find(ATOM + "author/" + ATOM + "name") is not None
    for entry in entries:  # 4.1.2: id, title, updated once; an author here or in the feed; alternate link
        for name in ("id", "title", "updated"):
            assert len(entry.findall(ATOM + name)) == 1 and entry.findtext(ATOM + name).strip()
        assert feed_has_author or entry.find(ATOM + "author") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith(PUBLIC + "/items/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)", entry.findtext(ATOM + "updated"))
    assert len(ElementTree.fromstring(client.get("/feed.atom").data).findall(ATOM + "entry")) == 14


def test_trend_bars_equal_the_year_facet(client):
    result = client.get("/api/search?q=工作").get_json()
    facet = {v["value"]: v["count"] for v in result["facets"]["year"]}
    page = client.get("/search?q=工作").get_data(as_text=True)
    bars = dict(re.findall(r'data-value="([^"]+)" data-count="(\d+)"', page))
    assert {k: int(v) for k, v in bars.items()} == facet and facet
    rows = client.get("/trend.csv?q=工作").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "年份,条目数"
    assert {r.split(",")[0]: int(r.split(",")[1]) for r in rows[1:]} == {
        ("年份不详" if k == "unknown" else k): v for k, v in facet.items()}
    by_month = client.get("/api/search?q=工作&year=2022").get_json()["months"]
    assert sum(by_month.values()) == facet["2022"] == by_month["unknown"]  # the seed's 2022 items have no dates


def test_half_typed_or_invalid_dates_are_a_chinese_warning_not_an_error(client):
    r = client.get("/search?date_from=0002-01-0&q=工作")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "起始日期须为" in page and "0002-01-0" in page
    api = client.get("/api/search?date_to=2022-13-01").get_json()["error"]
    assert api["code"] == "bad_parameter" and api["message"].startswith("date_to:") and "截止日期" in api["message_zh"]


def test_empty_query_is_newest_first_and_says_so(client):
    page = client.get("/search").get_data(as_text=True)
    assert '<span class="current" aria-current="true">最新</span>' in page


def test_no_results_names_what_hides_them(client):
    page = client.get("/search?q=%22校园欺凌%22&department=区司法局").get_data(as_text=True)
    assert "没有找到符合条件的条目" in page and "去掉筛选“单位：区司法局”</a>（1 条）" in page
    fewer = client.get("/search?q=校园欺凌 无人机").get_data(as_text=True)
    assert "少用一个词：无人机</a>（1 条）" in fewer and "少用一个词：校园欺凌</a>（1 条）" in fewer


def test_without_a_public_address_links_are_relative_whatever_the_host_header(client):
    headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for path in ("/feed.atom?q=教育", "/items/b52c67ac74d0-4", "/opensearch.xml", "/embed?q=教育"):
        body = client.get(path, headers=headers).get_data(as_text=True)
        assert "evil.example" not in body, path
    feed = ElementTree.fromstring(client.get("/feed.atom?q=教育").data)
    assert feed.findtext(ATOM + "id").startswith("urn:jianbao:feed:")
    assert all(e.findtext(ATOM + "id").startswith("urn:jianbao:item:") for e in feed.findall(ATOM + "entry"))


def test_citation_follows_gbt_7714_for_a_seed_item(public_client):
    # GB/T 7714-2015, newspaper article online: 主要责任者. 题名[N/OL]. 报纸名, 出版日期(版次)[引用日期]. 访问路径.
    # The seed issue has no name of its own (工作简报) and no date; the item is the 4th of its issue.
    today = dt.date.today().isoformat()
    page = public_client.get("/items/b52c67ac74d0-4").get_data(as_text=True)
    expected = (f"区教育局. 区教育局扎实做好校园欺凌防治工作[N/OL]. 工作简报(第4条)[{today}]. "
                f"{PUBLIC}/items/b52c67ac74d0-4.")
    assert f'<p class="citation" id="citation">{expected}</p>' in page
    assert f'<link rel="canonical" href="{PUBLIC}/items/b52c67ac74d0-4">' in page


def test_similar_items_share_rare_words(client):
    similar = client.get("/api/items/b52c67ac74d0-4").get_json()["similar"]
    assert 0 < len(similar) <= 5 and all(s["shared_terms"] for s in similar)
    assert all(not s["id"].startswith("b52c67ac74d0") for s in similar)  # its own issue is listed beside it
    assert similar[0]["title"] == "区教育局完善“三查”机制筑牢校园疫情防线"
    assert set(similar[0]["shared_terms"]) >= {"教育局", "校园"}


def _first(searcher, q: str) -> str:
    return run(searcher, q=q, size=1).hits[0].id


def _similar_titles(searcher, item_id: str) -> list[str]:
    return [s.item.title or s.item.body[:20] for s in searcher.item_page(item_id).similar]


def test_similar_items_on_the_real_archive_are_related_or_none(real_searcher):
    poem = _first(real_searcher, '"一日不见兮，思之如狂"')  # an OFD file of poems
    opinion = _first(real_searcher, '"全面推行部门联合“双随机、一公开”监管的意见"')  # a State Council opinion
    assert _similar_titles(real_searcher, poem) == []  # nothing in the archive is like it: none, not unrelated ones
    assert poem not in {s.id for s in real_searcher.item_page(opinion).similar}
    for q, expected in [('"关于加强个人所得税纳税信用建设的通知"', "关于加强个人所得税纳税信用建设的通知"),  # another copy
                        ('"山东省人民政府消防安全委员会"', "国务院安委会办公室关于印发"),           # the same campaign
                        ("区教育局扎实做好校园欺凌防治工作", "区教育局完善“三查”机制")]:           # a bulletin item
        assert any(t.startswith(expected) for t in _similar_titles(real_searcher, _first(real_searcher, q))), q


def test_a_documents_page_says_it_is_a_document_and_cites_it_as_one(real_index):
    client = create_app({"INDEX_DIR": str(real_index), "TESTING": True}).test_client()
    hit = client.get("/api/search", query_string={"q": '"国办函〔2018〕74号"'}).get_json()["hits"][0]
    page = client.get(hit["url"]).get_data(as_text=True)
    assert "单篇文件，不分期" in page and "本期条目" not in page and "第 1 条" not in page
    assert ": 国办函〔2018〕74号[EB/OL]. (2018-11-05)[" in page and "电子资源的格式著录" in page
