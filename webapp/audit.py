"""The audit log: one JSON line per upload, indexing result, withdrawal and denied attempt.

Each line says when, who (user, how identified, role), from where (the peer address, and
the forwarded-for chain when the peer is a trusted proxy), what was done or tried, its
outcome and details (files, items added). It is bounded three ways:

* every text of an entry is cut at :data:`MAX_CHARS` characters (a path, a reason, a name) and
  every list at :data:`MAX_ITEMS` entries, so no request makes a long line;
* the denials of one client (address, forwarded-for chain, user) and action are written one by
  one only :data:`BURST` times a minute; the rest of that minute are counted, and the count is
  written as one line (``repeated``, ``since``, ``until``) once the minute has ended and the
  process writes anything else or shows the log;
* the file is rotated at ``JIANBAO_AUDIT_MAX_BYTES`` (:mod:`webapp.logfile`: safe for the
  server's processes, which append to it together).

``/admin`` shows it :data:`PAGE` entries at a time, newest first.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import request

from indexer.uploads import now
from webapp.identity import current_identity, identity_config
from webapp.logfile import KEEP, RotatingFile
from webapp.site import site

MAX_CHARS = 512  # characters of any text of an entry
MAX_ITEMS = 20  # entries of any list of an entry
BURST = 5  # denials of one client and action written one by one in a minute; the others are counted
WINDOW = 60.0  # seconds of that minute
MAX_CLIENTS = 1000  # clients whose denials are counted apart; beyond, new ones are counted together
OTHERS = ("(other clients)", None, None)
PAGE = 50  # entries a page of /admin shows

Client = tuple[str | None, str | None, str | None]  # address, forwarded-for chain, user


@dataclass
class _Minute:
    """The denials of one client and action since ``start``: written one by one, then counted."""

    start: float
    written: int = 0
    counted: int = 0
    since: str = ""
    until: str = ""


class AuditLog:
    """The audit log's files, and the denials this process is counting."""

    def __init__(self, path: Path, max_bytes: int, keep: int = KEEP, clock: Callable[[], float] = time.monotonic):
        self.path = path
        self.file = RotatingFile(path, max_bytes, keep)
        self.clock = clock
        self._minutes: dict[tuple[Client, str], _Minute] = {}
        self._lock = threading.Lock()

    def write(self, entry: dict[str, Any]) -> None:
        """Append one entry (its time first, every text and list bounded), after the counts of ended minutes."""
        self.file.append("".join(self._ended()) + _line(entry))

    def deny(self, entry: dict[str, Any], client: Client) -> None:
        """Audit a denial: written when it is among the first :data:`BURST` of its client and action this minute,
        else counted."""
        ended = self._ended()
        key = (client, entry.get("action", ""))
        with self._lock:
            if key not in self._minutes and len(self._minutes) >= MAX_CLIENTS:
                key = (OTHERS, key[1])
            minute = self._minutes.setdefault(key, _Minute(self.clock()))
            if minute.written < BURST and key[0] != OTHERS:
                minute.written += 1
                ended.append(_line(entry))
            else:
                minute.counted += 1
                minute.since, minute.until = minute.since or now(), now()
        self.file.append("".join(ended))

    def page(self, number: int, size: int = PAGE) -> tuple[list[dict[str, Any]], bool]:
        """Page ``number`` (from 1) of the entries, newest first, and whether older ones follow."""
        self.file.append("".join(self._ended()))
        lines = self.file.newest((number - 1) * size, size + 1)
        return [_entry(line) for line in lines[:size]], len(lines) > size

    def _ended(self) -> list[str]:
        """The count lines of minutes that have ended (those minutes forgotten)."""
        moment = self.clock()
        with self._lock:
            ended = [key for key, minute in self._minutes.items() if moment - minute.start >= WINDOW]
            return [_count_line(key, minute) for key in ended if (minute := self._minutes.pop(key)).counted]


def _line(entry: dict[str, Any]) -> str:
    return json.dumps({"time": now(), **bounded(entry)}, ensure_ascii=False) + "\n"


def _count_line(key: tuple[Client, str], minute: _Minute) -> str:
    (address, forwarded, user), action = key
    return _line({"action": action, "outcome": "denied", "user": user, "address": address,
                  "forwarded_for": forwarded, "repeated": minute.counted, "since": minute.since,
                  "until": minute.until})


def _entry(line: str) -> dict[str, Any]:
    """A line as an entry (bounded, as a line written before entries were may not be); a damaged one as such."""
    try:
        entry = json.loads(line)
        if isinstance(entry, dict):
            return bounded(entry)
    except ValueError:
        pass
    return {"action": "unreadable line", "details": line[:200]}


def bounded(value: Any) -> Any:
    """The value with every text cut at :data:`MAX_CHARS` characters and every list at :data:`MAX_ITEMS` entries
    (each cut says how much it left out)."""
    if isinstance(value, str):
        return value if len(value) <= MAX_CHARS else f"{value[:MAX_CHARS]}…（另 {len(value) - MAX_CHARS} 字）"
    if isinstance(value, list | tuple):
        kept = [bounded(v) for v in value[:MAX_ITEMS]]
        return kept + [f"…（另 {len(value) - MAX_ITEMS} 项）"] if len(value) > MAX_ITEMS else kept
    if isinstance(value, dict):
        return {bounded(str(k)): bounded(v) for k, v in list(value.items())[:MAX_ITEMS]}
    return value


def audit_log() -> AuditLog:
    """The app's audit log."""
    return site().audit


def record(action: str, outcome: str, **details: Any) -> None:
    """Audit an action of the current request: who, from where, what, and how it ended (a denial may be counted
    rather than written: :meth:`AuditLog.deny`)."""
    who = current_identity()
    entry: dict[str, Any] = {"action": action, "outcome": outcome, "user": who.user, "via": who.via,
                             "role": who.role if who.user else None, "address": request.remote_addr,
                             "path": request.path}
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and identity_config().trusts(request.remote_addr):
        entry["forwarded_for"] = forwarded[:200]
    entry.update(details)
    if outcome == "denied":
        audit_log().deny(entry, (request.remote_addr, entry.get("forwarded_for"), who.user))
    else:
        audit_log().write(entry)
