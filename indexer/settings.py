"""Settings read from the environment once, at the edges (the command lines), and passed down.

Each setting is declared once, as a field of :class:`Settings`: its environment variable, its
default (as the variable would say it), what it does, and how its text is read and checked.
:data:`SETTINGS` lists them for the documentation (``python -m indexer.settings`` prints the table of
docs/settings.md, and a test checks it is current); :meth:`Settings.from_env` reads them all in one place;
command-line options override them. Nothing below the command lines reads ``os.environ``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = DATA_DIR / "govcn_topics.json"
USER_DICT_FILE = DATA_DIR / "userdict.txt"
DEPARTMENTS_FILE = DATA_DIR / "departments.tsv"
TOPIC_RULES_FILE = DATA_DIR / "topic_rules.tsv"
MIN_BUILD_MEMORY = 512  # megabytes: the reading process and one worker, with room for its postings


class SettingError(ValueError):
    """An environment variable whose value cannot be used; names the variable and says why."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text, "" for none) and what it does."""

    name: str
    default: str
    help: str


Parse = Callable[[str, str], Any]  # (the variable's text, its name) -> the value, or SettingError


def _number(kind: type, minimum: float) -> Parse:
    def parse(text: str, name: str):
        try:
            value = kind(text)
        except ValueError:
            raise SettingError(f"{name}={text!r} is not a number") from None
        if value < minimum:
            raise SettingError(f"{name}={text!r} must be at least {minimum:g}")
        return value
    return parse


def _words(text: str, name: str) -> tuple[str, ...]:
    return tuple(text.split())


def _path(text: str, name: str) -> Path:
    return Path(text)


def _optional_path(text: str, name: str) -> Path | None:
    return Path(text) if text.strip() else None


def _text(text: str, name: str) -> str:
    return text.strip()


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


def _origins(text: str, name: str) -> tuple[str, ...]:
    return tuple(_base_url(o, name) for o in text.split())


def _networks(text: str, name: str) -> tuple[str, ...]:
    """Addresses or networks, each checked."""
    for network in text.split():
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingError(f"{name}: {network!r} is not an address or network") from None
    return tuple(text.split())


def _header(text: str, name: str) -> str:
    value = text.strip()
    if not value or not all(c.isalnum() or c == "-" for c in value):
        raise SettingError(f"{name}={text!r} is not a header name (letters, digits and '-')")
    return value


def _setting(name: str, default: str, help: str, parse: Parse = _text) -> Any:
    """A field of :class:`Settings` read from the variable ``name`` (``default`` when unset)."""
    return field(default=parse(default, name), metadata={"setting": Setting(name, default, help), "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Every setting, converted to its type (see the module docstring)."""

    index_dir: Path = _setting("JIANBAO_INDEX_DIR", str(PROJECT_ROOT / "index_data"),
                               "where the index lives (indexer and web app)", _path)
    corpus_dir: Path = _setting("JIANBAO_CORPUS_DIR", str(PROJECT_ROOT / "corpus"),
                                "the archive `build` reads when no source is named", _path)
    workers: int = _setting("JIANBAO_WORKERS", "0", "processes a build uses for segmentation; 0 means one per core",
                            _number(int, 0))
    build_memory: int = _setting(
        "JIANBAO_BUILD_MEMORY", "1024",
        f"megabytes a build or update may use, all its processes together ({MIN_BUILD_MEMORY} at least): fewer "
        "workers than asked when they would not fit, and each worker's postings beyond its share are spilled to "
        "sorted runs on disk and merged", _number(int, MIN_BUILD_MEMORY))
    cors_origins: tuple[str, ...] = _setting("JIANBAO_CORS_ORIGINS", "",
                                             "space-separated origins allowed to call `/api/` from a browser", _words)
    query_budget_ms: float = _setting("JIANBAO_QUERY_BUDGET_MS", "2000",
                                      "a query that needs longer is stopped with a 400 error", _number(float, 1))
    threads: int = _setting("JIANBAO_THREADS", "8",
                            "threads in each web server process for exports and changes (searches have one of their "
                            "own; with a cluster backend, for every request)", _number(int, 1))
    processes: int = _setting("JIANBAO_PROCESSES", "0",
                              "web server processes; 0 means one per core (at most 4)", _number(int, 0))
    connection_limit: int = _setting("JIANBAO_CONNECTION_LIMIT", "1000",
                                     "open connections each web server process holds at most", _number(int, 10))
    idle_timeout: float = _setting("JIANBAO_IDLE_TIMEOUT", "10",
                                   "seconds an idle keep-alive connection stays open", _number(float, 1))
    header_timeout: float = _setting(
        "JIANBAO_HEADER_TIMEOUT", "10",
        "seconds a client has to send a request line and headers; a request body may not stop for longer",
        _number(float, 1))
    send_timeout: float = _setting(
        "JIANBAO_SEND_TIMEOUT", "30",
        "seconds a response may wait for the client to read any of it before the connection is cut", _number(float, 1))
    lock_wait: float = _setting("JIANBAO_LOCK_WAIT", "30",
                                "seconds `build`/`update` wait for another writer before giving up", _number(float, 0))
    backend: str = _setting(
        "JIANBAO_BACKEND", "local",
        "`local` (the index in `JIANBAO_INDEX_DIR`) or `sphinxql://host:port`, a cluster's aggregator "
        "(see *Past one machine*)")
    public_url: str = _setting(
        "JIANBAO_PUBLIC_URL", "",
        "the site's public base URL (`https://jianbao.example.gov.cn`): the only source of absolute links "
        "(OpenSearch, `/embed`, the CSV export's 链接 column, permalinks, citations, the Atom feed); unset, links are "
        "relative and feed ids are `urn:jianbao:` names: set it in production. The `Host` and `X-Forwarded-*` "
        "headers are never used", _base_url)
    frame_origins: tuple[str, ...] = _setting(
        "JIANBAO_FRAME_ORIGINS", "",
        "space-separated origins allowed to show `/embed` in a frame (the site itself always may); no other page "
        "can be framed", _origins)
    export_slots: int = _setting("JIANBAO_EXPORT_SLOTS", "2",
                                 "CSV exports each server process serves at once; one more is answered 429 with a "
                                 "JSON error", _number(int, 1))
    trusted_proxies: tuple[str, ...] = _setting(
        "JIANBAO_TRUSTED_PROXIES", "",
        "space-separated addresses or networks (`10.0.0.5 10.1.0.0/16`) whose identity headers are believed; "
        "empty: no header is believed", _networks)
    user_header: str = _setting("JIANBAO_USER_HEADER", "X-Remote-User",
                                "the request header naming the user, set by the portal's proxy", _header)
    groups_header: str = _setting("JIANBAO_GROUPS_HEADER", "X-Remote-Groups",
                                  "the request header listing the user's groups, comma separated", _header)
    admin_groups: tuple[str, ...] = _setting("JIANBAO_ADMIN_GROUPS", "jianbao-admin",
                                             "space-separated groups whose members are administrators", _words)
    uploader_groups: tuple[str, ...] = _setting("JIANBAO_UPLOADER_GROUPS", "jianbao-uploader",
                                                "space-separated groups whose members may upload bulletins", _words)
    tokens_file: Path | None = _setting("JIANBAO_TOKENS_FILE", "",
                                        "the API tokens file (`python -m webapp.tokens`); unset, no token is "
                                        "accepted", _optional_path)
    export_seconds: float = _setting(
        "JIANBAO_EXPORT_SECONDS", "120",
        "an export running longer is cut off with a note as its last line, and its slot is freed even while its "
        "client does not read", _number(float, 1))
    uploads_dir: str = _setting(
        "JIANBAO_UPLOADS_DIR", "",
        "the folder uploads are stored in, inside the archive (relative: to the archive root); unset, `uploads/` "
        "in the archive root the index was built from")
    upload_max_bytes: int = _setting(
        "JIANBAO_UPLOAD_MAX_BYTES", str(100 * 2**20),
        "bytes all files of one upload may hold together (100 MB); a larger request is refused with 413 while it "
        "streams", _number(int, 1))
    upload_max_files: int = _setting("JIANBAO_UPLOAD_MAX_FILES", "100", "files one upload may hold", _number(int, 1))
    upload_seconds: float = _setting(
        "JIANBAO_UPLOAD_SECONDS", "300",
        "seconds the indexing of one upload may take (in a process of its own, at a lower priority than searches); "
        "a longer one is stopped and fails, nothing indexed", _number(float, 10))
    upload_memory: int = _setting("JIANBAO_UPLOAD_MEMORY", "2048",
                                  "megabytes of address space the process indexing an upload may take",
                                  _number(int, 512))
    audit_log: Path | None = _setting("JIANBAO_AUDIT_LOG", "",
                                      "the audit log (JSON Lines); unset, `audit.jsonl` in the index folder",
                                      _optional_path)
    audit_max_bytes: int = _setting(
        "JIANBAO_AUDIT_MAX_BYTES", str(10 * 2**20),
        "bytes the audit log grows to before it is rotated (10 MB; the five files before it are kept as "
        "`audit.jsonl.1` … `.5`, the oldest dropped: at most six times this on disk). Its entries are bounded (texts "
        "cut at 512 characters), and a client's denials of one action past five a minute are counted in one line",
        _number(int, 65536))

    # the variables the environment set (not their defaults): the server builds from a named archive only
    given: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in effect: each variable's value in ``environ`` (default ``os.environ``), else its default."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in _declared():
            setting: Setting = f.metadata["setting"]
            values[f.name] = f.metadata["parse"](env.get(setting.name, setting.default), setting.name)
        return cls(**values, given=frozenset(s.name for s in SETTINGS if s.name in env))

    def named(self, variable: str) -> bool:
        """Whether the environment (or a command-line option standing for it) set ``variable``."""
        return variable in self.given

    def served_index_dir(self) -> Path:
        """The index folder a server uses: the one named; else, for a named archive, its own folder under the default
        one (``archives/NAME-HASH``: two servers of two archives never share an index); else the default."""
        if self.named("JIANBAO_CORPUS_DIR") and not self.named("JIANBAO_INDEX_DIR"):
            absolute = os.path.abspath(self.corpus_dir)
            digest = hashlib.sha1(absolute.encode("utf-8")).hexdigest()[:8]
            return self.index_dir / "archives" / f"{Path(absolute).name or 'archive'}-{digest}"
        return self.index_dir

    @classmethod
    def defaults(cls) -> Settings:
        """The settings with every variable at its default (for tests and tools)."""
        return cls()


def _declared() -> list:
    """The fields of :class:`Settings` that are settings."""
    return [f for f in fields(Settings) if "setting" in f.metadata]


SETTINGS: tuple[Setting, ...] = tuple(f.metadata["setting"] for f in _declared())


def settings_table() -> str:
    """The table of docs/settings.md (Markdown), from :data:`SETTINGS`."""
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(none)"
        if s.default.startswith(str(PROJECT_ROOT)):
            default = f"`{Path(s.default).relative_to(PROJECT_ROOT)}/`"
        rows.append(f"| `{s.name}` | {default} | {s.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")
