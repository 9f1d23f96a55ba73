"""Errors of the web layer and how they are shown: JSON under /api/, a page elsewhere.

Every error under ``/api/`` is ``{"error": {"code": "…", "message": "…"}}`` with a
4xx/5xx status, never an HTML page. Hierarchy of what is mapped::

    BadParameter (search.errors)        400 bad_parameter    names the parameter (result_window: a page too far)
    QueryTooExpensive (search.errors)   400 query_too_expensive
    NotFound (werkzeug)                 404 not_found
    MethodNotAllowed (werkzeug)         405 method_not_allowed
    RequestEntityTooLarge (werkzeug)    413 too_large
    IndexProblem (indexer.errors)       503 index_unavailable  says which command fixes it
    anything else                       500 internal_error     logged, details not shown

Errors the server meets before the app sees a request (one it cannot read, headers too large …) take the
same shape through :func:`server_error`.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexProblem
from search.errors import BadParameter, QueryTooExpensive

log = logging.getLogger("jianbao")

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
          414: "uri_too_long", 429: "too_many_requests", 431: "headers_too_large", 500: "internal_error",
          501: "not_implemented"}
# The Chinese message of each status, for pages and the API's ``message_zh`` (when nothing more exact is known).
_MESSAGES_ZH = {400: "请求有误", 404: "没有找到所请求的页面或条目", 405: "不支持此请求方式", 413: "请求内容过大",
                414: "网址过长，请减少筛选条件", 429: "请求过多，请稍后再试", 431: "请求头过大",
                500: "服务器出错，已记录在案", 501: "服务器不支持此请求的传输方式",
                503: "检索服务暂不可用，请稍后再试或联系管理员"}


def chinese_message(status: int) -> str:
    """The Chinese message of an HTTP status, when nothing more exact is known."""
    return _MESSAGES_ZH.get(status, "出错了")


def error_response(status: int, code: str, message: str, message_zh: str | None = None) -> Response:
    """The error shape for the API and the CSV export (read by programs, with ``message_zh``), or a page in Chinese."""
    message_zh = message_zh or chinese_message(status)
    if request.path.startswith("/api/") or request.path == "/export.csv":
        response = jsonify({"error": {"code": code, "message": message, "message_zh": message_zh}})
    else:
        response = Response(render_template("error.html", status=status, message=message_zh), mimetype="text/html")
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(BadParameter)
    def bad_parameter(e: BadParameter) -> Response:
        return error_response(400, e.code, str(e), e.message_zh)

    @app.errorhandler(QueryTooExpensive)
    def too_expensive(e: QueryTooExpensive) -> Response:
        return error_response(400, "query_too_expensive", str(e), e.message_zh)

    @app.errorhandler(IndexProblem)
    def index_problem(e: IndexProblem) -> Response:
        return error_response(503, "index_unavailable", str(e))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        status = e.code or 500
        described = e.description if e.description and not e.description.isascii() else None
        return error_response(status, _CODES.get(status, "http_error"), e.description or e.name, described)

    @app.errorhandler(Exception)
    def internal(e: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "internal_error", "the server met an error; it has been logged")


def server_error(app: Flask, status: int, message: str, path: str) -> tuple[str, bytes]:
    """The app's answer to an error the server met itself (``path``: what the request asked, or empty): the
    content type and body of :func:`error_response`."""
    with app.test_request_context(path if path.startswith("/") and len(path) < 1024 else "/"):
        response = error_response(status, _CODES.get(status, "http_error"), message)
    return response.content_type, response.get_data()
