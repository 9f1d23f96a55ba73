"""Bytes to text: byte-order marks, strict UTF-8, then charset-normalizer's guess, never silently.

One detector serves every format: :func:`detect_encoding` names the encoding of
bytes, :func:`decode` turns a text file's bytes into text (dropping stray NULs,
reading a file of mixed UTF-8 and legacy lines line by line) and refuses binary data
and files cut off in the middle of a character. :func:`valid_text` replaces code
points that are not characters (lone surrogates, non-characters) in decoded values,
and :func:`strip_bidi` removes the controls that reorder text on screen.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from charset_normalizer import from_bytes

from indexer.errors import SourceError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Share of replacement or control characters above which decoded bytes are taken for binary data.
_MAX_NOISE = 0.02
# Lone surrogates (no UTF-8 form: writing them fails) and the non-characters U+FDD0..U+FDEF, U+xxFFFE/F.
_NOT_CHARACTERS = re.compile("[\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)) + "]")
# Bidirectional controls: embeddings, overrides, isolates and marks (they make 区教育局 look like another name).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"


def decode(data: bytes, path: str, warn: Callable[[str], None] | None = None) -> str:
    """Bytes to text: a BOM decides, else strict UTF-8, else charset-normalizer's best guess.

    Stray NUL bytes are dropped, and a file mostly in UTF-8 with some lines in another
    encoding is read line by line; both are reported through ``warn``, as are non-characters
    replaced and bidirectional controls removed. Raises SourceError for empty or binary
    content and for a file that ends in the middle of a character.
    """
    text, replaced = valid_text(_decode(data, path, warn))
    clean = strip_bidi(text)
    if warn and replaced:
        warn(f"{replaced} invalid code points (non-characters) replaced with U+FFFD")
    if warn and len(clean) < len(text):
        warn(f"{len(text) - len(clean)} bidirectional control characters removed")
    return clean


def _decode(data: bytes, path: str, warn: Callable[[str], None] | None) -> str:
    if not data.strip(b" \t\r\n\x00"):
        raise SourceError(path, "empty file")
    bom = bom_encoding(data)
    if bom:
        _refuse_truncated(data, bom, path)
        return _checked(data.decode(bom, errors="replace").removeprefix("\ufeff"), path)  # utf-16/32 keep it
    nuls = data.count(0)
    if nuls and nuls < _MAX_NOISE * len(data) and is_utf8(data.replace(b"\x00", b"")):
        data = data.replace(b"\x00", b"")  # text with stray NULs, not UTF-16 or binary data
        if warn:
            warn(f"{nuls} NUL bytes removed")
    if b"\x00" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            _refuse_truncated(data, "utf-8", path)
            mixed = _mixed_lines(data, warn)
            if mixed is not None:
                return _checked(mixed, path)
    try:
        encoding = detect_encoding(data, path)
    except SourceError:
        for cut in range(1, 4):  # a legacy file cut inside a character is unreadable to the detector
            best = from_bytes(data[:-cut]).best()
            if best is not None:
                _refuse_truncated(data, best.encoding, path)
        raise
    _refuse_truncated(data, encoding, path)
    return _checked(data.decode(encoding, errors="replace"), path)


def valid_text(text: str) -> tuple[str, int]:
    """The text with every lone surrogate and non-character replaced by U+FFFD, and how many were."""
    return _NOT_CHARACTERS.subn(REPLACEMENT, text)


def strip_bidi(text: str) -> str:
    """The text without bidirectional control characters."""
    return _BIDI_CONTROLS.sub("", text)


def _refuse_truncated(data: bytes, encoding: str, path: str) -> None:
    """SourceError when the bytes are valid in ``encoding`` but end in the middle of a character
    (a copy cut short): such a file is not read, so the items indexed from it are kept."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return  # invalid before its end: not a plain truncation
    pending = decoder.getstate()[0]
    if pending:
        raise SourceError(path, f"truncated: the file ends in the middle of a character ({encoding}, "
                                f"{len(pending)} of its bytes); it was not read and items indexed from it are kept")


def detect_encoding(data: bytes, path: str) -> str:
    """The encoding of bytes that declare none: a BOM, else UTF-8 if valid, else charset-normalizer's guess."""
    bom = bom_encoding(data)
    if bom:
        return bom
    if is_utf8(data):
        return "utf-8"
    best = from_bytes(data).best()
    if best is None:
        raise SourceError(path, "binary data or an unknown encoding")
    return best.encoding


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start declares, if any."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _mixed_lines(data: bytes, warn: Callable[[str], None] | None) -> str | None:
    """Text of a file mostly in UTF-8 whose other lines are in one legacy encoding; None if not so."""
    lines = data.split(b"\n")
    bad = [i for i, line in enumerate(lines) if not is_utf8(line)]
    non_ascii = sum(len(line) for line in lines if not line.isascii())
    if not bad or sum(len(lines[i]) for i in bad) * 2 > non_ascii:
        return None
    best = from_bytes(b"\n".join(lines[i] for i in bad)).best()
    encoding = best.encoding if best is not None else "gb18030"
    legacy = set(bad)
    text = [line.decode(encoding if i in legacy else "utf-8", errors="replace") for i, line in enumerate(lines)]
    if warn:
        warn(f"mixed encodings: {len(bad)} lines read as {encoding}, the others as UTF-8")
    return "\n".join(text)


def is_utf8(line: bytes) -> bool:
    """Are these bytes valid UTF-8?"""
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _checked(text: str, path: str) -> str:
    noise = sum(1 for ch in text if ch == "\ufffd" or (ch < " " and ch not in "\t\r\n"))
    if noise > _MAX_NOISE * len(text):
        raise SourceError(path, "binary data (too many undecodable or control characters)")
    return text
