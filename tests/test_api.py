"""The JSON API and the pages: fields, facets, the OpenAPI document, errors, CORS, escaping, exports."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from tests.conftest import build_index, write_jsonl
from webapp import create_app
from webapp.openapi import openapi_document

HIT_FIELDS = {"id", "title", "title_html", "snippet_html", "departments", "topics", "date", "year", "issue",
              "url", "position", "issue_key"}


def validate(data, schema_name: str) -> None:
    """Validate a response body against a schema of the served OpenAPI document."""
    doc = openapi_document()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    jsonschema.Draft202012Validator(schema).validate(data)


def test_search_returns_every_field_of_the_contract(client):
    r = client.get("/api/search?q=欺凌")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    validate(data, "SearchResult")
    assert (data["total"], data["page"], data["size"]) == (1, 1, 10)
    assert data["query"]["q"] == "欺凌" and data["query"]["sort"] == "relevance"
    [hit] = data["hits"]
    assert set(hit) == HIT_FIELDS
    assert hit["title_html"] == "区教育局扎实做好校园<mark>欺凌</mark>防治工作"
    assert hit["departments"] == ["区教育局"] and hit["topics"] == ["科技、教育\\教育"]
    assert hit["url"] == f"/items/{hit['id']}" and hit["year"] is None and hit["date"] is None
    assert data["took_ms"] >= 0


def test_json_is_utf8_as_written_in_the_contracts_order(client):
    r = client.get("/api/search?q=欺凌")
    text = r.get_data(as_text=True)
    assert "校园" in text and "\\u" not in text  # Chinese as is, not escaped
    data = json.loads(text)
    assert list(data)[:5] == ["total", "page", "size", "pages", "took_ms"]  # the order of SearchResult.to_dict
    assert text.endswith("\n") and r.headers["Content-Length"] == str(len(r.get_data()))


def test_facet_counts_are_disjunctive_and_flag_selected_values(client):
    plain = client.get("/api/search?q=工作").get_json()
    picked = client.get("/api/search?q=工作&department=区教育局").get_json()
    two = client.get("/api/search?q=工作&department=区教育局&department=区司法局").get_json()
    counts = {v["value"]: v["count"] for v in plain["facets"]["department"]}
    # a facet's own filter does not change its counts; the others' do
    assert {v["value"]: v["count"] for v in picked["facets"]["department"]} == counts
    assert picked["total"] == counts["区教育局"]
    assert two["total"] == counts["区教育局"] + counts["区司法局"]
    assert {v["value"] for v in two["facets"]["department"] if v["selected"]} == {"区教育局", "区司法局"}
    years = {v["value"]: v["count"] for v in picked["facets"]["year"]}
    assert sum(years.values()) == picked["total"]
    topic = picked["facets"]["topic"][0]
    assert set(topic) == {"value", "count", "selected", "children"}
    assert all("\\" in child["value"] for child in topic["children"])


def test_year_and_topic_filters(client):
    data = client.get("/api/search?year=2022&topic=科技、教育").get_json()
    assert data["total"] == 1 and data["hits"][0]["title"].startswith("区教育局完善")
    data = client.get("/api/search?year=unknown&topic=公安、安全、司法\\司法").get_json()
    assert {h["title"] for h in data["hits"]} == {"区司法局积极优化法律服务供给"}


def test_item_with_its_issue_and_similar_items(client):
    data = client.get("/api/items/b52c67ac74d0-4").get_json()
    validate(data, "ItemPage")
    assert data["item"]["title"] == "区教育局扎实做好校园欺凌防治工作"
    assert [i["position"] for i in data["issue"]["items"]] == list(range(1, 10))
    assert data["issue"]["items"][3]["id"] == "b52c67ac74d0-4"
    assert 0 < len(data["similar"]) <= 5
    assert data["similar"][0]["title"] == "区教育局完善“三查”机制筑牢校园疫情防线"
    assert all(not s["id"].startswith("b52c67ac74d0") for s in data["similar"])


def test_suggest_health_and_openapi(client):
    data = client.get("/api/suggest?q=教育").get_json()
    validate(data, "Suggestions")
    assert {"type": "department", "value": "区教育局", "count": 2} in data["suggestions"]
    assert any(s["type"] == "title" for s in data["suggestions"])
    assert client.get("/api/suggest?q=教育&format=opensearch").get_json()[0] == "教育"
    health = client.get("/api/health").get_json()
    validate(health, "Health")
    assert health["items"] == 14
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1") and "/api/search" in doc["paths"]


# Typed prefixes whose suggestions are run: units, topics, titles of 公文, bulletins, records, OFD files.
PREFIXES = ("教育", "科技", "安全", "国务院", "关于", "通知", "公务员", "统计", "新闻", "2022", "OFD", "你好", "区")


def test_every_suggestion_finds_what_it_offers_on_the_real_archive(real_index):
    client = create_app({"INDEX_DIR": str(real_index), "TESTING": True}).test_client()
    kinds = set()
    for prefix in PREFIXES:
        for s in client.get("/api/suggest", query_string={"q": prefix}).get_json()["suggestions"]:
            kinds.add(s["type"])
            if s["type"] == "title":  # the page opens the item
                assert client.get(s["url"]).status_code == 200, s
            else:  # the page filters by the unit or topic
                found = client.get("/api/search", query_string={s["type"]: s["value"], "size": 1}).get_json()
                assert found["total"] >= 1, s
        q, completions = json.loads(client.get("/api/suggest", query_string={"q": prefix,
                                                                             "format": "opensearch"}).get_data())
        assert q == prefix
        for completion in completions:  # a browser's search bar runs each as the query
            found = client.get("/api/search", query_string={"q": completion, "size": 1}).get_json()
            assert found["total"] >= 1, (prefix, completion)
    assert kinds == {"title", "department", "topic"}


@pytest.mark.parametrize("query, parameter", [
    ("page=-1", "page"), ("page=0", "page"), ("size=100000", "size"), ("size=0", "size"), ("size=abc", "size"),
    ("sort=best", "sort"), ("year=20x2", "year"), ("scope=body", "scope"), ("date_from=2022-13-01", "date_from"),
("page=1.5", "page"), ("q=" + "长" * 501, "q"),
    ("&".join(f"department=单位{n}" for n in range(30)), "department"), ("topic=" + "长" * 300, "topic"),
])
def test_bad_parameters_give_a_400_naming_them(client, query, parameter):
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 400
    error = r.get_json()["error"]
    validate(r.get_json(), "Error")
    assert error["code"] == "bad_parameter" and error["message"].startswith(parameter + ":")


def test_the_documented_limits_are_the_enforced_ones(client):
    doc = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    most, longest = params["department"]["maxItems"], params["department"]["items"]["maxLength"]
    values = [f"department=单位{n}" for n in range(most)]
    assert client.get("/api/search?" + "&".join(values)).status_code == 200
    assert client.get("/api/search?" + "&".join(values + ["department=再一个"])).status_code == 400
    assert client.get("/api/search?department=" + "长" * longest).status_code == 200
    assert client.get("/api/search?department=" + "长" * (longest + 1)).status_code == 400
    assert client.get("/api/search?q=" + "长" * params["q"]["maxLength"]).status_code == 200


def test_repeated_filter_values_count_once(client):
    once = client.get("/api/search?department=区教育局").get_json()
    many = client.get("/api/search?" + "&".join(["department=区教育局"] * 50)).get_json()
    assert many["query"]["department"] == ["区教育局"] and many["total"] == once["total"]


def test_pages_beyond_the_results_are_empty(client):
    data = client.get("/api/search?q=工作&page=100&size=100").get_json()  # the last page of the result window
    assert data["hits"] == [] and data["total"] > 0 and data["page"] == 100


def test_errors_under_api_are_json(client):
    for path, status in (("/api/items/nope", 404), ("/api/nothing", 404), ("/api/search?" + "q=x&" * 20000, 414)):
        r = client.get(path)
        assert r.status_code == status and r.mimetype == "application/json", path
        validate(r.get_json(), "Error")
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    r = client.get("/items/nope")
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_missing_index_is_a_503_that_says_what_to_run(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    r = client.get("/api/search?q=x")
    assert r.status_code == 503
    assert "python -m indexer build" in r.get_json()["error"]["message"]


def test_cors_only_for_configured_origins(client):
    allowed = client.get("/api/search", headers={"Origin": "https://portal.example.gov.cn"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://portal.example.gov.cn"
    other = client.get("/api/search", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/search", headers={"Origin": "https://portal.example.gov.cn",
                                                       "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"]


def test_security_headers(client):
    page = client.get("/search?q=就业")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    embed = client.get("/embed?q=就业")  # framed by the origins of JIANBAO_FRAME_ORIGINS (tests/test_api_limits.py)
    assert "frame-ancestors 'self'" in embed.headers["Content-Security-Policy"] and "X-Frame-Options" not in embed.headers


def test_pages_render(client):
    page = client.get("/search?q=校园&department=区教育局").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "共 <strong id=\"total\">2</strong> 条" in page
    assert "<mark>校园</mark>" in page and "单位：区教育局" in page
    item = client.get("/items/b52c67ac74d0-4?q=欺凌").get_data(as_text=True)
    assert "本期条目" in item and "相似条目" in item and "<mark>欺凌</mark>" in item
    embed = client.get("/embed?q=就业").get_data(as_text=True)
    assert "<header" not in embed and "新增<mark>就业</mark>" in embed
    xml = client.get("/opensearch.xml")
    assert xml.mimetype == "application/opensearchdescription+xml" and b"{searchTerms}" in xml.data


def test_the_search_page_offers_word_positions_validity_and_search_within_results(client):
    page = client.get("/search?q=工作&department=区教育局&within=sentence").get_data(as_text=True)
    assert '<input type="radio" name="within" value="sentence" checked> 同句' in page
    assert "词语位置：同句" in page and 'id="facet-validity"' in page and "未见废止" in page
    form = page.split('class="searchbox refine"')[1].split("</form>")[0]
    assert 'name="refine"' in form and "在结果中检索" in form
    kept = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    assert kept == {"q": "工作", "department": "区教育局", "within": "sentence"}
    refined = client.get("/search", query_string={**kept, "refine": " 校园 ", "page": "3"})
    assert refined.status_code == 302
    target = parse_qs(urlsplit(refined.headers["Location"]).query)
    assert target == {"q": ["工作 校园"], "department": ["区教育局"], "within": ["sentence"]}
    narrowed = client.get(refined.headers["Location"]).get_data(as_text=True)
    alone = client.get("/api/search?q=工作 校园&department=区教育局&within=sentence").get_json()
    assert f'共 <strong id="total">{alone["total"]}</strong> 条' in narrowed
    api = client.get("/api/search?q=工作&within=paragraph&cites=国发〔2016〕5号").get_json()
    assert api["query"]["within"] == "paragraph" and api["query"]["cites"] == ["国发〔2016〕5号"] and api["total"] == 0
    assert [v["value"] for v in client.get("/api/search").get_json()["facets"]["validity"]] == ["未见废止"]


def test_export_is_the_whole_result_set_as_utf8_csv_with_bom(client):
    r = client.get("/export.csv?q=区&size=2&page=1")
    assert r.mimetype == "text/csv" and r.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0] == ["标识", "标题", "日期", "年份", "单位", "主题", "期次", "条目位置", "文号", "链接", "来源文件",
                       "原文署名", "正文"]  # Chinese headers for Excel and WPS users; the JSON API keeps its names
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    total = client.get("/api/search?q=区").get_json()["total"]
    assert len(rows) - 1 == total > 2


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    feed = write_jsonl(folder / "x.jsonl", [
        {"id": "x1", "title": f"标题{XSS}", "body": f"正文{XSS}（区教育局）", "department": f"单位{XSS}",
         "topics": ["科技、教育\\教育"], "issue": f"期{XSS}", "date": "2022-01-01", "evil": XSS},
    ])
    return create_app({"INDEX_DIR": str(build_index([feed], folder / "index"))}).test_client()


@pytest.mark.parametrize("path", ["/search?q=标题", "/search?q=" + XSS, "/items/x1", "/items/x1?q=" + XSS,
                                  "/embed?q=正文", "/embed?q=" + XSS, "/search?department=单位" + XSS])
def test_markup_in_corpus_and_queries_is_shown_as_text(hostile_client, path):
    page = hostile_client.get(path).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&lt;img" in page


def test_markup_in_api_html_fields_is_escaped(hostile_client):
    hit = hostile_client.get("/api/search?q=script").get_json()["hits"][0]
    assert hit["title_html"].startswith("标题&lt;<mark>script</mark>&gt;alert(")
    assert "<img" not in hit["snippet_html"] and "<script" not in hit["snippet_html"]


def test_a_page_past_the_result_window_is_a_400_naming_it(client):
    response = client.get("/api/search?q=&page=99999999")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "result_window" and "10,000" in error["message"] and "10,000" in error["message_zh"]
    page = client.get("/search?q=&page=99999999")
    assert page.status_code == 400 and "结果只能翻到前" in page.get_data(as_text=True)
