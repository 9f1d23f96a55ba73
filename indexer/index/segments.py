"""The segments of one build folder: its Whoosh storage and table of contents, read and changed by writers.

A writer (a build, an update, an upload, a withdrawal) holds the index's writer lock
(:func:`indexer.index.layout.writer_lock`), opens :class:`Segments`, finds and deletes live documents, and
commits a new table of contents: readers see the generation before or after, never in between. A run that
fails calls :meth:`Segments.rollback`, which removes every file the committed table of contents does not name.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader

from indexer.index.layout import INDEX_NAME, META, current_build, read_toc
from indexer.index.schema import build_schema


@dataclass
class Segments:
    """A build folder's storage and the table of contents it was opened with."""

    folder: Path
    storage: FileStorage
    toc: TOC

    @classmethod
    def open(cls, folder: Path) -> Segments:
        """The segments of a build folder as last committed."""
        storage = FileStorage(str(folder))
        return cls(folder, storage, read_toc(storage, folder))

    @classmethod
    def current(cls, index_dir: Path) -> Segments:
        """The segments of the index's current build."""
        return cls.open(current_build(index_dir))

    @classmethod
    def create(cls, folder: Path) -> Segments:
        """A new, empty index in ``folder`` (generation 0, no segment)."""
        storage = FileStorage(str(folder))
        schema = build_schema()
        storage.create_index(schema, indexname=INDEX_NAME)
        return cls(folder, storage, TOC(schema, [], 0))

    def live_documents(self, field: str, terms: set[str]) -> Iterator[tuple[object, int, SegmentReader]]:
        """(segment, docnum, its open reader) of every live document holding one of ``terms`` in ``field``."""
        for segment in self.toc.segments:
            reader = SegmentReader(self.storage, self.toc.schema, segment)
            try:
                for term in terms:
                    if (field, term) not in reader:
                        continue
                    for docnum in reader.postings(field, term).all_ids():
                        if not segment.is_deleted(docnum):
                            yield segment, docnum, reader
            finally:
                reader.close()

    def stored_items(self, field: str, terms: set[str]) -> Iterator[dict]:
        """The stored items (as dicts) of the live documents holding one of ``terms`` in ``field``."""
        for _, docnum, reader in self.live_documents(field, terms):
            yield reader.stored_fields(docnum)["item"]

    def delete(self, ids: set[str], issue_keys: set[str]) -> int:
        """Mark deleted the documents with these ids or issue keys (not yet committed); return how many."""
        deleted = 0
        for field, terms in (("id", ids), ("issue_key", issue_keys)):
            for segment, docnum, _ in self.live_documents(field, terms):  # live when reached: none twice
                segment.delete_document(docnum)
                deleted += 1
        return deleted

    def commit(self, segments: list | None = None, generation: int | None = None) -> None:
        """Write the table of contents naming ``segments`` (default: the ones opened, with their deletions) as
        ``generation`` (default: the next one), atomically, and remove the files nothing names."""
        segments = self.toc.segments if segments is None else segments
        generation = self.toc.generation + 1 if generation is None else generation
        TOC(self.toc.schema, segments, generation).write(self.storage, INDEX_NAME)
        self._remove_unnamed(generation, segments)
        self.toc = TOC(self.toc.schema, segments, generation)

    def rollback(self) -> int:
        """Remove what a failed run wrote (files the committed table of contents does not name); return the
        committed generation."""
        committed = TOC.read(self.storage, INDEX_NAME)
        self._remove_unnamed(committed.generation, committed.segments)
        return committed.generation

    def _remove_unnamed(self, generation: int, segments: list) -> None:
        clean_files(self.storage, INDEX_NAME, generation, segments)
        for name in self.storage.list():
            if ".toc." in name:  # a table of contents left half-written by a killed run
                self.storage.delete_file(name)
        shutil.rmtree(self.folder / f"{INDEX_NAME}.tmp", ignore_errors=True)  # Whoosh's scratch folder
        for part in self.folder.glob(f".{META}.*.part"):  # metadata left half-written
            part.unlink(missing_ok=True)
