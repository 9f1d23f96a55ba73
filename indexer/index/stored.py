"""Stored items compressed against the text of the segment's first items (zlib's preset dictionary).

Whoosh's W3 codec compresses each document's stored fields on its own: an item of a
few hundred characters has too little text to find repeats in, so Chinese text barely
shrinks (to about nine tenths). Deflate can start from a preset dictionary: here that is
the last DICTIONARY_BYTES of the segment's first items (their pickled stored fields),
which share the words, phrases and field names of the later ones, so each item is still
compressed and read on its own, at about three fifths of the size. The first items,
until the dictionary is full, are compressed without one; the reader takes them up again
to rebuild the dictionary when it first reads a segment.

:class:`ItemCodec` is Whoosh's W3 codec with this column for stored fields; a segment
records its codec, so segments written by Whoosh's own writer are read as before.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from whoosh import columns
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter
from whoosh.filedb.filestore import Storage
from whoosh.filedb.structfile import StructFile

DICTIONARY_BYTES = 32 * 1024  # deflate's window: a longer dictionary is not used
LEVEL = 6
RAW = -15  # zlib's wbits for raw deflate: no header and no check of the dictionary (an Adler-32 of it per read)


class DictionaryColumn(columns.VarBytesColumn):
    """Byte strings, each deflated on its own with the column's first values as preset dictionary."""

    def writer(self, dbfile: StructFile) -> DictionaryColumn.Writer:
        """A writer of this column into ``dbfile``."""
        return self.Writer(dbfile)

    class Writer(columns.VarBytesColumn.Writer):
        def __init__(self, dbfile):
            super().__init__(dbfile)
            self._seen = b""  # the first values, until they fill the dictionary
            self._dictionary: bytes | None = None

        def add(self, docnum: int, v: bytes) -> None:
            """Write document ``docnum``'s value, deflated (against the dictionary once it is full)."""
            if self._dictionary is None:
                super().add(docnum, zlib.compress(v, LEVEL, RAW))
                self._seen += v
                if len(self._seen) >= DICTIONARY_BYTES:
                    self._dictionary, self._seen = self._seen[-DICTIONARY_BYTES:], b""
            else:
                deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, RAW, zdict=self._dictionary)
                super().add(docnum, deflate.compress(v) + deflate.flush())

    class Reader(columns.VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount):
            super().__init__(dbfile, basepos, length, doccount)
            self._dictionary: bytes | None = None
            self._plain = 0  # values before this docnum are deflated without a dictionary

        def __getitem__(self, docnum: int) -> bytes:
            """Document ``docnum``'s value, inflated."""
            v = super().__getitem__(docnum)
            if not v:
                return v
            if self._dictionary is None:
                self._rebuild_dictionary()
            if docnum < self._plain:
                return zlib.decompress(v, RAW)
            inflate = zlib.decompressobj(RAW, zdict=self._dictionary)
            return inflate.decompress(v) + inflate.flush()

        def __iter__(self) -> Iterator[bytes]:
            """Every document's value, inflated, in docnum order."""
            return (self[docnum] for docnum in range(self._doccount))

        def _rebuild_dictionary(self) -> None:
            """The dictionary the writer used: the first values, read until they fill it."""
            seen, docnum = b"", 0
            while docnum < self._doccount and len(seen) < DICTIONARY_BYTES:
                v = super().__getitem__(docnum)
                seen += zlib.decompress(v, RAW) if v else b""
                docnum += 1
            self._plain = docnum if len(seen) >= DICTIONARY_BYTES else self._doccount
            self._dictionary = seen[-DICTIONARY_BYTES:]


STORED_COLUMN = columns.PickleColumn(DictionaryColumn())


class ItemCodec(W3Codec):
    """Whoosh's W3 codec with stored fields in a :class:`DictionaryColumn`."""

    def per_document_writer(self, storage: Storage, segment: Segment) -> W3PerDocWriter:
        """Whoosh's per-document writer, writing stored fields into a :class:`DictionaryColumn`."""
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Storage, segment: Segment) -> W3PerDocReader:
        """Whoosh's per-document reader, reading stored fields from a :class:`DictionaryColumn`."""
        return _PerDocReader(storage, segment)


class _PerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class _PerDocReader(W3PerDocReader):
    def stored_fields(self, docnum: int) -> dict:
        """The stored fields of document ``docnum`` (empty when it has none)."""
        value = self._cached_reader("_stored", STORED_COLUMN)[docnum]
        return {} if value is None else value
