"""The one object the app's views work with: its settings, backend, Searcher, export slots, identity
settings, audit log, and (made on first use) the uploads service and the CSRF signer.

:func:`create_app <webapp.create_app>` makes a :class:`Site` and keeps it as ``app.extensions["jianbao"]``;
a view reaches it with :func:`site` (and the Searcher bound to what the request may see with
:func:`webapp.current.searcher`). No view reads ``app.config`` or another extension key.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from itsdangerous import URLSafeTimedSerializer

from backends import Backend
from indexer.settings import Settings
from search import Searcher

if TYPE_CHECKING:  # imported for their types only: those modules use the Site themselves
    from indexer.upload_jobs import UploadJobs
    from indexer.uploads import Upload
    from webapp.audit import AuditLog
    from webapp.exports import ExportSlots
    from webapp.identity import IdentityConfig

EXTENSION = "jianbao"


@dataclass
class Site:
    """What one app serves with (see the module docstring)."""

    settings: Settings
    backend: Backend
    searcher: Searcher
    exports: ExportSlots
    identity: IdentityConfig
    audit: AuditLog
    on_upload_end: Callable[[Upload], None]
    _uploads: UploadJobs | None = None
    _csrf: URLSafeTimedSerializer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def uploads(self) -> UploadJobs:
        """The uploads service, made on first use (the index gives the archive root); JianbaoError when the
        backend takes no uploads or has no index yet."""
        with self._lock:
            if self._uploads is None:
                self._uploads = self.backend.uploads(self.on_upload_end)
            return self._uploads

    def csrf(self) -> URLSafeTimedSerializer:
        """The CSRF signer, made on first use (so an app over a missing index writes nothing)."""
        with self._lock:
            if self._csrf is None:
                self._csrf = URLSafeTimedSerializer(_secret(self.settings.index_dir), salt="jianbao-csrf")
            return self._csrf


def site() -> Site:
    """The current app's Site."""
    return site_of(current_app)


def site_of(app: Flask) -> Site:
    """The Site an app was created with."""
    return app.extensions[EXTENSION]


def _secret(index_dir: Path) -> bytes:
    """The key CSRF tokens are signed with, shared by the server's processes (made once, kept in the index folder)."""
    path = index_dir / "csrf.key"
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return path.read_bytes()
