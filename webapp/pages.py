"""HTML pages: search with facets, item pages, the embeddable search, OpenSearch and CSV export.

Every page state is a URL with the parameters of ``/api/search``, so any result
page can be shared, bookmarked or opened as JSON (the "JSON" link on each page).
Pages work without JavaScript; ``static/app.js`` only makes them quicker to use.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for

from indexer.items import SEPARATOR
from search import BadParameter, SearchQuery, SearchResult, highlight, item_path
from search.facet_values import FACETS, UNKNOWN_YEAR
from search.limits import MAX_EXPORT_ROWS, MAX_QUERY_CHARS, SORTS
from search.query import parse
from webapp.current import searcher
from webapp.errors import error_response
from webapp.exports import ExportSlots
from webapp.hints import no_results_help, note_zh, page_query
from webapp.site import site
from webapp.trend import Bar, month_range, trend_of
from webapp.wording import CSV_HEADERS, attachment

pages = Blueprint("pages", __name__)

SORT_LABELS = {"relevance": "相关度", "date_desc": "最新", "date_asc": "最早"}
FACET_LABELS = {"department": "单位", "topic": "主题", "year": "年份", "validity": "效力", "issue": "期次",
                "cites": "引用文号"}
WITHIN_LABELS = {"item": "全文", "paragraph": "同段", "sentence": "同句"}  # 词语位置
EMBED_KEEPS = ("department", "topic", "year", "validity", "issue", "cites", "date_from", "date_to", "scope", "within",
               "size")  # and an asked sort
REFINE = "refine"  # the words 在结果中检索 adds to the query
# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Corpus URLs that become links: http(s) only, nothing a browser would strip or reinterpret.
LINKABLE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\\]+", re.IGNORECASE)


class QueryLinks:
    """URLs for every change a page offers of the current query (toggle a filter, sort, page...)."""

    def __init__(self, query: SearchQuery, endpoint: str = "pages.search_page"):
        self.query = query
        self.endpoint = endpoint

    def url(self, endpoint: str | None = None, **changes) -> str:
        params = self.query.to_params(**changes)
        return url_for(endpoint or self.endpoint) + ("?" + urlencode(params) if params else "")

    def toggle(self, facet: str, value: str) -> str:
        """The query with a facet value added, or removed if it was selected (back to page 1)."""
        values = list(self.query.filters[facet])
        values = [v for v in values if v != value] if value in values else values + [value]
        return self.url(filters={**self.query.filters, facet: values}, page=1)

    def without(self, name: str, value: str | None = None) -> str:
        """The query without one filter value, or without a date bound, scope or ``within``."""
        if name in FACETS or name == "cites":
            return self.toggle(name, value)
        if name == "within":
            return self.url(within="item", page=1)
        return self.url(**{name: None if name.startswith("date") else "all"}, page=1)

    def sort(self, sort: str) -> str:
        return self.url(sort=sort, page=1)

    def page(self, page: int) -> str:
        return self.url(page=page)

    def api(self) -> str:
        return self.url("api.search")

    def export(self) -> str:
        return self.url("pages.export_csv", page=1, size=10)


def _query() -> SearchQuery:
    return SearchQuery.from_params(request.args.to_dict(flat=False))


def _chips(query: SearchQuery, links: QueryLinks) -> list[dict[str, str]]:
    """The active filters, each with the URL that removes it."""
    chips = [{"label": f"{FACET_LABELS[name]}：{value.replace(SEPARATOR, ' › ')}",
              "url": links.without(name, value)}
             for name in FACETS for value in query.filters[name]]
    if query.date_from:
        chips.append({"label": f"起：{query.date_from}", "url": links.without("date_from")})
    if query.date_to:
        chips.append({"label": f"止：{query.date_to}", "url": links.without("date_to")})
    if query.scope == "title":
        chips.append({"label": "仅标题", "url": links.without("scope")})
    if query.within != "item":
        chips.append({"label": f"词语位置：{WITHIN_LABELS[query.within]}", "url": links.without("within")})
    chips += [{"label": f"{FACET_LABELS['cites']}：{number}", "url": links.without("cites", number)}
              for number in query.filters["cites"]]
    return chips


def _page_numbers(result: SearchResult) -> list[int | None]:
    """Page numbers to show: first, last and a window around the current one (None for a gap)."""
    current, last = result.query.page, result.pages
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


@pages.get("/")
@pages.get("/search")
def search_page() -> str | Response:
    """The search page: box, facets, trend chart, active filters, sort, hits, pagination, help when nothing is found.

    ``refine`` (the 在结果中检索 box) adds words to the query: the page redirects to the query with them, its filters
    kept, at its first page."""
    if REFINE in request.args:
        return redirect(_refined(request.args.to_dict(flat=False)))
    query, warnings = page_query(request.args.to_dict(flat=False))
    result = searcher().search(query)
    links = QueryLinks(query)
    chips = _chips(query, links) + [{"label": f"期次：{key}", "url": links.toggle("issue", key)}
                                    for key in query.filters.get("issue", ())]
    help_links = no_results_help(searcher(), query, FACET_LABELS) if not result.total else []
    return render_template("search.html", result=result, query=query, links=links, chips=chips,
                           sorts=[(s, SORT_LABELS[s]) for s in SORTS], pages=_page_numbers(result),
                           within_labels=WITHIN_LABELS,
                           trend=trend_of(result, lambda bar: _trend_link(links, result, bar)), separator=SEPARATOR,
                           warnings=warnings, notes=[note_zh(n) for n in result.notes],
                           help_links=[{**h, "url": links.url(**h["change"])} for h in help_links])


def _refined(params: dict[str, list[str]]) -> str:
    """The search URL of the query with the words of ``refine`` added, every other parameter kept, page 1."""
    added = " ".join(v.strip() for v in params.pop(REFINE, []) if v.strip())
    q = " ".join(part for part in (" ".join(params.pop("q", [])).strip(), added) if part)
    params.pop("page", None)
    pairs = ([("q", q)] if q else []) + [(k, v) for k, values in params.items() for v in values]
    return url_for("pages.search_page") + ("?" + urlencode(pairs) if pairs else "")


@pages.get("/embed")
def embed_page() -> str:
    """Search box and results without the site's chrome, for an <iframe> in another site; its form keeps the
    filters it was opened with (``/embed?department=区教育局`` searches that unit's items only)."""
    query, _ = page_query(request.args.to_dict(flat=False))
    result = searcher().search(query)
    kept = [(name, value) for name, value in query.to_params()
            if name in EMBED_KEEPS or (name == "sort" and "sort" in request.args)]
    links = QueryLinks(query, "pages.embed_page")
    return render_template("embed.html", result=result, query=query, links=links, root=site().settings.public_url,
                           kept=kept, scope=[chip["label"] for chip in _chips(query, links)])


@pages.get("/items/<path:item_id>", merge_slashes=False)
def item_page(item_id: str) -> str:
    """One item in full, with its issue's other items and similar items."""
    page = searcher().item_page(item_id)
    if page is None:
        abort(404, description=f"没有编号为 {item_id} 的条目")
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"longer than {MAX_QUERY_CHARS} characters")
    item = page.item
    terms = [t.text for t in parse(q).positive_terms]
    paragraphs = [highlight.highlight(p, terms) for p in item.body.split("\n")]
    back = request.args.get("back", "")
    link = item.url if item.url and LINKABLE_URL.fullmatch(item.url) else None
    return render_template("item.html", page=page, item=item, paragraphs=paragraphs,
                           title_html=highlight.highlight(item.title, terms), q=q,
                           back_url=url_for("pages.search_page") + ("?" + back if back else ""),
                           separator=SEPARATOR, source_link=link)


@pages.get("/opensearch.xml")
def opensearch() -> Response:
    """The OpenSearch description, so browsers can add Jianbao as a search engine."""
    xml = render_template("opensearch.xml", root=site().settings.public_url)
    return Response(xml, mimetype="application/opensearchdescription+xml")


@pages.get("/export.csv")
def export_csv() -> Response:
    """Every item of the current result set as CSV (UTF-8 with BOM, for spreadsheet programs; Chinese column
    headers and file name, :mod:`webapp.wording`).

    At most EXPORT_SLOTS exports run at once (one more gets a 429), each selected within
    the query budget, cut at MAX_EXPORT_ROWS rows and after EXPORT_SECONDS, with a note
    as the last line when cut; every cell that a spreadsheet would read as a formula starts with ``'``.
    """
    query = _query()
    slots: ExportSlots = site().exports
    lease = slots.acquire()
    if lease is None:
        response = error_response(429, "too_many_requests",
                                  f"{slots.size} exports are running, the most at once: try again in a minute")
        response.headers["Retry-After"] = "60"
        return response
    try:
        export = searcher().export(query, MAX_EXPORT_ROWS)
    except BaseException:
        slots.release(lease)
        raise
    root = site().settings.public_url

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADERS)
        yield "\ufeff" + _drain(buffer)
        for written, item in enumerate(export.items):
            if lease.expired:
                writer.writerow([f"（导出超过 {slots.seconds:g} 秒，已在第 {written} 条后截断：请加筛选条件分批导出）"])
                yield _drain(buffer)
                return
            writer.writerow([spreadsheet_safe(v) for v in (
                item.id, item.title, item.date or "", item.year or "", "；".join(item.departments),
                "；".join(item.topics), item.issue, item.position, item.doc_number or "", root + item_path(item.id),
                item.source, item.attribution, item.body)])
            yield _drain(buffer)
        if export.total > MAX_EXPORT_ROWS:
            writer.writerow([f"（结果共 {export.total} 条，导出限 {MAX_EXPORT_ROWS} 条：请加筛选条件分批导出）"])
            yield _drain(buffer)

    response = Response(stream_with_context(rows()), mimetype="text/csv",
                        headers={"Content-Disposition": attachment("简报检索导出")})
    response.call_on_close(lambda: slots.release(lease))
    return response


def spreadsheet_safe(value: object) -> str:
    """A cell value that spreadsheet programs show as text: one starting a formula gets a leading ``'``."""
    text = str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _trend_link(links: QueryLinks, result: SearchResult, bar: Bar) -> str:
    """Where a bar of the trend chart leads: that year alone, or that month of the selected year."""
    if not result.months:
        return links.url(filters={**result.query.filters, "year": [bar.value]}, page=1)
    if bar.value == UNKNOWN_YEAR:
        return links.url(date_from=None, date_to=None, page=1)
    first, last = month_range(result.query.filters["year"][0], bar.value)
    return links.url(date_from=first, date_to=last, page=1)
