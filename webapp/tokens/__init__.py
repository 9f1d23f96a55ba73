"""API tokens for scripts: ``Authorization: Bearer <token>``, kept hashed in ``JIANBAO_TOKENS_FILE``.

A token is ``jb_<id>_<secret>`` (the secret 32 random bytes); the file keeps, by
id, only the SHA-256 of the whole token (a secret that random needs no slow hash),
the user, groups, role, expiry and whether it was revoked. The file is JSON and
re-read when it changes, so a revocation holds from the next request. A file that cannot
be read (not JSON, not UTF-8, a folder, fields it does not know) stops ``python -m webapp``
at its start; while serving, it is :class:`TokenFileError` (logged once, until it is readable again).

``python -m webapp.tokens add --user NAME [--groups a,b] [--role reader|uploader|admin] [--days N]``
prints a new token once; ``list`` shows them (never the secret); ``revoke ID`` ends one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.atomic import atomic_write

ROLES = ("reader", "uploader", "admin")
PREFIX = "jb_"
log = logging.getLogger("jianbao")


@dataclass
class TokenRecord:
    """One token as the file keeps it."""

    id: str
    sha256: str
    user: str
    groups: list[str] = field(default_factory=list)
    role: str = "reader"
    expires: str | None = None  # ISO date-time (UTC); None: never
    revoked: bool = False
    created: str = ""

    def problem(self, now: dt.datetime) -> str | None:
        """Why the token cannot be used now, or None."""
        if self.revoked:
            return "the token was revoked"
        if self.expires and dt.datetime.fromisoformat(self.expires) <= now:
            return "the token has expired"
        return None


class TokenError(Exception):
    """A bearer token that is not accepted; the message says why (never whether another token exists)."""


class TokenFileError(Exception):
    """The tokens file cannot be read; the message names the file and says why."""


class TokenStore:
    """The tokens file, read again whenever it changes on disk."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, TokenRecord] = {}
        self._failing = False  # the file could not be read (and that was logged) the last time it was

    def records(self) -> dict[str, TokenRecord]:
        """The tokens by id (empty when there is no file); TokenFileError when the file cannot be read."""
        if self.path is None:
            return {}
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise TokenFileError(f"JIANBAO_TOKENS_FILE {self.path}: {e.strerror}") from None
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._records = _read(self.path)
                self._stamp = stamp
            return self._records

    def check(self, token: str, now: dt.datetime | None = None) -> TokenRecord:
        """The record of a valid token; TokenError for an unknown, malformed, expired or revoked one,
        TokenFileError when the file cannot be read (logged the first time)."""
        parts = token.split("_")
        if len(parts) != 3 or not token.startswith(PREFIX):
            raise TokenError("malformed token")
        try:
            records = self.records()
        except TokenFileError as e:
            with self._lock:
                first, self._failing = not self._failing, True
            if first:
                log.error("tokens file %s cannot be read; requests with a token are answered 503 until it can: %s",
                          self.path, e)
            raise
        self._failing = False
        record = records.get(parts[1])
        if record is None or not hmac.compare_digest(record.sha256, _digest(token)):
            raise TokenError("unknown token")
        problem = record.problem(now or dt.datetime.now(dt.UTC))
        if problem:
            raise TokenError(problem)
        return record

    def add(self, user: str, groups: list[str], role: str, days: float | None) -> str:
        """Make a token, store its hash, and return the token (shown once)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token_id = secrets.token_hex(6)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32).replace('_', '-')}"
        now = dt.datetime.now(dt.UTC)
        expires = (now + dt.timedelta(days=days)).isoformat(timespec="seconds") if days else None
        record = TokenRecord(token_id, _digest(token), user, sorted(set(groups)), role, expires, False,
                             now.isoformat(timespec="seconds"))
        self._save({**self.records(), token_id: record})
        return token

    def revoke(self, token_id: str) -> bool:
        """Revoke a token by id; False when there is none."""
        records = dict(self.records())
        if token_id not in records:
            return False
        records[token_id].revoked = True
        self._save(records)
        return True

    def _save(self, records: dict[str, TokenRecord]) -> None:
        assert self.path is not None
        atomic_write(self.path, json.dumps({"tokens": [asdict(r) for r in records.values()]}, ensure_ascii=False,
                                           indent=1), mode=0o600)


def _read(path: Path) -> dict[str, TokenRecord]:
    """The records of a tokens file; TokenFileError naming it and why it cannot be read."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        records = {r["id"]: TokenRecord(**r) for r in data.get("tokens", [])}
    except OSError as e:
        raise TokenFileError(f"JIANBAO_TOKENS_FILE {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise TokenFileError(f"JIANBAO_TOKENS_FILE {path}: not UTF-8 text") from None
    except ValueError as e:
        raise TokenFileError(f"JIANBAO_TOKENS_FILE {path}: not JSON ({e})") from None
    except (AttributeError, KeyError, TypeError) as e:
        raise TokenFileError(f"JIANBAO_TOKENS_FILE {path}: not a tokens file ({type(e).__name__}: {e})") from None
    return records


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
