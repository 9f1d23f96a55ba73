"""Jianbao's web app: search pages, item pages, the embed, exports and the JSON API.

``create_app(test_config=None)`` builds the Flask app; ``python -m webapp`` serves
it with waitress. The search itself is a :class:`search.Searcher` and knows nothing of Flask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from indexer.settings import Settings
from search import open_searcher
from webapp import errors, identity, uploads
from webapp.api import api
from webapp.browse import browse
from webapp.exports import ExportSlots
from webapp.pages import pages

MAX_QUERY_STRING = 64 * 1024  # bytes of a request's query string (the documented maxima fit in it)
MAX_BODY = 16 * 1024  # bytes of a request body (the app only answers GET)
RESULTS_MAX_AGE = 60  # seconds a browser may reuse a page or API answer (an update shows within a minute)
NEVER_STORED = ("/export.csv", "/api/health")
DESCRIPTIONS = ("/opensearch.xml", "/api/openapi.json")


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """The app, configured from ``settings`` (default: the environment's) and then ``test_config``."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(settings.index_dir),
        CORS_ORIGINS=list(settings.cors_origins),
        QUERY_BUDGET_MS=settings.query_budget_ms,
        BACKEND=settings.backend,
        PUBLIC_URL=settings.public_url,
        FRAME_ORIGINS=list(settings.frame_origins),
        EXPORT_SLOTS=settings.export_slots,
        EXPORT_SECONDS=settings.export_seconds,
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["jianbao"] = open_searcher(Path(app.config["INDEX_DIR"]), app.config["QUERY_BUDGET_MS"],
                                              app.config["BACKEND"])
    app.extensions["jianbao_exports"] = ExportSlots(app.config["EXPORT_SLOTS"], app.config["EXPORT_SECONDS"])
    identity.install(app, settings)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(browse)
    uploads.install(app, settings)
    errors.register(app)

    @app.before_request
    def limit_query_string() -> Response | None:
        if len(request.query_string) > MAX_QUERY_STRING:
            return errors.error_response(414, "uri_too_long",
                                         f"the query string is longer than {MAX_QUERY_STRING} bytes")
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        embed = request.path == "/embed"
        frame = " ".join(["'self'", *app.config["FRAME_ORIGINS"]]) if embed else "'none'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame}",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not embed:  # X-Frame-Options cannot list origins: /embed relies on frame-ancestors alone
            response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", cache_control(request.path, response.status_code))
        return response

    return app


def cache_control(path: str, status: int) -> str:
    """How long a response may be kept: briefly and privately for results (an update changes them),
    a day for descriptions of the site, never for errors, health checks and exports."""
    if status >= 400 or path in NEVER_STORED:
        return "no-store"
    if path in DESCRIPTIONS:
        return "public, max-age=86400"
    return f"private, max-age={RESULTS_MAX_AGE}"
