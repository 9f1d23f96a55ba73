"""Writing a Whoosh segment from many items at once: invert with NumPy, write by blocks.

Whoosh's own writer pools every posting as a Python tuple, sorts them and writes
them one at a time; over 38 million characters that takes hours. Here the items
of a segment are analysed as they come, kept as compact arrays (term ids and
frequencies per document), spilled as sorted runs when they outgrow the builder's
memory and merged per field at the end (:mod:`indexer.index.runs`), and each
term's postings are written as whole W3 blocks (:mod:`indexer.index.postings`), but the
grams of a single document go beside the term table (:mod:`indexer.index.singles`). Stored
fields and field lengths go through Whoosh's own per-document writer. The result
is an ordinary Whoosh segment plus its doc-values and singles files (:mod:`indexer.index.docvalues`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_ushort

from indexer.analysis import form_gram_keys, gram_text, index_words, joined_gram_keys
from indexer.index.docvalues import DocValuesWriter
from indexer.index.postings import encode_term
from indexer.index.runs import DOC_BITS, FieldPostings
from indexer.index.schema import GRAM_FIELDS, KEY_FIELDS, WORD_FIELDS
from indexer.index.singles import SinglesWriter
from indexer.index.stored import ItemCodec
from indexer.index.term_table import compact_buckets
from indexer.items import Item, searchable_parts
from indexer.normalize import search_form

MAX_SEGMENT_DOCS = (1 << DOC_BITS) - 1  # docnums share a 64-bit sort key with the term
UNBOUNDED = 1 << 62


class SegmentBuilder:
    """Collects analysed items in memory and writes them as one Whoosh segment."""

    def __init__(self, storage: FileStorage, schema: Schema, indexname: str = "MAIN", postings_bytes: int = UNBOUNDED):
        self.storage = storage
        self.schema = schema
        self.codec = ItemCodec()
        self.segment = self.codec.new_segment(storage, indexname)
        self.perdoc = self.codec.per_document_writer(storage, self.segment)
        self.values = DocValuesWriter()
        self.doc_count = 0
        self.vocab: dict[str, int] = {}
        self.postings_bytes = postings_bytes  # bytes of postings held in memory; more are spilled to sorted runs
        runs = Path(storage.folder) / f"{indexname}.tmp"  # Whoosh's scratch folder, removed at each commit
        self.postings = {f: FieldPostings(runs / f"{self.segment.segment_id()}.{f}") for f in WORD_FIELDS + GRAM_FIELDS}
        self.keys: dict[str, list[str]] = {f: [] for f in KEY_FIELDS}
        self.lengths: dict[str, list[int]] = {f: [] for f in WORD_FIELDS + GRAM_FIELDS}

    def add(self, item: Item) -> None:
        """Analyse one item and add it as the segment's next document."""
        if self.doc_count >= MAX_SEGMENT_DOCS:
            raise ValueError("segment is full")
        forms = [search_form(part) for part in searchable_parts(item)]
        tokens = {"title": index_words(item.title), "body": index_words(item.body)}
        for name in WORD_FIELDS:
            ids = np.fromiter((self.vocab.setdefault(w, len(self.vocab)) for w in tokens[name]),
                              dtype=np.int64, count=len(tokens[name]))
            self._add_terms(name, ids)
        self._add_terms("grams", form_gram_keys(forms).astype(np.int64))
        self._add_terms("title_grams", form_gram_keys(forms[:1]).astype(np.int64))
        self._add_terms("joined_grams", joined_gram_keys(forms).astype(np.int64))
        self.keys["id"].append(item.id)
        self.keys["issue_key"].append(item.issue_key)

        self.perdoc.start_doc(self.doc_count)
        for name in sorted(self.schema.names()):
            field = self.schema[name]
            length = self.lengths[name][-1] if name in self.lengths else 0
            self.perdoc.add_field(name, field, item.to_dict() if name == "item" else None, length)
        self.perdoc.finish_doc()
        self.values.add(item, forms)
        self.doc_count += 1
        if sum(p.nbytes for p in self.postings.values()) > self.postings_bytes:
            rank = self._word_order()[1]
            for name, postings in self.postings.items():
                postings.spill(rank if name in WORD_FIELDS else None)

    def _add_terms(self, name: str, keys: np.ndarray) -> None:
        unique, counts = np.unique(keys, return_counts=True)
        self.postings[name].add(unique, counts)
        self.lengths[name].append(len(keys))

    def finish(self, folder: Path) -> object:
        """Write postings, stored fields and doc values; return the finished Whoosh segment."""
        self.perdoc.close()
        writer = self.codec.field_writer(self.storage, self.segment)
        compact_buckets(writer._tindex)
        singles = SinglesWriter()
        words, rank = self._word_order()
        for name in sorted(self.schema.names()):
            field = self.schema[name]
            if not field.indexed:
                continue
            writer.start_field(name, field)
            lengths = np.asarray(self.lengths.get(name, [0] * self.doc_count), dtype=np.int64)
            with_values = bool(field.format.fixed_value_size())
            # The W3 field writer's own per-posting path is bypassed: whole lists go to its files.
            postfile, tindex, prefix = writer._postfile, writer._tindex, pack_ushort(writer._fieldid)
            text_of = self._term_text(name, words)
            for key, ids, freqs in self._inverted(name, rank):
                if name in GRAM_FIELDS and len(ids) == 1:  # kept beside the term table (indexer.index.singles)
                    singles.add(name, key, int(ids[0]), int(freqs[0]))
                    continue
                data, info = encode_term(ids, freqs, lengths[ids], postfile.tell(), with_values)
                postfile.write(data)
                tindex.add(prefix + text_of(key), info)
            writer.finish_field()
        writer.close()
        self.segment.set_doc_count(self.doc_count)
        singles.write(folder, self.segment)
        self.values.write(folder, self.segment)
        return self.segment

    @staticmethod
    def _term_text(name: str, words: list[str]):
        """The function giving the term bytes of a field's term key (as :meth:`_inverted` yields them)."""
        if name in KEY_FIELDS:
            return lambda key: key
        if name in WORD_FIELDS:
            return [w.encode("utf-8") for w in words].__getitem__
        return lambda key: gram_text(key).encode("utf-8")

    def _inverted(self, name: str, rank: np.ndarray):
        """(term key, docnums, frequencies) for each term of a field, in Whoosh's term order.

        The key is the term's bytes (id fields), its rank among the words (word fields: ``rank`` gives
        each word id's) or its gram key.
        """
        if name in KEY_FIELDS:
            by_term: dict[bytes, list[int]] = {}
            for doc, term in enumerate(self.keys[name]):
                by_term.setdefault(term.encode("utf-8"), []).append(doc)
            for btext in sorted(by_term):
                ids = np.asarray(by_term[btext], dtype=np.int64)
                yield btext, ids, np.ones(len(ids), dtype=np.int32)
            return
        for keys, docs, freqs in self.postings[name].merged(rank if name in WORD_FIELDS else None):
            starts = np.flatnonzero(np.diff(keys)) + 1
            bounds = np.concatenate(([0], starts, [len(keys)])).tolist()
            term_keys = keys[bounds[:-1]].tolist()
            for i, key in enumerate(term_keys):
                s, e = bounds[i], bounds[i + 1]
                yield key, docs[s:e], freqs[s:e]

    def _word_order(self) -> tuple[list[str], np.ndarray]:
        """The words seen so far in Whoosh's term order (by UTF-8 bytes), and the rank of each word id in it."""
        words = sorted(self.vocab, key=lambda w: w.encode("utf-8"))
        rank = np.empty(len(words), dtype=np.int64)
        rank[[self.vocab[w] for w in words]] = np.arange(len(words))
        return words, rank
