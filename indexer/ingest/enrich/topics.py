"""Topics: the national two-level 主题分类, as stated by a document or assigned by editable rules.

A topic a document states is used as stated (:func:`stated_topics`). Otherwise the keyword
rules of ``data/topic_rules.tsv`` assign one (:mod:`indexer.ingest.enrich.topic_rules`), with
its reason, or none when no top level clearly wins: no topic is better than a wrong one. The
stated documents of an archive can teach the rules its own practice
(:mod:`indexer.ingest.enrich.topic_learning`). This module names what the other stages use.
"""

from indexer.ingest.enrich.topic_rules import Filing, LearnedTerm, Scoring, TopicRules, default_rules, file_item
from indexer.ingest.enrich.topic_taxonomy import SEPARATOR, Taxonomy, stated_topics, taxonomy, top_of

__all__ = ["SEPARATOR", "Filing", "LearnedTerm", "Scoring", "Taxonomy", "TopicRules", "default_rules", "file_item",
           "stated_topics", "taxonomy", "top_of"]
