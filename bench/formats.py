"""Reading speed of the document formats: ``python -m bench.formats`` (needs ../shared; about a minute).

Pages a second for text-layer PDF (pypdfium2, and pypdf as the anchor), .docx and
OFD; seconds a page for OCR; a 100-page text PDF against jieba segmenting its
text; the conversion cache's effect on a second read of the seed formats.
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
import time
import zipfile
from pathlib import Path

import jieba
import pypdfium2 as pdfium
from pypdf import PdfReader

from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.ingest.read.conversions import ConversionCache
from indexer.ingest.read.documents import DocumentReader
from indexer.ingest.read.docx import docx_text
from indexer.ingest.read.ocr import OCR_DPI
from indexer.ingest.read.ofd import ofd_text
from indexer.ingest.read.pdf import pdf_text

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
SEEDS = SHARED / "realworld" / "seeds_formats"


def _rate(fn, data: bytes, pages: int, repeat: int) -> float:
    """Pages a second of ``fn`` over ``data``, best of ``repeat`` runs."""
    best = min(_seconds(fn, data) for _ in range(repeat))
    return pages / best


def _seconds(fn, data: bytes) -> float:
    started = time.perf_counter()
    fn(data)
    return time.perf_counter() - started


def _hundred_pages() -> bytes:
    """A 100-page text PDF: the seed issue's pages repeated (pypdfium2 imports pages)."""
    seed = pdfium.PdfDocument(str(SEEDS / "000_481367547d7bb0e8.pdf"))
    out = pdfium.PdfDocument.new()
    while len(out) < 100:
        out.import_pages(seed, [i for i in range(len(seed)) if len(out) + i < 100])
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        out.save(f.name)
        return Path(f.name).read_bytes()


def glyph_only_ofd(ofd: Path, page: str) -> bytes:
    """The OFD package with the characters of one page's TextCode runs removed: that page's text is drawn through
    glyph indices of the embedded font only (its CGTransform), as some producers write every page."""
    out = io.BytesIO()
    with zipfile.ZipFile(ofd) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == page:
                data = re.sub(rb"(<ofd:TextCode[^>]*>)[^<]*(</ofd:TextCode>)", rb"\1\2", data)
            z.writestr(info, data)
    return out.getvalue()


def _pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    rows = []
    pdf100 = _hundred_pages()
    rows.append(("text PDF, pypdfium2 (100 pages)", f"{_rate(lambda d: pdf_text(d, 'x'), pdf100, 100, 3):.0f} pages/s"))
    rows.append(("text PDF, pypdf (100 pages)", f"{_rate(_pypdf_text, pdf100, 100, 1):.0f} pages/s"))
    text = pdf_text(pdf100, "x").text
    started = time.perf_counter()
    jieba.lcut(text)
    jieba_s = time.perf_counter() - started
    pdf_s = min(_seconds(lambda d: pdf_text(d, "x"), pdf100) for _ in range(3))
    rows.append(("100-page PDF: read / jieba on its text", f"{pdf_s:.2f} s / {jieba_s:.2f} s"))
    docx = (SEEDS / "000_481367547d7bb0e8.docx").read_bytes()
    rows.append((".docx (3 printed pages)", f"{_rate(lambda d: docx_text(d, 'x'), docx, 3, 20):.0f} pages/s"))
    ofd = (SHARED / "ofd" / "doc1File.ofd").read_bytes()
    rows.append(("OFD (doc1File.ofd, 11 pages)", f"{_rate(lambda d: ofd_text(d, 'x'), ofd, 11, 5):.0f} pages/s"))
    scanned = (SEEDS / "004_25bc5815877f9951_scanned.pdf").read_bytes()
    rows.append((f"OCR, scanned PDF at {OCR_DPI} dpi (2 pages)",
                 f"{_seconds(lambda d: pdf_text(d, 'x'), scanned) / 2:.1f} s/page"))
    glyphs = glyph_only_ofd(SHARED / "ofd" / "doc1File.ofd", "Doc_1/Pages/Page_2/Content.xml")
    rows.append(("OCR, OFD page of glyph indices only, drawn and read (1 page)",
                 f"{_seconds(lambda d: ofd_text(d, 'x'), glyphs):.1f} s/page"))
    with tempfile.TemporaryDirectory() as cache_dir:
        times = []
        for _ in range(2):
            started = time.perf_counter()
            list(read_items([SEEDS], Report(stream=None), documents=DocumentReader(ConversionCache(Path(cache_dir)))))
            times.append(time.perf_counter() - started)
    rows.append(("seeds_formats (16 files), first / cached read", f"{times[0]:.1f} s / {times[1]:.1f} s"))
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
