"""The SphinxQL backend on a real cluster: parity with the local engine, shards that fail, restarts.

One cluster for the module: 2 shards, each on 2 ``searchd`` nodes (mirrors), and an
aggregator, on free loopback ports in a temporary folder, holding the seed bulletins
and the 2,000-item xwlb slice; a local index of the same files is the reference.
Parity is checked on the public relevance queries (phrases, and known items whose
target is in the slice) and 200 generated known-item queries: same totals, same
facet counts, same id sets. Then shard nodes are killed and started again.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pymysql
import pytest

from bench.known_items import generate
from cluster import config as cluster_config
from cluster import loopback
from cluster import searcher as sphinxql
from cluster import write as cluster_write
from cluster.connect import ClusterUnavailable, ResultSet, connect, parse_url, run_batch
from cluster.schema import VALUES, doc_id, generation_of, generation_row
from cluster.searcher import _GROUPED, GROUPS, ClusterDegraded, SphinxQLSearcher
from cluster.write import ClusterWriter, build_cluster, update_cluster
from indexer.errors import IndexStale, Report
from indexer.ingest.files import read_items
from indexer.normalize import TEXT_ENCODING, holds, needle, search_form, term_gaps, traditional_forms
from indexer.runs import OneItemAnId
from search import Searcher, SearchQuery, SearchResult
from search.access import viewer_of
from search.query import parse
from tests.conftest import CORPUS, EVAL, build_index, open_index, write_jsonl
from tests.test_within import _cases as _pairs
from webapp import create_app

pytestmark = pytest.mark.system


@contextmanager
def running_cluster(folder: Path, sources: list[Path], shards: int = 2, replicas: int = 1) -> Iterator[str]:
    """A loopback cluster in ``folder`` holding the items of ``sources``; its backend URL. Stopped after."""
    topology = loopback.up(folder, shards, replicas)
    try:
        build_cluster(sources, topology.url, Report(stream=None))
        yield topology.url
    finally:
        loopback.down(folder)


def cluster_searcher(url: str) -> Searcher:
    """The product's Searcher over a cluster, with a budget no test machine reaches."""
    return SphinxQLSearcher(url, budget_ms=60_000)


@pytest.fixture(scope="module")
def sources(xwlb_slice) -> list[Path]:
    return [CORPUS, xwlb_slice]


@pytest.fixture(scope="module")
def cluster_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="module")
def url(cluster_dir, sources) -> Iterator[str]:
    with running_cluster(cluster_dir, sources, shards=2, replicas=2) as backend:
        yield backend


@pytest.fixture(scope="module")
def remote(url) -> Iterator[Searcher]:
    searcher = cluster_searcher(url)
    yield searcher
    searcher.close()


@pytest.fixture(scope="module")
def local(sources, tmp_path_factory) -> Iterator[Searcher]:
    searcher = open_index(build_index(sources, tmp_path_factory.mktemp("local-index")))
    yield searcher
    searcher.close()


@pytest.fixture(scope="module")
def queries(local) -> list[SearchQuery]:
    """Public phrases and known items (target in the slice), 200 generated known items, and some with filters."""
    cases = json.loads(EVAL.read_text(encoding="utf-8"))["cases"]
    held = set(_ids(local, SearchQuery()))
    public = [c["q"] for c in cases if c["kind"] == "phrase" or c.get("target") in held]
    generated = [c["q"] for c in generate(local, 200, seed=1)]
    out = [SearchQuery(q=q) for q in public + generated + _folding(local, generated)] + [SearchQuery()]
    for q in generated[:20]:  # the same words narrowed by each facet's biggest value, and a date range
        facets = local.search(SearchQuery(q=q)).facets
        filters = {name: [values[0].value] for name, values in facets.items() if values}
        out.append(SearchQuery(q=q, filters=filters))
        out.append(SearchQuery(q=q, filters={"year": [v.value for v in facets["year"][:2]]}, date_from="2015-01-01"))
    return out


def _folding(local: Searcher, generated: list[str]) -> list[str]:
    """Queries that only folding answers: across joining marks (and pairs that must not span them; terms with marks
    where they may stand, after their first character or before their last, where they may not), traditional."""
    spans, edges = [], []
    for item in local.export(SearchQuery(), limit=10**9).items:
        for m in re.finditer(r"([\u4e00-\u9fff]{2})[、“”·]+([\u4e00-\u9fff]{2})", item.title + item.body):
            spans += [m.group(1) + m.group(2), m.group(1)[1] + m.group(2)[0], f'"{m.group(0)}"',
                      f"title:{m.group(1)}{m.group(2)}"]
        for m in re.finditer(r"([\u4e00-\u9fff]{3})[、“”·]+([\u4e00-\u9fff]{3})", item.title + item.body):
            left, right = m.group(1), m.group(2)
            edges += [left[1:] + right[:2], left[2] + right, left + right[0]]
    traditional = ["".join(traditional_forms(c)[:1] or c for c in q) for q in generated[:20]]
    assert len(spans) >= 40 and len(edges) >= 30 and sum(t not in generated for t in traditional) >= 10
    return spans[:40] + edges[:30] + traditional


def _ids(searcher: Searcher, query: SearchQuery) -> list[str]:
    return [i.id for i in searcher.export(query, limit=10**9).items]


def _facets(result: SearchResult) -> dict:
    def flat(values) -> dict:
        return {v.value: (v.count, v.selected, flat(v.children or [])) for v in values}

    return {name: flat(values) for name, values in result.facets.items()}


def test_the_cluster_holds_every_item(remote, local):
    assert remote.health()["status"] == "ok"
    assert remote.health()["items"] == local.health()["items"] > 2000


def test_totals_facets_and_ids_equal_the_local_engine(remote, local, queries):
    assert len(queries) >= 250
    differ, counted_again = [], 0
    counted = remote._counted
    for query in queries:
        theirs = local.search(query)
        first = remote.search(query)
        with mock.patch.object(remote, "_counted", side_effect=counted) as counting:
            again = remote.search(query)  # with the counts kept from the first
        counted_again += counting.called
        for mine in (first, again):
            if (mine.total, _facets(mine), mine.months, mine.also_searched) != \
                    (theirs.total, _facets(theirs), theirs.months, theirs.also_searched):
                differ.append((query.q, query.filters, mine.total, theirs.total))
        if set(_ids(remote, query)) != set(_ids(local, query)):
            differ.append((query.q, query.filters, "ids"))
    assert not differ, f"{len(differ)} of {len(queries)} queries differ: {differ[:5]}"
    assert counted_again <= len(queries) // 20  # counted again only when a first count grew its room
    assert sum(bool(q.filters["year"]) and len(q.filters["year"]) == 1 for q in queries) >= 10  # months compared


def test_words_in_one_paragraph_or_sentence_equal_the_local_engine(remote, local, slice_items):
    """Generated pairs of words of one sentence or of two (tests/test_within.py), each level: totals, every facet
    count, the id sets and the snippets (the sentence holding the words) equal the local engine's."""
    differ = []
    for pair in _pairs(slice_items)[:60]:
        for within in ("paragraph", "sentence"):
            query = SearchQuery(q=" ".join(f'"{w}"' for w in pair), within=within, sort="date_desc", size=20)
            mine, theirs = remote.search(query), local.search(query)
            if (mine.total, _facets(mine)) != (theirs.total, _facets(theirs)) or set(_ids(remote, query)) != set(
                    _ids(local, query)):
                differ.append((query.q, within, mine.total, theirs.total))
            snippets = {h.id: h.snippet_html for h in theirs.hits}
            differ += [(query.q, within, h.id) for h in mine.hits if snippets.get(h.id, h.snippet_html) != h.snippet_html]
    assert not differ, differ[:5]


def test_known_items_rank_as_well_as_local(remote, local):
    """Public cases whose target is in the slice: at least as many found; generated ones: nearly as many."""
    held = set(_ids(local, SearchQuery()))
    public = [c for c in json.loads(EVAL.read_text(encoding="utf-8"))["cases"]
              if c["kind"] == "known" and c["target"] in held]
    generated = generate(local, 200, seed=1)

    def found(searcher: Searcher, cases: list[dict]) -> int:
        return sum(c["target"] in {h.id for h in searcher.search(SearchQuery(q=c["q"])).hits} for c in cases)

    assert public and found(remote, public) >= found(local, public)
    # The rankings differ (Sphinx's expression ranker over characters, BM25F over words): measured 182 and
    # 187 of 200 for seed 1 with proximity ranking, closer with the ranker chosen; a few cases either way.
    assert found(remote, generated) >= 0.97 * found(local, generated)


def test_one_term_puts_the_items_holding_it_in_their_title_first(remote, queries):
    """searchd's native ranker for one term (every word and phrase of the queries): the first 50 hits are those
    holding it in their title, then those holding it elsewhere."""
    words = {w for q in queries for w in q.q.split()}
    one_term = [SearchQuery(q=w, size=50) for w in sorted(words)]
    assert len(one_term) >= 200
    mixed = 0
    for query in one_term:
        in_title = [_holds_in_title(h.title, query.q) for h in remote.search(query).hits]
        assert in_title == sorted(in_title, reverse=True), query.q
        mixed += True in in_title and False in in_title
    assert mixed >= 50


def _holds_in_title(title: str, q: str) -> bool:
    term = parse(q).positive_terms[0]
    text, gaps = term_gaps(term.text)
    return bool(holds(needle(text, gaps), search_form(title).encode(TEXT_ENCODING)))


def test_deep_pages_and_sorts_cover_the_result(remote, local):
    for sort in ("relevance", "date_desc", "date_asc"):
        query = SearchQuery(q="会议", sort=sort, size=100)
        total = remote.search(query).total
        pages = [remote.search(SearchQuery(q="会议", sort=sort, size=100, page=p)) for p in range(1, total // 100 + 2)]
        ids = [h.id for r in pages for h in r.hits]
        assert len(ids) == len(set(ids)) == total == local.search(query).total
    dated = [h.date for h in remote.search(SearchQuery(sort="date_asc", size=100, page=5)).hits]
    assert dated == sorted(dated)


def test_hits_are_highlighted_like_the_local_engine(remote, local):
    query = SearchQuery(q='"国务院" 会议', sort="date_desc", size=20)
    def shown(searcher: Searcher) -> set[tuple[str, str, str]]:  # items of one day may come in another order
        return {(h.id, h.title_html, h.snippet_html) for h in searcher.search(query).hits}

    assert shown(remote) == shown(local)


def test_update_replaces_items_on_their_shard(remote, url, tmp_path):
    item = remote.search(SearchQuery(q="会议", size=1)).hits[0]
    record = {"id": "cluster-update-1", "title": "集群更新测试标题", "body": "一段只在这里出现的文字：鹦鹉螺号。",
              "date": "2024-05-06"}
    update_cluster([write_jsonl(tmp_path / "new.jsonl", [record])], url, Report(stream=None))
    found, again = remote.search(SearchQuery(q="鹦鹉螺号")), remote.search(SearchQuery(q="鹦鹉螺号"))
    assert found.total == again.total == 1 and found.hits[0].title == "集群更新测试标题"
    assert _facets(again)["year"] == {"2024": (1, False, {})}
    record["body"] = "改过的文字：潜水艇。"
    update_cluster([write_jsonl(tmp_path / "new.jsonl", [record])], url, Report(stream=None))
    gone = remote.search(SearchQuery(q="鹦鹉螺号"))
    assert gone.total == 0 and _facets(gone)["year"] == {}  # the counts kept before the update are not used
    assert remote.search(SearchQuery(q="潜水艇")).hits[0].id == found.hits[0].id
    assert remote.item_page(item.id).item.id == item.id


def test_counts_are_kept_until_a_run_writes(url, tmp_path, monkeypatch):
    """A repeated search does not send its facet counts again; a search while a run writes counts afresh; after the
    run, and after another that deletes, the kept answers are those of the new content."""
    searcher = cluster_searcher(url)
    sent: list[str] = []
    batch = SphinxQLSearcher._batch
    monkeypatch.setattr(SphinxQLSearcher, "_batch", lambda self, statements: sent.extend(statements) or
                        batch(self, statements))
    query = SearchQuery(q="国务院 主持召开国务院常务会议")  # a long term, also across marks

    def search() -> tuple[SearchResult, bool]:
        """The answer, and whether the search counted facets."""
        sent.clear()
        result = searcher.search(query)
        return result, any("GROUP BY" in st for st in sent)

    def kept() -> SearchResult:
        """The answer once the search is asked a third time: from kept counts."""
        search(), search()
        result, asked = search()
        assert not asked
        return result

    first, asked = search()
    assert first.total > 0 and asked
    assert (kept().total, _facets(kept())) == (first.total, _facets(first))

    record = {"id": "cluster-memo-1", "title": "李克强主持召开国务院常务会议测试", "body": "只为此测试。", "date": "2031-01-02"}
    items = list(read_items([write_jsonl(tmp_path / "memo.jsonl", [record])], Report(stream=None), tmp_path))
    writer = ClusterWriter(url)
    try:
        stamp = writer.next_stamp()
        with writer.changing(stamp):
            writer.write(items, stamp, OneItemAnId(Report(stream=None)))
            during, asked = search()
            assert asked and during.total == first.total + 1
            assert _facets(during)["year"]["2031"][0] == 1
        after = kept()
        assert (after.total, _facets(after)) == (during.total, _facets(during))
    finally:
        with writer.changing(writer.next_stamp()):
            writer.delete([doc_id(record["id"])])
        writer.close()
    again = kept()
    assert (again.total, _facets(again)) == (first.total, _facets(first))
    searcher.close()


def test_one_mirror_down_gives_the_same_answers_then_both_down_is_degraded(remote, cluster_dir, queries):
    sample = queries[::10]
    before = [(r.total, _facets(r)) for r in map(remote.search, sample)]
    topology = loopback.load(cluster_dir)
    first, second = topology.shards[1]
    loopback.stop_node(cluster_dir, first, kill=True)
    try:
        assert [(r.total, _facets(r)) for r in map(remote.search, sample)] == before
        assert remote.health()["status"] == "ok"
        loopback.stop_node(cluster_dir, second, kill=True)
        with pytest.raises(ClusterDegraded, match="agent"):
            remote.search(sample[0])
        health = remote.health()
        assert health["status"] == "degraded" and health["items"] is None
    finally:
        loopback.start_node(cluster_dir, first)
        loopback.start_node(cluster_dir, second)
    assert [(r.total, _facets(r)) for r in map(remote.search, sample)] == before  # nothing lost


def test_a_degraded_search_is_a_503_with_a_clear_error(url, cluster_dir):
    app = create_app({"BACKEND": url, "TESTING": True})
    assert app.test_client().get("/api/health").get_json()["status"] == "ok"
    for node in loopback.load(cluster_dir).shards[0]:
        loopback.stop_node(cluster_dir, node, kill=True)
    try:
        response = app.test_client().get("/api/search?q=会议")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "index_unavailable"
        assert "degraded" in response.get_json()["error"]["message"]
        assert app.test_client().get("/api/health").get_json()["status"] == "degraded"
    finally:
        for node in loopback.load(cluster_dir).shards[0]:
            loopback.start_node(cluster_dir, node)
    assert app.test_client().get("/api/search?q=会议").status_code == 200


def test_a_build_deletes_nothing_until_every_item_is_written(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    feed = write_jsonl(corpus / "feed.jsonl", [{"id": "old-1", "title": "只在旧档案里的条目", "body": "旧内容。",
                                                "department": "只在旧档案里的办公室"}])
    with running_cluster(tmp_path / "cluster", [corpus]) as url:
        searcher = cluster_searcher(url)
        before = searcher.health()["items"]
        feed.unlink()

        def failing(sources, report, root):  # the archive cannot be read to its end
            for i, item in enumerate(read_items(sources, report, root)):
                if i == 5:
                    raise OSError(errno.EIO, "Input/output error", str(corpus))
                yield item

        monkeypatch.setattr(cluster_write, "read_items", failing)
        with pytest.raises(OSError):
            build_cluster([corpus], url, Report(stream=None))
        assert searcher.health()["items"] == before
        assert searcher.search(SearchQuery(q="只在旧档案里")).total == 1
        assert "只在旧档案里的办公室" in _value_names(url)
        monkeypatch.undo()
        build_cluster([corpus], url, Report(stream=None))  # the archive as it now is: the item it lost is gone
        assert searcher.health()["items"] == before - 1
        assert searcher.search(SearchQuery(q="只在旧档案里")).total == 0
        assert "只在旧档案里的办公室" not in _value_names(url)  # its facet value went with it
        searcher.close()


def _value_names(url: str) -> set[str]:
    """The names the cluster's values index holds."""
    conn = connect(*parse_url(url))
    try:
        return {row[0] for row in run_batch(conn, [f"SELECT name FROM {VALUES} LIMIT 0, 100000 "
                                                   "OPTION max_matches=100000"])[0].rows}
    finally:
        conn.close()


def test_an_update_that_shortens_an_issue_needs_allow_removals(tmp_path, capsys, monkeypatch):
    from indexer.cli import main

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    with running_cluster(tmp_path / "cluster", [corpus]) as url:
        searcher = cluster_searcher(url)
        issue = corpus / "000_481367547d7bb0e8.txt"
        issue.write_text(issue.read_text(encoding="utf-8").split("区公安局做实")[0], encoding="utf-8")
        assert main(["update", str(issue), "--backend", url]) == 2
        refused = capsys.readouterr().err
        assert "the update would remove" in refused and "run it again with --allow-removals" in refused
        assert searcher.search(SearchQuery(q="区残联")).total > 0  # nothing changed

        def failing(self, items, stamp, ids):  # a replica fails while the items are written
            raise ClusterUnavailable("shard 0 replica failed")

        with monkeypatch.context() as patched:
            patched.setattr(ClusterWriter, "write", failing)
            with pytest.raises(ClusterUnavailable):
                update_cluster([issue], url, Report(stream=None), allow_removals=True)
        assert searcher.search(SearchQuery(q="区残联")).total > 0  # nothing deleted before every item is written
        assert main(["update", str(issue), "--backend", url, "--allow-removals"]) == 0
        assert searcher.search(SearchQuery(q="区残联")).total == 0  # the re-read issue lost its last items
        assert [h.title for h in searcher.search(SearchQuery(q="校园欺凌")).hits] == ["区教育局扎实做好校园欺凌防治工作"]
        searcher.close()


def test_cluster_config_writes_configs_searchd_accepts(tmp_path):
    from indexer.cli import main

    assert main(["cluster-config", "--shards", "2", "--replicas", "2", "--hosts", "s1", "s2", "s3",
                 "--aggregator-host", "agg", "--out", str(tmp_path)]) == 0
    aggregator = (tmp_path / "aggregator.conf").read_text(encoding="utf-8")
    assert "agent = s1:9307|s2:9307:jianbao_s0" in aggregator  # mirrors of a shard on different hosts
    assert "agent = s2:9317|s3:9307:jianbao_s1" in aggregator  # a second node on s2 gets the next ports
    for conf in sorted(tmp_path.glob("*.conf")):
        checked = subprocess.run(["indextool", "--checkconfig", "-c", str(conf)], capture_output=True, text=True)
        assert checked.returncode == 0 and "checking index(es) ... ok" in checked.stdout, conf.name


def _without_new_columns(attrs: tuple) -> tuple:
    return tuple(a for a in attrs if a[1] not in ("stamp", "years", "months", "title_chars", "body_chars", "own_keys",
                                                  "cite_keys", "repeal_keys", "valid_until"))


def _year_sets_32_bit(attrs: tuple) -> tuple:
    return tuple(("rt_attr_multi", name) if name in ("years", "months") else (kind, name) for kind, name in attrs)


@pytest.mark.parametrize("earlier", [_without_new_columns, _year_sets_32_bit])
def test_a_cluster_configured_by_an_earlier_version_is_refused_with_the_fix(tmp_path, monkeypatch, earlier):
    """Configs without the columns added since, or with the year and month sets of 32 bits they once had (the
    searcher reads those as well, only its grouped counts then match once per key type)."""
    monkeypatch.setattr(cluster_config, "ITEM_ATTRS", earlier(cluster_config.ITEM_ATTRS))
    monkeypatch.setattr(cluster_config, "VALUE_ATTRS", tuple(a for a in cluster_config.VALUE_ATTRS if a[1] != "stamp"))
    topology = loopback.up(tmp_path, 1)
    try:
        fix = r"earlier version of Jianbao .*`python -m indexer cluster-config`.* build again"
        with pytest.raises(IndexStale, match=fix):
            build_cluster([CORPUS], topology.url, Report(stream=None))
        if earlier is _without_new_columns:
            searcher = cluster_searcher(topology.url)
            with pytest.raises(IndexStale, match=fix):
                searcher.health()
            searcher.close()
    finally:
        loopback.down(tmp_path)


def test_a_grouped_count_keeps_at_most_groups_values(monkeypatch):
    searcher = SphinxQLSearcher("sphinxql://127.0.0.1:9")  # connects only when asked
    sent: list[str] = []

    def always_full(statements: list[str]) -> list[ResultSet]:
        sent.extend(statements)
        assert len(sent) < 8, "grouped counts grow without end"  # with the cap: 64, 256, 1024, 4096, 16384, GROUPS
        return [ResultSet([(k, 1) for k in range(int(_GROUPED.search(st)["limit"]))], 0) for st in statements]

    monkeypatch.setattr(searcher, "_batch", always_full)
    searcher._counted(lambda: [searcher._grouped("departments", "id > 0", "jianbao")])
    assert searcher._group_limits == {"departments": GROUPS}
    searcher.close()


def test_every_shard_names_its_generation_and_answers_are_kept_only_when_all_name_one_finished_run(url):
    """Through the aggregator each shard gives its own row; the rule applied to the rows a run leaves."""
    searcher = cluster_searcher(url)
    rows = searcher._batch([sphinxql._GENERATION])[0].rows
    assert len(rows) == 2 and generation_of(rows) is not None  # the module's cluster: 2 shards, built and updated
    searcher.close()
    done, writing = (generation_row(0, 7, "7.a1", writing=False)["name"],
                     generation_row(0, 8, "8.b2", writing=True)["name"])
    assert generation_of([(done,), (done,)]) == "7.a1"
    assert generation_of([(done,), (writing,)]) is None  # a run is writing on one shard
    assert generation_of([(writing,), (writing,)]) is None
    assert generation_of([(done,), ("7.c3",)]) is None  # shards naming different runs, even of one stamp
    assert generation_of([]) is None  # a cluster written before generations were


def test_a_connection_lost_during_a_query_is_tried_once_more_then_refused(url, monkeypatch):
    """A query that took searchd down is not sent again and again (each one a crash): once more on a new
    connection, then ClusterUnavailable."""
    searcher = cluster_searcher(url)
    searcher.search(SearchQuery(q="国务院"))  # connected, schema checked
    sent: list[list[str]] = []

    def dropped(conn, statements):
        sent.append(statements)
        raise pymysql.OperationalError(2013, "Lost connection to MySQL server during query")

    monkeypatch.setattr("cluster.searcher.run_batch", dropped)
    monkeypatch.setattr(SphinxQLSearcher, "_connect", lambda self: object())
    with pytest.raises(ClusterUnavailable, match="not tried again"):
        searcher.search(SearchQuery(q="国务院 常务会议"))
    assert len(sent) == 2


def test_an_item_whose_access_changes_moves_between_the_public_and_the_restricted_indexes(remote, url, tmp_path):
    record = {"id": "cluster-access-1", "title": "访问范围变更测试", "body": "只在这里出现的文字：琥珀色灯塔。"}
    anonymous, group = viewer_of(), viewer_of(["A"])
    for access, seen_by_anyone in ((["A"], False), (None, True), (["A"], False)):
        written = {**record, **({"access": access} if access else {})}
        update_cluster([write_jsonl(tmp_path / "moving.jsonl", [written])], url, Report(stream=None))
        assert remote.search(SearchQuery(q="琥珀色灯塔"), viewer=group).total == 1  # never in both indexes
        assert remote.search(SearchQuery(q="琥珀色灯塔"), viewer=anonymous).total == int(seen_by_anyone)
        assert (remote.item_page(record["id"], viewer=anonymous) is not None) == seen_by_anyone


def test_a_cluster_written_in_another_content_version_is_refused_until_built_again(url, monkeypatch, tmp_path):
    writer = ClusterWriter(url)
    root = writer.archive_root()
    try:
        with monkeypatch.context() as patched:
            patched.setattr(cluster_write, "CONTENT_VERSION", "1")
            writer.set_archive_root(root, writer.next_stamp())
        with pytest.raises(IndexStale, match="content version 1.*build it again"):
            cluster_searcher(url).search(SearchQuery(q="国务院"))
        with pytest.raises(IndexStale, match="content version 1"):
            update_cluster([write_jsonl(tmp_path / "one.jsonl", [{"id": "v", "title": "版本", "body": "版本。"}])], url,
                           Report(stream=None))
    finally:
        writer.set_archive_root(root, writer.next_stamp())
        writer.close()
    assert cluster_searcher(url).search(SearchQuery(q="国务院")).total > 0
