"""OFD files (GB/T 33190 版式文档): the text runs of every page, read with lxml over the zip package.

``OFD.xml`` names each document's root (``DocRoot``); a document's
``Document.xml`` lists its pages (and the template pages they draw on); each
page's ``Content.xml`` holds ``TextObject``/``TextCode`` runs placed on the page.
Runs are put in reading order by position (top to bottom, then left to right)
and runs on one baseline become one line (a run drawn twice a hair apart, as fake
bold, counts once); the page texts then go through the
same page cleaning and reflow as PDFs. Elements are matched by local name, since
some producers write their own namespace URI.

A page whose text is drawn only through glyph indices (``CGTransform`` with no
characters in ``TextCode``), or only as images, has no text to read back: it is a
scanned page. It is drawn to an image, glyphs from the embedded fonts and images
in their boxes (:mod:`indexer.ingest.read.ofddraw`), and read by OCR like a scanned PDF
page; its items are marked ``ocr``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from indexer.errors import SourceError
from indexer.ingest.read.conversions import Extracted
from indexer.ingest.read.docx import PARSER
from indexer.ingest.read.ocr import OCR_DPI, OcrBudget, check_ocr
from indexer.ingest.read.ofddraw import draw_page
from indexer.ingest.read.ofdvalues import deltas, number, numbers
from indexer.ingest.read.pagetext import join_pages
from indexer.ingest.read.zippackage import Package

OFD_SUFFIXES = (".ofd",)
MAX_PAGES = 500  # as for PDF: a longer file is not one bulletin issue
A4 = [0.0, 0.0, 210.0, 297.0]  # the page box (mm) of a page that states none
# XPath over local names (producers differ in namespace URI):
_DOC_ROOTS = "//*[local-name()='DocBody']/*[local-name()='DocRoot']"  # OFD.xml: each document's Document.xml
_PAGES = "//*[local-name()='Pages']/*[local-name()='Page']"  # Document.xml: pages in order (@BaseLoc)
_TEMPLATES = "//*[local-name()='CommonData']/*[local-name()='TemplatePage']"  # Document.xml: template pages
_PAGE_TEMPLATES = "/*/*[local-name()='Template']"  # Content.xml: templates a page draws on (@TemplateID)
_RESOURCES = "//*[local-name()='CommonData']/*[local-name()='PublicRes' or local-name()='DocumentRes']"
# Resource files by ID (under the resource's BaseLoc folder): images (MediaFile) and embedded fonts (FontFile).
_MEDIA = "//*[local-name()='MultiMedia' or local-name()='Font']"
_PAGE_BOX = "./*[local-name()='Area']/*[local-name()='PhysicalBox']"  # Content.xml: the page's size (mm)
_DOC_BOX = "//*[local-name()='CommonData']/*[local-name()='PageArea']/*[local-name()='PhysicalBox']"
_OBJECTS = "//*[local-name()='TextObject' or local-name()='ImageObject']"  # Content.xml: drawn objects


@dataclass
class _Run:
    """A run of text at its place on the page (millimetres, y down)."""

    x: float
    y: float
    size: float
    width: float
    text: str


def ofd_text(data: bytes, path: str) -> Extracted:
    """The text of every page of every document in an OFD package."""
    package = Package(data, path, "OFD")
    roots = _xml(package, "OFD.xml").xpath(_DOC_ROOTS)
    if not roots:
        raise SourceError(path, "OFD.xml names no document (DocRoot)")
    pages: list[list[str]] = []
    scanned = 0
    problems: list[str] = []
    budget = OcrBudget(path)
    for root in roots:
        doc_path = _resolve("/", (root.text or "").strip())
        document = _xml(package, doc_path)
        base = posixpath.dirname(doc_path)
        templates = {t.get("ID"): _resolve(base, t.get("BaseLoc", "")) for t in document.xpath(_TEMPLATES)}
        media = _media(package, document, base)
        doc_box = document.xpath(_DOC_BOX)
        for page in document.xpath(_PAGES):
            if len(pages) >= MAX_PAGES:
                raise SourceError(path, f"more than {MAX_PAGES} pages is too many for one bulletin issue")
            content = _xml(package, _resolve(base, page.get("BaseLoc", "")))
            layers = [content] + [_xml(package, templates[t.get("TemplateID")])
                                  for t in content.xpath(_PAGE_TEMPLATES) if t.get("TemplateID") in templates]
            runs, drawn = _page_runs(layers)
            if not runs and drawn:
                scanned += 1
                check_ocr(path, scanned)
                sizes = content.xpath(_PAGE_BOX) + doc_box
                box = numbers(sizes[0].text, 4) if sizes else A4
                lines = _ocr_page(package, len(pages) + 1, box, drawn, media, problems, budget)
            else:
                lines = _lines(runs)
            pages.append(lines)
    return Extracted(join_pages(pages), ocr=scanned > 0, pages=len(pages), warnings=problems + budget.warnings,
                     interrupted=budget.interrupted)


def _xml(package: Package, name: str) -> etree._Element:
    try:
        return etree.fromstring(package.read(name), PARSER)
    except etree.XMLSyntaxError as e:
        raise SourceError(package.path, f"OFD part {name} is not well-formed XML: {e}") from None


def _resolve(base: str, location: str) -> str:
    """A part's name in the package from a location that is absolute or relative to ``base``."""
    if not location:
        return base
    joined = location if location.startswith("/") else posixpath.join("/", base, location)
    return posixpath.normpath(joined).lstrip("/")


def _media(package: Package, document: etree._Element, base: str) -> dict[str, str]:
    """Image and other media files of a document by resource ID."""
    found = {}
    for res in document.xpath(_RESOURCES):
        res_path = _resolve(base, (res.text or "").strip())
        if not package.has(res_path):
            continue
        xml = _xml(package, res_path)
        folder = _resolve(posixpath.dirname(res_path), xml.get("BaseLoc", ""))
        for item in xml.xpath(_MEDIA):
            file = next((c.text for c in item if etree.QName(c).localname in ("MediaFile", "FontFile") and c.text),
                        None)
            if file:
                found[item.get("ID")] = _resolve(folder, file.strip())
    return found


def _page_runs(layers: list[etree._Element]) -> tuple[list[_Run], list[etree._Element]]:
    """The text runs of a page, and the objects that draw without readable text (glyph indices, images)."""
    runs: list[_Run] = []
    drawn = []
    for layer in layers:
        for obj in layer.xpath(_OBJECTS):
            if etree.QName(obj).localname == "ImageObject" or obj.xpath("./*[local-name()='CGTransform']"):
                drawn.append(obj)
            if etree.QName(obj).localname == "ImageObject":
                continue
            box = numbers(obj.get("Boundary"), 4)
            ctm = numbers(obj.get("CTM"), 6) if obj.get("CTM") else None
            scale = abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) ** 0.5 if ctm else 1.0  # the CTM scales the glyphs too
            size = number(obj.get("Size"), 3.5) * scale
            x = y = 0.0
            for child in obj:
                if etree.QName(child).localname != "TextCode":
                    continue
                x, y = number(child.get("X"), x), number(child.get("Y"), y)
                text = child.text or ""
                advances = deltas(child.get("DeltaX"), len(text) - 1)
                px, py = (ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]) if ctm else (x, y)
                width = sum(advances) * scale + size
                if text.strip():
                    runs.append(_Run(box[0] + px, box[1] + py, size, width, text))
    return runs, drawn


def _lines(runs: list[_Run]) -> list[str]:
    """Runs on one baseline (within half a character) joined left to right; lines top to bottom."""
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= lines[-1][0].size / 2:
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for line in lines:
        line.sort(key=lambda r: r.x)
        line = [r for i, r in enumerate(line) if i == 0 or not _overprint(line[i - 1], r)]
        text = line[0].text
        for before, run in zip(line, line[1:]):
            gap = run.x - (before.x + before.width)
            text += ("\u3000" if gap > 2 * before.size else "") + run.text  # a wide gap (not letter spacing) stays
        out.append(text)
    return out


def _overprint(before: _Run, run: _Run) -> bool:
    """Is ``run`` the same text drawn again just beside ``before`` (how some producers make bold)?"""
    return run.text == before.text and abs(run.x - before.x) < run.size / 3 and abs(run.y - before.y) < run.size / 3


def _ocr_page(package: Package, page: int, box: list[float], drawn: list[etree._Element],
              media: dict[str, str], problems: list[str], budget: OcrBudget) -> list[str]:
    """OCR of page ``page``, drawn from its glyph-index text and images (a page with no text to read back).

    A page that cannot be drawn reads as no lines, the reason added to ``problems``: the file's other pages stay.
    """
    def resource(resource_id: str) -> bytes | None:
        name = media.get(resource_id)
        return package.read(name) if name and package.has(name) else None

    try:
        image = draw_page(box[2], box[3], drawn, resource, OCR_DPI)
    except Exception as e:  # hostile sizes, numbers or images fail in many ways: this page is left out, not the file
        problems.append(f"page {page} cannot be drawn for OCR, left out: {e}")
        return []
    return budget.read(lambda: image, page).splitlines()
