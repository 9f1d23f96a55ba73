"""The JSON API (docs/api.md): search, items, issues, suggestions, health, and its OpenAPI document."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request

from search import SearchQuery
from search.query import literal_query
from webapp.current import searcher
from webapp.openapi import openapi_document
from webapp.site import site

api = Blueprint("api", __name__, url_prefix="/api")


@api.get("/search")
def search() -> Response:
    """Results, exact facet counts and highlights for the query parameters."""
    query = SearchQuery.from_params(request.args.to_dict(flat=False))
    return jsonify(searcher().search(query).to_dict())


@api.get("/items/<path:item_id>", merge_slashes=False)
def item(item_id: str) -> Response:
    """The whole item, its issue with the other items in order, and similar items."""
    page = searcher().item_page(item_id)
    if page is None:
        abort(404, description=f"no item with id {item_id!r}")
    return jsonify(page.to_dict())


@api.get("/issues")
def issues() -> Response:
    """Every issue with its date and number of items, newest first."""
    return jsonify({"issues": [i.to_dict() for i in searcher().issues()]})


@api.get("/issues/<path:key>")
def issue(key: str) -> Response:
    """One issue and its items in order."""
    page = searcher().issue(key)
    if page is None:
        abort(404, description=f"no issue with key {key!r}")
    return jsonify(page.to_dict())


@api.get("/suggest")
def suggest() -> Response:
    """Completions for a partial query; ``format=opensearch`` gives the browser search-bar form, whose completions
    a browser runs as queries: the titles, each as a query that finds it (a department or a topic is a filter,
    which a search bar cannot set)."""
    q = request.args.get("q", "")
    found = searcher().suggest(q)
    if request.args.get("format") == "opensearch":
        completions = dict.fromkeys(literal_query(s["value"]) for s in found if s["type"] == "title")
        return Response(_opensearch_json(q, [c for c in completions if c]), mimetype="application/x-suggestions+json")
    return jsonify({"q": q, "suggestions": found})


@api.get("/health")
def health() -> Response:
    """``{"status": "ok", "items": N, "index_version": "…"}``."""
    return jsonify(searcher().health())


@api.get("/openapi.json")
def openapi() -> Response:
    """This API as an OpenAPI 3.1 document."""
    return jsonify(openapi_document())


@api.after_request
def cors(response: Response) -> Response:
    """Allow cross-origin calls from the configured origins only."""
    origin = request.headers.get("Origin")
    if origin and origin in site().settings.cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers.add("Vary", "Origin")
    return response


def _opensearch_json(q: str, completions: list[str]) -> str:
    """The OpenSearch suggestions format: ``[query, [completion, ...]]``."""
    return json.dumps([q, completions], ensure_ascii=False)
