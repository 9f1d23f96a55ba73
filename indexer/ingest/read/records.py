"""JSON Lines exports: one already-split item a line; a bad line is reported and the rest read.

JSON can carry what text cannot: a lone surrogate (``"\\ud800"``, left by exporters that
cut a string inside an emoji) cannot be written as UTF-8. Such code points are replaced
with U+FFFD in every field, keys and nested values included, and reported with the line.
"""

from __future__ import annotations

import gzip
import html as html_lib
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from indexer.errors import Report, SourceError
from indexer.ingest.enrich import dates, topics
from indexer.ingest.enrich.access import ADMINS_ONLY, parse_access
from indexer.ingest.enrich.citations import stated_number
from indexer.ingest.read.encodings import strip_bidi, valid_text
from indexer.ingest.read.webpage import fragment_text
from indexer.ingest.split.issues import enrich
from indexer.ingest.split.split import attribution_of
from indexer.items import PUBLIC, Item, bounded, stable_id, truncation
from indexer.normalize import clean_display

RECORD_SUFFIXES = (".jsonl", ".jsonl.gz")
# Record fields with a meaning of their own; any other field is kept in Item.extra.
_RECORD_FIELDS = {"id", "title", "body", "html", "date", "department", "topics", "issue", "source", "url", "access",
                  "doc_number", "文号"}


def read_records(path: Path, key: str, report: Report, access: list[str] | None = None) -> Iterator[Item]:
    """Items of a JSON Lines export; a bad line is reported with its number and skipped.

    A record without its own ``access`` gets ``access`` (the folder's; default public)."""
    positions: dict[str, int] = {}
    for number, line in _record_lines(path, report):
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            report.warn(str(path), f"bad JSON line skipped: {e}", line=number)
            continue
        record, fields, replaced = _valid_record(record)
        if replaced:
            report.warn(str(path), f"{replaced} invalid code points (lone surrogates, non-characters) replaced "
                                   f"with U+FFFD in {', '.join(fields)}", line=number)
        item = record_item(record, key, positions, lambda reason, n=number: report.warn(str(path), reason, line=n),
                           access)
        if item is None:
            report.warn(str(path), "record has neither title nor body; skipped", line=number)
            continue
        if bounded(item).truncated:
            report.warn(str(path), truncation(item), line=number)
        yield item


def _record_lines(path: Path, report: Report) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line; a truncated or corrupt file ends early, reported."""
    number = 0
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as f:
            for number, raw in enumerate(f, 1):
                if raw.strip():
                    try:
                        yield number, raw.decode("utf-8")
                    except UnicodeDecodeError as e:
                        report.warn(str(path), f"bytes that are not UTF-8 replaced with U+FFFD ({e.reason} "
                                               f"at byte {e.start})", line=number)
                        yield number, raw.decode("utf-8", errors="replace")
    except (OSError, EOFError, zlib.error) as e:
        if number == 0:
            raise SourceError(str(path), getattr(e, "strerror", None) or str(e)) from None
        report.warn(str(path), f"reading stopped after line {number}: {e}", line=number + 1)


def _valid_record(record: dict[str, Any]) -> tuple[dict[str, Any], list[str], int]:
    """The record with invalid code points replaced in every key and value; the fields changed and how many."""
    fields: list[str] = []
    total = 0

    def valid(value: Any) -> tuple[Any, int]:
        if isinstance(value, str):
            return valid_text(value)
        if isinstance(value, list):
            pairs = [valid(v) for v in value]
            return [v for v, _ in pairs], sum(n for _, n in pairs)
        if isinstance(value, dict):
            out, count = {}, 0
            for k, v in value.items():
                (key, n), (val, m) = valid_text(str(k)), valid(v)
                out[key] = val
                count += n + m
            return out, count
        return value, 0

    out: dict[str, Any] = {}
    for key, value in record.items():
        (name, n), (clean, m) = valid_text(key), valid(value)
        out[name] = clean
        if n + m:
            fields.append(name)
            total += n + m
    return out, fields, total


def record_item(record: dict[str, Any], key: str, positions: dict[str, int],
                warn: Callable[[str], None] | None = None, access: list[str] | None = None) -> Item | None:
    """One record of the JSON Lines format as an enriched item (None when it has no text).

    Its ``access`` field wins over ``access`` (the folder's), and that over public."""
    title = clean_display(html_lib.unescape(str(record.get("title") or ""))).strip()
    body = record.get("body")
    if body is None and record.get("html"):
        body = fragment_text(str(record["html"]))
    body = clean_display(str(body or "")).strip()
    issue = str(record.get("issue") or "")
    shown = (title, body, issue)
    title, body, issue = (strip_bidi(text) for text in shown)  # as for text files: they reorder text on screen
    removed = sum(map(len, shown)) - len(title) - len(body) - len(issue)
    if warn and removed:
        warn(f"{removed} bidirectional control characters removed")
    if not title and not body:
        return None
    positions[issue] = positions.get(issue, 0) + 1
    dating = dates.from_metadata(record.get("date"))
    if record.get("date") and not dating.date and warn:
        warn(f"bad date {record.get('date')!r}: kept the text, date unknown")
    raw_id = record.get("id")
    item_id = str(raw_id) if raw_id not in (None, "") else stable_id(title, body, str(record.get("date")))
    given = record.get("department")
    units = [strip_bidi(u) for u in ([given] if isinstance(given, str) else [str(u) for u in given or []])]
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
        access=_record_access(record, access, warn),
        doc_number=_doc_number(record, title, body),
        extra={k: v for k, v in record.items() if k not in _RECORD_FIELDS},
    )
    return enrich(item, units)


def _doc_number(record: dict[str, Any], title: str, body: str) -> str | None:
    """The record's 文号: its ``doc_number`` (or ``文号``) field as given, else one its text begins with."""
    given = record.get("doc_number") or record.get("文号")
    if isinstance(given, str) and given.strip():
        return clean_display(given).strip()
    return stated_number(title, body)


def _record_access(record: dict[str, Any], inherited: list[str] | None,
                   warn: Callable[[str], None] | None) -> list[str]:
    """The record's own access, else the inherited one, else public; unreadable: administrators only."""
    if "access" not in record:
        return list(inherited if inherited is not None else [PUBLIC])
    try:
        return parse_access(record["access"])
    except ValueError as e:
        if warn:
            warn(f"{e}: item restricted to administrators")
        return list(ADMINS_ONLY)
