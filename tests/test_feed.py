"""The Atom feed is XML and Atom on every archive and query: the seeds, hostile records (markup, entities,
control characters, undated items), the real archives of ../shared (web pages, documents, OFD files) and hostile
queries. Each feed is parsed strictly (lxml), checked against RFC 4287's required elements, and read by feedparser
without complaint (``bozo``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from lxml import etree

try:
    import feedparser
except ImportError:  # requirements.txt names it; until it is installed, the feeds are checked with lxml alone
    feedparser = None

from tests.conftest import SHARED, build_index, write_jsonl
from webapp import create_app

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
PUBLIC_URL = "https://jianbao.example.gov.cn"
HOSTILE_QUERIES = ["</title><script>alert(1)</script>", "&sp;", "<", "a & b", "]]>", "\x01\x0b", "\ufffe",
                   '"引号" \'单引号\'', "💡", "&amp;", "<![CDATA[x]]>"]
QUERIES = ["", "工作", "教育", "通知", "国务院", "的", *HOSTILE_QUERIES]
FILTERS = [[], [("year", "unknown")], [("year", "2022")], [("department", "区教育局"), ("department", "区司法局")],
           [("sort", "relevance"), ("page", "3"), ("size", "7")]]
NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"  # what XML 1.0 cannot hold
RECORDS = [
    {"id": "lt", "title": "规定 a<b 与 c>d 的通知", "body": "正文含 <script>alert(1)</script> 与 &sp; 和 &amp; 与 ]]>。",
     "date": "2023-03-01"},
    {"id": "ctl", "title": "控制\x01字符\x0b标题", "body": "正文\x02含\x1f控制字符\ufffe与非字符。", "date": "2023-02-01"},
    {"id": "undated-1", "title": "无日期条目一", "body": "没有日期的正文 & 符号。"},
    {"id": "undated-2", "title": "", "body": "没有标题也没有日期的正文<b>粗体</b>。"},
    {"id": "amp&id<x>", "title": "编号含特殊字符", "body": "编号带 & 和尖括号。", "date": "2021-01-01"},
    {"id": "cdata", "title": "<![CDATA[标题]]>", "body": "]]>正文", "date": "2020-05-05"},
]


def check_atom(data: bytes, title: str) -> list[tuple[str, bool]]:
    """Fail unless ``data`` is an Atom feed (RFC 4287) titled ``title``: (entry link, whether it has
    ``published``) of each entry, in order."""
    feed = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))  # strict: raises
    assert feed.tag == A + "feed"
    for name in ("id", "title", "updated"):  # 4.1.1: exactly one of each
        assert len(feed.findall(A + name)) == 1, name
    assert feed.findtext(A + "title") == title
    assert RFC3339.fullmatch(feed.findtext(A + "updated"))
    assert feed.find(A + "author/" + A + "name") is not None  # then no entry needs one
    assert feed.find(f"{A}link[@rel='self']") is not None
    ids, entries = set(), []
    for entry in feed.findall(A + "entry"):
        for name in ("id", "title", "updated"):  # 4.1.2
            assert len(entry.findall(A + name)) == 1 and entry.findtext(A + name).strip(), name
        assert len(entry.findall(A + "published")) <= 1
        entry_id = entry.findtext(A + "id")
        assert re.fullmatch(r"(urn:jianbao:item:|https?://)[!#-;=?-\[\]_a-z~]+", entry_id, re.IGNORECASE), entry_id
        assert entry_id not in ids
        ids.add(entry_id)
        published = entry.findtext(A + "published")
        for stamp in (entry.findtext(A + "updated"), published):
            assert stamp is None or RFC3339.fullmatch(stamp), stamp
        entries.append((entry.find(f"{A}link[@rel='alternate']").get("href"), published is not None))
    dated = [has for _, has in entries]
    assert dated == sorted(dated, reverse=True), "undated items come last"
    return entries


def check_feed(client, q: str, filters: list[tuple[str, str]]) -> None:
    """The feed of a search is valid XML and Atom, its entries are the search's newest items with ``published``
    exactly when they are dated, and feedparser reads it without complaint."""
    response = client.get("/feed.atom?" + urlencode([("q", q), *filters]))
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    title = "简报检索：" + (re.sub(NOT_XML, "", q).strip() or "全部条目")
    entries = check_atom(response.data, title)
    kept = [(k, v) for k, v in filters if k not in ("sort", "page", "size")]
    search = client.get("/api/search?" + urlencode([("q", q), *kept, ("sort", "date_desc"), ("size", "50")]))
    dated = {h["url"]: h["date"] is not None for h in search.get_json()["hits"]}
    assert {link.removeprefix(PUBLIC_URL): has for link, has in entries} == dated
    if feedparser is not None:
        parsed = feedparser.parse(response.data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.feed.title == title and len(parsed.entries) == len(entries)
        assert all(e.id and e.title and e.updated_parsed for e in parsed.entries)


def _client(index: Path, public_url: str = ""):
    return create_app({"INDEX_DIR": str(index), "PUBLIC_URL": public_url, "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("feed-archive")
    write_jsonl(folder / "records.jsonl", RECORDS)
    return build_index([folder], tmp_path_factory.mktemp("feed-index"))


@pytest.fixture(scope="module")
def real_index(tmp_path_factory) -> Path:
    """The real archives of ../shared (gov.cn pages, law exports, PDFs, office documents, OFD files) in one index."""
    corpora = SHARED / "corpora"
    return build_index([corpora / "realworld", corpora / "ofd"], tmp_path_factory.mktemp("feed-real"))


@pytest.mark.parametrize("public_url", ["", PUBLIC_URL])
def test_the_feed_of_the_seeds_is_atom_for_every_query(seed_index, public_url):
    client = _client(seed_index, public_url)
    for q in QUERIES:
        for filters in FILTERS:
            check_feed(client, q, filters)
    assert len(check_atom(client.get("/feed.atom").data, "简报检索：全部条目")) == 14  # the seeds state no day


def test_the_feed_of_hostile_records_is_atom_with_their_text_intact(hostile_index):
    client = _client(hostile_index, PUBLIC_URL)
    for q in [*QUERIES, "规定", "控制", "正文", "编号"]:
        for filters in FILTERS:
            check_feed(client, q, filters)
    feed = etree.fromstring(client.get("/feed.atom").data)
    titles = [e.findtext(A + "title") for e in feed.findall(A + "entry")]
    assert "规定 a<b 与 c>d 的通知" in titles and "<![CDATA[标题]]>" in titles and "控制字符标题" in titles
    summaries = "".join(e.findtext(A + "summary") for e in feed.findall(A + "entry"))
    assert "<script>alert(1)</script>" in summaries and "&sp;" in summaries and "&amp;" in summaries
    published = [e.find(A + "published") is not None for e in feed.findall(A + "entry")]
    assert published == [True] * 4 + [False] * 2  # the undated items last


def test_the_feed_of_the_real_archives_is_atom_for_every_query(real_index):
    client = _client(real_index, PUBLIC_URL)
    items = client.get("/api/search?q=&size=100").get_json()
    assert items["total"] > 50
    words = {h["title"][:4] for h in items["hits"][:20] if h["title"]}
    for q in [*QUERIES, *sorted(words)]:
        for filters in FILTERS:
            check_feed(client, q, filters)


def test_the_query_is_escaped_never_markup(seed_index):
    data = _client(seed_index).get("/feed.atom?q=" + quote("</title><script>alert(1)</script>")).data
    assert b"<script>" not in data  # the text is there, escaped
    assert etree.fromstring(data).findtext(A + "title") == "简报检索：</title><script>alert(1)</script>"


def test_feedparser_is_installed():
    if feedparser is None:
        pytest.skip("feedparser (requirements.txt) is not installed: the feeds were checked with lxml alone")
