"""Citations: every 文号 a text mentions and every 《title》 naming a document of the archive, found at indexing time,
linked both ways at query time (本文引用, 被引用), and the ``cites`` filter."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.docnumbers import TYPED_PATTERN, canonical, find_numbers, typed
from indexer.errors import Report
from indexer.ingest.enrich.citations import citations, stated_number
from indexer.ingest.files import read_items
from indexer.items import Item
from search import BadParameter, SearchQuery


@pytest.mark.parametrize("text, number", [
    ("国办发〔2016〕82号", "国办发〔2016〕82号"),
    ("国发［2011］12号", "国发〔2011〕12号"),
    ("晋政发[1996]80号", "晋政发〔1996〕80号"),
    ("辽政(1989)100号", "辽政〔1989〕100号"),
    ("鄂政文（2004）15号", "鄂政文〔2004〕15号"),
    ("京政发【2020】3号", "京政发〔2020〕3号"),
    ("国发 〔２０１６〕 ８２ 号", "国发〔2016〕82号"),  # full-width digits, spaces
    ("国发〔2016〕第82号", "国发〔2016〕82号"),
    ("国发〔2016〕082号", "国发〔2016〕82号"),
    ("〔1996〕武司字第82号", "〔1996〕武司字第82号"),  # the year first
    ("国务院令第746号", "国务院令第746号"),
    ("中华人民共和国国务院令第　606　号", "国务院令第606号"),
    ("国令第706号", "国务院令第706号"),
    ("国务院第397号令", "国务院令第397号"),
    ("国家税务总局公告2018年第31号", "国家税务总局公告2018年第31号"),
    ("第706号", "第706号"),  # a decree's own number under its organ
])
def test_every_form_of_a_number_is_read_and_written_one_way(text, number):
    assert canonical(text) == number == typed(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(TYPED_PATTERN, fullmatch=True))
def test_every_number_of_the_documented_pattern_is_a_usable_cites_filter(number):
    """What the OpenAPI document shows a cites value to be is accepted, even where a text's words would be cut off
    (根据国发〔2016〕1号 typed alone is taken as typed)."""
    assert typed(number) == re.sub(r"〕(\d+)号$", lambda m: f"〕{int(m.group(1))}号", number)
    SearchQuery(filters={"cites": [number]})


@pytest.mark.parametrize("text, numbers", [
    ("西藏自治区人民政府要按照国办发〔1993〕71号文件的规定", ["国办发〔1993〕71号"]),
    ("根据国发〔2006〕4号文件精神", ["国发〔2006〕4号"]),
    ("…的若干意见国发〔2011〕12号各省", ["国发〔2011〕12号"]),  # run on from a title
    ("…问题的复函国办函〔1999〕44号", ["国办函〔1999〕44号"]),
    ("请　示　的　通　知国发〔1981〕172号", ["国发〔1981〕172号"]),  # a letter-spaced title before it
    ("并在国务院办公厅〔1984〕84号文件中", ["国务院办公厅〔1984〕84号"]),
    ("1991年3月4日中华人民共和国国务院令第76号发布", ["国务院令第76号"]),
    ("全国政协十届三次会议第2741号提案", []),  # a proposal's number is no 文号
    ("规划（2016—2020年）", []),
    ("2018年第5期", []),
])
def test_numbers_are_found_in_running_text_without_the_words_before_them(text, numbers):
    assert [m.number for m in find_numbers(text)] == numbers


def _item(body: str, doc_number: str | None = None, title: str = "某某局关于某事的通知") -> Item:
    return Item(id="x", title=title, body=body, issue="", source="x", position=1, doc_number=doc_number)


def test_a_title_with_its_number_is_one_citation_and_its_own_number_and_record_lines_are_none():
    body = ("根据《国务院办公厅关于某事的通知》（国办发〔2016〕82号）和国发〔2015〕43号，现将某局发〔2019〕1号"
            "印发。\n《某某工作方案》另行印发，国办发〔2016〕82号不再重复。\n以下简称《通知》。\n"
            "抄送：省政府办公厅（某办发〔2019〕7号）。\n某某局办公室 2019年1月2日印发")
    assert citations(_item(body, "某局发〔2019〕1号")) == [
        {"doc_number": "国办发〔2016〕82号", "title": "国务院办公厅关于某事的通知"},
        {"doc_number": "国发〔2015〕43号", "title": None},
        {"doc_number": None, "title": "某某工作方案"},  # 《通知》 is too short to name a document by
    ]


def test_a_decrees_own_bare_number_excludes_its_full_form():
    item = _item("（2018年12月18日中华人民共和国国务院令第707号第四次修订）根据国务院令第142号……", "第707号")
    assert [c["doc_number"] for c in citations(item)] == ["国务院令第142号"]


def test_a_records_own_number_is_read_from_the_head_of_its_text():
    assert stated_number("国务院关于促进煤炭工业健康发展的若干意见",
                         "国务院关于促进煤炭工业健康发展的若干意见国发〔2005〕18号各省、自治区……") == "国发〔2005〕18号"
    assert stated_number("电力监管条例", "中华人民共和国国务院令第432号《电力监管条例》已经……") == "国务院令第432号"
    assert stated_number("某某通知", "根据国发〔2005〕18号文件，……") is None  # cited, not its own
    assert stated_number("某某通知", "国发〔2005〕18号文件停止执行。") is None
    assert stated_number("某某通知", "国发〔2019〕2号\n各省、自治区……") == "国发〔2019〕2号"
    assert stated_number("某某批复", "你部《关于某事的请示》（国发〔2005〕18号）收悉。") is None


# A careful scan written from GB/T 9704 without the product's code: every bracketed year followed by a serial and 号
# (the 机关代字 before it, or after it when the year comes first), and every decree number 令第N号 / 第N号令.
_OPEN, _CLOSE = "[〔［\\[(（【﹝]", "[〕］\\])）】﹞]"
_SCAN = re.compile(rf"(?P<run>[\u4e00-\u9fff\u3000 ]*?)\s*{_OPEN}\s*(?P<year>(?:19|20)\d\d)\s*{_CLOSE}\s*"
                   rf"(?P<code2>[\u4e00-\u9fff]{{0,10}}?)\s*第?\s*(?P<seq>\d+)\s*号"
                   r"|(?:令\s*第\s*(?P<decree>\d+)\s*号)|(?:第(?P<decree2>\d+)号令)")
# Where the scan's mention begins, for each 文号 the 60 pages name (besides their own): read by hand.
PAGE_NUMBERS = {
    "5341736": {"国务院令第76号"}, "5343832": {"教职成〔2018〕8号"}, "5344150": {"国科发高〔2018〕235号"},
    "5345284": {"中发〔1994〕8号", "国办发〔1993〕71号"},
    "5345291": {"国办发〔1996〕54号", "国办发〔1994〕36号", "国办发〔1996〕2号"},
    "5345402": {"民航总局〔2006〕80号"}, "5345407": {"〔1996〕武司字第82号"}, "5345413": {"国发〔1986〕97号"},
    "5345440": {"国办函〔1994〕69号"}, "5347465": {"国办发〔2016〕82号"}, "5351177": {"国务院令第142号"},
    "5351573": {"教外际〔2004〕81号"}, "5351624": {"教外际〔2004〕14号"}, "5351649": {"鄂政文〔2004〕15号"},
    "5351671": {"国发〔2004〕20号", "发改农经〔2004〕1933号"}, "5365711": {"国发〔2015〕43号"},
}


def _scanned(item: Item) -> set[tuple[str, int]]:
    """(year or 令, serial) of each 文号 the scan finds in the item's text, its own left out."""
    text = unicodedata.normalize("NFKC", item.body)
    own = unicodedata.normalize("NFKC", item.doc_number or "")
    own_year = re.search(r"[〔\[(](\d{4})[〕\])]", own)
    own_serial = re.search(r"(\d+)\s*号", own)
    out = set()
    for m in _SCAN.finditer(text):
        serial = int(m.group("seq") or m.group("decree") or m.group("decree2"))
        year = m.group("year") or "令"
        if m.group("seq") and not (m.group("run").strip() or m.group("code2")):
            continue  # a year and a serial without any 机关代字: not a 文号
        if own_serial and int(own_serial.group(1)) == serial and (year == "令" or (own_year and own_year.group(1)
                                                                                   == year)):
            continue
        out.add((year, serial))
    return out


@pytest.fixture(scope="module")
def gov_items(precedents_archive) -> list[Item]:
    return list(read_items([precedents_archive], Report(stream=None)))


def test_every_number_the_gov_documents_mention_is_a_citation(gov_items):
    counted = 0
    for item in gov_items:
        cited = [c["doc_number"] for c in item.cites if c["doc_number"]]
        found = {(re.search(r"〔(\d{4})〕", n).group(1) if "〔" in n else "令", int(re.search(r"(\d+)号$", n).group(1)))
                 for n in cited}
        assert found == _scanned(item), item.source
        for number in cited:  # the 机关代字 is what the text prints right before (or after) the bracket
            code = number.split("〔")[0] if not number.startswith("〔") else number.split("〕")[1].split("第")[0]
            assert code in re.sub(r"\s", "", item.body), (item.source, number)
        counted += len(found)
    assert counted >= 100  # distinct numbers an item cites, summed (a number may be cited by several items)


def test_the_numbers_of_the_60_pages_are_those_read_by_hand(gov_items):
    pages = {i.source.rsplit("_", 1)[-1].removesuffix(".html"): i for i in gov_items if i.source.endswith(".html")}
    assert len(pages) == 60
    found = {page: {c["doc_number"] for c in item.cites if c["doc_number"]} for page, item in pages.items()}
    assert {page: numbers for page, numbers in found.items() if numbers} == PAGE_NUMBERS
    assert len(set().union(*PAGE_NUMBERS.values())) == 20


@pytest.mark.parametrize("record, number", [
    ("gccmpd-2830", "国务院办公厅〔1984〕84号"), ("gccmpd-5281840", "国务院〔1977〕142号"),
    ("gccmpd-2768", "国经贸电力〔2002〕952号"), ("gccmpd-2781", "计基础〔1999〕1092号"),
    ("gccmpd-2582", "安监总煤矿字〔2005〕214号"), ("gccmpd-2553", "国发〔2006〕4号"),
    ("gccmpd-2638", "〔1993〕外经贸管发第159号"), ("gccmpd-2619", "津政报〔1989〕26号"),
])
def test_codes_of_the_108_documents_are_read_as_printed(gov_items, record, number):
    item = next(i for i in gov_items if i.id == record)
    assert number in {c["doc_number"] for c in item.cites}
    assert item.doc_number and item.doc_number not in {c["doc_number"] for c in item.cites}


def _page_id(searcher, page: str) -> str:
    return next(i.id for i in searcher.export(SearchQuery(), limit=1000).items if i.source.endswith(page + ".html"))


def test_a_citation_between_two_pages_is_linked_both_ways(precedents_searcher):
    citing, cited = _page_id(precedents_searcher, "5345291"), _page_id(precedents_searcher, "5351713")
    page = precedents_searcher.item_page(citing)
    [link] = [c for c in page.cites if c["doc_number"] == "国办发〔1996〕2号"]
    assert link["id"] == cited and link["title"].startswith("国务院办公厅转发国家地震局关于我国地震重点监视防御区")
    assert [c["id"] for c in page.cites if c["id"]] == [cited]  # the others are not in the archive
    assert all(c["doc_number"] for c in page.cites if not c["id"])  # listed with their number
    back = precedents_searcher.item_page(cited).cited_by
    assert [c["id"] for c in back] == [citing] and back[0]["doc_number"] == "国办发〔1997〕2号"


def test_records_cite_each_other_and_cited_by_is_newest_first(precedents_searcher):
    page = precedents_searcher.item_page("gccmpd-2588")  # 国发〔2005〕18号
    assert {c["id"] for c in page.cited_by} == {"gccmpd-2553", "gccmpd-2568"}
    dates = [c["date"] or "" for c in page.cited_by]
    assert dates == sorted(dates, reverse=True)


def test_the_cites_filter_finds_the_items_citing_any_of_its_numbers(precedents_searcher, gov_items):
    def citing(*numbers: str) -> set[str]:
        return {i.id for i in gov_items if {c["doc_number"] for c in i.cites} & set(numbers)}

    for numbers in (["国发〔2005〕18号"], ["国办发〔1996〕2号", "国发〔2002〕5号"], ["国发 〔２００２〕 ５ 号"]):
        result = precedents_searcher.search(SearchQuery(filters={"cites": numbers}, size=100))
        assert {h.id for h in result.hits} == citing(*map(canonical, numbers)) and result.total > 0
    assert precedents_searcher.search(SearchQuery(q="电力", filters={"cites": ["国发〔2002〕5号"]})).total == len(
        {i.id for i in gov_items if "电力" in i.title + i.body and "国发〔2002〕5号" in {c["doc_number"] for c in i.cites}})
    with pytest.raises(BadParameter) as refused:
        SearchQuery(filters={"cites": ["不是文号"]})
    assert refused.value.name == "cites"
