"""What the search page says beside the results: notes in Chinese, unusable dates, and help when nothing is found."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from search import BadParameter, Searcher, SearchQuery
from search.facet_values import FACETS

DATES = ("date_from", "date_to")
NOTES_ZH = {"an unclosed quote was ignored": "引号不成对，已按普通词检索"}
MAX_DROPPED_TERMS = 4  # "fewer terms" suggestions on a page


def page_query(params: Mapping[str, Sequence[str]]) -> tuple[SearchQuery, list[str]]:
    """The query of a page and warnings: an unusable date is left out with a Chinese message (never a 400 page);
    an empty query sorts newest first unless a sort is asked for."""
    params = {k: list(v) for k, v in params.items()}
    warnings: list[str] = []
    if not any(params.get("q", [])) and not any(params.get("sort", [])):
        params["sort"] = ["date_desc"]
    while True:
        try:
            return SearchQuery.from_params(params), warnings
        except BadParameter as e:
            if e.name not in DATES or e.name not in params:
                raise
            warnings.append(f"{e.message_zh}；“{params.pop(e.name)[-1][:40]}”未能使用，已忽略。")


def note_zh(note: str) -> str:
    """A note on how the query was read, in Chinese."""
    many = re.fullmatch(r"only the first (\d+) terms were used", note)
    if many:
        return f"检索词过多，只用了前 {many.group(1)} 个"
    return NOTES_ZH.get(note, note)


def no_results_help(searcher: Searcher, query: SearchQuery, labels: Mapping[str, str]) -> list[dict]:
    """When nothing is found: each filter, the quote marks and each term that hides results, with the
    query without it and how many that finds (only changes that find something are offered)."""
    changes: list[tuple[str, dict]] = []
    for name in (*FACETS, "issue", "cites"):
        for value in query.filters.get(name, ()):
            rest = [v for v in query.filters[name] if v != value]
            changes.append((f"去掉筛选“{labels.get(name, name)}：{value}”", {"filters": {**query.filters, name: rest}}))
    for name, label in (("date_from", "起始日期"), ("date_to", "截止日期")):
        if getattr(query, name):
            changes.append((f"去掉{label} {getattr(query, name)}", {name: None}))
    if query.scope == "title":
        changes.append(("不限于标题", {"scope": "all"}))
    if query.within != "item":
        changes.append(("词语不限于同段、同句", {"within": "item"}))
    if '"' in query.q:
        changes.append((f"去掉引号：{query.q.replace(chr(34), ' ').strip()}", {"q": query.q.replace('"', " ").strip()}))
    terms = query.q.split()
    if len(terms) > 1:
        for term in terms[:MAX_DROPPED_TERMS]:
            fewer = " ".join(t for t in terms if t != term)
            changes.append((f"少用一个词：{fewer}", {"q": fewer}))
    out = []
    for label, change in changes:
        data = {**query.__dict__, **change, "page": 1, "size": 1}
        data["filters"] = {k: list(v) for k, v in data["filters"].items()}
        found = searcher.search(SearchQuery(**data)).total
        if found:
            out.append({"label": label, "count": found, "change": {**change, "page": 1}})
    return out
