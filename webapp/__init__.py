"""Jianbao's web app: search pages, item pages, the embed, exports and the JSON API.

``create_app(test_config=None)`` builds the Flask app; ``python -m webapp`` serves
it with waitress. The search itself is a :class:`search.Searcher` and knows nothing of Flask.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from backends import backend_for
from indexer.settings import Settings
from webapp import errors, identity, json_text, uploads
from webapp.api import api
from webapp.audit import AuditLog
from webapp.browse import browse
from webapp.exports import ExportSlots
from webapp.identity import IdentityConfig
from webapp.pages import pages
from webapp.site import EXTENSION, Site, site

MAX_QUERY_STRING = 64 * 1024  # bytes of a request's query string (the documented maxima fit in it)
MAX_BODY = 16 * 1024  # bytes of a request body (the app only answers GET)
RESULTS_MAX_AGE = 60  # seconds a browser may reuse a page or API answer (an update shows within a minute)
NEVER_STORED = ("/export.csv", "/api/health")
DESCRIPTIONS = ("/opensearch.xml", "/api/openapi.json")


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """The app, served with ``settings`` (default: the environment's).

    ``test_config`` is for tests: a key naming a setting in upper case (``INDEX_DIR``, ``PUBLIC_URL``,
    ``FRAME_ORIGINS`` …) replaces that setting; any other key (``TESTING``) is Flask's own configuration.
    """
    settings = _configured(settings or Settings.from_env(), test_config or {})
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY)
    app.config.update({k: v for k, v in (test_config or {}).items() if k.lower() not in _SETTING_NAMES})
    json_text.install(app)
    backend = backend_for(settings)
    audit = AuditLog(settings.audit_log or settings.index_dir / "audit.jsonl", settings.audit_max_bytes)
    app.extensions[EXTENSION] = Site(settings, backend, backend.searcher(),
                                     ExportSlots(settings.export_slots, settings.export_seconds),
                                     IdentityConfig.from_settings(settings), audit,
                                     lambda upload: audit.write(uploads.indexed_entry(upload)))
    identity.install(app)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(browse)
    uploads.install(app)
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
        frame = " ".join(["'self'", *site().settings.frame_origins]) if embed else "'none'"
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


_SETTING_NAMES = {f.name for f in dataclasses.fields(Settings)}


def _configured(settings: Settings, test_config: dict[str, Any]) -> Settings:
    """The settings with those ``test_config`` names replaced (lists as tuples, the index folder as a path)."""
    changes = {}
    for key, value in test_config.items():
        name = key.lower()
        if name in _SETTING_NAMES:
            changes[name] = tuple(value) if isinstance(value, list) else Path(value) if name == "index_dir" else value
    return dataclasses.replace(settings, **changes)


def cache_control(path: str, status: int) -> str:
    """How long a response may be kept: briefly and privately for results (an update changes them),
    a day for descriptions of the site, never for errors, health checks and exports."""
    if status >= 400 or path in NEVER_STORED:
        return "no-store"
    if path in DESCRIPTIONS:
        return "public, max-age=86400"
    return f"private, max-age={RESULTS_MAX_AGE}"
