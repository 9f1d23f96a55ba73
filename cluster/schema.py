"""How items are stored in Sphinx/Manticore real-time indexes: names, ids, token encoding, rows.

The indexer (:mod:`cluster.write`) writes these rows and the SphinxQL searcher
(:mod:`cluster.searcher`) reads them; both take every rule from here.

* **Exact substrings.** The search form (:func:`indexer.normalize.search_form`) of the title, and
  of the other searchable parts (body, issue number and date, 文号: :func:`indexer.index.schema.searchable_parts`),
  is indexed as one token per character: the character's code point in six hex digits (``中`` → ``004e2d``);
  parts are kept apart by a token no phrase holds. A term is the phrase of its characters' tokens,
  so a document matches it exactly when the folded text holds the term as a substring: every
  character is a token (punctuation too), nothing is segmented, and no tokenizer setting of the
  engine can change what matches. Every character is also indexed paired with the next token
  (the shards' ``bigram_index = all``), so a phrase reads the short lists of its pairs, not the long
  position lists of its characters.
* **Joining marks** (``、“”《》`` …) may stand inside a term (:func:`indexer.normalize.term_gaps`): the
  ``*_bare`` fields hold the same characters with the marks left out, a character after marks with ``m`` added to
  its token (``004e2dm``). A term that may span marks is one phrase there (:func:`bare_phrase`): its first
  character and each after a place where marks may stand are a prefix matching either token (``004e2d*``: tokens
  are all six digits, so no other), every other one the token without marks. So it matches exactly where the local
  engine's rule does, with no check and no variants (searchd expands prefixes inside phrases with
  ``dict = keywords``); characters without marks before them are the plain fields' tokens, so the dictionary holds
  each of them and each pair once.
* **Content version.** The values index's meta row records the :data:`CONTENT_VERSION` the items were written
  in; a searcher refuses a cluster written in another one (build it again).
* **Ids.** A document's id is a 63-bit hash of the item id; its shard is that id modulo the
  number of shards, so an item always goes to the same shard.
* **Public and restricted items apart.** Each shard keeps its public items in one items index and the items
  restricted to groups (or to administrators) in another; the aggregator's ``jianbao`` reads both and
  ``jianbao_public`` the public ones only. A search of someone who may see only public items reads
  ``jianbao_public``, so every statistic its ranking uses (term frequencies, average lengths) is that of the
  public items, exactly as if no other item existed.
* **Runs.** Every row, of either index, records the run that wrote it (``stamp``): a build
  deletes the rows of earlier runs once every item is written.
* **Schema.** A cluster configured by an earlier version lacks columns these rows need: the
  writer and the searcher refuse it (:func:`check_columns`, :func:`outdated`) naming the fix.
* **Generation.** Every node's values index holds a row naming the cluster's content
  (:func:`generation_row`): a run marks it ``writing`` before it writes anything and names it
  after itself (its stamp and a random part) when it ends, so a searcher may keep answers while
  every shard gives the same name.
* **Citations and validity.** The keys of :mod:`indexer.references` (what names the item, what it cites, what it
  repeals) are multi-valued attributes, its stated validity's last day an attribute, and an item stating a repeal
  has the token :data:`REPEALS` in its ``mark`` field: "which items cite or repeal this one" is a filter on keys.
* **Facet values** are 63-bit hashes in multi-valued attributes; the values index maps each
  hash back to its facet and name. Topics are stored as one set holding both each topic path
  and its top-level topic (hashed apart), because a filter on topics admits either.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from indexer.errors import IndexStale
from indexer.items import NO_DATE, PUBLIC, SEPARATOR, Item, date_number, facet_topics, searchable_parts
from indexer.normalize import JOINING_MARKS, search_form
from indexer.references import cited_keys, own_keys, repealed_keys, valid_until

ITEMS = "jianbao"  # the distributed index of every item on the aggregator
PUBLIC_ITEMS = "jianbao_public"  # the distributed index of the public items
VALUES = "jianbao_values"  # the distributed index of facet values
EVERYTHING = "zz"  # a token of the `mark` field: every document has it (not a hex token)
PART_BREAK = "zs"  # between two searchable parts in a field: no phrase of hex tokens spans it
REPEALS = "zr"  # a token of the `mark` field: the item says documents are no longer in force
# 2: runs of joining marks as one token in the free fields (1: left out); 3: the keys of what names an item, what it
# cites and repeals (indexer.references), its stated validity, and the token REPEALS in the mark field of an item
# stating a repeal; 4: tokens of six digits, and bare fields (marks left out, a character after them marked) for the
# free ones
CONTENT_VERSION = "4"
AFTER_MARKS = "m"  # ends the bare fields' token of a character standing after a run of joining marks

TOPIC_TOP = "topic_top"
FACET_KINDS = ("department", "topic", TOPIC_TOP)

ITEM_FIELDS = ("title", "body", "title_bare", "body_bare", "mark")
# Attribute declarations of the items index: (kind, name).
ITEM_ATTRS = (
    ("rt_attr_string", "item_id"),
    ("rt_attr_string", "data"),
    ("rt_attr_uint", "year"),
    ("rt_attr_uint", "day"),
    ("rt_attr_uint", "month"),
    ("rt_attr_uint", "first_day"),
    ("rt_attr_uint", "last_day"),
    ("rt_attr_uint", "position"),
    ("rt_attr_uint", "stamp"),
    # characters of the title's and of the body's search form: the ranking's length normalisation
    ("rt_attr_uint", "title_chars"),
    ("rt_attr_uint", "body_chars"),
    ("rt_attr_bigint", "issue_hash"),
    ("rt_attr_multi_64", "departments"),
    ("rt_attr_multi_64", "topic_keys"),
    ("rt_attr_multi_64", "access_keys"),
    # year and month again as one-value 64-bit sets: searchd matches once for a batch of grouped counts only when
    # their keys are of one type (measured: departments, topics and years 6.1 ms on a shard as 64- and 32-bit sets,
    # 2.4 ms all 64-bit)
    ("rt_attr_multi_64", "years"),
    ("rt_attr_multi_64", "months"),
    # what names the item, what it cites and what it repeals (indexer.references), the last day of its stated validity
    ("rt_attr_multi_64", "own_keys"),
    ("rt_attr_multi_64", "cite_keys"),
    ("rt_attr_multi_64", "repeal_keys"),
    ("rt_attr_uint", "valid_until"),
)
VALUE_FIELDS = ("name_text",)
VALUE_ATTRS = (("rt_attr_string", "kind"), ("rt_attr_string", "name"), ("rt_attr_uint", "stamp"))


def shard_index(shard: int) -> str:
    """The name of shard ``shard``'s index of public items (the same on each of its replicas)."""
    return f"{ITEMS}_s{shard}"


def restricted_index(shard: int) -> str:
    """The name of shard ``shard``'s index of the items not everyone may see."""
    return f"{ITEMS}_r{shard}"


def item_indexes(shard: int) -> tuple[str, str]:
    """Shard ``shard``'s two items indexes: public, restricted."""
    return shard_index(shard), restricted_index(shard)


def index_of(item: Item, shard: int) -> str:
    """The items index of ``shard`` that holds ``item``: the public one only when everyone may see it."""
    return shard_index(shard) if item.access == [PUBLIC] else restricted_index(shard)


def values_index(shard: int) -> str:
    """The name of shard ``shard``'s facet values index."""
    return f"{VALUES}_s{shard}"


def hash63(*parts: str) -> int:
    """A stable positive 63-bit integer of ``parts`` (never 0: Sphinx ids start at 1)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 1) or 1


META_ID = hash63("meta")  # the values-index row holding the archive root and the content version


def doc_id(item_id: str) -> int:
    """The document id of an item."""
    return hash63("item", item_id)


def shard_of(doc: int, shards: int) -> int:
    """The shard the document ``doc`` (:func:`doc_id`) is written to."""
    return doc % shards


def outdated(problem: str) -> IndexStale:
    """The error refusing a cluster configured by an earlier version, naming the fix."""
    return IndexStale(f"the cluster was configured by an earlier version of Jianbao ({problem}): regenerate its "
                      "configs with `python -m indexer cluster-config`, restart searchd on them with empty data "
                      "folders (a local cluster: `python -m indexer cluster down`, then `cluster up --dir` a new "
                      "folder) and build again with `python -m indexer build --backend`")


# The type ``DESCRIBE`` gives a column of each kind.
DESCRIBED_TYPE = {"rt_field": "field", "rt_attr_uint": "uint", "rt_attr_bigint": "bigint", "rt_attr_string": "string",
                  "rt_attr_multi": "mva", "rt_attr_multi_64": "mva64"}


def check_columns(index: str, described: list[tuple]) -> None:
    """Refuse (:func:`outdated`) a shard's items or values index whose ``DESCRIBE`` rows lack a column of this code
    or give it another type."""
    fields, attrs = (VALUE_FIELDS, VALUE_ATTRS) if index.startswith(VALUES) else (ITEM_FIELDS, ITEM_ATTRS)
    present = {row[0]: row[1] for row in described}
    wanted = [(name, "field") for name in fields] + [(name, DESCRIBED_TYPE[kind]) for kind, name in attrs]
    missing = [name for name, _ in wanted if name not in present]
    if missing:
        raise outdated(f"index {index} has no column {', '.join(missing)}")
    changed = [f"{name} is {present[name]}, not {kind}" for name, kind in wanted if present[name] != kind]
    if changed:
        raise outdated(f"in index {index}, {'; '.join(changed)}")


GENERATION = "zg"  # the token of the generation rows' name_text (one row a shard; not a hex token)
WRITING = "writing"  # how the generation row begins while a run may be changing the content


def generation_row(shard: int, stamp: int, run: str, writing: bool) -> dict[str, Any]:
    """Shard ``shard``'s generation row for run ``stamp``, named ``run``: marked while it writes, named after it when
    it ended."""
    name = f"{WRITING} {run}" if writing else run
    return {"id": hash63("generation", str(shard)), "name_text": GENERATION, "kind": "generation", "name": name,
            "stamp": stamp}


def generation_of(rows: list[tuple]) -> str | None:
    """The content named by the generation rows the shards gave (``name`` first), or None when answers cannot be
    kept: no row (written before generations were), a run writing, or shards naming different runs."""
    names = {str(row[0]) for row in rows}
    if len(names) != 1:
        return None
    name = names.pop()
    return None if name.startswith(WRITING) else name


def value_id(kind: str, name: str) -> int:
    """The hash standing for a facet value (``kind`` is one of :data:`FACET_KINDS`)."""
    return hash63(kind, name)


def issue_hash(issue_key: str) -> int:
    """The hash standing for an issue."""
    return hash63("issue", issue_key)


def access_key(group: str) -> int:
    """The hash standing for a group that may see an item (``public`` for everyone)."""
    return hash63("access", group)


def token(ch: str) -> str:
    """A character's token: its code point in six hex digits (every token as long, so a prefix of one names only
    it and its bare fields' form after marks)."""
    return f"{ord(ch):06x}"


def encode(form: str) -> str:
    """Search-form text as tokens (:func:`token`), separated by spaces."""
    return " ".join(token(ch) for ch in form)


def encode_parts(forms: list[str], bare: bool = False) -> str:
    """Search forms of parts as one field: each encoded, parts apart; ``bare``: as the bare fields hold them."""
    return f" {PART_BREAK} ".join((_encode_bare if bare else encode)(f) for f in forms)


def _encode_bare(form: str) -> str:
    """A search form's characters without joining marks, the token of each after marks ending in AFTER_MARKS."""
    tokens, marks = [], False
    for ch in form:
        if ch in JOINING_MARKS:
            marks = True
        else:
            tokens.append(token(ch) + (AFTER_MARKS if marks else ""))
            marks = False
    return " ".join(tokens)


def bare_phrase(text: str, gaps: frozenset[int]) -> str:
    """The bare fields' phrase of a term (search form without marks) that marks may span at ``gaps``: the first
    character, and each after a gap, with or without marks before it; every other one without."""
    tokens = [token(ch) + ("*" if i == 0 or i in gaps else "") for i, ch in enumerate(text)]
    return f'"{" ".join(tokens)}"' if len(tokens) > 1 else tokens[0]


def phrase(text: str) -> str:
    """The full-text query matching exactly the documents whose field holds ``text`` (search form)."""
    tokens = encode(text)
    return f'"{tokens}"' if len(text) > 1 else tokens


def topic_top(topic: str) -> str:
    """The top-level topic of a topic path."""
    return topic.split(SEPARATOR)[0]


def topic_keys(topics: list[str]) -> list[int]:
    """The topic set of an item: each topic path and each top-level topic, hashed apart."""
    keys = {value_id("topic", t) for t in topics} | {value_id(TOPIC_TOP, topic_top(t)) for t in topics}
    return sorted(keys)


def day_range(item: Item) -> tuple[int, int]:
    """First and last day (``YYYYMMDD``) an item may be dated; an item known by its year spans the year."""
    day = date_number(item.date)
    if day != NO_DATE:
        return day, day
    if item.year:
        return item.year * 10000 + 101, item.year * 10000 + 1231
    return NO_DATE, NO_DATE


def item_row(item: Item, stamp: int) -> dict[str, Any]:
    """The items-index row of an item (column name to value), written by the run numbered ``stamp``."""
    first, last = day_range(item)
    title, *rest = [search_form(part) for part in searchable_parts(item)]
    return {
        "id": doc_id(item.id),
        "title": encode_parts([title]),
        "body": encode_parts(rest),
        "title_bare": encode_parts([title], bare=True),
        "body_bare": encode_parts(rest, bare=True),
        "mark": EVERYTHING + (f" {REPEALS}" if item.repeals else ""),
        "item_id": item.id,
        "data": json.dumps(item.to_dict(), ensure_ascii=False),
        "year": item.year or 0,
        "day": date_number(item.date),
        "month": date_number(item.date) // 100 % 100,
        "years": [item.year or 0],
        "months": [date_number(item.date) // 100 % 100],
        "first_day": first,
        "last_day": last,
        "position": item.position,
        "stamp": stamp,
        "title_chars": len(title),
        "body_chars": len(rest[0]),
        "issue_hash": issue_hash(item.issue_key),
        "departments": [value_id("department", d) for d in item.departments],
        "topic_keys": topic_keys(facet_topics(item)),
        "access_keys": [access_key(g) for g in item.access],
        "own_keys": own_keys(item),
        "cite_keys": cited_keys(item),
        "repeal_keys": repealed_keys(item),
        "valid_until": valid_until(item),
    }


def value_rows(item: Item, stamp: int) -> list[dict[str, Any]]:
    """The values-index rows naming the facet values of an item, written by the run numbered ``stamp``."""
    topics = facet_topics(item)
    pairs = [("department", d) for d in item.departments] + [("topic", t) for t in topics]
    pairs += [(TOPIC_TOP, topic_top(t)) for t in topics]
    return [{"id": value_id(kind, name), "name_text": EVERYTHING, "kind": kind, "name": name, "stamp": stamp}
            for kind, name in dict.fromkeys(pairs)]


def content_problem(rows: list[tuple]) -> str | None:
    """Why items written as the meta rows (their ``name`` JSON) say cannot be searched by this code, or None."""
    for (name,) in rows:
        version = json.loads(name).get("content", "1")
        if version != CONTENT_VERSION:
            return (f"the cluster's items were written in content version {version}, this code reads version "
                    f"{CONTENT_VERSION}: build it again with `python -m indexer build --backend URL`")
    return None
