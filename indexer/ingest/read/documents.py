"""Document files (.docx .pdf .ofd .doc .wps .rtf .odt) to text, through the conversion cache.

:class:`DocumentReader` picks the converter by suffix, keeps each result in the
conversion cache by content hash, and converts the LibreOffice formats of a
whole run in one LibreOffice process (:meth:`DocumentReader.prepare`). A file a
converter refused is remembered in the cache with the reason and the converter's
identity, and reported from there until the file changes or another converter
(another LibreOffice or Tesseract, other settings or limits) is installed; a
conversion stopped by a time limit or a crash is not remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2

from indexer.errors import SourceError
from indexer.ingest.read import ocr, ofd, office, pdf
from indexer.ingest.read.conversions import ConversionCache, ConversionInterrupted, Extracted
from indexer.ingest.read.docx import DOCX_SUFFIXES, docx_text
from indexer.ingest.read.ofd import OFD_SUFFIXES, ofd_text
from indexer.ingest.read.pdf import PDF_SUFFIXES, pdf_text

DOCUMENT_SUFFIXES = DOCX_SUFFIXES + PDF_SUFFIXES + OFD_SUFFIXES + office.OFFICE_SUFFIXES
# A document file larger than this is not one bulletin issue (scanned PDFs are the largest).
MAX_DOCUMENT_BYTES = 200 * 2**20
_CONVERTERS: dict[str, Callable[[bytes, str], Extracted]] = {
    **dict.fromkeys(DOCX_SUFFIXES, docx_text),
    **dict.fromkeys(PDF_SUFFIXES, pdf_text),
    **dict.fromkeys(OFD_SUFFIXES, ofd_text),
}


def is_document(path: Path) -> bool:
    """Is this a document file (by its suffix)?"""
    return path.suffix.lower() in DOCUMENT_SUFFIXES


class DocumentReader:
    """Converts document files to text, reusing cached conversions; LibreOffice files in batches."""

    def __init__(self, cache: ConversionCache | None = None, office_timeout: float = office.FILE_TIMEOUT):
        self.cache = cache
        self.office_timeout = office_timeout
        self._office: dict[Path, str | SourceError] = {}

    def converter(self, suffix: str) -> str:
        """The identity of what converts files of ``suffix`` here: program, version, settings and limits."""
        if suffix in office.OFFICE_SUFFIXES:
            return office.converter_identity(self.office_timeout)
        if suffix in PDF_SUFFIXES + OFD_SUFFIXES:
            pages = pdf.MAX_PAGES if suffix in PDF_SUFFIXES else ofd.MAX_PAGES
            return f"{suffix} pypdfium2 {pypdfium2.PYPDFIUM_INFO} max_pages={pages}; {ocr.identity()}"
        return suffix

    def prepare(self, paths: list[Path]) -> None:
        """Convert the LibreOffice files among ``paths`` the cache knows nothing of, all in one LibreOffice run."""
        pending = []
        for path in paths:
            suffix = path.suffix.lower()
            if suffix not in office.OFFICE_SUFFIXES:
                continue
            try:
                key = self.cache.key(path.read_bytes(), suffix) if self.cache else ""
            except OSError:
                continue  # reported when the file is read
            if not self.cache or not (self.cache.get(key) or self.cache.failure(key, self.converter(suffix))):
                pending.append(path)
        if pending:
            self._office.update(office.convert_all(pending, self.office_timeout))

    def extract(self, path: Path, data: bytes) -> Extracted:
        """The text of one document file's bytes; SourceError when it cannot be had."""
        suffix = path.suffix.lower()
        key = self.cache.key(data, suffix) if self.cache else ""
        if self.cache and (cached := self.cache.get(key)):
            return cached
        converter = self.converter(suffix)
        if self.cache and (reason := self.cache.failure(key, converter)):
            raise SourceError(str(path), f"{reason} (remembered from an earlier run; "
                                         f"`python -m indexer clear-cache` tries again)")
        try:
            extracted = self._convert(path, data, suffix)
        except SourceError as e:
            if self.cache and not isinstance(e, ConversionInterrupted):  # only a refusal is for good
                self.cache.put_failure(key, converter, e.reason)
            raise
        if self.cache and not extracted.interrupted:
            self.cache.put(key, extracted)
        return extracted

    def _convert(self, path: Path, data: bytes, suffix: str) -> Extracted:
        """Convert one file (no cache); SourceError when it gives no text."""
        if suffix in office.OFFICE_SUFFIXES:
            result = self._office.pop(path, None)
            if result is None:
                result = office.convert_all([path], self.office_timeout)[path]
            if isinstance(result, SourceError):
                raise result
            extracted = Extracted(result)
        else:
            extracted = _CONVERTERS[suffix](data, str(path))
        if not extracted.text.strip():
            reason = "; ".join(extracted.warnings) or "no text in the document"
            raise (ConversionInterrupted if extracted.interrupted else SourceError)(str(path), reason)
        return extracted
