"""The cluster searcher's memo: answers kept under one generation, within a number of rows."""

from __future__ import annotations

from cluster.memo import Memo


def test_answers_are_given_only_under_the_generation_they_were_kept_for():
    memo = Memo()
    memo.keep(None, {"a": [1]})  # nothing is known yet: nothing is kept
    memo.read("g1")
    assert memo.get("a", "g1") is None
    memo.keep("g1", {"a": [1, 2]})
    assert memo.get("a", "g1") == [1, 2]
    assert memo.get("a", "g2") is None and memo.get("a", None) is None
    memo.keep("g0", {"b": [3]})  # a search that began before g1 was read keeps nothing
    assert memo.get("b", "g1") is None
    memo.read("g2")  # another generation drops everything
    assert memo.generation == "g2" and memo.get("a", "g2") is None
    memo.read(None)  # a run is writing
    memo.keep(None, {"a": [1]})
    assert memo.get("a", None) is None


def test_the_least_recently_used_answers_go_when_rows_exceed_the_capacity():
    memo = Memo(capacity=12)
    memo.read("g")
    memo.keep("g", {"counts": [[(1, 5), (2, 3)], [(7, 8)]], "checked": [10, 11, 12]})  # 1 + 3 rows, 1 + 3 ids
    assert memo.get("counts", "g") is not None  # now the most recently used
    memo.keep("g", {"big": [1, 2, 3]})  # 4 more: 12 in all
    assert memo.get("checked", "g") == [10, 11, 12]
    memo.keep("g", {"one": [4]})  # 14 > 12: the least recently used, counts, goes
    assert memo.get("counts", "g") is None
    assert memo.get("checked", "g") and memo.get("big", "g") and memo.get("one", "g")
    memo.keep("g", {"huge": list(range(20))})  # larger than the capacity: nothing stays
    assert [memo.get(k, "g") for k in ("checked", "big", "one", "huge")] == [None] * 4
