"""Analysis: the jieba tokenizer's Whoosh contract, the user dictionary, grams, and the bulk writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.analysis import gram_keys, gram_text, grams_of, index_words, jieba_tokenizer, query_words
from indexer.errors import Report
from indexer.index.analyzers import WordTokenizer
from indexer.index.postings import SMALL_BLOCK
from indexer.index.schema import GRAM_FIELDS, build_schema, document
from indexer.index.singles import Singles
from indexer.index.writer import SegmentBuilder
from indexer.ingest.files import read_items
from indexer.settings import USER_DICT_FILE
from tests.conftest import write_jsonl, xwlb_records


def _tokens(text: str, mode: str):
    return [(t.text, t.pos, t.startchar, t.endchar) for t in WordTokenizer()(text, positions=True, chars=True,
                                                                              mode=mode)]


def test_positions_count_words_and_subwords_share_their_parents_position():
    tokens = _tokens("双减工作推进会在区教育局召开", mode="index")
    by_pos: dict[int, list[str]] = {}
    for word, pos, _, _ in tokens:
        by_pos.setdefault(pos, []).append(word)
    assert by_pos[0][0] == "双减工作" and "双减" in by_pos[0]
    assert by_pos[1][0] == "推进会" and "推进" in by_pos[1]
    assert sorted(by_pos) == list(range(len(by_pos)))  # no gaps: one position a word


def test_character_offsets_point_into_the_original_text():
    text = "　区教育局 召开ＡＢＣ会议，第５期"
    for word, _, start, end in _tokens(text, mode="index"):
        assert text[start:end].lower().replace("ａｂｃ", "abc").replace("５", "5") == word


def test_queries_are_cut_in_accurate_mode():
    assert [w for w, _, _, _ in _tokens("双减工作推进会", mode="query")] == ["双减工作", "推进会"]


@pytest.mark.parametrize("text, expected", [
    ("第5期", ["第", "5", "期"]),
    ("COVID-19疫情", ["covid", "19", "疫情"]),
    ("ＧＤＰ增长８.１％", ["gdp", "增长", "8.1%"]),
    ("，。、！", []),
])
def test_digits_and_latin_are_kept_punctuation_dropped(text, expected):
    assert query_words(text) == expected


def test_no_dictionary_word_hides_its_parts():
    tk = jieba_tokenizer()
    words = [line.split()[0] for line in USER_DICT_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for word in words:
        parts = {word[i:j] for i in range(len(word)) for j in range(i + 2, len(word) + 1)
                 if (i, j) != (0, len(word)) and tk.FREQ.get(word[i:j]) and word[i:j] in words}
        assert parts <= set(index_words(word)), word


def test_grams_are_characters_and_pairs_of_the_search_form():
    assert grams_of("第５期") == ["第", "5", "期", "第5", "5期"]
    keys = gram_keys("Ab\x1fc d")
    assert [gram_text(k) for k in keys.tolist()] == ["a", "b", "ab", "c", "d", "cd"]  # no pair spans the parts
    assert gram_text(gram_keys("𠀀中")[2]) == "𠀀中"  # beyond the basic plane


def _weights(reader, field: str, term: bytes) -> list[tuple[int, float]]:
    """(docnum, weight) of each posting, as Whoosh's scorers read them."""
    matcher, out = reader.postings(field, term), []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight()))
        matcher.next()
    return out


@pytest.fixture(params=["seeds", "xwlb"])
def writer_items(request, seed_items, tmp_path):
    """The seed items (short posting lists), or 120 xwlb items (lists long enough to be written as blocks)."""
    if request.param == "seeds":
        return seed_items
    return list(read_items([write_jsonl(tmp_path / "s.jsonl", xwlb_records(120, stride=97))], Report(stream=None)))


def test_bulk_writer_writes_what_whooshs_own_writer_writes(tmp_path, writer_items):
    schema = build_schema()
    stock = FileStorage(str(tmp_path / "stock")).create().create_index(schema)
    writer = stock.writer()
    for item in writer_items:
        writer.add_document(**document(item))
    writer.commit()

    folder = tmp_path / "bulk"
    storage = FileStorage(str(folder)).create()
    storage.create_index(schema)
    builder = SegmentBuilder(storage, schema)
    for item in writer_items:
        builder.add(item)
    segment = builder.finish(Path(folder))
    TOC(schema, [segment], 1).write(storage, "MAIN")
    bulk = storage.open_index()
    singles = Singles.load(folder, segment)

    long_lists = 0
    with stock.reader() as a, bulk.reader() as b:
        for field in ("id", "issue_key", "title", "body", "grams", "title_grams", "joined_grams"):
            terms = list(a.lexicon(field))
            if field in GRAM_FIELDS:  # the grams of one document are beside the term table, all of them
                single = [t for t in terms if a.doc_frequency(field, t) == 1]
                keys = singles.arrays[f"{field}.keys"].tolist()
                assert [gram_text(k).encode("utf-8") for k in keys] == single, field
                for row, term in enumerate(single):
                    docs, counts = singles.posting(field, row)
                    assert list(zip(docs.tolist(), counts.tolist())) == _weights(a, field, term), (field, term)
                terms = [t for t in terms if a.doc_frequency(field, t) > 1]
            assert terms == list(b.lexicon(field)), field
            for term in terms:
                assert _weights(a, field, term) == _weights(b, field, term), (field, term)
                ia, ib = a.term_info(field, term), b.term_info(field, term)
                assert (ia.weight(), ia.doc_frequency(), ia.max_weight(), ia.min_id(), ia.max_id()) == \
                       (ib.weight(), ib.doc_frequency(), ib.max_weight(), ib.min_id(), ib.max_id())
                long_lists += ib.doc_frequency() >= SMALL_BLOCK
            for doc in range(len(writer_items)):
                assert a.doc_field_length(doc, field) == b.doc_field_length(doc, field)
        for doc in range(len(writer_items)):
            assert a.stored_fields(doc) == b.stored_fields(doc)
    assert long_lists > 0 or len(writer_items) < SMALL_BLOCK
