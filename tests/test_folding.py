"""Folding rules of search: traditional/simplified, joining marks inside a term, synonyms, issue numbers.

Each test searches a small index of hand-written records through the product's Searcher
(and the web app where the rule shows there).
"""

from __future__ import annotations

import dataclasses

import pytest

import indexer.build
from indexer.normalize import fold_with_offsets, search_form, term_gaps
from search import highlight
from search.errors import BadParameter
from search.limits import MAX_FACET_VALUES
from search.results import SearchQuery
from search.synonyms import load
from tests.conftest import build_index, ids, open_index, run, write_jsonl
from webapp import create_app

RECORDS = [
    {"id": "trad", "title": "推進農村人居環境整治", "body": "習近平強調，政務信息報送要及時。", "issue": "政务信息 2023年第14期"},
    {"id": "simp", "title": "农村人居环境整治见实效", "body": "习近平指出，人居环境关系群众。", "issue": "政务信息 2023年第4期"},
    {"id": "joined", "title": "落实“双随机、一公开”监管", "body": "坚定“四个自信”，推进工作。", "issue": "政务信息 2023年第114期"},
    {"id": "plain", "title": "推进双随机一公开", "body": "坚定四个自信。", "issue": "工作简报 2022年第14期"},
    {"id": "comma", "title": "双随机，一公开", "body": "各单位稳健施政、务实有为。", "issue": "工作简报 2022年第15期"},
    {"id": "booktitle", "title": "新闻联播播发央视快评《同舟共济守望相助》", "body": "引发热烈反响。", "issue": "工作简报 2022年第17期"},
    {"id": "agency", "title": "区人力资源和社会保障局召开就业工作会", "body": "会议部署稳就业。", "issue": "工作简报 2022年第16期"},
    {"id": "short", "title": "区人社局开展招聘月活动", "body": "提供岗位。", "issue": "工作简报 2022年第16期"},
]
DOC_NUMBERS = {"trad": "区政办发〔2023〕14号"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp("folding")
    read = indexer.build.read_items
    # The ingest fills doc_number (文号) from the documents themselves; here it is given.
    monkeypatch_module.setattr(indexer.build, "read_items", lambda *args: (
        dataclasses.replace(item, doc_number=DOC_NUMBERS.get(item.id)) for item in read(*args)))
    return build_index([write_jsonl(folder / "items.jsonl", RECORDS)], folder / "index")


@pytest.fixture(scope="module")
def searcher(index_dir):
    return open_index(index_dir)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


# Traditional and simplified characters


@pytest.mark.parametrize("q", ["人居環境", "人居环境", '"人居環境"', '"人居环境"'])
def test_traditional_and_simplified_find_each_other(searcher, q):
    assert ids(searcher, q) == {"trad", "simp"}


@pytest.mark.parametrize("q, found", [("習近平", {"trad", "simp"}), ("政务信息报送", {"trad"})])
def test_either_script_finds_both_in_bodies(searcher, q, found):
    assert ids(searcher, q) == found


def test_text_is_shown_as_written_and_marks_fall_on_its_characters(searcher):
    hit = run(searcher, q="人居环境 习近平").hits
    trad = next(h for h in hit if h.id == "trad")
    assert trad.title == "推進農村人居環境整治"
    assert trad.title_html == "推進農村<mark>人居環境</mark>整治"
    assert "<mark>習近平</mark>" in trad.snippet_html
    assert searcher.item_page("trad").item.body == "習近平強調，政務信息報送要及時。"


def test_folding_keeps_offsets_of_the_printed_text():
    assert search_form("政務 信息") == "政务信息"
    folded, offsets = fold_with_offsets("習近平")
    assert folded == "习近平" and offsets is None  # one character for one: offsets are the identity


# Joining marks inside a term


@pytest.mark.parametrize("q", ["双随机一公开", "双随机、一公开", '"双随机一公开"', '"双随机、一公开"', '"雙隨機一公開"'])
def test_joining_marks_do_not_stop_a_match_either_way(searcher, q):
    assert ids(searcher, q) == {"joined", "plain"}


@pytest.mark.parametrize("q", ["播发央视快评同舟共济守望", '"央视快评同舟共济"', "快评《同舟共济", "\"《同舟共济守望相助》\"",
                               "央视快评〈同舟共济"])
def test_book_title_marks_join_a_term_as_quotes_do(searcher, q):
    assert ids(searcher, q) == {"booktitle"}


def test_quotes_around_part_of_a_term_do_not_stop_it(searcher):
    assert ids(searcher, '"坚定四个自信"') == {"joined", "plain"}
    assert ids(searcher, '"坚定“四个自信”"') == {"joined", "plain"}


def test_other_punctuation_still_stops_a_match(searcher):
    # a guard on the rule above: only joining marks are skipped
    assert "comma" not in ids(searcher, '"双随机一公开"')
    assert ids(searcher, '"双随机，一公开"') == {"comma"}


def test_a_mark_between_single_characters_is_not_skipped(searcher):
    # 施政、务实 does not hold 政务实: each side of a skipped mark is a part of at least two characters
    assert ids(searcher, '"政务实"') == set()
    assert ids(searcher, '"政、务实"') == {"comma"}
    assert ids(searcher, '"施政务实"') == {"comma"}
    assert term_gaps("政务实") == ("政务实", frozenset())


def test_highlight_covers_the_marks_a_match_skipped(searcher):
    hit = next(h for h in run(searcher, q="双随机一公开").hits if h.id == "joined")
    assert hit.title_html == "落实“<mark>双随机、一公开</mark>”监管"
    assert highlight.highlight("施政、务实", [search_form("政务")]) == "施政、务实"


# Synonyms


def test_an_unquoted_term_also_finds_its_synonyms_and_says_so(searcher):
    result = run(searcher, q="人社局", size=100)
    assert {h.id for h in result.hits} == {"agency", "short"}
    assert "人力资源和社会保障局" in result.also_searched
    assert ids(searcher, "人力资源和社会保障局") == {"agency", "short"}


def test_a_quoted_phrase_stays_literal(searcher):
    result = run(searcher, q='"人社局"')
    assert {h.id for h in result.hits} == {"short"}
    assert result.also_searched == []


def test_synonyms_file_is_seeded_from_department_aliases():
    from indexer.settings import DEPARTMENTS_FILE

    groups = load()
    aliases = [line.split("\t") for line in DEPARTMENTS_FILE.read_text(encoding="utf-8").splitlines()
               if "\t" in line and not line.startswith("#")]
    pairs = [(a[0].removeprefix("区"), b.removeprefix("区")) for a in aliases for b in a[1:]]
    seeded = [(a, b) for a, b in pairs if b in groups.get(a, ())]
    assert ("发改委", "发展和改革委员会") in seeded and ("人社局", "人力资源和社会保障局") in seeded
    assert len(seeded) >= len(pairs) // 2


def test_the_results_page_and_the_api_name_the_added_synonyms(index_dir):
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    page = client.get("/search", query_string={"q": "人社局"}).get_data(as_text=True)
    assert "也搜索了：人力资源和社会保障局" in page
    data = client.get("/api/search", query_string={"q": "人社局"}).get_json()
    assert "人力资源和社会保障局" in data["also_searched"]
    assert client.get("/api/search", query_string={"q": '"人社局"'}).get_json()["also_searched"] == []
    key = client.get("/api/items/agency").get_json()["item"]["issue_key"]
    filtered = client.get("/api/search", query_string={"issue": key}).get_json()
    assert {h["id"] for h in filtered["hits"]} == {"agency", "short"} and filtered["query"]["issue"] == [key]


# Issue numbers and the issue filter


@pytest.mark.parametrize("q, found", [
    ("第14期", {"trad", "plain"}),
    ("2023年第14期", {"trad"}),
    ("第4期", {"simp"}),
    ("第114期", {"joined"}),
    ("〔2023〕14号", {"trad"}),
    # The 刊名 every item of a journal shares is not searchable text: only items whose text names it.
    ("工作简报", set()),
    ("政务信息", {"trad"}),
])
def test_issue_numbers_and_doc_numbers_are_searchable(searcher, q, found):
    assert ids(searcher, q) == found


def test_issue_filter_keeps_the_items_of_the_issues_named(searcher):
    key_of = {i: searcher.item_page(i).item.issue_key for i in ("agency", "simp")}
    assert {h.id for h in run(searcher, q="", filters={"issue": [key_of["agency"]]}).hits} == {"agency", "short"}
    both = run(searcher, q="", filters={"issue": [key_of["agency"], key_of["simp"]]})
    assert {h.id for h in both.hits} == {"agency", "short", "simp"}
    assert run(searcher, q="人居环境", filters={"issue": [key_of["agency"]]}).total == 0


def test_issue_filter_has_the_limits_of_every_filter():
    with pytest.raises(BadParameter):
        SearchQuery(filters={"issue": [str(n) for n in range(MAX_FACET_VALUES + 1)]})
    with pytest.raises(BadParameter):
        SearchQuery(filters={"issue": ["x" * 1000]})
    query = SearchQuery.from_params({"issue": ["a", "b"]})
    assert query.filters["issue"] == ["a", "b"] and ("issue", "a") in query.to_params()
