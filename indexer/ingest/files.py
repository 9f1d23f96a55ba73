"""Reading a corpus: files and folders in, enriched items out, problems reported.

Formats (API.md section 1): ``.txt`` (one issue a file), ``.html``/``.htm`` (one
issue or one item a page), ``.jsonl``/``.jsonl.gz`` (one item a line), and a
``NAME.meta.json`` beside any file with issue-level metadata. Bytes are decoded
after detecting their encoding (BOM, then strict UTF-8, then charset-normalizer);
a file that cannot be read is reported and skipped, and reading goes on.
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from indexer import settings as config
from indexer.ingest import dates, topics
from indexer.ingest import units as departments
from indexer.errors import Report, SourceError
from indexer.ingest.webpage import closed_lines, declared_charset, fragment_text, parse_page
from indexer.items import Item, stable_id
from indexer.normalize import clean_display
from indexer.ingest.split import attribution_of, split_issue

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz")
META_SUFFIX = ".meta.json"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Record fields with a meaning of their own; any other field is kept in Item.extra.
_RECORD_FIELDS = {"id", "title", "body", "html", "date", "department", "topics", "issue", "source", "url"}
# Share of replacement or control characters above which decoded bytes are taken for binary data.
_MAX_NOISE = 0.02
# A .txt or .html file larger than this is not one bulletin issue (JSON Lines exports have no limit).
MAX_ISSUE_BYTES = 32 * 2**20


@dataclass
class IssueMeta:
    """Issue-level metadata from a ``.meta.json`` file or a page's meta tags."""

    title: str = ""
    date: Any = None
    issue: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def is_corpus_file(path: Path) -> bool:
    """Is this a file the corpus reader takes (by its name)?"""
    name = path.name.lower()
    if name.startswith(".") or name.endswith(META_SUFFIX):
        return False
    return name.endswith(TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES)


def is_record_file(path: Path) -> bool:
    """Does the file hold one item a record (JSON Lines), rather than whole issues?"""
    return path.name.lower().endswith(RECORD_SUFFIXES)


def iter_files(sources: list[Path], report: Report) -> Iterator[Path]:
    """The corpus files under the given files and folders, in a stable order.

    Folders are walked without following links (a link loop cannot trap the walk);
    a linked file is read. A source that does not exist is reported.
    """
    for source in sources:
        if source.is_dir():
            for root, dirs, files in os.walk(source, onerror=lambda e: report.skip(e.filename, e.strerror)):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    path = Path(root) / name
                    if is_corpus_file(path):
                        yield path
                    elif not name.startswith(".") and not name.lower().endswith(META_SUFFIX):
                        report.skip(str(path), "not a corpus format (.txt .html .htm .jsonl .jsonl.gz)")
        elif source.exists() or source.is_symlink():
            yield source
        else:
            report.skip(str(source), "no such file or folder")


def source_key(path: Path) -> str:
    """How an item names the file it came from: relative to the corpus folder when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(config.corpus_dir().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def read_items(sources: list[Path], report: Report) -> Iterator[Item]:
    """Every item of every corpus file under ``sources``; bad files reported and skipped."""
    for path in iter_files(sources, report):
        yield from read_file(path, report)


def read_file(path: Path, report: Report) -> Iterator[Item]:
    """The items of one file. A file that cannot be read at all is reported and yields nothing."""
    try:
        if is_record_file(path):
            items = list(_read_records(path, report))
        else:
            data = _read_bytes(path)
            meta = _read_meta(path, report)
            is_html = path.name.lower().endswith(HTML_SUFFIXES)
            items = _read_html(path, data, meta) if is_html else _read_text(path, data, meta, report)
        if not items:
            raise SourceError(str(path), "no items found")
    except SourceError as e:
        report.skip(e.path, e.reason)
        return
    report.files_read += 1
    yield from items


def decode(data: bytes, path: str, warn: Callable[[str], None] | None = None) -> str:
    """Bytes to text: a BOM decides, else strict UTF-8, else charset-normalizer's best guess.

    Stray NUL bytes are dropped, and a file mostly in UTF-8 with some lines in another
    encoding is read line by line; both are reported through ``warn``. Raises
    SourceError for empty or binary content.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise SourceError(path, "empty file")
    bom = _bom_encoding(data)
    if bom:
        return _checked(data.decode(bom, errors="replace"), path)
    nuls = data.count(0)
    if nuls and nuls < _MAX_NOISE * len(data) and _is_utf8(data.replace(b"\x00", b"")):
        data = data.replace(b"\x00", b"")  # text with stray NULs, not UTF-16 or binary data
        if warn:
            warn(f"{nuls} NUL bytes removed")
    if b"\x00" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            mixed = _mixed_lines(data, warn)
            if mixed is not None:
                return _checked(mixed, path)
    best = from_bytes(data).best()
    if best is None:
        raise SourceError(path, "binary data or an unknown encoding")
    return _checked(str(best), path)


def _mixed_lines(data: bytes, warn: Callable[[str], None] | None) -> str | None:
    """Text of a file mostly in UTF-8 whose other lines are in one legacy encoding; None if not so."""
    lines = data.split(b"\n")
    bad = [i for i, line in enumerate(lines) if not _is_utf8(line)]
    non_ascii = sum(len(line) for line in lines if not line.isascii())
    if not bad or sum(len(lines[i]) for i in bad) * 2 > non_ascii:
        return None
    best = from_bytes(b"\n".join(lines[i] for i in bad)).best()
    encoding = best.encoding if best is not None else "gb18030"
    legacy = set(bad)
    text = [line.decode(encoding if i in legacy else "utf-8", errors="replace") for i, line in enumerate(lines)]
    if warn:
        warn(f"mixed encodings: {len(bad)} lines read as {encoding}, the others as UTF-8")
    return "\n".join(text)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _checked(text: str, path: str) -> str:
    noise = sum(1 for ch in text if ch == "\ufffd" or (ch < " " and ch not in "\t\r\n"))
    if noise > _MAX_NOISE * len(text):
        raise SourceError(path, "binary data (too many undecodable or control characters)")
    return text


def _read_bytes(path: Path) -> bytes:
    """The bytes of an issue file; SourceError if it is not a regular file, too large or unreadable."""
    try:
        st = path.stat()  # follows links: a link loop or a broken link fails here
        if not stat.S_ISREG(st.st_mode):
            raise SourceError(str(path), "not a regular file")
        if st.st_size > MAX_ISSUE_BYTES:
            raise SourceError(str(path), f"{st.st_size / 2**20:.0f} MB is too large for one bulletin issue "
                                         f"(limit {MAX_ISSUE_BYTES // 2**20} MB); split it into issues")
        return path.read_bytes()
    except OSError as e:
        raise SourceError(str(path), e.strerror or str(e)) from None


def _read_meta(path: Path, report: Report) -> IssueMeta:
    """The ``NAME.meta.json`` beside a file (``a.meta.json`` or ``a.txt.meta.json``), if any."""
    for candidate in (path.with_name(path.name + META_SUFFIX), path.with_name(path.stem + META_SUFFIX)):
        if not candidate.is_file():
            continue
        try:
            data = json.loads(decode(candidate.read_bytes(), str(candidate)))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError, SourceError) as e:
            report.warn(str(candidate), f"metadata ignored: {e}")
            return IssueMeta()
        known = {k: data.get(k) for k in ("title", "date", "issue", "source")}
        extra = {k: v for k, v in data.items() if k not in known}
        return IssueMeta(str(known["title"] or ""), known["date"], str(known["issue"] or ""),
                         str(known["source"] or ""), extra)
    return IssueMeta()


def _read_text(path: Path, data: bytes, meta: IssueMeta, report: Report) -> list[Item]:
    return _issue_items(path, decode(data, str(path), lambda reason: report.warn(str(path), reason)), meta)


def _read_html(path: Path, data: bytes, meta: IssueMeta) -> list[Item]:
    """A page is an issue when its content splits into several items; else it is one item."""
    encoding = declared_charset(data) or _detect_encoding(data, str(path))
    try:
        page = parse_page(data, encoding)
    except (ValueError, LookupError, SyntaxError) as e:
        raise SourceError(str(path), f"cannot parse HTML: {e}") from None
    page_meta = IssueMeta(
        title=meta.title or page.title,
        date=meta.date or page.meta.get("pubdate"),
        issue=meta.issue or page.meta.get("columnname", ""),
        source=meta.source or page.meta.get("sitename", ""),
        extra={**{k: v for k, v in page.meta.items() if k in ("keywords", "sitename", "columnname",
                                                               "contentsource")}, **meta.extra},
    )
    if not page.text:
        raise SourceError(str(path), "no text found in the page (it may be nested deeper than the parser reads)")
    if len(split_issue(page.text).items) > 1:
        return _issue_items(path, page.text, page_meta)
    unit = page.meta.get("contentsource", "")
    return [_single_item(path, page.title or meta.title, closed_lines(page.text), page_meta, unit)]


def _bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start declares, if any."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _detect_encoding(data: bytes, path: str) -> str:
    """The encoding of a page that declares none: BOM, else UTF-8 if valid, else charset-normalizer's guess."""
    bom = _bom_encoding(data)
    if bom:
        return bom
    if _is_utf8(data):
        return "utf-8"
    best = from_bytes(data).best()
    if best is None:
        raise SourceError(path, "binary data or an unknown encoding")
    return best.encoding


def _issue_items(path: Path, text: str, meta: IssueMeta) -> list[Item]:
    """Split one issue's text into items and enrich them."""
    parsed = split_issue(text)
    key = source_key(path)
    issue = meta.issue or meta.title or " ".join(parsed.masthead) or path.stem
    stated = dates.from_metadata(meta.date)
    dating = stated if stated.year else dates.from_text(parsed.masthead, text)
    base = stable_id(key, length=12)
    items = []
    for position, draft in enumerate(parsed.items, 1):
        item = Item(
            id=f"{base}-{position}", title=draft.title, body=draft.body, issue=issue,
            source=meta.source or key, position=position, issue_key=stable_id(key),
            attribution=draft.attribution, date=dating.date, year=dating.year,
            year_inferred=dating.inferred, extra=dict(meta.extra),
        )
        items.append(enrich(item, draft.units))
    return items


def _single_item(path: Path, title: str, text: str, meta: IssueMeta, unit: str) -> Item:
    key = source_key(path)
    found = attribution_of(text.rsplit("\n", 1)[-1])
    attribution, units = found if found else (unit, [unit] if unit else [])
    stated = dates.from_metadata(meta.date)
    dating = stated if stated.year else dates.from_text([], text)
    item = Item(
        id=f"{stable_id(key, length=12)}-1", title=title, body=text, issue=meta.issue or title,
        source=meta.source or key, position=1, issue_key=stable_id(key), attribution=attribution,
        date=dating.date, year=dating.year, year_inferred=dating.inferred, extra=dict(meta.extra),
    )
    return enrich(item, units)


def enrich(item: Item, units: list[str]) -> Item:
    """Canonical departments from the units; topics by the rules unless already given."""
    item.departments = departments.canonical_units(units)
    if not item.topics:
        item.topics = topics.default_rules().assign(item.title, item.body, units)
    return item


def _read_records(path: Path, report: Report) -> Iterator[Item]:
    """Items of a JSON Lines export; a bad line is reported with its number and skipped."""
    key = source_key(path)
    positions: dict[str, int] = {}
    for number, line in _record_lines(path, report):
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            report.warn(str(path), f"bad JSON line skipped: {e}", line=number)
            continue
        item = record_item(record, key, positions, lambda reason: report.warn(str(path), reason, line=number))
        if item is None:
            report.warn(str(path), "record has neither title nor body; skipped", line=number)
            continue
        yield item


def _record_lines(path: Path, report: Report) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line; a truncated or corrupt file ends early, reported."""
    number = 0
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            for number, raw in enumerate(f, 1):
                if raw.strip():
                    yield number, raw.decode("utf-8", errors="replace")
    except (OSError, EOFError, zlib.error) as e:
        if number == 0:
            raise SourceError(str(path), getattr(e, "strerror", None) or str(e)) from None
        report.warn(str(path), f"reading stopped after line {number}: {e}", line=number + 1)


def record_item(record: dict[str, Any], key: str, positions: dict[str, int],
                warn: Callable[[str], None] | None = None) -> Item | None:
    """One record of the JSON Lines format as an enriched item (None when it has no text)."""
    title = clean_display(html_lib.unescape(str(record.get("title") or ""))).strip()
    body = record.get("body")
    if body is None and record.get("html"):
        body = fragment_text(str(record["html"]))
    body = clean_display(str(body or "")).strip()
    if not title and not body:
        return None
    issue = str(record.get("issue") or "")
    positions[issue] = positions.get(issue, 0) + 1
    dating = dates.from_metadata(record.get("date"))
    if record.get("date") and not dating.date and warn:
        warn(f"bad date {record.get('date')!r}: kept the text, date unknown")
    raw_id = record.get("id")
    item_id = str(raw_id) if raw_id not in (None, "") else stable_id(title, body, str(record.get("date")))
    given = record.get("department")
    units = [given] if isinstance(given, str) else [str(u) for u in given or []]
    attribution = " ".join(units)
    if not units:
        found = attribution_of(body.rsplit("\n", 1)[-1])
        attribution, units = found if found else ("", [])
    tax = topics.taxonomy()
    given_topics = record.get("topics") or []
    item = Item(
        id=item_id, title=title, body=body, issue=issue, source=str(record.get("source") or key),
        position=positions[issue], issue_key=stable_id(key, issue), attribution=attribution,
        topics=[t for t in (tax.resolve(str(p)) for p in given_topics) if t] if isinstance(given_topics, list) else [],
        date=dating.date, year=dating.year, url=str(record["url"]) if record.get("url") else None,
        extra={k: v for k, v in record.items() if k not in _RECORD_FIELDS},
    )
    return enrich(item, units)
