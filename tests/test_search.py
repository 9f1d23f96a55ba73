"""Search behaviour: tables of (text, query, hit), query syntax, exact phrases, sorting and ranking."""

from __future__ import annotations

import pytest

from indexer.items import searchable_parts
from indexer.normalize import search_form
from search import highlight
from tests.conftest import build_index, ids, open_index, run, write_jsonl

TABLE = [
    # segmentation and the user dictionary: a long word never hides its parts
    ("区教育局召开双减工作推进会", "双减", True),
    ("区教育局召开双减工作推进会", "推进会", True),
    ("区教育局召开双减工作推进会", "教育", True),
    ("深入推进“万人助万企”活动", "万人助万企", True),
    ("开展助企服务，万人参与，万企受益", "万人助万企", False),
    ("设立首席服务官制度", "服务官", True),
    ("完成工业小升规企业3家", "小升规", True),
    ("已完成个转企1家", "个转企", True),
    ("推行一网通办，群众少跑腿", "通办", True),
    # phrases across word boundaries, spaces and line breaks inside phrases
    ("全力确保一季度实现开门红", '"度实现开"', True),
    ("确保一季度实现开门红", '"实现 开门红"', True),
    ("在施工过程中加强安全管理", '"程中加"', True),
    ("加强安全施工", '"施工安全"', False),
    ("第一段结尾。\n第二段开头", '"结尾。第二"', True),
    ("第一段结尾", '"结尾第二"', False),
    # emoji and other symbols separate terms (unquoted)
    ("全区疫情防控工作平稳有序", "疫情🌊", True),
    ("全区疫情防控工作平稳有序", "😀疫情", True),
    ("全区疫情防控工作平稳有序", "👍🏻疫情 防控", True),
    ("全区疫情防控工作平稳有序", "★防控工作", True),
    ("全区疫情防控工作平稳有序", '"疫情🌊"', False),
    # numbers
    ("编印项目推进专报第5期", "第5期", True),
    ("编印项目推进专报第6期", "第5期", False),
    ("这是第15期简报", "第5期", False),
    ("２０２２年全区新增就业870人", "2022年", True),
    ("2022年全区新增就业", "２０２２年", True),
    ("同比增长8.1%", "8.1%", True),
    ("同比增长8.1%", "8.2%", False),
    ("固定资产投资同比增长5 %", '"增长5%"', True),
    ("新增就业870人", "870", True),
    ("新增就业1870人", '"870人"', True),
    # one character
    ("区残联办理残疾人证", "残", True),
    ("区教育局召开会议", "残", False),
    # Latin and full-width letters
    ("推进5G基站建设", "5g", True),
    ("推进５Ｇ基站建设", "5G", True),
    ("COVID-19疫情防控", "covid", True),
    ("iPhone发布会", "IPHONE", True),
]


@pytest.fixture(scope="module")
def table_searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table")
    records = [{"id": f"row-{n}", "title": f"条目{n}", "body": text} for n, (text, _, _) in enumerate(TABLE)]
    return open_index(build_index([write_jsonl(folder / "table.jsonl", records)], folder / "index"))


@pytest.mark.parametrize("n", range(len(TABLE)), ids=[f"{q}|{t[:8]}" for t, q, _ in TABLE])
def test_behaviour_table(table_searcher, n):
    text, query, hit = TABLE[n]
    assert (f"row-{n}" in ids(table_searcher, query)) is hit


def test_every_query_is_a_substring_search_not_a_word_search(table_searcher):
    """An item containing the typed text is never missed, however jieba cut it."""
    for n, (text, _, _) in enumerate(TABLE):
        form = search_form(text)
        for i in range(0, len(form) - 1, 3):
            piece = form[i:i + 3]
            assert f"row-{n}" in ids(table_searcher, f'"{piece}"'), piece


@pytest.mark.parametrize("q, expected", [
    ("欺凌", {"b52c67ac74d0-4"}),
    ("校园 欺凌", {"b52c67ac74d0-4"}),
    ("欺凌 OR 溺亡", {"b52c67ac74d0-4", "b52c67ac74d0-5"}),
    ("校园 -欺凌", {"1a1277cd50c6-3"}),
    ("title:校园", {"b52c67ac74d0-4", "1a1277cd50c6-3"}),
    ("title:法律援助", set()),
    ('"法律援助"', {"b52c67ac74d0-6"}),
    ('"首席服务官', {"b52c67ac74d0-2", "1a1277cd50c6-1"}),  # unclosed quote: plain words
    ("OR 欺凌", {"b52c67ac74d0-4"}),  # OR at an edge is the word "or"... which no seed contains
])
def test_query_syntax_on_the_seeds(seed_searcher, q, expected):
    if q.startswith("OR "):
        assert ids(seed_searcher, q) == set()
        return
    assert ids(seed_searcher, q) == expected


@pytest.mark.parametrize("q", ['"', "-", "title:", "((", ")", "*", "?", "AND", "NOT", "-OR", '""', "OR OR",
                               "title:title:", '-"', "\\", "%", "　", "\x00", "🙂", "a" * 500])
def test_any_input_is_read_without_error(seed_searcher, q):
    result = run(seed_searcher, q=q)
    assert result.total >= 0


def test_empty_query_browses_everything_newest_first(seed_searcher):
    result = run(seed_searcher, size=20)
    assert result.total == 14
    years = [h.year for h in result.hits]
    assert years[:5] == [2022] * 5 and years[5:] == [None] * 9


def test_scope_title_looks_only_in_titles(seed_searcher):
    assert ids(seed_searcher, "欺凌", scope="title") == {"b52c67ac74d0-4"}
    assert ids(seed_searcher, "法律援助", scope="title") == set()


def test_date_range_and_sorts(slice_searcher):
    result = run(slice_searcher, date_from="2020-01-01", date_to="2020-12-31", sort="date_asc", size=100)
    dates = [h.date for h in result.hits]
    assert dates == sorted(dates) and all(d.startswith("2020") for d in dates)
    assert result.total == sum(1 for v in result.facets["year"] if v.value == "2020" for _ in range(v.count))
    newest = run(slice_searcher, q="发展", sort="date_desc", size=50)
    assert [h.date for h in newest.hits] == sorted((h.date for h in newest.hits), reverse=True)


def test_title_matches_rank_first(slice_searcher, slice_items):
    word = "会见"
    result = run(slice_searcher, q=word, size=10)
    assert result.total > 10
    assert all(word in h.title for h in result.hits)


def test_phrases_are_exact_on_the_slice(slice_searcher, slice_items):
    """Quoted phrases (of several shapes) find exactly the items a substring scan of their searchable parts
    (title, body, issue name, 文号) finds."""
    forms = [(i.id, [search_form(part) for part in searchable_parts(i)]) for i in slice_items]
    phrases = ["新闻联播", "习近平", "的发展", "会见", "2019年", "月1日", "国务院总理", "一带一路", "党中央",
               "第一", "中国共产党第十九次全国代表大会", "记者", "。", "1"]
    for phrase in phrases:
        expected = {i for i, parts in forms if any(search_form(phrase) in part for part in parts)}
        result = run(slice_searcher, q=f'"{phrase}"', size=100)
        assert result.total == len(expected), phrase
        if len(expected) <= 100:
            assert {h.id for h in result.hits} == expected, phrase


def test_highlights_mark_the_terms_in_escaped_text(seed_searcher):
    hit = run(seed_searcher, q="校园欺凌").hits[0]
    assert hit.title_html == "区教育局扎实做好<mark>校园欺凌</mark>防治工作"
    assert "<mark>校园欺凌</mark>" in hit.snippet_html
    short = run(seed_searcher, q="新增就业").hits[0]
    assert short.title == "" and short.title_html.startswith("△一季度，全区实现城镇<mark>新增就业</mark>")


@pytest.mark.parametrize("q", ["校园欺凌", "项目", "无人机", "法律援助", "首席服务官", "不动产"])
def test_snippets_begin_where_a_reader_can(seed_searcher, q):
    """On the seeds (clause marks every few words) each snippet starts at its text's start or after a mark."""
    for hit in run(seed_searcher, q=q, size=20).hits:
        text = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert "<mark>" in hit.snippet_html, (q, hit.id)
        if text.startswith("…"):
            item = seed_searcher.item_page(hit.id).item
            flat = " ".join(item.body.split("\n"))
            before = flat[:flat.index(text[1:].rstrip("…"))]
            assert before[-1] in highlight.CLAUSE_MARKS, (q, text[:20])
