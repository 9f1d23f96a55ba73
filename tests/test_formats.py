"""Office formats: every conversion of a seed issue gives the seed's items; OFD files; scans through OCR.

Reads ``../shared/corpora/realworld/seeds_formats/`` (the two seed issues as .docx .doc .wps .rtf .pdf .ofd and
scanned .pdf) and ``../shared/corpora/ofd/`` from there; hostile files are made in tmp_path.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED, build_index, ids, open_index
from PIL import Image
from rapidfuzz.distance import Levenshtein

from bench.formats import glyph_only_ofd
from indexer.errors import Report
from indexer.ingest.files import read_files, read_items
from indexer.ingest.read.conversions import ConversionCache
from indexer.ingest.read.documents import DocumentReader
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
    """Same items, titles, units and years, read with the standard model ``make install`` installs (Debian's small
    model reads 砥砺 as 夏硕); the text at least 97% right by edit distance (full width folded)."""
    expected = seed_conversions[f"{issue}.txt"]
    got = seed_conversions[f"{issue}_scanned.pdf"]
    assert all(i.ocr for i in got)
    assert [i.title for i in got] == [i.title for i in expected]
    assert [i.departments for i in got] == [i.departments for i in expected]
    assert [i.year for i in got] == [i.year for i in expected]
    text = unicodedata.normalize("NFKC", _bare("".join(i.title + i.body for i in got)))
    right = unicodedata.normalize("NFKC", _bare("".join(i.title + i.body for i in expected)))
    assert 1 - Levenshtein.distance(text, right) / len(right) >= 0.97


def test_ocr_text_is_mended_like_a_text_layer():
    """Spaces closed between Chinese characters (not beside quotes: a gap may end a title); a closing quote read
    as “ and a parenthesis read as 〈 mended."""
    from indexer.ingest.read.ocr import mend

    assert mend("区 教育 局 完善 “三查“ 机制 , “四不两直”方式“近日\n“开门红“。〈区人社局)") == (
        "区教育局完善 “三查” 机制 , “四不两直”方式“近日\n“开门红”。（区人社局）")
    # ASCII punctuation between Chinese characters is the full-width one print has; straight quotes are paired.
    assert mend('今年以来,全区新增企业12家;其中"专精特新"企业3家:(区市场监管局)') == (
        "今年以来，全区新增企业12家；其中“专精特新”企业3家：（区市场监管局）")
    assert mend("Version 2.0, released (test)") == "Version 2.0, released (test)"
    assert mend("一是深化改革,\n二是加强监管") == "一是深化改革，\n二是加强监管"  # lines stay lines


def test_ofd_government_document(tmp_path):
    items = list(read_items([OFD / "n.ofd"], Report(stream=None)))
    assert [i.title for i in items] == ["关于同意张阿三同志辞职的批复"]
    # The masthead (发文机关标志) reads 测试符路桥区卫生局文件, the 落款 its office (the 印发机关); the 文号's code 路卫
    # begins the name at 路桥区.
    assert items[0].departments == ["路桥区卫生局"]
    searcher = open_index(build_index([OFD / "n.ofd"], tmp_path / "index"))
    assert ids(searcher, '"路卫发〔2011〕76号"') == {items[0].id}


def test_hostile_ofd_numbers_are_bounded(tmp_path):
    """A DeltaX repeating an advance 10^12 times and numbers that are not finite read as a bounded run and zeros."""
    import zipfile

    with zipfile.ZipFile(OFD / "n.ofd") as source, zipfile.ZipFile(tmp_path / "n.ofd", "w") as z:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("Page_0/Content.xml"):
                data = data.replace(b'DeltaX="5.57 5.57 5.57 5.57 5.57"', b'DeltaX="g 1000000000000 5.57"')
                data = data.replace(b'Boundary="39.14 37.0', b'CTM="inf 0 0 nan 0 0" Boundary="39.14 37.0')
            z.writestr(name, data)
    assert b"g 1000000000000" in zipfile.ZipFile(tmp_path / "n.ofd").read("Doc_0/Pages/Page_0/Content.xml")
    [item] = read_items([tmp_path / "n.ofd"], Report(stream=None))
    assert item.title == "关于同意张阿三同志辞职的批复" and item.doc_number == "路卫发〔2011〕76号"


def test_ofd_advances_are_bounded_by_the_run():
    """Many ``g 10000 d`` groups expand to no more advances than the run has characters."""
    from indexer.ingest.read.ofdvalues import deltas

    assert deltas("g 10000 5.57 " * 1000, 4) == [5.57] * 4
    assert deltas("1 2 g 3 0.5 4", 4) == [1.0, 2.0, 0.5, 0.5]
    assert deltas("1 2", 0) == []


def _image_only_page(tmp_path: Path, name: str, box: str, images: str) -> Path:
    """zsbk.ofd with its second page made of ``images`` only (ImageObjects of its own image 657), page box ``box``."""
    import zipfile

    page = ('<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Area>'
            f'<ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="678">{images}'
            '</ofd:Layer></ofd:Content></ofd:Page>')
    with zipfile.ZipFile(OFD / "zsbk.ofd") as source, zipfile.ZipFile(tmp_path / name, "w") as z:
        for info in source.infolist():
            z.writestr(info, page.encode() if info.filename == "Doc_0/Pages/Page_1/Content.xml" else source.read(info))
    return tmp_path / name


@pytest.mark.system
def test_hostile_ofd_image_on_an_image_only_page_stops_nothing(tmp_path):
    """An image whose box is not finite (1e308 scaled: inf; inf - inf: NaN) is not drawn; a page that cannot be
    drawn at all (its size 1e308 mm) is reported and left out: either way the file's other page is read."""
    hostile = ('<ofd:ImageObject ID="1" CTM="10 0 0 10 0 0" Boundary="1e308 0 10 10" ResourceID="657"/>'
               '<ofd:ImageObject ID="2" CTM="-1e308 0 0 10 0 0" Boundary="1e308 0 10 10" ResourceID="657"/>')
    for name, box, problems in [("images.ofd", "0 0 210 297", []),
                                ("huge.ofd", "0 0 1e308 297", ["page 2 cannot be drawn for OCR, left out"])]:
        report = Report(stream=None)
        [permit] = read_items([_image_only_page(tmp_path, name, box, hostile)], report)
        assert "合同工期2020年10月09日至2021年04月07日合同价格5140.1238万元" in permit.body.splitlines()
        assert [p.reason.split(":")[0] for p in report.problems] == problems


def test_every_ofd_file_is_read_or_reported():
    report = Report(stream=None)
    read = {path.name: items for path, items in read_files([OFD], report)}
    ofd_files = sorted(p.name for p in OFD.glob("*.ofd"))
    reported = {Path(p.path).name for p in report.problems if p.skipped}
    assert len(ofd_files) >= 6
    for name in ofd_files:
        assert read[name] or name in reported, name
    [permit] = read["zsbk.ofd"]  # a form whose glyphs its CTM scales: each label and its value on one line, as printed
    assert "合同工期2020年10月09日至2021年04月07日合同价格5140.1238万元" in permit.body.splitlines()
    chinese = read["chineseDir.ofd"]
    assert "你好呀，OFD Reader&Writer！" in chinese[0].body + chinese[0].title


@pytest.mark.system
def test_glyph_only_ofd_page_is_drawn_and_read_by_ocr(tmp_path):
    """A page of glyph indices only (no image) is drawn from the embedded font and read by OCR; the others as text."""
    (tmp_path / "glyphs.ofd").write_bytes(glyph_only_ofd(OFD / "doc1File.ofd", "Doc_1/Pages/Page_2/Content.xml"))
    [text_layer] = read_items([OFD / "doc1File.ofd"], Report(stream=None))
    [item] = read_items([tmp_path / "glyphs.ofd"], Report(stream=None))
    assert item.ocr and not text_layer.ocr
    original, got = text_layer.body.splitlines(), item.body.splitlines()
    page_2 = next(n for n, line in enumerate(original) if line.startswith("24、"))  # page 1: 23 lines of verse
    assert got[-(len(original) - page_2):] == original[page_2:]  # the other ten pages as they were
    # OCR reads the horizontal bars of ―― (U+2015) as 一一, a fair reading of the glyphs: counted as right.
    read = unicodedata.normalize("NFKC", _bare("".join(got[:-(len(original) - page_2)])))
    right = unicodedata.normalize("NFKC", _bare("".join(original[:page_2]))).replace("―", "一")
    assert 1 - Levenshtein.distance(read, right) / len(right) >= 0.95


@pytest.mark.system
def test_a_damaged_font_on_a_glyph_only_page_stops_nothing(tmp_path):
    """The glyphs of a damaged embedded font are not drawn; the file's other pages are read as text."""
    import io
    import zipfile

    glyphs = zipfile.ZipFile(io.BytesIO(glyph_only_ofd(OFD / "doc1File.ofd", "Doc_1/Pages/Page_2/Content.xml")))
    with zipfile.ZipFile(tmp_path / "damaged_font.ofd", "w") as z:
        for name in glyphs.namelist():
            data = glyphs.read(name)
            if name.endswith(".otf"):  # its glyph table scrambled
                data = data[:20000] + bytes(b ^ 0x55 for b in data[20000:60000]) + data[60000:]
            z.writestr(name, data)
    report = Report(stream=None)
    [item] = read_items([tmp_path / "damaged_font.ofd"], report)
    assert item.ocr and "24、东边日出西边雨，道是无晴却有晴。――《竹枝词》" in item.body.splitlines()
    assert not report.problems


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


@pytest.mark.system
def test_a_failed_conversion_is_remembered(tmp_path, monkeypatch):
    """A file LibreOffice gives no text for is converted once; later runs report it from the cache, until the
    converter changes or the cache is cleared."""
    from indexer.ingest.read import office

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.rtf").write_bytes(b"{\\rtf1}")  # an RTF document of no text
    (corpus / "a.docx").write_bytes((SEEDS / f"{ISSUES[1]}.docx").read_bytes())
    runs: list[list[str]] = []
    convert_all = office.convert_all
    monkeypatch.setattr(office, "convert_all",
                        lambda paths, timeout: runs.append([p.name for p in paths]) or convert_all(paths, timeout))

    def skipped() -> list[str]:
        report = Report(stream=None)
        items = list(read_items([corpus], report, documents=DocumentReader(ConversionCache(tmp_path / "cache"))))
        assert len(items) == 5
        return [f"{Path(p.path).name}: {p.reason}" for p in report.problems if p.skipped]

    assert skipped() == ["empty.rtf: no text in the document"]
    assert skipped() == ["empty.rtf: no text in the document (remembered from an earlier run; "
                         "`python -m indexer clear-cache` tries again)"]
    assert runs == [["empty.rtf"]]
    monkeypatch.setattr(office, "converter_identity", lambda timeout: "LibreOffice, another version")
    assert skipped() == ["empty.rtf: no text in the document"]
    assert runs == [["empty.rtf"]] * 2
    ConversionCache(tmp_path / "cache").clear()
    skipped()
    assert runs == [["empty.rtf"]] * 3


@pytest.mark.system
def test_a_huge_scanned_pdf_page_is_rendered_within_the_pixel_bound(tmp_path, monkeypatch):
    """A scanned page of 14,400 x 14,400 pt (48000 x 48000 pixels at 240 dpi) is rendered smaller, within
    MAX_PIXELS; a page PDFium cannot render is reported."""
    import zipfile

    import pypdfium2 as pdfium

    from indexer.errors import SourceError
    from indexer.ingest.read import ocr, pdf
    from indexer.ingest.read.ocr import MAX_PIXELS

    (tmp_path / "scan.jpg").write_bytes(zipfile.ZipFile(OFD / "zsbk.ofd").read("Doc_0/Res/image_7.jpg"))
    document = pdfium.PdfDocument.new()
    page = document.new_page(14400, 14400)
    image = pdfium.PdfImage.new(document)
    image.load_jpeg(str(tmp_path / "scan.jpg"))
    image.set_matrix(pdfium.PdfMatrix().scale(14000, 9600).translate(200, 2000))
    page.insert_obj(image)
    page.gen_content()
    document.save(tmp_path / "huge.pdf")
    data = (tmp_path / "huge.pdf").read_bytes()
    sizes: list[tuple[int, int]] = []
    monkeypatch.setattr(ocr, "ocr_image", lambda image, where: sizes.append(image.size) or "扫描页")
    assert pdf.pdf_text(data, "huge.pdf").text.strip() == "扫描页"
    assert sizes[0][0] * sizes[0][1] <= MAX_PIXELS and sizes[0][0] > 7000

    def fail(*args, **kwargs):
        raise pdfium.PdfiumError("Failed to create bitmap")

    monkeypatch.setattr(pdfium.PdfPage, "render", fail)
    with pytest.raises(SourceError, match="page 1 cannot be rendered for OCR: Failed to create bitmap"):
        pdf.pdf_text(data, "huge.pdf")


def _skipped(corpus: Path, cache: Path) -> list[str]:
    """The files of ``corpus`` skipped, with their reasons, reading them through the conversion cache ``cache``."""
    report = Report(stream=None)
    list(read_items([corpus], report, documents=DocumentReader(ConversionCache(cache))))
    return [f"{Path(p.path).name}: {p.reason}" for p in report.problems if p.skipped]


def test_a_raised_limit_retries_a_remembered_failure(tmp_path, monkeypatch):
    """A PDF refused for its page count is remembered under the limit it broke; with a higher limit it is read."""
    from indexer.ingest.read import pdf

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.pdf").write_bytes((SEEDS / f"{ISSUES[1]}.pdf").read_bytes())
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    assert _skipped(corpus, tmp_path / "cache") == ["a.pdf: 2 pages is too many for one bulletin issue (limit 1); "
                                                    "split it into issues"]
    assert "remembered from an earlier run" in _skipped(corpus, tmp_path / "cache")[0]
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    assert _skipped(corpus, tmp_path / "cache") == []


@pytest.mark.system
def test_an_ocr_timeout_is_not_remembered(tmp_path, monkeypatch):
    """A scanned page OCR takes too long over is reported again, not from the cache: the next run tries again."""
    from indexer.ingest.read import ocr

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "scan.pdf").write_bytes((SEEDS / f"{ISSUES[1]}_scanned.pdf").read_bytes())
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT", 0.01)
    for _ in range(2):
        [skipped] = _skipped(corpus, tmp_path / "cache")
        assert skipped.startswith("scan.pdf: page 1 left out: OCR of a page took longer than 0.01 s; page 2 left out")
        assert "remembered" not in skipped


def test_a_killed_converter_is_not_remembered(tmp_path, monkeypatch):
    """LibreOffice or Tesseract killed (here: programs that kill themselves) is tried again next run."""
    from indexer.ingest.read import ocr

    programs = tmp_path / "bin"
    programs.mkdir()
    for name in ("soffice", "tesseract"):  # tesseract --list-langs answers, as a working Tesseract does
        (programs / name).write_text('#!/bin/sh\n[ "$1" = --list-langs ] && { echo \'languages in "/m/":\'; '
                                     'echo chi_sim; exit 0; }\nkill -9 $$\n')
        (programs / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{programs}:{os.environ['PATH']}")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.rtf").write_bytes((SEEDS / f"{ISSUES[1]}.rtf").read_bytes())
    (corpus / "scan.pdf").write_bytes((SEEDS / f"{ISSUES[1]}_scanned.pdf").read_bytes())

    def forget_tesseract() -> None:
        for cached in (ocr.tesseract_missing, ocr._languages, ocr._reader):
            cached.cache_clear()

    forget_tesseract()
    try:
        for _ in range(2):
            assert _skipped(corpus, tmp_path / "cache") == [
                "a.rtf: LibreOffice ended abnormally (exit status -9) before writing it",
                "scan.pdf: page 1 left out: Tesseract was stopped by signal 9; "
                "page 2 left out: Tesseract was stopped by signal 9"]
    finally:
        monkeypatch.undo()
        forget_tesseract()


def _pdf_of_pages(count: int) -> bytes:
    """A valid PDF of ``count`` pages, each printing its number (objects and xref written by hand)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
               + b"] /Count %d >>" % count,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(count):
        stream = b"BT /F1 12 Tf 72 720 Td (page %d) Tj ET" % (i + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (5 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _hostile_archive(folder: Path) -> dict[str, str]:
    """Write hostile files beside two good issues; return each hostile file's name and the reason expected."""
    import io
    import zipfile

    from pypdf import PdfReader, PdfWriter

    folder.mkdir()
    (folder / "good.docx").write_bytes((SEEDS / f"{ISSUES[0]}.docx").read_bytes())
    broken = (SEEDS / f"{ISSUES[1]}.pdf").read_bytes()
    at = broken.rindex(b"startxref")
    (folder / "broken_xref.pdf").write_bytes(broken[:at] + b"startxref\n999999\n%%EOF\n")  # PDFium rebuilds it
    writer = PdfWriter(clone_from=PdfReader(SEEDS / f"{ISSUES[1]}.pdf"))
    writer.encrypt("secret")
    with (folder / "encrypted.pdf").open("wb") as f:
        writer.write(f)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (65 * 2**20))
    (folder / "bomb.docx").write_bytes(bomb.getvalue())
    (folder / "not_a_zip.docx").write_bytes("这不是一个Word文件".encode())
    (folder / "long.pdf").write_bytes(_pdf_of_pages(2000))
    package = io.BytesIO()
    with zipfile.ZipFile(OFD / "n.ofd") as source, zipfile.ZipFile(package, "w") as z:
        for info in source.infolist():
            if "Page_1/" not in info.filename:
                z.writestr(info, source.read(info))
    (folder / "missing_page.ofd").write_bytes(package.getvalue())
    return {"encrypted.pdf": "password", "bomb.docx": "zip bomb", "not_a_zip.docx": "not a Word (.docx) file (it is text)",
            "long.pdf": "2000 pages", "missing_page.ofd": "Page_1/Content.xml is missing"}


def test_hostile_files_are_reported_and_the_good_ones_indexed(tmp_path):
    expected = _hostile_archive(tmp_path / "corpus")
    report = Report(stream=None)
    started = time.monotonic()
    read = {p.name: items for p, items in read_files([tmp_path / "corpus"], report)}
    assert time.monotonic() - started < 60
    skipped = {Path(p.path).name: p.reason for p in report.problems if p.skipped}
    assert set(skipped) == set(expected)
    for name, reason in expected.items():
        assert reason in skipped[name], (name, skipped[name])
    assert len(read["good.docx"]) == 9
    assert [i.title for i in read["broken_xref.pdf"]] == [i.title for i in read_items([SEEDS / f"{ISSUES[1]}.txt"],
                                                                                      Report(stream=None))]


@pytest.mark.system
def test_a_document_that_hangs_the_converter_is_stopped(tmp_path):
    """A .doc LibreOffice needs longer than the time limit for is stopped and reported; the next file is read."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.rtf").write_bytes((SEEDS / f"{ISSUES[1]}.rtf").read_bytes())
    paragraph = r"{\pard \u27979?\u35797?\u25991?\u23383? " + "x" * 200 + r"\par}"
    (corpus / "b_slow.doc").write_text(r"{\rtf1\ansi " + paragraph * 150_000 + "}", encoding="ascii")
    (corpus / "c.rtf").write_bytes((SEEDS / f"{ISSUES[0]}.rtf").read_bytes())
    report = Report(stream=None)
    reader = DocumentReader(ConversionCache(tmp_path / "cache"), office_timeout=1)
    read = {p.name: items for p, items in read_files([corpus], report, documents=reader)}
    assert [(Path(p.path).name, "longer than 1 s" in p.reason) for p in report.problems] == [("b_slow.doc", True)]
    assert (len(read["a.rtf"]), len(read["c.rtf"])) == (5, 9)
    key = reader.cache.key((corpus / "b_slow.doc").read_bytes(), ".doc")  # a time limit's failure: not remembered
    assert reader.cache.failure(key, reader.converter(".doc")) is None


@pytest.mark.system
def test_scanned_item_page_says_its_text_is_ocr(tmp_path):
    from webapp import create_app

    index = build_index([SEEDS / f"{ISSUES[1]}_scanned.pdf"], tmp_path / "index")
    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    hit = client.get("/api/search", query_string={"q": "区教育局"}).get_json()["hits"][0]
    assert client.get(f"/api/items/{hit['id']}").get_json()["item"]["ocr"] is True
    assert "扫描件识别文本" in client.get(hit["url"]).get_data(as_text=True)


def test_progress_without_a_terminal_prints_plain_lines():
    import io

    from indexer.progress import Progress

    out = io.StringIO()
    progress = Progress(stream=out, interval=0)
    list(read_files([SEEDS / f"{ISSUES[0]}.txt", SEEDS / f"{ISSUES[1]}.txt"], Report(stream=None), progress=progress))
    lines = out.getvalue().splitlines()
    assert lines[0] == "reading 2 files …" and lines[1].startswith("read 1/2 files, 9 items;")
    assert lines[-1].startswith("read 2/2 files, 14 items;")


@pytest.mark.system
def test_pages_of_noise_are_given_up_within_the_ocr_budget(tmp_path, monkeypatch):
    """A scan of noise (Tesseract needs about a minute a page for it) costs at most PAGE_TIMEOUT a page (here 5 s),
    and after GIVE_UP_AFTER such pages the rest are left out at once; the file is reported, and tried again."""
    from indexer.ingest.read import ocr

    monkeypatch.setattr(ocr, "PAGE_TIMEOUT", 5)
    rng = np.random.default_rng(1)
    pages = [Image.fromarray((rng.random((1100, 850)) * 255).astype("uint8"), "L") for _ in range(5)]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pages[0].save(corpus / "noise.pdf", "PDF", resolution=100.0, save_all=True, append_images=pages[1:])
    started = time.monotonic()
    [skipped] = _skipped(corpus, tmp_path / "cache")
    assert time.monotonic() - started < ocr.GIVE_UP_AFTER * ocr.PAGE_TIMEOUT + 30
    assert "page 3 left out" in skipped and "page 5 left out" in skipped


@pytest.mark.system
def test_every_copy_of_a_seed_issue_is_one_item_listing_its_files(seed_conversions):
    """The scanned copies too (their OCR text differs by a few characters): 14 items, each listing its 7 other
    files, and two issues."""
    report = Report(stream=None)
    items = list(read_items([SEEDS], report))
    assert len(items) == 14 and {len(i.duplicates) for i in items} == {7}
    assert all(any(d.endswith("_scanned.pdf") for d in i.duplicates) for i in items)
    assert not any(i.ocr for i in items)  # the text layer's text is kept, not the scan's
    assert len({i.issue_key for i in items}) == 2
