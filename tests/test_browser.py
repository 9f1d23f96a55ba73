"""The pages in real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Screenshots of each step are saved in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, SHARED
from tests.serving import in_thread

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (Debian package chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not errors, errors


def _total(page) -> int:
    return int(page.locator("#total").inner_text())


def _department_count(page, name: str) -> int:
    label = page.locator("#facet-department label", has_text=name)
    return int(label.locator(".count").inner_text())


def test_search_tick_two_departments_open_item_and_go_back(page, live_server):
    page.goto(live_server + "/")
    page.fill(".searchbox input[name=q]", "工作")
    page.press(".searchbox input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    total = _total(page)
    education, justice = _department_count(page, "区教育局"), _department_count(page, "区司法局")
    assert total > education + justice
    page.screenshot(path=str(ARTIFACTS / "1-search.png"), full_page=True)

    with page.expect_navigation():
        page.check("#facet-department input[value='区教育局']")
    assert _total(page) == education
    assert page.locator(".chips").inner_text().count("单位：区教育局") == 1
    with page.expect_navigation():
        page.check("#facet-department input[value='区司法局']")
    assert _total(page) == education + justice
    assert _department_count(page, "区教育局") == education  # its own filter leaves its count alone
    assert "department=%E5%8C%BA%E6%95%99%E8%82%B2%E5%B1%80" in page.url
    page.screenshot(path=str(ARTIFACTS / "2-two-departments.png"), full_page=True)

    results_url = page.url
    first = page.locator(".hits .hit h3 a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.locator("h1").inner_text() == title
    neighbours = page.locator("#issue .issue-items li")
    assert neighbours.count() >= 5
    assert page.locator("#issue .issue-items li.current").inner_text() == title
    page.screenshot(path=str(ARTIFACTS / "3-item.png"), full_page=True)

    other = page.locator("#issue .issue-items li a").first
    other_title = other.inner_text()
    with page.expect_navigation():
        other.click()
    assert page.locator("h1").inner_text() == other_title
    page.go_back()
    assert page.locator("h1").inner_text() == title
    page.go_back()
    assert page.url == results_url and _total(page) == education + justice


def test_year_histogram_chips_sort_and_pagination(page, live_server):
    page.goto(live_server + "/search?size=5")
    assert _total(page) == 14
    with page.expect_navigation():
        page.click(".histogram a[data-value='2022']")
    assert _total(page) == 5
    with page.expect_navigation():
        page.locator(".chips a", has_text="年份").click()  # remove the year chip
    assert _total(page) == 14
    with page.expect_navigation():
        page.click(".pagination a[rel=next]")
    assert "page=2" in page.url and page.locator(".hits .hit").count() == 5
    with page.expect_navigation():
        page.locator(".sort a", has_text="最早").click()
    assert "sort=date_asc" in page.url and "page=" not in page.url
    page.screenshot(path=str(ARTIFACTS / "4-browse.png"), full_page=True)


def test_embed_page(page, live_server):
    page.goto(live_server + "/embed?q=就业")
    assert page.locator("header").count() == 0
    assert page.locator(".hits .hit").count() >= 1
    assert "<mark>" in page.locator(".hits .hit").first.inner_html()
    page.screenshot(path=str(ARTIFACTS / "5-embed.png"), full_page=True)


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/search?q=工作")
    page.check("#facet-department input[value='区教育局']")
    with page.expect_navigation():
        page.click("button.apply")
    assert "department=" in page.url and int(page.locator("#total").inner_text()) >= 1
    context.close()


# Every main page at a desktop and a phone width, in Chinese, no wider than the screen, accessible.

WIDTHS = (1280, 390)
# Latin words allowed in visible text: format names (proper names), the standard GB/T 7714 and its [N/OL], [J/OL],
# [EB/OL] notation.
ALLOWED_LATIN = {"JSON", "CSV", "Atom", "API", "GB", "T", "OL", "N", "J", "EB"}
VISIBLE_LATIN = """() => {
  const skip = 'code, .api, .permalink, script, style, svg title';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const words = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest(skip) || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const text = node.textContent.replace(/https?:\\/\\/\\S+/g, '');
    words.push(...(text.match(/[A-Za-z]+/g) || []));
  }
  return words;
}"""
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1;
  }).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  if (document.documentElement.scrollWidth > width) wide.push('page ' + document.documentElement.scrollWidth);
  return wide;
}"""


def _check_page(page, name: str, width: int, query_words: tuple[str, ...] = ()) -> None:
    """No English outside the query, API links and proper names; nothing wider than the screen; axe clean."""
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=str(ARTIFACTS / f"14-{name}-{width}.png"), full_page=True)
    latin = [w for w in page.evaluate(VISIBLE_LATIN) if w not in ALLOWED_LATIN and w not in query_words]
    assert not latin, (name, width, latin)
    assert page.evaluate(TOO_WIDE) == [], (name, width)
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert not serious, (name, width, serious)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 860}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg, request.param
    context.close()
    assert not errors, errors


def test_search_facets_and_year_chart(sized, live_server):
    page, width = sized
    page.goto(live_server + "/search?q=工作")
    _check_page(page, "search", width)
    if width < 800:  # on a phone the filters wait behind 筛选, above the results
        assert not page.locator("#facet-department").is_visible()
        page.click(".filters-toggle a")
        assert page.locator("#facet-department").is_visible()
        _check_page(page, "filters-open", width)
    with page.expect_navigation():
        page.check("#facet-department input[value='区教育局']")
    if width < 800:
        page.click(".filters-toggle a")
    with page.expect_navigation():
        page.check("#facet-department input[value='区司法局']")
    assert page.locator(".chips li").count() == 3  # two units and 清除全部
    _check_page(page, "two-facets", width)
    if width < 800:
        page.click(".filters-toggle a")
    bar = page.locator(".histogram a.bar[data-value='2022']")
    count = int(bar.get_attribute("data-count"))
    with page.expect_navigation():
        bar.click()
    assert "year=2022" in page.url and int(page.locator("#total").inner_text()) == count
    _check_page(page, "year-chart-click", width)


def test_issue_list_issue_page_and_search_within(sized, live_server):
    page, width = sized
    page.goto(live_server + "/issues")
    assert page.locator(".issue-year h2").all_inner_texts() == ["2022年（1 期）", "年份不详（1 期）"]
    _check_page(page, "issues", width)
    with page.expect_navigation():
        page.locator(".issue-table a").last.click()
    assert page.locator(".issue-list li").count() == 9
    _check_page(page, "issue", width)
    page.fill(".within input[name=q]", "工作")
    with page.expect_navigation():
        page.press(".within input[name=q]", "Enter")
    assert "issue=b52c67ac74d0f6a8" in page.url and int(page.locator("#total").inner_text()) >= 1


def test_item_page_and_its_print_view(sized, live_server):
    page, width = sized
    page.goto(live_server + "/items/b52c67ac74d0-4?q=校园")
    assert page.locator("#similar li a").count() >= 1
    _check_page(page, "item", width, ("b",))
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible() and not page.locator(".neighbours").is_visible()
    assert "区教育局" in page.locator(".source-line").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"14-item-print-{width}.png"), full_page=True)


def test_no_results_and_a_half_typed_date(sized, live_server):
    page, width = sized
    page.goto(live_server + "/search?q=%22校园欺凌%22&department=区司法局")
    assert page.locator(".help a").count() >= 1
    _check_page(page, "no-results", width)
    page.goto(live_server + "/search?q=工作")
    if width < 800:
        page.click(".filters-toggle a")
    page.locator("#date-from").press_sequentially("2")  # typing must not submit anything
    page.wait_for_timeout(300)
    assert "date_from" not in page.url
    page.goto(live_server + "/search?q=工作&date_from=0002-01-0")
    assert "起始日期须为" in page.locator(".warning").inner_text()
    _check_page(page, "bad-date", width)


@pytest.fixture(scope="module")
def framed_server(seed_index, tmp_path_factory):
    """The app, and a portal page of another origin (its own loopback server) framing its /embed."""
    import functools
    import http.server

    from webapp import create_app

    folder = tmp_path_factory.mktemp("portal")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    portal = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    portal_origin = f"http://localhost:{portal.server_address[1]}"  # another origin, still on loopback
    app = create_app({"INDEX_DIR": str(seed_index), "FRAME_ORIGINS": [portal_origin]})
    with in_thread(app, threads=2) as (_, port):
        (folder / "portal.html").write_text(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>门户</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>区政府门户</h1>'
            f'<iframe src="http://127.0.0.1:{port}/embed?q=就业" title="简报检索" '
            'style="width:100%;height:480px;border:0"></iframe></body></html>', encoding="utf-8")
        threading.Thread(target=portal.serve_forever, daemon=True).start()
        try:
            yield portal_origin + "/portal.html"
        finally:
            portal.shutdown()


def test_embed_inside_a_page_of_another_origin(sized, framed_server):
    page, width = sized
    page.goto(framed_server)
    page.frame_locator("iframe").locator(".hits .hit").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"14-embed-{width}.png"), full_page=True)
    embed = next(f for f in page.frames if "/embed" in f.url)
    latin = [w for w in embed.evaluate(VISIBLE_LATIN) if w not in ALLOWED_LATIN]
    assert not latin and embed.evaluate(TOO_WIDE) == []


def test_new_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 860})
    page = context.new_page()
    page.goto(live_server + "/search?q=工作")
    page.click(".filters-toggle a")
    page.fill("#date-from", "2022-01-01")
    with page.expect_navigation():
        page.click("button.apply-dates")
    assert "date_from=2022-01-01" in page.url
    page.click(".filters-toggle a")
    with page.expect_navigation():
        page.click(".histogram a.bar >> nth=0")
    assert "year=" in page.url
    page.goto(live_server + "/issues")
    with page.expect_navigation():
        page.locator(".issue-table a").first.click()
    assert page.locator(".issue-list li").count() == 5
    context.close()


def test_the_embed_searches_within_the_filters_it_was_opened_with(page, live_server):
    page.goto(live_server + "/embed?department=区教育局")
    opened = int(page.locator(".total strong").inner_text())
    assert 1 <= opened < 14 and "区教育局" in page.locator(".scope").inner_text()
    page.fill(".searchbox input[name=q]", "工作")
    with page.expect_navigation():
        page.press(".searchbox input[name=q]", "Enter")
    assert "department=" in page.url and "q=" in page.url
    found = int(page.locator(".total strong").inner_text())
    units = page.locator(".hits .hit .meta").all_inner_texts()
    assert 1 <= found <= opened and len(units) == found and all("区教育局" in u for u in units)
    page.screenshot(path=str(ARTIFACTS / "5-embed-filtered.png"), full_page=True)


# Uploads, the admin page and the CSV export, in Chinese at both widths, on a real server with identities.

UPLOADER = {"X-Remote-User": "zhangsan", "X-Remote-Groups": "jianbao-uploader"}
ADMIN = {"X-Remote-User": "root", "X-Remote-Groups": "jianbao-admin"}
NAMES_AND_FORMATS = ("zhangsan", "root", "txt", "html", "jsonl", "docx", "doc", "wps", "rtf", "odt", "pdf", "ofd",
                     "MB")
REAL_DOCX = SHARED / "corpora" / "realworld2" / "docx" / "大纲4：江西省人民政府外事办公室2022年招考外语类公务员考试大纲.docx"


def _broken_docx() -> bytes:
    """A Word package whose document part is not well-formed XML (accepted by its type, failing when read)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document><w:body><w:p>未闭合")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def upload_site(tmp_path_factory):
    """The app over a copy of the seed archive, trusting loopback's identity headers, served by waitress."""
    import shutil

    from tests.conftest import CORPUS, build_index
    from webapp import create_app

    root = tmp_path_factory.mktemp("upload-site")
    shutil.copytree(CORPUS, root / "archive")
    index = build_index([root / "archive"], root / "index")
    with in_thread(create_app({"INDEX_DIR": str(index), "TRUSTED_PROXIES": ["127.0.0.1"]})) as (_, port):
        yield f"http://127.0.0.1:{port}"


def _upload(page, base: str, files: list, issue: str = "") -> str:
    """Send the upload form; wait on its status page (which refreshes itself) until indexing ends."""
    page.goto(base + "/upload")
    page.set_input_files("input[name=files]", files)
    page.fill("input[name=issue]", issue)
    with page.expect_navigation():
        page.click(".upload-form button[type=submit]")
    for _ in range(120):
        status = page.locator("#status").get_attribute("data-status")
        if status not in ("queued", "indexing", "receiving"):
            return status
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError("the upload did not finish")


def test_upload_admin_pages_and_the_csv_are_in_chinese(sized, upload_site):
    page, width = sized
    page.set_extra_http_headers(UPLOADER)
    page.goto(upload_site + "/upload")
    _check_page(page, "upload", width, NAMES_AND_FORMATS)
    assert _upload(page, upload_site, [str(REAL_DOCX)], "2024年第5期") == "done"
    assert "已从 1 个文件建立" in page.locator(".help").first.inner_text()
    _check_page(page, "upload-done", width, NAMES_AND_FORMATS)
    broken = {"name": "损坏的简报.docx", "mimeType": "application/octet-stream", "buffer": _broken_docx()}
    noise = {"name": "随机字节.doc", "mimeType": "application/msword", "buffer": bytes(range(256)) * 16}
    assert _upload(page, upload_site, [broken, noise]) == "failed"
    assert "未建立索引" in page.locator(".help").first.inner_text() and page.locator("tr.refused").count() == 1
    _check_page(page, "upload-failed", width, NAMES_AND_FORMATS)
    page.goto(upload_site + "/admin")  # an uploader is refused, in Chinese, and the refusal audited
    assert "没有权限" in page.locator(".error").inner_text()
    page.set_extra_http_headers(ADMIN)
    page.goto(upload_site + "/admin")
    log = page.locator(".audit tbody").inner_text()
    assert "拒绝" in log and "打开管理页" in log and "需要管理员角色" in log and "索引上传" in log
    _check_page(page, "admin", width, NAMES_AND_FORMATS)
    export = page.request.get(upload_site + "/export.csv?q=" + "公务员")
    header = export.text().lstrip("\ufeff").splitlines()[0].split(",")
    assert header[:4] == ["标识", "标题", "日期", "年份"] and "文号" in header
    assert not [w for w in header if re.search("[A-Za-z]", w)]
    disposition = export.headers["content-disposition"]
    assert "filename*=UTF-8''%E7%AE%80%E6%8A%A5%E6%A3%80%E7%B4%A2" in disposition  # 简报检索…


# The real archives of ../shared/corpora (documents, OFD files, records, the xwlb slice) served as a person sees them.

def _serving(index: Path):
    """The app over an index, served on a free port of loopback; its address."""
    from webapp import create_app

    with in_thread(create_app({"INDEX_DIR": str(index)})) as (_, port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def real_server(real_index):
    yield from _serving(real_index)


@pytest.fixture(scope="module")
def precedents_server(precedents_index):
    yield from _serving(precedents_index)


def _check_layout(page, name: str, width: int) -> None:
    """Nothing wider than the screen, axe clean (the archive's own text may hold any Latin words)."""
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=str(ARTIFACTS / f"27-{name}-{width}.png"), full_page=width < 800)
    assert page.evaluate(TOO_WIDE) == [], (name, width)
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert not serious, (name, width, serious)


ONE_LINE = """() => [...document.querySelectorAll('.issue-table .date, .issue-table .num')].filter(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(cell => cell.textContent)"""


def test_the_issue_list_of_the_real_archive(sized, real_server):
    page, width = sized
    page.goto(real_server + "/issues")
    years = page.locator(".issue-year h2").all_inner_texts()
    assert len(years) == len(set(years)) > 5  # one section a year
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))
    assert page.evaluate(ONE_LINE) == []  # 日期, 不详 and 条目数 never wrap a character a line
    issues = " ".join(page.locator("section.issue-year[id^=y]").all_inner_texts())
    documents = page.locator("#documents").inner_text()
    for not_a_bulletin in ("发票代码", "一日不见兮", "OFD Reader", "国务院关于印发《国务院工作规则》的通知"):
        assert not_a_bulletin not in issues and not_a_bulletin in documents, not_a_bulletin
    assert "你好呀，OFD Reader&Writer！" in documents and "Write…" not in documents  # never cut inside a word
    # the seed issues once each, whatever formats their copies are in (scans included)
    assert issues.count("《区先进制造业开发区“三个聚焦”强化招商引资实效》等 9 条") == 1
    assert issues.count("《卯足干劲") == 1 and "等 5 条" in issues
    _check_layout(page, "issues", width)


# Runs of text no line may break: a table of contents' dot leaders, codes, addresses (non-CJK, no space, 25 or more).
UNBREAKABLE = re.compile(r"[^\s\u3400-\u9fff\uf900-\ufaff]{25,}")
LONG_RUNS = 8  # items with the longest runs whose pages are opened


def _long_runs(searcher) -> list[tuple[str, str]]:
    """(item id, a query that shows the run in the item's snippet) of the items holding the longest runs."""
    from search import SearchQuery

    runs = []
    for item in searcher.export(SearchQuery(size=1), 100_000).items:
        for m in UNBREAKABLE.finditer(item.title + "\n" + item.body):
            before = re.sub(r"\s", "", (item.title + "\n" + item.body)[:m.start()])[-6:]
            runs.append((len(m.group()), item.id, f'"{before}"' if before else ""))
    chosen: dict[str, str] = {}
    for _, item_id, query in sorted(runs, reverse=True):
        if len(chosen) < LONG_RUNS:
            chosen.setdefault(item_id, query)
    return list(chosen.items())


def test_no_page_of_the_real_archive_is_wider_than_the_screen(sized, real_server, real_searcher):
    from urllib.parse import quote

    from search import SearchQuery

    page, width = sized
    runs = _long_runs(real_searcher)
    assert len(runs) == LONG_RUNS
    paths = ["/", "/search?q=目录", "/embed", "/issues/" + real_searcher.issues()[0].key]
    for item_id, query in runs:
        paths += [f"/items/{quote(item_id, safe='')}", f"/search?q={quote(query)}" if query else None]
    if width < 800:  # every item's title and opening, a hundred a page
        total = real_searcher.search(SearchQuery(size=1)).total
        paths += [f"/search?size=100&page={n}" for n in range(1, -(-total // 100) + 1)]
    wide = {}
    for path in filter(None, paths):
        page.goto(real_server + path)
        found = page.evaluate(TOO_WIDE)
        if found:
            wide[path] = found[:3]
    assert not wide, (width, wide)
    for path in ("/", f"/items/{quote(runs[0][0], safe='')}", f"/search?q={quote(runs[0][1])}"):
        page.goto(real_server + path)
        _check_layout(page, "long-run-" + path.split("?")[0].strip("/").split("/")[0], width)


def test_precedent_pages_show_what_cites_what_and_what_is_no_longer_in_force(sized, precedents_server):
    """The gov.cn pages and documents with a record of 国办发〔2016〕82号, which 5347465 says is 停止执行."""
    from urllib.parse import quote

    page, width = sized
    page.goto(precedents_server + "/items/guobanfa-2016-82")
    standing = page.locator(".standing").inner_text()
    assert standing.startswith("已废止") and "停止执行" in standing and "国办发〔2016〕82号" in standing
    page.goto(precedents_server + page.locator(".standing a").get_attribute("href"))  # the document that says so
    assert "5347465" in page.locator(".meta code.path").inner_text()
    assert "国办发〔2016〕82号" in page.locator("#cites").inner_text()
    _check_layout(page, "precedent-repealer", width)
    page.goto(precedents_server + "/items/guobanfa-2016-82")
    _check_layout(page, "precedent-repealed", width)
    page.goto(precedents_server + "/search?q=" + quote("激励") + "&validity=" + quote("已废止"))
    assert page.locator("#total").inner_text() == "1"
    assert page.locator("input[name=within]").count() == 3  # 全文 / 同段 / 同句
    _check_layout(page, "precedent-search", width)
