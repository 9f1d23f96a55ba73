"""The Searcher contract (search/searcher.py), checked on every backend over the seed bulletins.

Each backend is opened by a function in BACKENDS over an archive; every test
runs once per backend, and each answer is compared with what a scan of the items
gives (the truth does not depend on any backend).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.build import build
from indexer.docnumbers import canonical
from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.items import Item
from indexer.normalize import search_form
from search import BadParameter, Searcher, SearchQuery, item_path
from search.access import EVERYTHING, may_see, viewer_of
from search.citing import citing, resolved_cites
from search.errors import ResultWindow
from search.limits import MAX_PAGE_SIZE, MAX_RESULT_WINDOW, MAX_SIMILAR
from search.query import parse
from search.validity import today, validity_of
from tests.conftest import CORPUS, build_index, open_index, write_jsonl
from tests.test_cluster import cluster_searcher, running_cluster
from tests.test_facets import brute_force, from_result


def _local(archive: Path, folder: Path) -> Iterator[Searcher]:
    searcher = open_index(build_index([archive], folder / "index"))
    yield searcher
    searcher.close()


def _sphinxql(archive: Path, folder: Path) -> Iterator[Searcher]:
    """A loopback Sphinx cluster (2 shards and an aggregator) holding the archive."""
    with running_cluster(folder / "cluster", [archive]) as url:
        searcher = cluster_searcher(url)
        yield searcher
        searcher.close()


# name -> function(archive, work folder) yielding an open Searcher over that archive
BACKENDS: dict[str, Callable[[Path, Path], Iterator[Searcher]]] = {"local": _local, "sphinxql": _sphinxql}
# each backend's parameter, marked with what it needs
BACKEND_PARAMS = [pytest.param("local"), pytest.param("sphinxql", marks=pytest.mark.system)]


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def searcher(request, tmp_path_factory) -> Iterator[Searcher]:
    yield from BACKENDS[request.param](CORPUS, tmp_path_factory.mktemp(request.param))


def _containing(items: list[Item], q: str) -> set[str]:
    form = search_form(q)
    return {i.id for i in items if form in search_form(i.title) or form in search_form(i.body)}


def _all_ids(searcher: Searcher, **query) -> list[str]:
    """Every hit id, page by page, in order."""
    out: list[str] = []
    page = 1
    while True:
        result = searcher.search(SearchQuery(page=page, size=5, **query))
        out.extend(h.id for h in result.hits)
        if page >= result.pages:
            return out
        page += 1


@pytest.mark.parametrize("q", ["工作", "校园欺凌", "区", "2022", "首席服务官", "不存在的词语组合"])
def test_search_finds_exactly_the_items_containing_the_term(searcher, seed_items, q):
    result = searcher.search(SearchQuery(q=q, size=MAX_PAGE_SIZE))
    assert result.total == len(_containing(seed_items, q))
    assert {h.id for h in result.hits} == _containing(seed_items, q)


@pytest.mark.parametrize("q, filters", [
    ("", {}),
    ("工作", {"department": ["区教育局", "区司法局"]}),
    ("", {"topic": ["科技、教育"], "year": ["unknown"]}),
    ("区", {"department": ["区教育局", "区城管局"], "year": ["2022"]}),
])
def test_total_and_facet_counts_equal_a_scan(searcher, seed_items, q, filters):
    assert from_result(searcher.search(SearchQuery(q=q, filters=filters))) == brute_force(seed_items, q, filters)


def test_operators_combine_as_documented(searcher, seed_items):
    either = _containing(seed_items, "校园欺凌") | _containing(seed_items, "首席服务官")
    assert set(_all_ids(searcher, q="校园欺凌 OR 首席服务官")) == either
    assert set(_all_ids(searcher, q="工作 -区教育局")) == _containing(seed_items, "工作") - _containing(
        seed_items, "区教育局")
    titled = {i.id for i in seed_items if search_form("工作") in search_form(i.title)}
    assert set(_all_ids(searcher, q="工作", scope="title")) == titled


def test_pages_are_disjoint_and_cover_the_result(searcher):
    ids = _all_ids(searcher, q="区")
    assert len(ids) == len(set(ids)) == searcher.search(SearchQuery(q="区")).total


def test_newest_first_orders_by_date(searcher):
    result = searcher.search(SearchQuery(sort="date_desc", size=MAX_PAGE_SIZE))
    known = [(h.date or str(h.year or "")) for h in result.hits if h.date or h.year]
    assert known == sorted(known, reverse=True)


def test_hits_carry_highlights_and_their_page_path(searcher):
    hit = searcher.search(SearchQuery(q="欺凌")).hits[0]
    assert "<mark>欺凌</mark>" in hit.title_html + hit.snippet_html
    assert hit.url == item_path(hit.id)


def test_export_gives_every_match_in_result_order_up_to_the_limit(searcher):
    query = SearchQuery(q="区", sort="date_asc")
    export = searcher.export(query, limit=3)
    assert export.total == searcher.search(query).total
    assert [i.id for i in export.items] == _all_ids(searcher, q="区", sort="date_asc")[:3]


def test_item_page_holds_the_issue_in_order_and_similar_items(searcher, seed_items):
    target = seed_items[3]
    page = searcher.item_page(target.id)
    assert page is not None and page.item.id == target.id and page.item.body == target.body
    same_issue = sorted((i for i in seed_items if i.issue_key == target.issue_key), key=lambda i: i.position)
    assert [i.id for i in page.issue_items] == [i.id for i in same_issue]
    assert len(page.similar) <= MAX_SIMILAR and target.id not in {i.id for i in page.similar}


def test_an_unknown_id_has_no_page(searcher):
    assert searcher.item_page("no-such-item") is None


def test_suggestions_contain_what_was_typed(searcher):
    found = searcher.suggest("教育")
    assert found and all("教育" in s["value"] for s in found)
    assert {s["type"] for s in found} <= {"department", "topic", "title"}


def test_health_counts_the_items(searcher, seed_items):
    health = searcher.health()
    assert health["status"] == "ok" and health["items"] == len(seed_items) and health["index_version"]


@pytest.mark.parametrize("query", [dict(size=0), dict(size=MAX_PAGE_SIZE + 1), dict(page=0), dict(sort="random"),
                                   dict(filters={"year": ["22"]}), dict(date_from="2022-13-01")])
def test_unusable_queries_are_refused_by_name(query):
    name = "filters" if "filters" in query else next(iter(query))
    with pytest.raises(BadParameter) as raised:
        SearchQuery(**query)
    assert raised.value.name == ("year" if name == "filters" else name)


# Access (the viewer= of every method): an archive of the seeds plus records for groups A, B and administrators.

RESTRICTED = [
    {"id": "r-a", "title": "甲组内部通报校园欺凌", "body": "甲组专项工作。（区教育局）", "access": ["A"], "issue": "内部"},
    {"id": "r-b", "title": "乙组内部通报校园欺凌", "body": "乙组专项工作。（区司法局）", "access": ["B"], "issue": "内部"},
    {"id": "r-ab", "title": "甲乙组通报", "body": "甲乙共同工作。（区教育局）", "access": ["A", "B"], "issue": "内部"},
    {"id": "r-none", "title": "仅管理员通报校园欺凌", "body": "管理员工作。", "access": [], "issue": "内部"},
    {"id": "r-pub", "title": "公开通报校园欺凌", "body": "公开工作。（区教育局）", "issue": "内部"},
]
VIEWERS = {"anonymous": viewer_of(), "A": viewer_of(["A"]), "B": viewer_of(["B"]), "admin": EVERYTHING}


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def mixed(request, tmp_path_factory) -> Iterator[tuple[Searcher, list[Item]]]:
    archive = tmp_path_factory.mktemp("mixed-archive")
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, archive / path.name)
    write_jsonl(archive / "restricted.jsonl", RESTRICTED)
    items = list(read_items([archive], Report(stream=None)))
    for searcher in BACKENDS[request.param](archive, tmp_path_factory.mktemp(request.param + "-mixed")):
        yield searcher, items


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("q, filters", [("", {}), ("校园欺凌", {}), ("工作", {"department": ["区教育局"]})])
def test_a_viewer_sees_counts_and_hits_of_exactly_the_items_it_may_see(mixed, who, q, filters):
    searcher, items = mixed
    seen = [i for i in items if may_see(VIEWERS[who], i.access)]
    result = searcher.search(SearchQuery(q=q, filters=filters, size=MAX_PAGE_SIZE), viewer=VIEWERS[who])
    assert from_result(result) == brute_force(seen, q, filters)
    assert {h.id for h in result.hits} <= {i.id for i in seen}
    export = searcher.export(SearchQuery(q=q, filters=filters), limit=1000, viewer=VIEWERS[who])
    assert sorted(i.id for i in export.items) == sorted(h.id for h in result.hits)
    assert searcher.health(viewer=VIEWERS[who])["items"] == len(seen)


@pytest.mark.parametrize("who", VIEWERS)
def test_an_item_a_viewer_may_not_see_is_missing_and_never_a_neighbour_or_suggestion(mixed, who):
    searcher, items = mixed
    seen = {i.id for i in items if may_see(VIEWERS[who], i.access)}
    for item in items:
        page = searcher.item_page(item.id, viewer=VIEWERS[who])
        assert (page is not None) == (item.id in seen)
        if page is not None:
            assert {i.id for i in page.issue_items} | {s.id for s in page.similar} <= seen
    for q in ("通报", "校园欺凌", "区教育局"):
        for s in searcher.suggest(q, viewer=VIEWERS[who]):
            assert s.get("id", next(iter(seen))) in seen
            if s["type"] == "department":
                assert s["count"] == sum(1 for i in items if i.id in seen and s["value"] in i.departments)


def test_the_default_viewer_is_public_only(mixed):
    searcher, items = mixed
    assert searcher.search(SearchQuery(q="校园欺凌")).total == searcher.search(
        SearchQuery(q="校园欺凌"), viewer=viewer_of()).total
    assert searcher.item_page("r-a") is None and searcher.item_page("r-pub") is not None


# Each access shape alone in an index: the seeds public, and one folder whose _access.json is the shape.
SHAPES = {
    "admins only": '{"access": []}',
    "unreadable": '{"access": [',
    "one group": '{"access": ["A"]}',
    "mixed": None,  # records of their own: administrators only, A, and public
}
SHAPE_VIEWERS = {"anonymous": viewer_of(), "reader without groups": viewer_of([]), "wrong group": viewer_of(["B"]),
                 "the group": viewer_of(["A"]), "admin": EVERYTHING}


@pytest.fixture(scope="module", params=[pytest.param((b.values[0], s), marks=b.marks, id=f"{b.values[0]}-{s}")
                                        for b in BACKEND_PARAMS for s in SHAPES])
def shaped(request, tmp_path_factory) -> Iterator[tuple[Searcher, list[Item]]]:
    backend, shape = request.param
    archive = tmp_path_factory.mktemp("shape-archive")
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, archive / path.name)
    inner = archive / "internal"
    inner.mkdir()
    if SHAPES[shape] is None:
        write_jsonl(inner / "records.jsonl", [dict(r, access=a) for r, a in zip(RESTRICTED, ([], ["A"], None))])
    else:
        (inner / "_access.json").write_text(SHAPES[shape], encoding="utf-8")
        write_jsonl(inner / "records.jsonl", [{k: v for k, v in r.items() if k != "access"} for r in RESTRICTED])
    items = list(read_items([archive], Report(stream=None)))
    for searcher in BACKENDS[backend](archive, tmp_path_factory.mktemp(backend + "-shape")):
        yield searcher, items


@pytest.mark.parametrize("who", SHAPE_VIEWERS)
def test_every_access_shape_alone_in_an_index_hides_what_it_must(shaped, who):
    searcher, items = shaped
    viewer = SHAPE_VIEWERS[who]
    seen = {i.id for i in items if may_see(viewer, i.access)}
    hidden = {i.id for i in items} - seen
    assert hidden or who in ("admin", "the group")  # every shape restricts something from the others
    result = searcher.search(SearchQuery(q="", size=MAX_PAGE_SIZE), viewer=viewer)
    assert result.total == len(seen) and {h.id for h in result.hits} == seen
    assert searcher.search(SearchQuery(q="校园欺凌", size=MAX_PAGE_SIZE), viewer=viewer).total == len(
        {i.id for i in items if i.id in seen and "校园欺凌" in i.title + i.body})
    assert {i.id for i in searcher.export(SearchQuery(q=""), limit=1000, viewer=viewer).items} == seen
    assert searcher.health(viewer=viewer)["items"] == len(seen)
    for item_id in hidden:
        assert searcher.item_page(item_id, viewer=viewer) is None


@pytest.mark.parametrize("page, size", [(99_999_999, 10), (101, 100), (10_001, 1)])
def test_a_page_past_the_result_window_is_refused_before_any_backend_is_asked(searcher, page, size):
    with pytest.raises(ResultWindow) as raised:
        searcher.search(SearchQuery(page=page, size=size))
    assert raised.value.name == "page" and raised.value.code == "result_window"
    last = searcher.search(SearchQuery(q="区", page=MAX_RESULT_WINDOW // MAX_PAGE_SIZE, size=MAX_PAGE_SIZE))
    assert last.hits == [] and last.pages == 1  # the last page of the window is answered (here empty)


@pytest.mark.parametrize("who", VIEWERS)
def test_positions_count_only_the_items_of_an_issue_a_viewer_may_see(mixed, who):
    searcher, items = mixed
    viewer = VIEWERS[who]
    seen = sorted((i for i in items if i.issue == "内部" and may_see(viewer, i.access)), key=lambda i: i.position)
    expected = {item.id: n for n, item in enumerate(seen, 1)}
    hits = searcher.search(SearchQuery(q="", filters={"issue": [seen[0].issue_key]}, size=MAX_PAGE_SIZE), viewer=viewer)
    assert {h.id: h.position for h in hits.hits} == expected
    exported = searcher.export(SearchQuery(q="", filters={"issue": [seen[0].issue_key]}), limit=100, viewer=viewer)
    assert {i.id: i.position for i in exported.items} == expected
    for item_id, position in expected.items():
        page = searcher.item_page(item_id, viewer=viewer)
        assert page.item.position == position
        assert [(i.id, i.position) for i in page.issue_items] == list(expected.items())
    assert [(i.id, i.position) for i in searcher.issue(seen[0].issue_key, viewer=viewer).items] == \
        list(expected.items())


# Ranking from what one may see: the same public archive, alone and beside items restricted to group A that hold
# 金条 often (so, counted, they would make 金条 common and every length longer).
PUBLIC_METALS = [
    {"id": f"p{n}", "title": title, "body": body, "issue": f"公开{n // 3}"}
    for n, (title, body) in enumerate([
        ("金条回收市场调查", "本市金条回收价格平稳。（区商务局）"),
        ("银条收藏热度上升", "银条和银币受到收藏者关注，银条交易活跃。（区商务局）"),
        ("金融知识进社区", "讲解防范非法集资，提示不要轻信金条投资高回报。（区金融办）"),
        ("贵金属市场简讯", "银条价格小幅上涨，金条价格持平。（区市场监管局）"),
        ("银条纪念品发布", "博物馆发布纪念银条。（区文旅局）"),
        ("打击假冒金条专项行动", "查获假冒金条一批，涉案金条均已封存。（区市场监管局）"),
    ])]
RESTRICTED_METALS = [{"id": f"r{n}", "title": f"金条储备情况第{n}号", "body": "金条" * (n + 3) + "内部统计，不对外公开。" * 20,
                      "issue": "内部统计", "access": ["A"]} for n in range(12)]


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def metals(request, tmp_path_factory) -> Iterator[tuple[Searcher, Searcher]]:
    """Searchers over the public archive alone and over it beside the restricted items."""
    alone = tmp_path_factory.mktemp("metals-alone")
    beside = tmp_path_factory.mktemp("metals-beside")
    write_jsonl(alone / "public.jsonl", PUBLIC_METALS)
    write_jsonl(beside / "public.jsonl", PUBLIC_METALS)
    write_jsonl(beside / "restricted.jsonl", RESTRICTED_METALS)
    opened = [BACKENDS[request.param](folder, tmp_path_factory.mktemp(request.param + "-metals"))
              for folder in (alone, beside)]
    yield next(opened[0]), next(opened[1])
    for generator in opened:
        next(generator, None)


@pytest.mark.parametrize("q", ["金条 OR 银条", "金条 银条", "市场 金条", "银条", "价格"])
def test_what_anonymous_users_get_is_ranked_as_if_restricted_items_did_not_exist(metals, q):
    alone, beside = metals
    for viewer in (viewer_of(), viewer_of(["B"])):
        got = beside.search(SearchQuery(q=q, size=MAX_PAGE_SIZE), viewer=viewer)
        expected = alone.search(SearchQuery(q=q, size=MAX_PAGE_SIZE), viewer=viewer)
        assert [h.id for h in got.hits] == [h.id for h in expected.hits] and got.total == expected.total
    for record in PUBLIC_METALS:
        got, expected = beside.item_page(record["id"]), alone.item_page(record["id"])
        assert [s.id for s in got.similar] == [s.id for s in expected.similar]


# One id in two files: the first read is kept, unless the other may be seen by fewer people.
def _two_files(folder: Path, first: dict, second: dict) -> Path:
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    write_jsonl(folder / "a" / "first.jsonl", [first])
    write_jsonl(folder / "b" / "second.jsonl", [second])
    return folder


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_one_id_in_two_files_keeps_the_first_unless_the_other_is_narrower(backend, tmp_path):
    public = {"id": "same", "title": "公开版本", "body": "公开的正文。"}
    secret = {"id": "same", "title": "内部版本", "body": "内部的正文。", "access": []}
    for first, second, kept in ((public, {**public, "title": "后来的公开版本"}, "公开版本"), (public, secret, "内部版本"),
                                (secret, public, "内部版本")):
        archive = _two_files(tmp_path / f"{first['title']}-{second['title']}", first, second)
        built = archive.parent / (archive.name + "-built")
        built.mkdir()
        for searcher in BACKENDS[backend](archive, built):
            page = searcher.item_page("same", viewer=EVERYTHING)
            assert page.item.title == kept
            assert (searcher.item_page("same") is None) == (kept == "内部版本")  # never the public copy of it
            assert searcher.health(viewer=EVERYTHING)["items"] == 1


def test_a_build_reports_both_files_of_a_repeated_id(tmp_path):
    archive = _two_files(tmp_path, {"id": "same", "title": "甲", "body": "甲。"}, {"id": "same", "title": "乙", "body": "乙。"})
    report = Report(stream=None)
    build([archive], tmp_path / "index", report, workers=1)
    [problem] = [p for p in report.problems if "same" in p.reason]
    assert problem.path.endswith("second.jsonl") and "first.jsonl" in problem.reason


# Citations, validity and words together: the 60 gov.cn pages, the 108 gov.cn documents and a record one of them
# repeals; the truth is the shared rules (search.citing, search.validity) applied to every item read.

@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def precedents(request, precedents_archive, tmp_path_factory) -> Iterator[tuple[Searcher, list[Item]]]:
    items = list(read_items([precedents_archive], Report(stream=None)))
    kept = {i.id: i for i in items}  # a later record of one id replaces an earlier one
    for searcher in BACKENDS[request.param](precedents_archive, tmp_path_factory.mktemp(request.param + "-prec")):
        yield searcher, list(kept.values())


def test_item_pages_resolve_citations_list_citing_items_and_say_whether_in_force(precedents):
    searcher, items = precedents
    on = today()
    linked = 0
    for item in items:
        page = searcher.item_page(item.id)
        assert page.cites == resolved_cites(item, items), item.id
        assert page.cited_by == citing(item, items), item.id
        assert page.validity == validity_of(item, items, on), item.id
        linked += sum(1 for c in page.cites if c["id"])
    assert linked >= 5


@pytest.mark.parametrize("filters", [{"validity": ["已废止"]}, {"validity": ["未见废止"]},
                                     {"validity": ["已废止", "已失效"], "year": ["2016"]},
                                     {"cites": ["国发〔2005〕18号"]}, {"cites": ["国发〔2002〕5号", "中发〔1999〕18号"]},
                                     {"cites": ["国发〔2002〕5号"], "validity": ["未见废止"]}])
@pytest.mark.parametrize("q", ["", "电力"])
def test_the_validity_and_cites_filters_and_the_validity_facet_equal_a_scan(precedents, filters, q):
    searcher, items = precedents
    on = today()
    status = {i.id: validity_of(i, items, on)["status"] for i in items}
    labels = {"repealed": "已废止", "expired": "已失效", "none_known": "未见废止"}
    cited = {canonical(n) for n in filters.get("cites", [])}

    def passes(item: Item, but: str = "") -> bool:
        return ((not q or search_form(q) in search_form(item.title + item.body))
                and (but == "validity" or not filters.get("validity") or labels[status[item.id]] in filters["validity"])
                and (not cited or bool(cited & {c["doc_number"] for c in item.cites}))
                and (not filters.get("year") or str(item.year) in filters["year"]))

    result = searcher.search(SearchQuery(q=q, filters=filters))
    expected = {i.id for i in items if passes(i)}
    assert {i.id for i in searcher.export(SearchQuery(q=q, filters=filters), 1000).items} == expected
    assert result.total == len(expected)
    counts = {v.value: v.count for v in result.facets["validity"] if v.count}
    assert counts == dict(Counter(labels[status[i.id]] for i in items if passes(i, but="validity")))


@pytest.mark.parametrize("q", ["地震 预案", "国务院 同意", '"煤炭" "价格"', "电力 -煤炭", "title:国务院 批复"])
@pytest.mark.parametrize("within", ["paragraph", "sentence"])
def test_words_in_one_paragraph_or_sentence_equal_a_scan(precedents, q, within):
    searcher, items = precedents
    parsed = parse(q)
    expected = {i.id for i in items if all(any(search_form(t.text) in search_form(i.title if t.title_only else
                                                                                  i.title + "\n" + i.body)
                                               for t in g) for g in parsed.groups)
                and not any(search_form(t.text) in search_form(i.title + i.body) for t in parsed.excluded)
                and _together(i, parsed, within)}
    result = searcher.search(SearchQuery(q=q, within=within))
    assert {i.id for i in searcher.export(SearchQuery(q=q, within=within), 1000).items} == expected
    assert result.total == len(expected)


def _together(item: Item, parsed, within: str) -> bool:
    """One unit (the title, a line, a sentence ending at 。！？；) holding a term of every group."""
    units = [item.title] + [s for line in item.body.split("\n")
                            for s in (re.split(r"(?<=[。！？；!?;])", line) if within == "sentence" else [line])]
    return any(all(any(search_form(t.text) in search_form(unit) and (n == 0 or not t.title_only) for t in g)
                   for g in parsed.groups) for n, unit in enumerate(units))


REPEALING = [
    {"id": "p-old", "title": "某市关于某事的通知", "doc_number": "某发〔2015〕1号", "date": "2015-01-01", "body": "正文。"},
    {"id": "r-new", "title": "某市关于某事的补充通知", "date": "2020-01-01", "access": ["A"],
     "body": "依据某发〔2015〕1号，……。《某市关于某事的通知》（某发〔2015〕1号）同时废止。"},
    {"id": "p-cite", "title": "某市关于另一事的通知", "date": "2021-01-01", "body": "按照某发〔2015〕1号办理。"},
]


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_a_repeal_or_citation_a_viewer_may_not_see_marks_and_lists_nothing_for_it(backend, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_jsonl(archive / "records.jsonl", REPEALING)
    for searcher in BACKENDS[backend](archive, tmp_path):
        anonymous, group = viewer_of(), viewer_of(["A"])
        assert searcher.item_page("p-old", viewer=anonymous).validity["status"] == "none_known"
        assert [c["id"] for c in searcher.item_page("p-old", viewer=anonymous).cited_by] == ["p-cite"]
        page = searcher.item_page("p-old", viewer=group)
        assert page.validity["status"] == "repealed" and page.validity["by"]["id"] == "r-new"
        assert [c["id"] for c in page.cited_by] == ["p-cite", "r-new"]
        for viewer, expected in ((anonymous, []), (group, ["p-old"])):
            found = searcher.search(SearchQuery(filters={"validity": ["已废止"]}), viewer=viewer)
            assert [h.id for h in found.hits] == expected
            assert {v.value: v.count for v in searcher.search(SearchQuery(), viewer=viewer).facets["validity"]} == \
                ({"已废止": 1, "未见废止": 2} if expected else {"未见废止": 2})
