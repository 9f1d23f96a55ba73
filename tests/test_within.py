"""Words in one paragraph or one sentence (``within``): exact like every other search, checked against a scan.

The scan here cuts texts as docs/api.md says, without the product's code: the title is a paragraph and a sentence
of its own, a paragraph is a line of the body, a sentence ends after 。！？； (their folded forms !?; too) or at a
line break; the issue's number and date and the 文号 are units of their own.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from indexer.items import issue_facts
from indexer.normalize import search_form
from search import SearchQuery
from tests.conftest import build_index, open_index, write_jsonl

CASES = 200
_CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")
_SENTENCE_END = re.compile(r"(?<=[。!?;])")


def _units(item, level: str) -> list[str]:
    """The search forms of an item's paragraphs or sentences."""
    out = [search_form(item.title)]
    for line in item.body.split("\n"):
        form = search_form(line)
        out += [form] if level == "paragraph" else _SENTENCE_END.split(form)
    return out + [search_form(issue_facts(item.issue)), search_form(item.doc_number or "")]


def _scan(units_of: dict[str, list[str]], items, terms: list[str]) -> tuple[int, Counter]:
    """How many items hold every term in one unit, and how many of them a year."""
    found = [i for i in items if any(all(t in unit for t in terms) for unit in units_of[i.id])]
    return len(found), Counter(str(i.year) if i.year else "unknown" for i in found)


def _cases(items) -> list[list[str]]:
    """Pairs of two-character words of one item: half of them from one sentence, half from two apart (another
    sentence or another line), so that the levels disagree often."""
    rng = random.Random(29)
    cases: list[list[str]] = []
    while len(cases) < CASES:
        item = items[rng.randrange(len(items))]
        sentences = [s for line in item.body.split("\n") for s in re.split(r"(?<=[。！？；])", line)
                     if len(_CJK_PAIR.findall(s)) >= 2]
        if len(sentences) < 2:
            continue
        if len(cases) % 2 == 0:
            words = _CJK_PAIR.findall(rng.choice(sentences))
            pair = rng.sample(words, 2)
        else:
            first, second = rng.sample(sentences, 2)
            pair = [rng.choice(_CJK_PAIR.findall(first)), rng.choice(_CJK_PAIR.findall(second))]
        if pair[0] != pair[1]:
            cases.append(pair)
    return cases


@pytest.fixture(scope="module")
def cases(slice_items) -> list[list[str]]:
    return _cases(slice_items)


@pytest.mark.parametrize("level", ["paragraph", "sentence"])
def test_totals_and_year_counts_equal_a_scan_on_generated_xwlb_cases(slice_searcher, slice_items, cases, level):
    units_of = {i.id: _units(i, level) for i in slice_items}
    differ, narrower = [], 0
    for pair in cases:
        q = " ".join(f'"{w}"' for w in pair)  # quoted: no synonyms, as the scan has none
        result = slice_searcher.search(SearchQuery(q=q, within=level, size=1))
        total, years = _scan(units_of, slice_items, pair)
        got = {v.value: v.count for v in result.facets["year"] if v.count}
        if (result.total, got) != (total, dict(years)):
            differ.append((q, result.total, total))
        narrower += total < slice_searcher.search(SearchQuery(q=q, size=1)).total
    assert not differ, f"{len(differ)} of {len(cases)} differ: {differ[:5]}"
    assert narrower >= len(cases) // 4  # the cases tell the levels apart


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    """Records whose words stand across a line break, a sentence's end, or in the title."""
    folder = tmp_path_factory.mktemp("within")
    records = [
        {"id": "across-line", "title": "跨行", "body": "会议研究了防汛\n抗旱工作。"},
        {"id": "across-sentence", "title": "跨句", "body": "会议研究了防汛。抗旱工作由专人负责。"},
        {"id": "one-sentence", "title": "同句", "body": "会议研究了防汛抗旱工作；部署了安全生产。"},
        {"id": "in-title", "title": "防汛抗旱会议召开", "body": "会议部署了相关工作。"},
        {"id": "title-and-body", "title": "防汛简报", "body": "抗旱工作进展顺利。"},
        {"id": "marks", "title": "标点", "body": "他说：“防汛！”抗旱呢？防汛抗旱；"},
    ]
    searcher = open_index(build_index([write_jsonl(folder / "records.jsonl", records)], folder / "index"))
    yield searcher
    searcher.close()


def _found(searcher, q: str, within: str) -> set[str]:
    return {h.id for h in searcher.search(SearchQuery(q=q, within=within, size=100)).hits}


@pytest.mark.parametrize("q, within, expected", [
    ("防汛 抗旱", "item", {"across-line", "across-sentence", "one-sentence", "in-title", "title-and-body", "marks"}),
    ("防汛 抗旱", "paragraph", {"across-sentence", "one-sentence", "in-title", "marks"}),
    ("防汛 抗旱", "sentence", {"one-sentence", "in-title", "marks"}),
    ('"防汛抗旱"', "item", {"across-line", "one-sentence", "in-title", "marks"}),  # a phrase crosses a line break
    ('"防汛抗旱"', "paragraph", {"one-sentence", "in-title", "marks"}),
    ('"防汛。抗旱"', "paragraph", {"across-sentence"}),
    ('"防汛。抗旱"', "sentence", set()),  # a sentence's end inside the term: never in one sentence
    ('"防汛。"', "sentence", {"across-sentence"}),  # a sentence's end at the term's end
    # an excluded word excludes the item wherever it stands
    ("防汛 -安全", "sentence", {"across-line", "across-sentence", "in-title", "title-and-body", "marks"}),
    ("title:防汛 抗旱", "sentence", {"in-title"}),
    ("防汛 抗旱 OR 安全", "sentence", {"one-sentence", "in-title", "marks"}),
])
def test_units_are_lines_and_sentences_and_the_title_is_one(lines, q, within, expected):
    assert _found(lines, q, within) == expected


def test_the_snippet_shows_the_sentence_holding_the_words(lines):
    hit = lines.search(SearchQuery(q="防汛 部署", within="sentence")).hits
    assert not hit  # no sentence holds both
    [hit] = lines.search(SearchQuery(q="安全 部署", within="sentence")).hits
    assert hit.snippet_html == "<mark>部署</mark>了<mark>安全</mark>生产。"
    [hit] = lines.search(SearchQuery(q="抗旱 负责", within="sentence")).hits
    assert hit.snippet_html == "<mark>抗旱</mark>工作由专人<mark>负责</mark>。"
