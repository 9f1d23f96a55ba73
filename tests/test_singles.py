"""Grams of a single document, kept beside the term table: found exactly as if they were in it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from indexer.analysis import gram_key, gram_text
from indexer.build import build, update
from indexer.errors import Report
from indexer.index.reader import IndexSnapshot
from indexer.items import searchable_parts
from indexer.normalize import search_form
from tests.conftest import write_jsonl, xwlb_records


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory):
    """An index of 1,200 xwlb items in two segments (a build and an update), and the search forms of
    each document's searchable parts."""
    folder = tmp_path_factory.mktemp("singles")
    records = xwlb_records(1200, stride=53)
    first, second = write_jsonl(folder / "a.jsonl", records[:700]), write_jsonl(folder / "b.jsonl", records[700:])
    index_dir = folder / "index"
    build([first], index_dir, Report(stream=None), workers=1)
    update([second], index_dir, Report(stream=None), workers=1)
    snapshot = IndexSnapshot(index_dir)
    forms = [[search_form(part) for part in searchable_parts(snapshot.item(doc))] for doc in range(snapshot.doc_count)]
    yield snapshot, forms
    snapshot.close()


def _holding(forms: list[list[str]], gram: str, title_only: bool) -> set[int]:
    """Documents whose searchable parts (or title) hold the gram, found by reading every one."""
    return {doc for doc, parts in enumerate(forms) if any(gram in part for part in (parts[:1] if title_only else parts))}


def test_every_gram_finds_exactly_the_items_that_hold_it(two_segments):
    snapshot, forms = two_segments
    assert len(snapshot.segments) == 2
    singles = sum(len(seg.singles.arrays.get("grams.keys", [])) for seg in snapshot.segments)
    assert singles > 10_000  # most pairs of news text occur once
    rng = random.Random(7)
    for field, title_only in (("grams", False), ("title_grams", True)):
        checked = {"single": 0, "table": 0}
        for _ in range(250):
            parts = rng.choice(forms)
            text = parts[0] if title_only else parts[1]
            if len(text) < 2:
                continue
            start = rng.randrange(len(text) - 1)
            gram = text[start:start + rng.choice((1, 2))]
            docs, counts = snapshot.postings(field, gram)
            assert set(docs.tolist()) == _holding(forms, gram, title_only), gram
            assert np.all(counts >= 1) and snapshot.doc_frequency(field, gram) == len(docs)
            in_singles = any(seg.singles.find(field, gram_key(gram)) is not None for seg in snapshot.segments)
            checked["single" if in_singles else "table"] += 1
        assert checked["single"] >= 20 and checked["table"] >= 20, checked


def test_a_single_documents_gram_is_not_in_the_term_table(two_segments):
    snapshot, _ = two_segments
    seg = snapshot.segments[0]
    keys = seg.singles.arrays["grams.keys"]
    assert np.all(np.diff(keys.astype(np.int64)) > 0)  # increasing, as looked up
    for key in keys[:: max(1, len(keys) // 50)].tolist():
        assert ("grams", gram_text(key)) not in seg.reader
        docs, _ = snapshot.postings("grams", gram_text(key))
        assert len(docs) >= 1  # and found (in this segment at least)

