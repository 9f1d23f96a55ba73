"""An item's neighbours and the archive's issues.

* :func:`issue_items`: the live items of an item's issue, in order;
* :func:`similar_items`: items sharing the item's rarest words (not its year or issue);
* :func:`issue_summaries` / :func:`issue_docs`: every issue with its date and item count, and one issue's items.
"""

from __future__ import annotations

import numpy as np

from indexer.index.reader import IndexSnapshot
from indexer.items import Item
from search.limits import MAX_ISSUE_ITEMS
from search.results import IssueSummary, Similar
from search.similar import TITLE_EXTRA, key_words, minimum_score


def issue_items(snapshot: IndexSnapshot, doc: int) -> list[Item]:
    """The live items of the document's issue (itself included), by position."""
    return [snapshot.item(int(d)) for d in issue_docs(snapshot, int(snapshot.issue[doc]))]


def issue_docs(snapshot: IndexSnapshot, issue_id: int) -> np.ndarray:
    """The live documents of one issue (an index into ``snapshot.issue_names``), by position."""
    docs = np.flatnonzero((snapshot.issue == issue_id) & snapshot.live)
    return docs[np.lexsort((docs, snapshot.position[docs]))][:MAX_ISSUE_ITEMS]


def similar_items(snapshot: IndexSnapshot, doc: int, limit: int = 5) -> list[Similar]:
    """Items of other issues holding the most of this item's rare words (each counted by its rarity), best first,
    each holding enough of them (:mod:`search.similar`: a word in both titles counts ``1 + TITLE_EXTRA`` times,
    and the least score is :func:`search.similar.minimum_score`)."""
    item = snapshot.item(doc)
    words = key_words(snapshot, item)
    scores = np.zeros(snapshot.doc_count, dtype=np.float64)
    holders: list[np.ndarray] = []
    for word, idf in words:
        titles = snapshot.postings("title", word)[0]
        ids = np.unique(np.concatenate([titles, snapshot.postings("body", word)[0]]))
        scores[ids] += idf
        if np.isin(doc, titles):  # a rare word in both titles says more
            scores[titles] += idf * TITLE_EXTRA
        holders.append(ids)
    scores[~snapshot.live] = 0
    scores[snapshot.issue == snapshot.issue[doc]] = 0  # its issue is listed beside it already
    least = minimum_score(words)
    best = [int(d) for d in np.argsort(-scores, kind="stable")[:limit] if scores[d] > 0 and scores[d] >= least]
    return [Similar(snapshot.item(d), [w for (w, _), ids in zip(words, holders) if np.isin(d, ids)])
            for d in best]


def issue_summaries(snapshot: IndexSnapshot) -> list[IssueSummary]:
    """Every issue with live items: name, date (the latest of its items'), year and item count, newest first."""
    counts = np.bincount(snapshot.issue[snapshot.live], minlength=len(snapshot.issue_names))
    out = []
    for issue_id in np.flatnonzero(counts):
        out.append(issue_summary(snapshot, int(issue_id), int(counts[issue_id])))
    out.sort(key=lambda s: (s.date or "", s.year or 0, s.name), reverse=True)
    return out


def issue_summary(snapshot: IndexSnapshot, issue_id: int, count: int | None = None) -> IssueSummary:
    """One issue's summary (``count`` is its number of live items, counted when not given)."""
    docs = issue_docs(snapshot, issue_id)
    first = snapshot.item(int(docs[0]))
    dates = snapshot.date[docs]
    years = snapshot.year[docs]
    latest = int(dates.max()) if len(dates) else 0
    date = f"{latest // 10000:04d}-{latest // 100 % 100:02d}-{latest % 100:02d}" if latest else None
    year = int(years.max()) or None if len(years) else None
    total = count if count is not None else int(((snapshot.issue == issue_id) & snapshot.live).sum())
    return IssueSummary.of(first, total, date, year)
