"""Office formats: every conversion of a seed issue gives the seed's items; OFD files; scans through OCR.

Reads ``../shared/corpora/realworld/seeds_formats/`` (the two seed issues as .docx .doc .wps .rtf .pdf .ofd and
scanned .pdf) and ``../shared/corpora/ofd/`` from there; hostile files are made in tmp_path.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from conftest import SHARED, build_index, ids, open_index
from rapidfuzz.distance import Levenshtein

from indexer.errors import Report
from indexer.ingest.conversions import ConversionCache
from indexer.ingest.documents import DocumentReader
from indexer.ingest.files import read_files, read_items
from indexer.items import Item

SEEDS = SHARED / "corpora" / "realworld" / "seeds_formats"
OFD = SHARED / "corpora" / "ofd"
ISSUES = ("000_481367547d7bb0e8", "004_25bc5815877f9951")
LIBREOFFICE = (".doc", ".wps", ".rtf")


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def seed_conversions() -> dict[str, list[Item]]:
    """Items of every file of seeds_formats, by file name (one LibreOffice run for the .doc .wps .rtf files)."""
    report = Report(stream=None)
    by_file: dict[str, list[Item]] = {}
    for path, items in read_files([SEEDS], report):
        by_file[path.name] = items
    by_file["problems"] = report.problems  # type: ignore[assignment]
    return by_file


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".ofd", *(pytest.param(s, marks=pytest.mark.system)
                                                                for s in LIBREOFFICE)])
@pytest.mark.parametrize("issue", ISSUES)
def test_conversion_gives_the_seed_items(seed_conversions, issue, suffix):
    expected = seed_conversions[f"{issue}.txt"]
    got = seed_conversions[f"{issue}{suffix}"]
    assert len(expected) in (9, 5)
    assert [i.title for i in got] == [i.title for i in expected]
    assert [i.departments for i in got] == [i.departments for i in expected]
    assert [i.attribution for i in got] == [i.attribution for i in expected]
    assert [_bare(i.body) for i in got] == [_bare(i.body) for i in expected]
    assert not any(i.ocr for i in got)


@pytest.mark.system
@pytest.mark.parametrize("issue", ISSUES)
def test_scanned_issue_is_read_by_ocr(seed_conversions, issue):
    """Same item count and units; the items' text at least 97% right by edit distance (full width folded, as indexed)."""
    expected = seed_conversions[f"{issue}.txt"]
    got = seed_conversions[f"{issue}_scanned.pdf"]
    assert len(got) == len(expected)
    assert all(i.ocr for i in got)
    assert [i.departments for i in got] == [i.departments for i in expected]
    text = unicodedata.normalize("NFKC", _bare("".join(i.title + i.body for i in got)))
    right = unicodedata.normalize("NFKC", _bare("".join(i.title + i.body for i in expected)))
    assert 1 - Levenshtein.distance(text, right) / len(right) >= 0.97


def test_ofd_government_document(tmp_path):
    items = list(read_items([OFD / "n.ofd"], Report(stream=None)))
    assert [i.title for i in items] == ["关于同意张阿三同志辞职的批复"]
    searcher = open_index(build_index([OFD / "n.ofd"], tmp_path / "index"))
    assert ids(searcher, '"路卫发〔2011〕76号"') == {items[0].id}


def test_every_ofd_file_is_read_or_reported():
    report = Report(stream=None)
    read = {path.name: items for path, items in read_files([OFD], report)}
    ofd_files = sorted(p.name for p in OFD.glob("*.ofd"))
    reported = {Path(p.path).name for p in report.problems if p.skipped}
    assert len(ofd_files) >= 6
    for name in ofd_files:
        assert read[name] or name in reported, name
    chinese = read["chineseDir.ofd"]
    assert "你好呀，OFD Reader&Writer！" in chinese[0].body + chinese[0].title


def test_document_text_is_cached_by_content(tmp_path):
    source = tmp_path / "corpus"
    source.mkdir()
    (source / "a.pdf").write_bytes((SEEDS / f"{ISSUES[1]}.pdf").read_bytes())
    cache = ConversionCache(tmp_path / "cache")
    first = list(read_items([source], Report(stream=None), documents=DocumentReader(cache)))
    assert (cache.hits, cache.misses) == (0, 1)
    again = DocumentReader(ConversionCache(tmp_path / "cache"))
    second = list(read_items([source], Report(stream=None), documents=again))
    assert (again.cache.hits, again.cache.misses) == (1, 0)
    assert [i.to_dict() for i in first] == [i.to_dict() for i in second]
    again.cache.clear()
    assert again.cache.size() == 0
