"""What a file holds, told from its bytes and its text: an archive file is read only when its first bytes agree with
its extension, and only what reads as text becomes items.

Uploads are checked by the same rules before they are stored (:mod:`indexer.uploads`), archive files when they are
read (:mod:`indexer.ingest.files`): random bytes named ``.doc`` or ``.wps`` are reported, never made items of
mojibake. Text is told from garbage by the share of its characters a Chinese text uses: ASCII, CJK punctuation,
and the common characters of GB 2312 (level 1, 3,755 characters) and of Big5 (5,401): real documents, OCR included,
score 0.97 to 1.0; random bytes read in any encoding 0.5 or less.
"""

from __future__ import annotations

from functools import lru_cache

SNIFF_BYTES = 8192  # bytes of a file's start its kind is told from
MIN_READABLE = 0.8  # share of common characters below which a text is not taken as text
BINARY_MAGIC = {b"PK\x03\x04": "a zip package", b"%PDF-": "a PDF", b"\xd0\xcf\x11\xe0": "an old Office file",
                b"\x1f\x8b": "gzip data", b"\x7fELF": "a program", b"MZ": "a Windows program",
                b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"{\\rtf": "an RTF document"}
ZIP_KINDS = {".docx": ("word/document.xml", "Word (.docx)"), ".ofd": ("OFD.xml", "OFD"),
             ".odt": ("content.xml", "OpenDocument (.odt)")}
# What Word and WPS write under .doc and .wps: their binary (OLE) files, and RTF, a .docx package or a web page
# ("save as .doc" of another format, which LibreOffice reads as well).
_WORD_FAMILY = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"PK\x03\x04", b"<", b"MIME-Version")
SIGNATURES = {".pdf": (b"%PDF-",), ".doc": _WORD_FAMILY, ".wps": _WORD_FAMILY, ".rtf": (b"{\\rtf",),
              ".jsonl.gz": (b"\x1f\x8b",)}


def mismatch(suffix: str, head: bytes, nul_is_binary: bool = True) -> str | None:
    """Why a file whose first bytes are ``head`` is not what its extension ``suffix`` says, or None when it is.

    A text format holding NUL bytes is binary unless ``nul_is_binary`` is false (an archive's text file with stray
    NULs is read, its NULs removed and reported; whether it is text at all is told by :func:`readable_share`)."""
    if suffix in ZIP_KINDS:
        return None if head.startswith(b"PK\x03\x04") else f"the content is not a {ZIP_KINDS[suffix][1]} file " \
                                                           f"({what(head)})"
    expected = SIGNATURES.get(suffix)
    if expected is not None:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return None if start.startswith(expected) else f"the content is not what {suffix} says ({what(head)})"
    magic = next((name for sig, name in BINARY_MAGIC.items() if head.startswith(sig)), None)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if magic or (nul_is_binary and b"\x00" in head and not utf16):
        return f"a {suffix} file must be text, this is {magic or 'binary data'}"
    return None


def what(head: bytes) -> str:
    """What the first bytes of a file say it is."""
    magic = next((name for sig, name in BINARY_MAGIC.items() if head.startswith(sig)), None)
    if magic:
        return f"it is {magic}"
    return "it is text" if b"\x00" not in head else "it is unknown binary data"


def readable_share(text: str) -> float:
    """The share of the text's characters (spaces left out) a Chinese text uses (see the module docstring)."""
    chars = [c for c in text if not c.isspace()]
    return sum(map(_common, chars)) / len(chars) if chars else 1.0


@lru_cache(maxsize=65536)
def _common(char: str) -> bool:
    code = ord(char)
    if code < 128:
        return char.isprintable()
    if 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or 0x2010 <= code <= 0x206F:
        return True
    for encoding, first, last in (("gb2312", 0xA1, 0xA9), ("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and first <= encoded[0] <= last:
            return True
    return False
