"""The speed anchor: the same queries on Tantivy (PyPI ``tantivy``) over jieba words.

Titles and bodies are indexed as the words :mod:`bench.jieba_alone` cut, with
year and topics as fast fields. A query is the conjunction of its words (each a
word phrase in title or body) and its filters; each run fetches the top 10 with
the total count and two terms aggregations (topics and years), as a faceted
search page needs.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import tantivy

from indexer.analysis import query_words
from indexer.items import SEPARATOR


def build(tokens: Path, folder: Path) -> float:
    """Index the words file into a new Tantivy index; return the seconds it took."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="position")
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    sb.add_text_field("topic", stored=False, tokenizer_name="raw", fast=True)
    index = tantivy.Index(sb.build(), path=str(folder))
    started = time.perf_counter()
    writer = index.writer(heap_size=512_000_000)
    with open(tokens, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            doc = tantivy.Document(id=r["id"], title=r["title"], body=r["body"], year=r["year"])
            for path in r["topics"]:
                doc.add_text("topic", path)
                doc.add_text("topic", path.split(SEPARATOR)[0])
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def query_string(query: dict) -> str:
    """The benchmark query in Tantivy's query language (words as word phrases, filters as terms)."""
    clauses = []
    for word in query["q"].replace('"', " ").split():
        words = " ".join(query_words(word)).replace("\\", "")
        if words:
            clauses.append(f'(title:"{words}" OR body:"{words}")')
    filters = query.get("filters", {})
    if filters.get("year"):
        clauses.append("(" + " OR ".join(f"year:{y}" for y in filters["year"]) + ")")
    if filters.get("topic"):
        clauses.append("(" + " OR ".join(f'topic:"{t}"' for t in filters["topic"]) + ")")
    return " AND ".join(clauses)


class Anchor:
    """An open Tantivy index answering benchmark queries."""

    def __init__(self, folder: Path):
        self.index = tantivy.Index.open(str(folder))
        self.index.reload()
        self.searcher = self.index.searcher()

    def run(self, query: dict) -> int:
        """Top 10 with their stored titles, the count, and two facet aggregations; returns the count."""
        parsed = self.index.parse_query(query_string(query), ["title", "body"])
        result = self.searcher.search(parsed, 10, count=True)
        for _, address in result.hits:
            self.searcher.doc(address)
        self.searcher.aggregate(parsed, {"topics": {"terms": {"field": "topic", "size": 200}},
                                         "years": {"terms": {"field": "year", "size": 50}}})
        return result.count
