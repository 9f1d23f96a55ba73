"""Browsing beside searching: the issue list and issue pages, the Atom feed of a search, its trend as CSV.

``/issues`` lists the issues by year, newest first; ``/issues/<key>`` shows one issue's
items in order with a search box that searches within it (the ``issue`` filter);
``/feed.atom`` takes the parameters of ``/search`` and gives its newest 50 items as an
Atom feed (RFC 4287, written by :mod:`webapp.feed`); ``/trend.csv`` gives the counts the trend chart draws.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request, url_for

from indexer.items import Item
from search import SearchQuery, item_path
from search.results import IssueSummary
from webapp.citation import citation, csl_record, kind_zh
from webapp.current import searcher
from webapp.feed import FeedAddresses, atom_feed
from webapp.site import site
from webapp.trend import trend_of
from webapp.wording import attachment

browse = Blueprint("browse", __name__)

FEED_SIZE = 50
URI_SAFE = "/?&=%:+,;@!$'()*~-._"  # what a query string keeps as it is in the feed's addresses


def _root() -> str:
    """The configured public address of the site (no trailing slash); empty: links stay relative.

    Never the request's Host header, which a client chooses."""
    return site().settings.public_url


@browse.get("/issues")
def issue_list() -> str:
    """The bulletin issues by year, newest first (name, date, number of items); then the single documents (公文, web
    articles, any file that is not a bulletin issue) by year, each leading to its item."""
    issues = searcher().issues()
    bulletins = [i for i in issues if not i.is_document]
    documents = [i for i in issues if i.is_document]
    return render_template("issues.html", years=by_year(bulletins), documents=by_year(documents),
                           total=len(bulletins), total_documents=sum(i.items for i in documents))


def by_year(issues: list[IssueSummary]) -> list[tuple[int | None, list[IssueSummary]]]:
    """The issues grouped by year (one group a year, whatever their order), newest year first, unknown last."""
    groups: dict[int | None, list[IssueSummary]] = {}
    for issue in issues:
        groups.setdefault(issue.year, []).append(issue)
    return sorted(groups.items(), key=lambda g: g[0] or 0, reverse=True)


@browse.get("/issues/<path:key>")
def issue_page(key: str) -> str:
    """One issue's items in order, with a search box that searches within it."""
    page = searcher().issue(key)
    if page is None:
        abort(404, description="没有这一期简报")
    return render_template("issue.html", page=page, issue=page.issue)


@browse.get("/feed.atom")
def feed() -> Response:
    """The newest items of a search as an Atom feed (the parameters of ``/search``)."""
    params = request.args.to_dict(flat=False)
    params.update(sort=["date_desc"], page=["1"], size=[str(FEED_SIZE)])
    query = SearchQuery.from_params(params)
    export = searcher().export(query, FEED_SIZE)
    root = _root()
    given = quote(request.query_string, safe=URI_SAFE)  # the client's bytes, as a valid URI's query
    self_path = url_for("browse.feed") + (f"?{given}" if given else "")
    at = FeedAddresses(
        feed_id=root + self_path if root else "urn:jianbao:feed:" + quote(self_path, safe=""),
        self_url=root + self_path, search_url=root + url_for("pages.search_page") + (f"?{given}" if given else ""),
        entry_id=lambda i: root + item_path(i) if root else "urn:jianbao:item:" + quote(i, safe=""),
        entry_url=lambda i: root + item_path(i))
    return Response(atom_feed(query.q, list(export.items), export.total, at), mimetype="application/atom+xml")


@browse.get("/trend.csv")
def trend_csv() -> Response:
    """The counts of the trend chart (by year, or by month when one year is selected) as CSV."""
    query = SearchQuery.from_params(request.args.to_dict(flat=False))
    trend = trend_of(searcher().search(query))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["月份" if trend.by_month else "年份", "条目数"])
    for bar in trend.bars:
        writer.writerow([bar.label, bar.count])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": attachment("简报检索趋势")})



@browse.app_template_global()
def permalink(item_id: str) -> str:
    """The stable address of an item's page (the id does not change when the archive is rebuilt)."""
    return _root() + item_path(item_id)


@browse.app_template_global()
def cite(item: Item, issue_items: list[Item]) -> dict[str, str]:
    """The item's GB/T 7714-2015 citation, cited today, and the kind of reference it is cited as."""
    record = csl_record(item, _issue_of(item, issue_items), permalink(item.id), dt.date.today())
    return {"text": citation(record), "kind": kind_zh(record)}


@browse.app_template_global("issue_of")
def _issue_of(item: Item, issue_items: list[Item]) -> IssueSummary:
    """The summary of an item's issue (its name to show, whether it is a document) from its items."""
    return IssueSummary.of(issue_items[0] if issue_items else item, len(issue_items) or 1, item.date, item.year)
