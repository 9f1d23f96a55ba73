"""PDF files: the text layer of each page through PDFium (pypdfium2), and OCR for pages that have none.

pypdfium2 (BSD-3/Apache-2.0, Google's PDFium, the engine of Chromium's viewer) is
used for the speed and accuracy measured in ``bench/formats.py`` (docs/performance.md,
"Reading office files"). A page without a text layer but with an image is a
scanned page: it is rendered and read by Tesseract (:mod:`indexer.ingest.read.ocr`).
Running headers, footers and page numbers are removed and the lines reflowed by
the same splitter as PDF-extracted ``.txt`` files (:mod:`indexer.ingest.read.pagetext`).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from indexer.errors import SourceError
from indexer.ingest.read.conversions import Extracted
from indexer.ingest.read.ocr import MAX_PIXELS, OCR_DPI, OcrBudget, check_ocr
from indexer.ingest.read.pagetext import join_pages

PDF_SUFFIXES = (".pdf",)
MAX_PAGES = 500  # a longer PDF is not one bulletin issue: reported, not read (bounds time and memory)
_MIN_TEXT = 2  # a page with fewer characters in its text layer is taken as scanned (if it holds an image)


def pdf_text(data: bytes, path: str) -> Extracted:
    """The text of a PDF, page by page: the text layer, or OCR of a scanned page."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise SourceError(path, _open_failure(str(e))) from None
    try:
        count = len(doc)
        if count == 0:
            raise SourceError(path, "the PDF has no pages")
        if count > MAX_PAGES:
            raise SourceError(path, f"{count} pages is too many for one bulletin issue (limit {MAX_PAGES}); "
                                    f"split it into issues")
        pages, scanned, budget = [], 0, OcrBudget(path)
        for number in range(count):
            page = doc[number]
            try:
                text = _text_layer(page)
                if len("".join(text.split())) < _MIN_TEXT and _has_image(page):
                    scanned += 1
                    check_ocr(path, scanned)
                    text = budget.read(lambda page=page, number=number: _render(page, path, number), number + 1)
            finally:
                page.close()
            pages.append(text.splitlines())
        title = (doc.get_metadata_dict(skip_empty=True).get("Title") or "").strip()
    finally:
        doc.close()
    return Extracted(join_pages(pages), ocr=scanned > 0, title=title, pages=count, warnings=budget.warnings,
                     interrupted=budget.interrupted)


def _render(page: pdfium.PdfPage, path: str, number: int) -> Image.Image:
    """A scanned page as a grey image at :data:`OCR_DPI`, or smaller to fit :data:`MAX_PIXELS` (a huge page)."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    fit = (MAX_PIXELS / area) ** 0.5
    fit = (max(MAX_PIXELS - fit * (width + height) - 1, 0) / area) ** 0.5  # each side may round up by a pixel
    scale = min(OCR_DPI / 72, fit)
    try:
        return page.render(scale=scale, grayscale=True).to_pil()
    except pdfium.PdfiumError as e:
        raise SourceError(path, f"page {number + 1} cannot be rendered for OCR: {e}") from None


def _text_layer(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
    finally:
        textpage.close()


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))


def _open_failure(message: str) -> str:
    """The reason PDFium gives for not opening a file, in words for the report."""
    if "password" in message.lower():
        return "the PDF is encrypted with a password: save it without one to index it"
    if "format" in message.lower() or "file" in message.lower():
        return f"not a readable PDF (damaged or not a PDF: {message})"
    return f"PDFium cannot read it: {message}"
