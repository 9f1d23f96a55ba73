"""The audit log: one JSON line per upload, indexing result, withdrawal and denied attempt.

Each line says when, who (user, how identified, role), from where (the peer address, and
the forwarded-for chain when the peer is a trusted proxy), what was done or tried, its
outcome and details (files, items added). Lines are appended with one ``write`` on a file
opened for appending, so the server's processes never interleave them.
"""

from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path
from typing import Any

from flask import request

from indexer.uploads import now
from webapp.identity import current_identity, identity_config
from webapp.site import site

SHOWN = 500  # lines the admin page lists, newest first


class AuditLog:
    """The JSON Lines file of audited actions."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, entry: dict[str, Any]) -> None:
        """Append one line (the time is added first)."""
        line = json.dumps({"time": now(), **entry}, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def newest(self, limit: int = SHOWN) -> list[dict[str, Any]]:
        """The last ``limit`` lines, newest first (a damaged line is shown as such)."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                lines = deque(f, maxlen=limit)
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"action": "unreadable line", "details": line[:200]})
        return out


def audit_log() -> AuditLog:
    """The app's audit log."""
    return site().audit


def record(action: str, outcome: str, **details: Any) -> None:
    """Audit an action of the current request: who, from where, what, and how it ended."""
    who = current_identity()
    entry: dict[str, Any] = {"action": action, "outcome": outcome, "user": who.user, "via": who.via,
                             "role": who.role if who.user else None, "address": request.remote_addr,
                             "path": request.path}
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and identity_config().trusts(request.remote_addr):
        entry["forwarded_for"] = forwarded[:200]
    entry.update(details)
    audit_log().write(entry)
