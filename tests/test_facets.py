"""Facet counts equal counts made by scanning the items, with filters on one and on two facets."""

from __future__ import annotations

from collections import Counter

import pytest

from indexer.items import SEPARATOR, UNFILED, facet_topics
from indexer.normalize import search_form
from search import SearchQuery
from tests.conftest import run


def _matches(item, q: str) -> bool:
    form = search_form(q)
    return not form or form in search_form(item.title) or form in search_form(item.body)


def _passes(item, facet: str, values: list[str]) -> bool:
    if not values:
        return True
    if facet == "department":
        return bool(set(item.departments) & set(values))
    if facet == "year":
        return (str(item.year) if item.year else "unknown") in values
    topics = facet_topics(item)
    tops = {t.split(SEPARATOR)[0] for t in topics}
    return any(v in topics or v in tops for v in values)


def brute_force(items, q: str, filters: dict[str, list[str]]):
    """Total and disjunctive facet counts, by looking at every item."""
    matching = [i for i in items if _matches(i, q)]

    def others(facet):
        return [i for i in matching if all(_passes(i, f, v) for f, v in filters.items() if f != facet)]

    total = sum(1 for i in matching if all(_passes(i, f, v) for f, v in filters.items()))
    departments = Counter(d for i in others("department") for d in i.departments)
    topic_items = others("topic")
    tops = Counter(t for i in topic_items for t in {p.split(SEPARATOR)[0] for p in facet_topics(i)})
    paths = Counter(p for i in topic_items for p in i.topics if SEPARATOR in p)
    years = Counter(str(i.year) if i.year else "unknown" for i in others("year"))
    return total, dict(departments), dict(tops), dict(paths), dict(years)


def from_result(result):
    facets = result.facets
    departments = {v.value: v.count for v in facets["department"] if v.count}
    tops = {v.value: v.count for v in facets["topic"] if v.count}
    paths = {c.value: c.count for v in facets["topic"] for c in v.children or [] if c.count}
    years = {v.value: v.count for v in facets["year"] if v.count}
    return result.total, departments, tops, paths, years


SEED_CASES = [
    ("", {}),
    ("", {"topic": [UNFILED]}),
    ("工作", {"topic": [UNFILED, "科技、教育"], "year": ["2022"]}),
    ("", {"department": ["区教育局"]}),
    ("工作", {"department": ["区教育局", "区司法局"]}),
    ("", {"topic": ["科技、教育"]}),
    ("", {"topic": ["公安、安全、司法\\司法"], "year": ["unknown"]}),
    ("区", {"department": ["区教育局", "区城管局"], "year": ["2022"]}),
    ("开展", {"topic": ["城乡建设、环境保护", "劳动、人事、监察\\劳动就业"], "department": ["区人社局"]}),
]

SLICE_CASES = [
    ("", {}),
    ("发展", {}),
    ("发展", {"year": ["2018"]}),
    ("会议", {"year": ["2015", "2021"]}),
    ("", {"topic": ["对外事务"]}),
    ("习近平", {"topic": ["对外事务\\外交、外事", "科技、教育"], "year": ["2019", "2020"]}),
    ("经济", {"topic": ["国民经济管理、国有资产监管"], "year": ["2013"]}),
]


@pytest.mark.parametrize("q, filters", SEED_CASES)
def test_seed_facets_equal_brute_force(seed_searcher, seed_items, q, filters):
    result = run(seed_searcher, q=q, filters=filters, size=1)
    assert from_result(result) == brute_force(seed_items, q, filters)


@pytest.mark.shared
@pytest.mark.parametrize("q, filters", SLICE_CASES)
def test_slice_facets_equal_brute_force(slice_searcher, slice_items, q, filters):
    result = run(slice_searcher, q=q, filters=filters, size=1)
    expected = brute_force(slice_items, q, filters)
    assert expected[0] > 0
    assert from_result(result) == expected


def test_selected_values_are_flagged_and_kept_even_without_matches(seed_searcher):
    result = run(seed_searcher, q="欺凌", filters={"department": ["区教育局", "区残联"]})
    departments = {v.value: (v.count, v.selected) for v in result.facets["department"]}
    assert departments == {"区教育局": (1, True), "区残联": (0, True)}
    assert result.total == 1
    result = run(seed_searcher, q="欺凌", filters={"year": ["1999"]})
    assert {v.value: (v.count, v.selected) for v in result.facets["year"]} == {"unknown": (1, False), "1999": (0, True)}
    assert result.total == 0


def test_the_unfiled_count_is_the_items_without_a_topic(seed_searcher, seed_items):
    result = seed_searcher.search(SearchQuery(q="", size=1))
    unfiled = [v for v in result.facets["topic"] if v.value == UNFILED]
    assert unfiled and unfiled[0].count == sum(1 for i in seed_items if not i.topics) > 0
    assert result.facets["topic"][-1].value == UNFILED  # listed last
    only = seed_searcher.search(SearchQuery(q="", filters={"topic": [UNFILED]}, size=100))
    assert {h.id for h in only.hits} == {i.id for i in seed_items if not i.topics}
    assert all(h.topics == [] for h in only.hits)  # the items themselves state no topic
