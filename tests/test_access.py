"""Who may see what: the leakage matrix over every endpoint × {anonymous, group A, group B, admin}.

The archive is the seed bulletins, a restricted folder (``_access.json``, a ``.meta.json``
nearer) and a slice of xwlb whose records get random access groups. Every answer is
compared with a brute-force count over the items the identity may see; an item one
may not see must be indistinguishable from a missing one.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import random
import shutil
import urllib.request
from pathlib import Path

import pytest

from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.settings import Settings
from search.access import EVERYTHING, may_see, viewer_of
from search.query import literal_query
from tests.conftest import CORPUS, build_index, write_jsonl, xwlb_records
from tests.serving import in_thread
from tests.test_facets import brute_force
from webapp import create_app
from webapp.tokens import TokenStore

GROUP_CHOICES = [None, None, ["A"], ["B"], ["A", "B"], []]  # None: no field (public); []: administrators only
IDENTITIES = {
    "anonymous": {},
    "A": {"X-Remote-User": "alice", "X-Remote-Groups": "A"},
    "B": {"X-Remote-User": "bob", "X-Remote-Groups": "B, other"},
    "admin": {"X-Remote-User": "root", "X-Remote-Groups": "jianbao-admin"},
}
VIEWERS = {"anonymous": viewer_of(), "A": viewer_of(["A"]), "B": viewer_of(["B", "other"]), "admin": EVERYTHING}
CASES = [("", {}), ("发展", {}), ("", {"year": ["2018", "2022"]}), ("经济", {"department": ["区教育局"]}),
         ("", {"department": ["区教育局", "区司法局"], "year": ["unknown"]})]


def make_archive(root: Path) -> Path:
    """Seeds (public), a folder restricted to A with one file B-only by its .meta.json, and random xwlb access."""
    archive = root / "archive"
    shutil.copytree(CORPUS, archive)
    seeds = sorted(CORPUS.glob("*.txt"))
    inner = archive / "internal" / "sub"
    inner.mkdir(parents=True)
    (archive / "internal" / "_access.json").write_text('{"access": ["A"]}', encoding="utf-8")
    for source, name in ((seeds[0], "a-only.txt"), (seeds[1], "b-only.txt")):  # changed: copies would be merged
        text = source.read_text(encoding="utf-8").replace("区", "县").replace("工作", "内部工作")
        (inner / name).write_text(text, encoding="utf-8")
    (inner / "b-only.meta.json").write_text('{"access": ["B"], "issue": "乙组内部第1期"}', encoding="utf-8")
    rng = random.Random(15)
    records = []
    for n, record in enumerate(xwlb_records(300, stride=211)):
        groups = rng.choice(GROUP_CHOICES)
        record = {**record, "id": f"x{n}"}
        if groups is not None:
            record["access"] = groups
        records.append(record)
    write_jsonl(archive / "xwlb.jsonl", records)
    return archive


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(app, items, tokens file) over the mixed archive; SSO headers believed from 127.0.0.1."""
    root = tmp_path_factory.mktemp("access")
    archive = make_archive(root)
    index = build_index([archive], root / "index")
    tokens = root / "tokens.json"
    settings = dataclasses.replace(Settings.defaults(), index_dir=index, trusted_proxies=("127.0.0.1",),
                                   tokens_file=tokens)
    app = create_app({"TESTING": True}, settings)
    items = list(read_items([archive], Report(stream=None)))
    return app, items, tokens, index


def visible(items, who: str):
    return [i for i in items if may_see(VIEWERS[who], i.access)]


def get(app, url: str, who: str, **headers):
    return app.test_client().get(url, headers={**IDENTITIES[who], **headers})


def test_the_archive_mixes_public_and_restricted_items(world):
    _, items, _, _ = world
    kinds = {tuple(i.access) for i in items}
    assert {("public",), ("A",), ("B",), ("A", "B"), ()} <= kinds
    a_only = [i for i in items if i.access == ["A"] and not i.id.startswith("x")]  # xwlb ids are x0, x1 …
    b_only = [i for i in items if i.issue == "乙组内部第1期"]
    assert len(a_only) == len([i for i in items if i.source == a_only[0].source]) > 0  # the folder's _access.json
    assert b_only and {tuple(i.access) for i in b_only} == {("B",)}  # the .meta.json beside it is nearer


@pytest.mark.parametrize("who", IDENTITIES)
@pytest.mark.parametrize("q, filters", CASES)
def test_search_totals_hits_and_every_facet_count_equal_a_scan_of_what_one_may_see(world, who, q, filters):
    app, items, _, _ = world
    seen = visible(items, who)
    total, departments, tops, paths, years = brute_force(seen, q, filters)
    params = [("q", q), ("size", "100")] + [(k, v) for k, vs in filters.items() for v in vs]
    found: list[str] = []
    page = 1
    while True:
        data = get(app, "/api/search?" + "&".join(f"{k}={v}" for k, v in params) + f"&page={page}", who).get_json()
        found.extend(h["id"] for h in data["hits"])
        if page >= data["pages"]:
            break
        page += 1
    assert data["total"] == total
    assert len(found) == total and set(found) <= {i.id for i in seen}
    facets = data["facets"]
    assert {v["value"]: v["count"] for v in facets["department"] if v["count"]} == departments
    assert {v["value"]: v["count"] for v in facets["topic"] if v["count"]} == tops
    assert {c["value"]: c["count"] for v in facets["topic"] for c in v.get("children") or [] if c["count"]} == paths
    assert {v["value"]: v["count"] for v in facets["year"] if v["count"]} == years


@pytest.mark.parametrize("who", IDENTITIES)
def test_item_pages_neighbours_and_similar_items_show_only_what_one_may_see(world, who):
    app, items, _, _ = world
    seen_ids = {i.id for i in visible(items, who)}
    hidden = [i for i in items if i.id not in seen_ids]
    assert (who == "admin") == (not hidden)
    missing_api = get(app, "/api/items/no-such-item", who)
    missing_page = get(app, "/items/no-such-item", who)
    for item in hidden[:40]:
        api = get(app, f"/api/items/{item.id}", who)
        page = get(app, f"/items/{item.id}", who)
        assert api.status_code == page.status_code == 404
        assert api.get_json()["error"]["code"] == missing_api.get_json()["error"]["code"]
        assert api.get_data(as_text=True).replace(item.id, "ID") == \
            missing_api.get_data(as_text=True).replace("no-such-item", "ID")
        assert page.get_data(as_text=True).replace(item.id, "ID") == \
            missing_page.get_data(as_text=True).replace("no-such-item", "ID")
    for item in [i for i in items if i.id in seen_ids][::7]:
        data = get(app, f"/api/items/{item.id}", who).get_json()
        shown = {i["id"] for i in data["issue"]["items"]} | {s["id"] for s in data["similar"]}
        assert shown <= seen_ids
        issue_truth = sorted(i.id for i in items if i.issue_key == item.issue_key and i.id in seen_ids)
        assert sorted(i["id"] for i in data["issue"]["items"]) == issue_truth
        if item.access != ["public"] or who != "anonymous":
            assert data["item"]["access"] == item.access  # shown to those who may see it


@pytest.mark.parametrize("who", IDENTITIES)
def test_suggest_health_and_export_count_only_what_one_may_see(world, who):
    app, items, _, _ = world
    seen = visible(items, who)
    seen_ids = {i.id for i in seen}
    assert get(app, "/api/health", who).get_json()["items"] == len(seen)
    for q in ("发展", "区教育局", "新闻", "会议"):
        data = get(app, f"/api/suggest?q={q}", who).get_json()
        for s in data["suggestions"]:
            if s["type"] == "title":
                assert s["id"] in seen_ids
            elif s["type"] == "department":
                assert s["count"] == sum(1 for i in seen if s["value"] in i.departments)
        titles = set(json.loads(get(app, f"/api/suggest?q={q}&format=opensearch", who).get_data())[1])
        assert titles <= {literal_query(i.title) for i in seen}
    export = get(app, "/export.csv?q=", who)
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    export.close()  # frees its export slot
    assert {r[0] for r in rows[1:]} == seen_ids


@pytest.mark.parametrize("who", IDENTITIES)
def test_html_surfaces_never_link_an_item_one_may_not_see(world, who):
    app, items, _, _ = world
    seen_ids = {i.id for i in visible(items, who)}
    hidden = {i.id for i in items} - seen_ids
    routes = {r.rule for r in app.url_map.iter_rules()}
    urls = ["/embed?q=&size=100", "/embed?q=发展&size=100", "/opensearch.xml"]
    urls += [u for u in ("/feed.atom", "/feed.atom?q=发展", "/issues") if u.split("?")[0] in routes]
    for url in urls:
        body = get(app, url, who).get_data(as_text=True)
        assert not any(f"/items/{h}\"" in body or f"/items/{h}<" in body for h in hidden), url


@pytest.mark.parametrize("who", IDENTITIES)
def test_issue_lists_and_pages_count_only_what_one_may_see(world, who):
    app, items, _, _ = world
    if "/api/issues" not in {r.rule for r in app.url_map.iter_rules()}:
        pytest.skip("no issue pages in this version")
    seen = visible(items, who)
    truth: dict[str, int] = {}
    for i in seen:
        truth[i.issue_key] = truth.get(i.issue_key, 0) + 1
    listed = {i["key"]: i["items"] for i in get(app, "/api/issues", who).get_json()["issues"]}
    assert listed == truth
    for key in {i.issue_key for i in items} - set(truth):
        assert get(app, f"/api/issues/{key}", who).status_code == 404


def test_tokens_give_their_groups_and_wrong_expired_or_revoked_ones_get_401(world):
    app, items, tokens, _ = world
    store = TokenStore(tokens)
    good = store.add("script", ["A"], "reader", None)
    expired = store.add("old", ["A"], "reader", -1)
    revoked = store.add("gone", ["A"], "reader", 30)
    store.revoke(revoked.split("_")[1])
    client = app.test_client()
    a_count = len(visible(items, "A"))
    assert client.get("/api/health", headers={"Authorization": f"Bearer {good}"}).get_json()["items"] == a_count
    for token in (good[:-2] + "xx", "jb_nope_nope", expired, revoked, "garbage"):
        for url in ("/api/search?q=", "/search", "/api/items/x1"):
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (token, url)
            error = response.get_json()["error"]
            assert error["code"] == "unauthorized" and not error["message_zh"].isascii()




def _health(base: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(base + "/api/health", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["items"]


def test_forged_identity_headers_from_an_untrusted_address_are_ignored_by_a_real_server(world):
    _, items, _, index = world
    public = len(visible(items, "anonymous"))
    trusted = dataclasses.replace(Settings.defaults(), index_dir=index, trusted_proxies=("127.0.0.1",))
    untrusted = dataclasses.replace(Settings.defaults(), index_dir=index, trusted_proxies=("10.9.9.9",))
    with in_thread(create_app(None, untrusted), threads=2) as (_, port):
        base = f"http://127.0.0.1:{port}"
        assert _health(base, IDENTITIES["admin"]) == public
        assert _health(base, {**IDENTITIES["A"], "X-Forwarded-For": "10.9.9.9"}) == public
    with in_thread(create_app(None, trusted), threads=2) as (_, port):
        base = f"http://127.0.0.1:{port}"
        assert _health(base, IDENTITIES["admin"]) == len(items)  # the same headers, believed from a trusted proxy


def test_a_public_only_archive_answers_as_before_without_access_settings(seed_index, seed_items):
    client = create_app({"INDEX_DIR": str(seed_index), "TESTING": True}).test_client()
    forged = client.get("/api/search?q=", headers=IDENTITIES["admin"]).get_json()
    plain = client.get("/api/search?q=").get_json()
    assert plain["total"] == forged["total"] == len(seed_items)
    assert "Vary" not in client.get("/api/search?q=").headers or \
        "X-Remote-User" not in client.get("/api/search?q=").headers["Vary"]


@pytest.mark.parametrize("shape", ['{"access": []}', '{"access": ['])
def test_an_index_whose_only_restriction_is_administrators_hides_those_items_from_everyone_else(tmp_path, shape):
    archive = tmp_path / "archive"
    shutil.copytree(CORPUS, archive)
    inner = archive / "internal"
    inner.mkdir()
    (inner / "_access.json").write_text(shape, encoding="utf-8")
    records = [{"id": f"secret{n}", "title": f"内部通报第{n}号", "body": "仅限管理员。（区教育局）"} for n in range(3)]
    write_jsonl(inner / "secret.jsonl", records)
    index = build_index([archive], tmp_path / "index")
    settings = dataclasses.replace(Settings.defaults(), index_dir=index, trusted_proxies=("127.0.0.1",))
    app = create_app({"TESTING": True}, settings)
    public = len(list(read_items([CORPUS], Report(stream=None))))
    for who in ("anonymous", "A", "B"):
        assert get(app, "/api/health", who).get_json()["items"] == public
        assert get(app, "/api/search?q=内部通报", who).get_json()["total"] == 0
        assert get(app, "/api/items/secret0", who).status_code == 404
        export = get(app, "/export.csv?q=", who)
        assert "secret" not in export.get_data(as_text=True)
        export.close()
    assert get(app, "/api/health", "admin").get_json()["items"] == public + 3
    assert get(app, "/api/items/secret0", "admin").status_code == 200
