"""Word ``.docx`` files: the text of the main document part, read with lxml over the zip package.

Paragraphs and tables come in document order, one paragraph a line and one table
row a line (cells joined by a space). Headers, footers, comments and footnotes
live in other parts and are left out; deleted revisions are left out too. The
core properties (title, created) are returned for use only when the text itself
states nothing.
"""

from __future__ import annotations

import re

from lxml import etree

from indexer.errors import SourceError
from indexer.ingest.read.conversions import Extracted
from indexer.ingest.read.zippackage import Package

DOCX_SUFFIXES = (".docx",)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAIN_PART = "word/document.xml"
_CORE_PART = "docProps/core.xml"
# Core properties: the document's title and creation time.
_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_CREATED = "{http://purl.org/dc/terms/}created"
# Parser for parts of untrusted packages: no network, no entity expansion, no huge trees.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def docx_text(data: bytes, path: str) -> Extracted:
    """The text of a .docx file's main document, with its title and creation date properties."""
    package = Package(data, path, "Word (.docx)")
    body = _parse(package, _MAIN_PART).find(f"{_W}body")
    if body is None:
        raise SourceError(path, f"{_MAIN_PART} has no body")
    lines: list[str] = []
    for block in body:
        if block.tag == f"{_W}p":
            lines.append(_paragraph_text(block))
        elif block.tag == f"{_W}tbl":
            lines.extend(_table_rows(block))
        elif block.tag == f"{_W}sdt":  # a content control: its paragraphs and tables
            lines.extend(_paragraph_text(p) for p in block.iter(f"{_W}p"))
    title, created = "", None
    if package.has(_CORE_PART):
        core = _parse(package, _CORE_PART)
        title = (core.findtext(_TITLE) or "").strip()
        stamp = (core.findtext(_CREATED) or "").strip()[:10]
        created = stamp if re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", stamp) else None
    return Extracted("\n".join(lines), title=title, created=created)


def _parse(package: Package, name: str) -> etree._Element:
    try:
        return etree.fromstring(package.read(name), PARSER)
    except etree.XMLSyntaxError as e:
        raise SourceError(package.path, f"{name} is not well-formed XML: {e}") from None


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's visible text: its runs' text, tabs and breaks, without deleted revisions."""
    out = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}del"):
        if node.tag == f"{_W}t" and not _inside_deletion(node, paragraph):
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def _inside_deletion(node: etree._Element, stop: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{_W}del":
            return True
        parent = parent.getparent()
    return False


def _table_rows(table: etree._Element) -> list[str]:
    """Each row of a table as one line, its cells' text joined by a space (nested tables flattened)."""
    rows = []
    for row in table.iter(f"{_W}tr"):
        if _nearest_table(row) is not table:
            continue
        cells = [" ".join(_paragraph_text(p) for p in cell.iter(f"{_W}p")).strip()
                 for cell in row.iter(f"{_W}tc") if _nearest_table(cell) is table]
        rows.append(" ".join(c for c in cells if c))
    return rows


def _nearest_table(node: etree._Element) -> etree._Element | None:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{_W}tbl":
        parent = parent.getparent()
    return parent
