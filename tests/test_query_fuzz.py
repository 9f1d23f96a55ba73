"""Hostile queries: property-based fuzzing of the query parser, the search and /api/search,
schemathesis against the OpenAPI document, and the per-query time budget."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import MAX_TERMS, parse
from tests.conftest import build_index, run, write_jsonl, xwlb_records
from webapp import create_app

SYNTAX = st.sampled_from(['"', "-", "OR", "title:", "标题:", " ", "　", "(", ")", "*", ":", "\\", "＂", "－"])
WORDS = st.sampled_from(["欺凌", "工作", "区教育局", "第5期", "2022年", "ＡＢＣ", "a", "一", "“首席服务官”"])
QUERY_TEXT = st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=6)), max_size=12).map("".join)
FUZZ_SETTINGS = settings(max_examples=int(os.environ.get("JIANBAO_FUZZ_EXAMPLES", "300")), deadline=None,
                         suppress_health_check=list(HealthCheck))
API_EXAMPLES = int(os.environ.get("JIANBAO_API_FUZZ_EXAMPLES", "1000"))  # 1,000 an operation: over 10,000 requests


@FUZZ_SETTINGS
@given(QUERY_TEXT)
def test_parser_reads_anything(q):
    parsed = parse(q)
    terms = parsed.positive_terms + parsed.excluded
    assert len(terms) <= MAX_TERMS
    assert all(t.text and not any(ch.isspace() for ch in t.text) for t in terms)


@FUZZ_SETTINGS
@given(q=QUERY_TEXT, page=st.integers(1, 5), size=st.integers(1, 100),
       sort=st.sampled_from(["relevance", "date_desc", "date_asc"]), scope=st.sampled_from(["all", "title"]))
def test_search_answers_anything(seed_searcher, q, page, size, sort, scope):
    result = run(seed_searcher, q=q, page=page, size=size, sort=sort, scope=scope)
    assert 0 <= len(result.hits) <= size and result.total <= 14
    assert len(result.hits) == max(0, min(size, result.total - (page - 1) * size))


PARAMS = st.dictionaries(
    st.sampled_from(["q", "department", "topic", "year", "date_from", "date_to", "scope", "sort", "page", "size",
                     "format", "x"]),
    st.lists(st.one_of(QUERY_TEXT, st.integers(-5, 200).map(str), st.sampled_from(["2022", "unknown", "2022-01-01"])),
             min_size=1, max_size=3),
    max_size=6)


@FUZZ_SETTINGS
@given(PARAMS)
def test_api_search_never_fails_with_a_500(client, params):
    r = client.get("/api/search", query_string=[(k, v) for k, vs in params.items() for v in vs])
    assert r.status_code in (200, 400), r.get_data(as_text=True)
    body = r.get_json()
    assert ("hits" in body) if r.status_code == 200 else (set(body["error"]) == {"code", "message", "message_zh"})


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    """The served OpenAPI document, bound to an app over a slice of xwlb (so answers have substance)."""
    folder = tmp_path_factory.mktemp("fuzz")
    index_dir = build_index([write_jsonl(folder / "s.jsonl", xwlb_records(300, stride=211))], folder / "index")
    app = create_app({"INDEX_DIR": str(index_dir)})
    counter = {"requests": 0, "server_errors": 0}

    @app.after_request
    def count(response):
        counter["requests"] += 1
        counter["server_errors"] += response.status_code >= 500
        return response

    return schemathesis.openapi.from_wsgi("/api/openapi.json", app), counter


def test_schemathesis_finds_no_server_error(api_schema):
    schema, counter = api_schema
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def run(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append((case.path, case.query, response.status_code))
            try:
                case.validate_response(response)
            except Exception as e:  # noqa: BLE001 - every kind of check failure is collected
                failures.append((case.path, case.query, str(e).splitlines()[0]))

        run()
    assert counter["requests"] >= 5 * API_EXAMPLES
    assert counter["server_errors"] == 0
    assert not failures, failures[:5]
    print(f"schemathesis: {counter['requests']} requests, {counter['server_errors']} server errors")


def test_a_query_over_its_time_budget_is_a_400(seed_index):
    client = create_app({"INDEX_DIR": str(seed_index), "QUERY_BUDGET_MS": 0.0}).test_client()
    r = client.get("/api/search?q=工作 项目")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "query_too_expensive"
    assert "ms" in r.get_json()["error"]["message"]


def test_item_ids_cannot_reach_files(client):
    for item_id in ("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..", "MAIN_1.toc", "jianbao.json", "%00"):
        r = client.get(f"/api/items/{item_id}")
        assert r.status_code == 404 and r.mimetype == "application/json", item_id
        assert b"root:" not in r.data
