"""A SearchQuery as SphinxQL: the full-text MATCH of its parsed terms, its filters, its order.

The query language is parsed by :func:`search.query.parse` (the local engine's parser);
each term becomes the phrase of its characters' tokens (:func:`cluster.schema.phrase`)
limited to the title, or to the title or the other searchable parts, so a term matches exactly
the documents whose folded text holds it, as in the local engine. A term that may match
across joining marks is one phrase in the bare fields (:func:`cluster.schema.bare_phrase`). Facet filters
are ``IN`` conditions on the hashed values; the facet counts test them in their columns
instead (:func:`facet_counts`), each leaving out its own facet's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cluster.schema import (
    EVERYTHING,
    ITEMS,
    PUBLIC_ITEMS,
    TOPIC_TOP,
    access_key,
    bare_phrase,
    issue_hash,
    phrase,
    value_id,
)
from indexer.items import SEPARATOR, date_number
from indexer.normalize import term_gaps
from indexer.references import number_key
from search.access import PUBLIC_ONLY, Viewer, index_groups
from search.facet_values import UNKNOWN_YEAR
from search.query import ParsedQuery, Term, parse, titles_only
from search.ranking import BODY_B, TITLE_B
from search.results import SearchQuery
from search.validity import CODES, EXPIRED, NONE_KNOWN, REPEALED

TITLE_WEIGHT = 8  # a match in the title counts this many times one in the body
# Ranking: first how many of the query's keywords (character pairs: a two-character term is one) each field holds,
# titles weighing TITLE_WEIGHT times more; then, among those that hold as many, short titles and bodies first, as the
# local engine's length normalisation puts them (with its title and body b), and BM25. Of the expressions tried on
# the whole xwlb corpus, this one found the most targets in the top 10 (docs/cluster.md, Ranking).
FIELD_WEIGHTS = f"field_weights=(title={TITLE_WEIGHT}, body=1, title_bare={TITLE_WEIGHT}, body_bare=1, mark=0)"
RANKING = f"ranker=expr('sum(word_count*user_weight)*1000 + 300/{{body_norm}} + bm25/{{title_norm}}'), {FIELD_WEIGHTS}"
# One term is one phrase: searchd's native proximity_bm25 (sum(lcs*user_weight)*1000+bm25) puts the items holding it
# in their title first, at a third of the expression's cost on many matches, without the length normalisation.
ONE_TERM_RANKING = f"ranker=proximity_bm25, {FIELD_WEIGHTS}"
LAST_DAY = 99999999  # orders items without a date after every dated one


def parsed_query(query: SearchQuery) -> ParsedQuery:
    """The query's terms, every one limited to titles when the query's scope is ``title``."""
    parsed = parse(query.q)
    return titles_only(parsed) if query.scope == "title" else parsed


VSTATE = "vstate"  # the alias of an item's validity status in a statement filtering by it


@dataclass(frozen=True)
class Standing:
    """What a search needs of validity (:mod:`search.validity`) as a viewer sees it: the items repealed (document
    ids), whether any item states a validity of its own, and the day."""

    repealed: tuple[int, ...] = ()
    dated: bool = False
    on: int = 0

    @property
    def known(self) -> bool:
        """Is any item other than 未见废止 (else every count of the facet is of that value)?"""
        return bool(self.repealed) or self.dated

    def expression(self) -> str:
        """An item's status code (:mod:`search.validity`) as a SphinxQL expression."""
        ended = f"IF(valid_until > 0 AND valid_until < {self.on}, {EXPIRED}, {NONE_KNOWN})"
        return f"IF(IN(id, {id_list(self.repealed)}), {REPEALED}, {ended})" if self.repealed else ended


@dataclass(frozen=True)
class Narrowed:
    """What the searcher worked out beyond the query's text: the items holding every term in one paragraph or
    sentence (``together``; None: not asked) and the validity of items (``standing``)."""

    together: tuple[int, ...] | None = None
    standing: Standing = Standing()


def term_match(term: Term) -> str:
    """The full-text expression of one term: its phrase, in the bare fields when joining marks may stand inside it."""
    text, gaps = term_gaps(term.text)
    if gaps:
        return f"(@{'title_bare' if term.title_only else '(title_bare,body_bare)'} {bare_phrase(text, gaps)})"
    return f"(@{'title' if term.title_only else '(title,body)'} {phrase(text)})"


def match(parsed: ParsedQuery) -> str:
    """The MATCH expression: every group (any of its terms), none of the excluded terms."""
    parts = ["(" + " | ".join(term_match(t) for t in group) + ")" for group in parsed.groups]
    if not parts:  # browsing: every document holds the token of the `mark` field
        parts = [f"(@mark {EVERYTHING})"]
    parts += ["-" + term_match(t) for t in parsed.excluded]
    return " ".join(parts)


def items_of(viewer: Viewer) -> str:
    """The distributed index a viewer's searches read: the public items' alone for a viewer who may see only those
    (every statistic a search is ranked with is then theirs, as if no other item existed), else every item's."""
    return PUBLIC_ITEMS if index_groups(viewer) == PUBLIC_ONLY else ITEMS


def seen_by(viewer: Viewer) -> list[str]:
    """The condition admitting only the items the viewer may see (none for an administrator)."""
    groups = index_groups(viewer)
    return [] if groups is None else [f"access_keys IN ({id_list(access_key(g) for g in sorted(groups))})"]


def conditions(query: SearchQuery, parsed: ParsedQuery, viewer: Viewer,
               facet_filters: bool = True, narrowed: Narrowed = Narrowed()) -> str:
    """The WHERE clause: the match, what the viewer may see, the date range, the issue, the 文号 cited, the items
    holding the terms together, and (unless left out for the facet counts, which test them in :func:`facet_counts`)
    every facet filter (validity by the alias :func:`validity_column` defines)."""
    out = [f"MATCH('{match(parsed)}')", *seen_by(viewer)]
    if cited := query.filters["cites"]:
        out.append(f"cite_keys IN ({id_list(number_key(c) for c in cited)})")
    if narrowed.together is not None:
        out.append(f"id IN ({id_list(narrowed.together) or 0})")
    if query.date_from or query.date_to:
        low = date_number(query.date_from) if query.date_from else 1
        high = date_number(query.date_to) if query.date_to else LAST_DAY
        out += [f"first_day >= {max(low, 1)}", f"last_day <= {high}"]
    issues = query.filters.get("issue", [])
    if issues:
        out.append(f"issue_hash IN ({id_list(issue_hash(k) for k in issues)})")
    if facet_filters:
        out += [f"{attr} IN ({ids})" for facet, (attr, ids) in _facet_filters(query, narrowed.standing).items()
                if facet != "validity"]
        if query.filters["validity"]:
            out.append(f"{VSTATE} IN ({id_list(CODES[v] for v in query.filters['validity'])})")
    return " AND ".join(out)


def validity_column(query: SearchQuery, standing: Standing) -> str:
    """The select-list column a statement filtering by validity needs (``, <status> AS vstate``), else nothing."""
    return f", {standing.expression()} AS {VSTATE}" if query.filters["validity"] else ""


COUNTED = ("department", "topic", "year", "validity", "all")  # what the columns of facet_counts count


def facet_counts(query: SearchQuery, standing: Standing = Standing()) -> tuple[str, dict[str, int]]:
    """The select list of a grouped count under ``conditions(…, facet_filters=False)``, and the column counting for
    each of :data:`COUNTED` the matches that pass every facet filter but that facet's own (``all``: every one).

    Every grouped count of a search selects the same columns, so searchd matches once for all of them (it shares
    a match only between queries whose results have one shape); a filter's own facet lists the values it would
    add (disjunctive facets). Without facet filters one ``COUNT(*)`` is every column: a sum a column costs a
    fifth more on queries matching most items."""
    filters = _facet_filters(query, standing)
    if not filters:
        return "GROUPBY() AS k, COUNT(*) AS c", dict.fromkeys(COUNTED, 1)
    columns = ["GROUPBY() AS k"]
    for counted in COUNTED:
        tests = [f"IN({attr}, {ids})" for facet, (attr, ids) in filters.items() if facet != counted]
        columns.append(f"SUM({' * '.join(tests) or '1'}) AS c_{counted}")
    return ", ".join(columns), {counted: 1 + i for i, counted in enumerate(COUNTED)}


def _facet_filters(query: SearchQuery, standing: Standing) -> dict[str, tuple[str, str]]:
    """The query's facet filters: facet -> (attribute or expression, the values' ids), for the facets it filters."""
    out = {}
    if departments := query.filters["department"]:
        out["department"] = ("departments", id_list(value_id("department", d) for d in departments))
    if topics := query.filters["topic"]:
        out["topic"] = ("topic_keys", id_list(value_id("topic" if SEPARATOR in t else TOPIC_TOP, t) for t in topics))
    if years := query.filters["year"]:
        out["year"] = ("years", id_list(0 if y == UNKNOWN_YEAR else int(y) for y in years))
    if validity := query.filters["validity"]:
        out["validity"] = (standing.expression(), id_list(CODES[v] for v in validity))
    return out


def ranking(parsed: ParsedQuery, order_by: str, lengths: Callable[[], tuple[float, float]]) -> str:
    """The ranker OPTION of a statement ordered by ``order_by`` (none unless ordered by weight); ``lengths()`` gives
    the average length of the items' titles and bodies, asked only when the ranking normalises by them."""
    if "WEIGHT()" not in order_by:
        return "ranker=none"
    one_term = len(parsed.groups) == 1 and len(parsed.groups[0]) == 1 and not parsed.excluded
    if one_term:
        return ONE_TERM_RANKING
    title, body = (max(length, 1.0) for length in lengths())
    return RANKING.format(title_norm=f"({1 - TITLE_B:g}+{TITLE_B:g}*title_chars/{title:.3f})",
                          body_norm=f"({1 - BODY_B:g}+{BODY_B:g}*body_chars/{body:.3f})")


def order(query: SearchQuery, parsed: ParsedQuery) -> tuple[str, str]:
    """(extra select expression, ORDER BY clause): relevance, or dates with undated items last."""
    if query.sort == "date_asc":
        return f", IF(first_day = 0, {LAST_DAY}, first_day) AS day_key", "day_key ASC, id ASC"
    if query.sort == "date_desc" or parsed.is_empty:
        return "", "first_day DESC, id ASC"
    return "", "WEIGHT() DESC, first_day DESC, id ASC"


def id_list(values) -> str:
    """Integers as the inside of a SphinxQL list: ``1, 2, 3``."""
    return ", ".join(str(int(v)) for v in values)
