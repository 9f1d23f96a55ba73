"""The index's file format: search forms in UTF-16, stored items deflated against a dictionary, its version."""

from __future__ import annotations

import io
import json
import pickle
import shutil

import pytest
from whoosh import columns
from whoosh.filedb.structfile import StructFile

from indexer.errors import IndexStale
from indexer.index import layout
from indexer.index.layout import check_compatible, current_build
from indexer.index.stored import DICTIONARY_BYTES, DictionaryColumn
from tests.conftest import build_index, ids, open_index, write_jsonl, xwlb_records


def _shifted(text: str) -> str:
    """Characters whose UTF-16 bytes hold ``text``'s bytes one byte off (``x`` is 0x0078, 砀 is 0x7800)."""
    return "一" + "".join(chr(ord(ch) << 8) for ch in text)


RECORDS = [
    # Each holds every pair of its query (so it is a candidate) and, one byte off, the query's bytes.
    {"id": "across", "title": _shifted("xyz"), "body": "xy，yz。"},
    {"id": "across-marks", "title": _shifted("xyzw"), "body": "xy，zw，y、z。"},
    {"id": "real", "title": "编号", "body": "编号xyzw与xy、zw。"},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("format")
    return build_index([write_jsonl(folder / "r.jsonl", RECORDS)], folder / "index")


def test_a_term_matches_whole_characters_of_the_text_only(index_dir):
    searcher = open_index(index_dir)
    assert ids(searcher, "xyz") == {"real"}
    assert ids(searcher, "xyzw") == {"real"}  # a pattern allowing joining marks between xy and zw
    assert ids(searcher, _shifted("xyz")) == {"across", "across-marks"}


def test_an_index_of_another_file_format_is_refused_with_the_command_that_fixes_it(index_dir, tmp_path):
    build = shutil.copytree(current_build(index_dir), tmp_path / "build")  # the module's index is left as it is
    meta = json.loads((build / layout.META).read_text(encoding="utf-8"))
    del meta["index_format"]  # as written before the format was recorded
    (build / layout.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexStale, match=f"file format 1, this code reads format {layout.INDEX_FORMAT}: run `python -m indexer build`"):
        check_compatible(build)


def _column_bytes(column: columns.Column, values: list[bytes]) -> bytes:
    out = io.BytesIO()
    writer = column.writer(StructFile(out))
    for docnum, value in enumerate(values):
        if value:  # an empty value is a document without one (Whoosh fills the gap)
            writer.add(docnum, value)
    writer.finish(len(values))
    return out.getvalue()


def _read_back(column: columns.Column, data: bytes, count: int) -> list[bytes]:
    reader = column.reader(StructFile(io.BytesIO(data)), 0, len(data), count)
    return [reader[docnum] for docnum in range(count)]


@pytest.mark.parametrize("count", [3, 300])  # all before the dictionary is full; most after it
def test_stored_items_read_back_as_written_in_less_room_than_w3s_own_column(count):
    values = [pickle.dumps({"item": r}, 2) for r in xwlb_records(count, stride=31)]
    values[1] = b""
    assert (sum(map(len, values)) > DICTIONARY_BYTES) == (count > 3)
    data = _column_bytes(DictionaryColumn(), values)
    assert _read_back(DictionaryColumn(), data, count) == values
    whoosh_own = _column_bytes(columns.CompressedBytesColumn(), values)
    if count > 3:
        assert len(data) < 0.75 * len(whoosh_own)
