"""The pages in real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Screenshots of each step are saved in ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS

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
        page.click(".histogram a[data-year='2022']")
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
