"""Settings read from the environment once, at the edges (the command lines), and passed down.

Every setting is declared in :data:`SETTINGS` with its default and help; the
README documents each one (a test checks that it does). :meth:`Settings.from_env`
reads and converts them all in one place; command-line options override them.
Nothing below the command lines reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = DATA_DIR / "govcn_topics.json"
USER_DICT_FILE = DATA_DIR / "userdict.txt"
DEPARTMENTS_FILE = DATA_DIR / "departments.tsv"
TOPIC_RULES_FILE = DATA_DIR / "topic_rules.tsv"
MIN_BUILD_MEMORY = 512  # megabytes: the reading process and one worker, with room for its postings


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default and what it does."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("JIANBAO_INDEX_DIR", str(PROJECT_ROOT / "index_data"),
            "where the index lives (indexer and web app)"),
    Setting("JIANBAO_CORPUS_DIR", str(PROJECT_ROOT / "corpus"),
            "the archive `build` reads when no source is named"),
    Setting("JIANBAO_WORKERS", "0",
            "processes a build uses for segmentation; 0 means one per core"),
    Setting("JIANBAO_BUILD_MEMORY", "1024",
            "megabytes a build or update may use (all its processes); fewer workers than asked when they "
            "would not fit, postings spilled to sorted runs on disk beyond that"),
    Setting("JIANBAO_CORS_ORIGINS", "",
            "space-separated origins allowed to call /api/ from a browser"),
    Setting("JIANBAO_QUERY_BUDGET_MS", "2000",
            "a query that needs longer is stopped with a 400 error"),
    Setting("JIANBAO_THREADS", "8", "threads in each web server process for exports and changes (searches have "
            "one of their own; with a cluster backend, for every request)"),
    Setting("JIANBAO_PROCESSES", "0", "web server processes; 0 means one per core (at most 4)"),
    Setting("JIANBAO_CONNECTION_LIMIT", "1000", "open connections each web server process holds at most"),
    Setting("JIANBAO_IDLE_TIMEOUT", "10", "seconds an idle keep-alive connection stays open"),
    Setting("JIANBAO_HEADER_TIMEOUT", "10",
            "seconds a client has to send a request line and headers; a request body may not stop for longer"),
    Setting("JIANBAO_SEND_TIMEOUT", "30",
            "seconds a response may wait for the client to read any of it before the connection is cut"),
    Setting("JIANBAO_LOCK_WAIT", "30",
            "seconds `build`/`update` wait for another writer before giving up"),
    Setting("JIANBAO_BACKEND", "local",
            "`local` (the index in JIANBAO_INDEX_DIR) or `sphinxql://host:port` (a cluster's aggregator)"),
    Setting("JIANBAO_PUBLIC_URL", "",
            "the site's public base URL (`https://jianbao.example.gov.cn`), the only source of absolute links "
            "(OpenSearch, `/embed`, the CSV `url` column); empty: links are relative. The Host and "
            "X-Forwarded-* headers are never used"),
    Setting("JIANBAO_FRAME_ORIGINS", "",
            "space-separated origins allowed to show `/embed` in a frame (besides the site itself); "
            "no other page may be framed"),
    Setting("JIANBAO_TRUSTED_PROXIES", "",
            "space-separated addresses or networks (`10.0.0.5 10.1.0.0/16`) whose identity headers are believed; "
            "empty: no header is believed"),
    Setting("JIANBAO_USER_HEADER", "X-Remote-User", "the request header naming the user (from a trusted proxy)"),
    Setting("JIANBAO_GROUPS_HEADER", "X-Remote-Groups",
            "the request header listing the user's groups, comma separated (from a trusted proxy)"),
    Setting("JIANBAO_ADMIN_GROUPS", "jianbao-admin",
            "space-separated groups whose members are administrators (withdraw items and uploads, read the audit log)"),
    Setting("JIANBAO_UPLOADER_GROUPS", "jianbao-uploader",
            "space-separated groups whose members may upload bulletins"),
    Setting("JIANBAO_TOKENS_FILE", "",
            "the API tokens file (`python -m webapp.tokens`); empty: no token is accepted"),
    Setting("JIANBAO_EXPORT_SLOTS", "2",
            "CSV exports served at once; one more is answered 429"),
    Setting("JIANBAO_EXPORT_SECONDS", "120",
            "an export running longer is cut off (a note ends the file) and its slot freed, "
            "even while its client does not read"),
    Setting("JIANBAO_UPLOADS_DIR", "",
            "the folder uploaded bulletins are stored in, inside the archive (relative: to the archive root); "
            "empty: `uploads/` in the archive root the index was built from"),
    Setting("JIANBAO_UPLOAD_MAX_BYTES", str(100 * 2**20),
            "bytes all files of one upload may hold together; a larger upload is refused (413) while it streams"),
    Setting("JIANBAO_UPLOAD_MAX_FILES", "100", "files one upload may hold"),
    Setting("JIANBAO_AUDIT_LOG", "",
            "the audit log (JSON Lines: uploads, withdrawals, denied attempts); "
            "empty: `audit.jsonl` in the index folder"),
)


class SettingError(ValueError):
    """An environment variable whose value cannot be used; names the variable and says why."""


@dataclass(frozen=True)
class Settings:
    """Every setting, converted to its type."""

    index_dir: Path
    corpus_dir: Path
    workers: int
    cors_origins: tuple[str, ...]
    query_budget_ms: float
    threads: int
    lock_wait: float
    build_memory: int = 1024
    backend: str = "local"
    public_url: str = ""
    frame_origins: tuple[str, ...] = ()
    export_slots: int = 2
    export_seconds: float = 120.0
    processes: int = 0
    connection_limit: int = 1000
    idle_timeout: float = 10.0
    header_timeout: float = 10.0
    send_timeout: float = 30.0
    trusted_proxies: tuple[str, ...] = ()
    user_header: str = "X-Remote-User"
    groups_header: str = "X-Remote-Groups"
    admin_groups: tuple[str, ...] = ("jianbao-admin",)
    uploader_groups: tuple[str, ...] = ("jianbao-uploader",)
    tokens_file: Path | None = None
    uploads_dir: str = ""
    upload_max_bytes: int = 100 * 2**20
    upload_max_files: int = 100
    audit_log: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in effect: each variable's value in ``environ`` (default ``os.environ``), else its default."""
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.name, s.default) for s in SETTINGS}
        return cls(
            index_dir=Path(raw["JIANBAO_INDEX_DIR"]),
            corpus_dir=Path(raw["JIANBAO_CORPUS_DIR"]),
            workers=_number(raw, "JIANBAO_WORKERS", int, 0),
            build_memory=_number(raw, "JIANBAO_BUILD_MEMORY", int, MIN_BUILD_MEMORY),
            cors_origins=tuple(raw["JIANBAO_CORS_ORIGINS"].split()),
            query_budget_ms=_number(raw, "JIANBAO_QUERY_BUDGET_MS", float, 1),
            threads=_number(raw, "JIANBAO_THREADS", int, 1),
            lock_wait=_number(raw, "JIANBAO_LOCK_WAIT", float, 0),
            backend=_backend(raw["JIANBAO_BACKEND"]),
            processes=_number(raw, "JIANBAO_PROCESSES", int, 0),
            connection_limit=_number(raw, "JIANBAO_CONNECTION_LIMIT", int, 10),
            idle_timeout=_number(raw, "JIANBAO_IDLE_TIMEOUT", float, 1),
            header_timeout=_number(raw, "JIANBAO_HEADER_TIMEOUT", float, 1),
            send_timeout=_number(raw, "JIANBAO_SEND_TIMEOUT", float, 1),
            public_url=_base_url(raw["JIANBAO_PUBLIC_URL"], "JIANBAO_PUBLIC_URL"),
            frame_origins=tuple(_base_url(o, "JIANBAO_FRAME_ORIGINS") for o in raw["JIANBAO_FRAME_ORIGINS"].split()),
            export_slots=_number(raw, "JIANBAO_EXPORT_SLOTS", int, 1),
            export_seconds=_number(raw, "JIANBAO_EXPORT_SECONDS", float, 1),
            trusted_proxies=tuple(_network(n) for n in raw["JIANBAO_TRUSTED_PROXIES"].split()),
            user_header=_header(raw, "JIANBAO_USER_HEADER"),
            groups_header=_header(raw, "JIANBAO_GROUPS_HEADER"),
            admin_groups=tuple(raw["JIANBAO_ADMIN_GROUPS"].split()),
            uploader_groups=tuple(raw["JIANBAO_UPLOADER_GROUPS"].split()),
            tokens_file=Path(raw["JIANBAO_TOKENS_FILE"]) if raw["JIANBAO_TOKENS_FILE"].strip() else None,
            uploads_dir=raw["JIANBAO_UPLOADS_DIR"].strip(),
            upload_max_bytes=_number(raw, "JIANBAO_UPLOAD_MAX_BYTES", int, 1),
            upload_max_files=_number(raw, "JIANBAO_UPLOAD_MAX_FILES", int, 1),
            audit_log=Path(raw["JIANBAO_AUDIT_LOG"]) if raw["JIANBAO_AUDIT_LOG"].strip() else None,
        )

    @classmethod
    def defaults(cls) -> Settings:
        """The settings with every variable at its default (for tests and tools)."""
        return cls.from_env({})


def _base_url(text: str, name: str) -> str:
    """An ``http(s)://host[:port][/path]`` URL without a trailing slash, or "" when unset."""
    value = text.strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(ch.isspace() or ch in "\"'<>" for ch in value):
        raise SettingError(f"{name}: {text!r} is not an http(s)://host[:port][/path] URL")
    return value


def _network(text: str) -> str:
    """An address or network of JIANBAO_TRUSTED_PROXIES, checked."""
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise SettingError(f"JIANBAO_TRUSTED_PROXIES: {text!r} is not an address or network") from None
    return text


def _header(raw: Mapping[str, str], name: str) -> str:
    value = raw[name].strip()
    if not value or not all(c.isalnum() or c == "-" for c in value):
        raise SettingError(f"{name}={raw[name]!r} is not a header name (letters, digits and '-')")
    return value


def _number(raw: Mapping[str, str], name: str, kind: type, minimum: float):
    try:
        value = kind(raw[name])
    except ValueError:
        raise SettingError(f"{name}={raw[name]!r} is not a number") from None
    if value < minimum:
        raise SettingError(f"{name}={raw[name]!r} must be at least {minimum:g}")
    return value


def _backend(value: str) -> str:
    if value == "local" or value.startswith("sphinxql://"):
        return value
    raise SettingError(f"JIANBAO_BACKEND={value!r} must be `local` or `sphinxql://host:port`")
