"""The OpenAPI 3.1 document of the JSON API (served at ``/api/openapi.json``).

The schemas are JSON Schema 2020-12 (as OpenAPI 3.1 allows), strict about the
fields docs/api.md names; tests validate real responses against them.
"""

from __future__ import annotations

from typing import Any

from search.limits import (
    CITES_PATTERN,
    MAX_CITED_BY,
    MAX_FACET_VALUES,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
    MAX_SIMILAR,
    MAX_VALUE_CHARS,
    SCOPES,
    SORTS,
    WITHIN,
)
from search.validity import CODES, STATUS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "A parameter that cannot be used, or a query too expensive to answer"),
    "404": _json(_ref("Error"), "No such item or path"),
    "414": _json(_ref("Error"), "A query string longer than the server accepts"),
    "503": _json(_ref("Error"), "No usable index (the message says which command fixes it)"),
}

_STRINGS = {"type": "array", "items": {"type": "string"}}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}


def _param(name: str, description: str, schema: dict[str, Any], repeat: bool = False) -> dict[str, Any]:
    param = {"name": name, "in": "query", "required": False, "description": description,
             "schema": {"type": "array", "items": schema, "maxItems": MAX_FACET_VALUES} if repeat else schema}
    if repeat:
        param["style"], param["explode"] = "form", True
    return param


_SEARCH_PARAMS = [
    _param("q", "The query: words (all must match), \"exact phrase\", A OR B, -word, title:word. "
                "Empty: all items.", {"type": "string", "maxLength": MAX_QUERY_CHARS}),
    _param("department", "Reporting unit (repeatable; OR within the facet)",
           {"type": "string", "maxLength": MAX_VALUE_CHARS}, True),
    _param("topic", "Topic: a top level or a top\\child path (repeatable)",
           {"type": "string", "maxLength": MAX_VALUE_CHARS}, True),
    _param("year", "Year YYYY or 'unknown' (repeatable)", {"type": "string", "pattern": "^([0-9]{4}|unknown)$"}, True),
    _param("issue", "Issue key, as /api/issues lists them (repeatable; OR within the filter)",
           {"type": "string", "maxLength": MAX_VALUE_CHARS}, True),
    _param("validity", "Whether still in force: 已废止 (a later item of the archive says it is repealed), 已失效 (the "
                       "validity it states has ended), 未见废止 (repeatable)", {"type": "string", "enum": list(CODES)},
           True),
    _param("cites", "A 文号 the items cite, e.g. 国办发〔2016〕82号 (repeatable; items citing any of "
                    "them). The pattern is its common form; other brackets, full-width digits, "
                    "〔年份〕代字第N号, 某某令第N号 and 某某公告YYYY年第N号 are read too; anything else is a 400",
           {"type": "string", "pattern": CITES_PATTERN}, True),
    _param("within", "Where every term must stand together: the item, one paragraph (a line of the body; the title "
                     "is one), one sentence (ending at 。！？； or a line break)",
           {"type": "string", "enum": list(WITHIN), "default": "item"}),
    _param("date_from", "Inclusive lower date bound", {"type": "string", "format": "date"}),
    _param("date_to", "Inclusive upper date bound", {"type": "string", "format": "date"}),
    _param("scope", "Where words are looked for", {"type": "string", "enum": list(SCOPES), "default": "all"}),
    _param("sort", "Result order", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    _param("page", f"1-based page; page × size may not pass {MAX_RESULT_WINDOW} (400 result_window): the maximum "
                   "here is what holds with any size", {"type": "integer", "minimum": 1,
                                                        "maximum": MAX_RESULT_WINDOW // MAX_PAGE_SIZE, "default": 1}),
    _param("size", "Hits a page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 10}),
]

_BRIEF = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "title", "position", "date", "departments", "url", "label"],
    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "position": {"type": "integer"},
                   "date": _NULLABLE_STRING, "departments": _STRINGS, "url": {"type": "string"},
                   "label": {"type": "string"}},
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message", "message_zh"], "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                           "message_zh": {"type": "string", "description": "the message in Chinese, for pages"}}}},
    },
    "FacetValue": {
        "type": "object", "required": ["value", "count", "selected"], "additionalProperties": False,
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                       "selected": {"type": "boolean"},
                       "children": {"type": "array", "items": _ref("FacetValue")}},
    },
    "Hit": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "title_html", "snippet_html", "departments", "topics", "date", "year",
                     "issue", "position", "url"],
        "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                       "title_html": {"type": "string", "description": "escaped text with <mark> added"},
                       "snippet_html": {"type": "string", "description": "escaped text with <mark> added"},
                       "departments": _STRINGS, "topics": _STRINGS, "date": {**_NULLABLE_STRING, "format": "date"},
                       "year": _NULLABLE_INT, "issue": {"type": "string"}, "position": {"type": "integer"},
                       "issue_key": {"type": "string", "description": "the issue's key (see /api/issues)"},
                       "url": {"type": "string"}},
    },
    "SearchResult": {
        "type": "object", "additionalProperties": False,
        "required": ["total", "page", "size", "pages", "took_ms", "query", "notes", "also_searched", "hits",
                     "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 1},
            "took_ms": {"type": "number", "minimum": 0},
            "query": {"type": "object", "additionalProperties": False,
                      "required": ["q", "department", "topic", "year", "validity", "issue", "cites", "date_from",
                                   "date_to", "scope", "within", "sort"],
                      "properties": {"q": {"type": "string"}, "department": _STRINGS, "topic": _STRINGS,
                                     "year": _STRINGS, "validity": _STRINGS, "issue": _STRINGS, "cites": _STRINGS,
                                     "date_from": _NULLABLE_STRING, "date_to": _NULLABLE_STRING,
                                     "scope": {"enum": list(SCOPES)}, "within": {"enum": list(WITHIN)},
                                     "sort": {"enum": list(SORTS)}}},
            "notes": _STRINGS,
            "also_searched": {**_STRINGS, "description": "synonyms the query's unquoted terms also found"},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": {"type": "object", "additionalProperties": False,
                       "required": ["department", "topic", "year", "validity"],
                       "properties": {name: {"type": "array", "items": _ref("FacetValue")}
                                      for name in ("department", "topic", "year", "validity")}},
            "months": {"type": "object", "description": "matches by month (01-12, unknown); only when one year "
                       "is selected", "additionalProperties": {"type": "integer", "minimum": 0}},
        },
    },
    "Item": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "title", "body", "issue", "source", "position", "issue_key", "attribution",
                     "departments", "topics", "date", "year", "date_inferred", "year_inferred", "url", "doc_number",
                     "reporters", "ocr", "duplicates", "access", "topic_basis", "truncated", "extra", "page_url",
                     "cites", "cited_by", "validity", "repeals", "expires"],
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"},
                       "issue": {"type": "string"}, "source": {"type": "string"}, "position": {"type": "integer"},
                       "issue_key": {"type": "string"}, "attribution": {"type": "string"},
                       "departments": _STRINGS, "topics": _STRINGS, "date": _NULLABLE_STRING,
                       "year": _NULLABLE_INT, "date_inferred": {"type": "boolean"},
                       "year_inferred": {"type": "boolean", "description": "the former name of date_inferred"},
                       "doc_number": {"type": ["string", "null"], "description": "文号, e.g. 国办发〔2018〕108号"},
                       "reporters": _STRINGS, "ocr": {"type": "boolean"}, "duplicates": _STRINGS,
                       "access": _STRINGS,
                       "truncated": {"type": "integer", "minimum": 0,
                                     "description": "characters of the text left out beyond the limit of an item"},
                       "topic_basis": {"type": "string", "description": "why the topic was given, when no document "
                                                                       "stated it (依据：标题含“收费公路”)"},
                       "url": {"type": ["string", "null"], "description": "the source record's own address"},
                       "page_url": {"type": "string", "description": "the item's page in this service"},
                       "cites": {"type": "array", "description": "the documents it cites by 文号 or 《title》: id set "
                                 "when the document is in the archive and visible", "items": _ref("Citation")},
                       "cited_by": {"type": "array", "maxItems": MAX_CITED_BY, "items": _ref("CitingItem"),
                                    "description": "the items citing it by its 文号 or exact title, newest first"},
                       "validity": _ref("Validity"),
                       "repeals": {"type": "array", "description": "what its text says is no longer in force",
                                   "items": {"type": "object", "required": ["doc_number", "title", "evidence"],
                                             "properties": {"doc_number": _NULLABLE_STRING, "title": _NULLABLE_STRING,
                                                            "evidence": {"type": "string"}}}},
                       "expires": {"type": ["object", "null"], "required": ["date", "evidence"],
                                   "description": "the last day of the validity its text states for itself",
                                   "properties": {"date": {"type": "string", "format": "date"},
                                                  "evidence": {"type": "string"}}},
                       "extra": {"type": "object", "description": "fields of the source record kept as they were"}},
    },
    "ItemBrief": _BRIEF,
    "Citation": {
        "type": "object", "additionalProperties": False, "required": ["doc_number", "title", "id"],
        "properties": {"doc_number": _NULLABLE_STRING, "title": _NULLABLE_STRING,
                       "id": {**_NULLABLE_STRING, "description": "the cited item, when in the archive and visible"}},
    },
    "CitingItem": {
        "type": "object", "additionalProperties": False, "required": ["id", "title", "doc_number", "date"],
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "doc_number": _NULLABLE_STRING,
                       "date": _NULLABLE_STRING, "year": _NULLABLE_INT},
    },
    "Validity": {
        "type": "object", "additionalProperties": False, "required": ["status", "by", "evidence"],
        "properties": {"status": {"enum": list(STATUS.values())},
                       "by": {"type": ["object", "null"], "additionalProperties": False,
                              "required": ["id", "title", "doc_number"],
                              "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                             "doc_number": _NULLABLE_STRING},
                              "description": "the later item saying it is no longer in force"},
                       "evidence": {"type": "string", "description": "the sentence saying so, or the stated period"}},
    },
    "SimilarItem": {**_BRIEF, "required": [*_BRIEF["required"], "shared_terms"],
                    "properties": {**_BRIEF["properties"],
                                   "shared_terms": {**_STRINGS, "description": "rare words it shares with the item"}}},
    "ItemPage": {
        "type": "object", "additionalProperties": False, "required": ["item", "issue", "similar"],
        "properties": {
            "item": _ref("Item"),
            "issue": {"type": "object", "additionalProperties": False, "required": ["title", "date", "key", "items"],
                      "properties": {"title": {"type": "string"}, "date": _NULLABLE_STRING, "key": {"type": "string"},
                                     "items": {"type": "array", "items": _ref("ItemBrief")}}},
            "similar": {"type": "array", "maxItems": MAX_SIMILAR, "items": _ref("SimilarItem")},
        },
    },
    "Issue": {
        "type": "object", "additionalProperties": False,
        "required": ["key", "name", "label", "date", "year", "items", "kind", "url", "first_url"],
        "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                       "label": {"type": "string", "description": "the name to show"},
                       "date": _NULLABLE_STRING, "year": _NULLABLE_INT, "items": {"type": "integer", "minimum": 1},
                       "kind": {"enum": ["issue", "document"],
                                "description": "a bulletin issue, or a document (or a file of documents) that is none"},
                       "url": {"type": "string", "description": "the issue's page in this service"},
                       "first_url": {**_NULLABLE_STRING, "description": "the page of its first item"}},
    },
    "Issues": {
        "type": "object", "additionalProperties": False, "required": ["issues"],
        "properties": {"issues": {"type": "array", "items": _ref("Issue")}},
    },
    "IssuePage": {
        "type": "object", "additionalProperties": False, "required": ["issue", "items"],
        "properties": {"issue": _ref("Issue"), "items": {"type": "array", "items": _ref("ItemBrief")}},
    },
    "Suggestions": {
        "type": "object", "additionalProperties": False, "required": ["q", "suggestions"],
        "properties": {"q": {"type": "string"}, "suggestions": {"type": "array", "items": {
            "type": "object", "required": ["type", "value"], "additionalProperties": False,
            "properties": {"type": {"enum": ["title", "department", "topic"]}, "value": {"type": "string"},
                           "count": {"type": "integer"}, "id": {"type": "string"}, "url": {"type": "string"}}}}},
    },
    "Health": {
        "type": "object", "additionalProperties": False, "required": ["status", "items", "index_version"],
        "properties": {"status": {"const": "ok"}, "items": {"type": "integer", "minimum": 0},
                       "index_version": {"type": "string"}},
    },
}


_UPLOAD_ERRORS = {status: _json(_ref("Error"), text) for status, text in (
    ("400", "Nothing acceptable was sent (each refused file with its reason)"),
    ("401", "No identity (or a token that is not accepted)"),
    ("403", "Not an uploader (admin), or no valid CSRF token"),
    ("404", "No such upload (or not the caller's)"), ("409", "Not possible in the upload's state"),
    ("413", "Larger than JIANBAO_UPLOAD_MAX_BYTES, or more files than JIANBAO_UPLOAD_MAX_FILES"),
    ("503", "Uploads are not possible (no local index)"))}
_UPLOAD = _json({"type": "object", "required": ["id", "status", "files", "refused", "progress", "items"],
                 "description": "An upload: status (queued, indexing, done, failed, withdrawn), files stored and "
                                "refused (with reasons), progress (files, total, items) and the item ids added"},
                "The upload")
_UPLOAD_ID = [{"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_FORM = {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
    "issue": {"type": "string"}, "date": {"type": "string", "format": "date"},
    "access": {"type": "string", "description": "groups, comma separated; empty: public"}}}}}
_UPLOAD_PATHS = {
    "/api/uploads": {"post": {
        "operationId": "upload", "summary": "Upload bulletin files (uploaders); they are indexed in the background",
        "requestBody": {"required": True, "content": _FORM},
        "responses": {"202": _UPLOAD, **_UPLOAD_ERRORS}}},
    "/api/uploads/{upload_id}": {"get": {
        "operationId": "upload_status", "summary": "An upload's status and progress", "parameters": _UPLOAD_ID,
        "responses": {"200": _UPLOAD, **_UPLOAD_ERRORS}}},
    "/api/uploads/{upload_id}/retry": {"post": {
        "operationId": "upload_retry", "summary": "Index a failed or interrupted upload again",
        "parameters": _UPLOAD_ID, "responses": {"202": _UPLOAD, **_UPLOAD_ERRORS}}},
    "/api/withdrawals": {"post": {
        "operationId": "withdraw", "summary": "Withdraw an upload or an item (administrators); files kept aside",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "properties": {"upload": {"type": "string"}, "item": {"type": "string"}}}}}},
        "responses": {"200": _json({"type": "object", "required": ["removed", "message"]}, "Withdrawn"),
                      **_UPLOAD_ERRORS}}},
    "/api/withdrawals/restore": {"post": {
        "operationId": "restore", "summary": "Restore a withdrawn item (administrators): its file is read again",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["item"], "properties": {"item": {"type": "string"}}}}}},
        "responses": {"200": _json({"type": "object", "required": ["item", "message"]}, "Restored"),
                      **_UPLOAD_ERRORS}}},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Jianbao (简报检索) API", "version": "1.0.0",
                 "description": "Full-text search over government work bulletins, with exact facet counts."},
        "paths": {
            "/api/search": {"get": {
                "operationId": "search", "summary": "Search items; facets are counted over all matches",
                "parameters": _SEARCH_PARAMS,
                "responses": {"200": _json(_ref("SearchResult"), "One page of hits and the facets"), **_ERRORS}}},
            "/api/items/{item_id}": {"get": {
                "operationId": "item", "summary": "An item, its issue in order, and up to 5 similar items",
                "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("ItemPage"), "The item"), **_ERRORS}}},
            "/api/issues": {"get": {
                "operationId": "issues", "summary": "Every issue with its date and number of items, newest first",
                "responses": {"200": _json(_ref("Issues"), "The issues"), **_ERRORS}}},
            "/api/issues/{key}": {"get": {
                "operationId": "issue", "summary": "One issue and its items in order",
                "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("IssuePage"), "The issue"), **_ERRORS}}},
            "/api/suggest": {"get": {
                "operationId": "suggest", "summary": "Completions for a partial query",
                "parameters": [_param("q", "The partial query", {"type": "string"})],
                "responses": {"200": _json(_ref("Suggestions"), "Titles, departments and topics"), **_ERRORS}}},
            "/api/health": {"get": {
                "operationId": "health", "summary": "Service status",
                "responses": {"200": _json(_ref("Health"), "The index is open"), **_ERRORS}}},
            **_UPLOAD_PATHS,
        },
        "components": {"schemas": _SCHEMAS},
    }
