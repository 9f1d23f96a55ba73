"""What a request may ask for: the one place the validation and the OpenAPI document read limits from."""

from __future__ import annotations

from indexer.docnumbers import TYPED_PATTERN

SORTS = ("relevance", "date_desc", "date_asc")
SCOPES = ("all", "title")
WITHIN = ("item", "paragraph", "sentence")  # where every term of a query must stand together
MAX_QUERY_CHARS = 500  # characters of `q`, on every route that takes one
MAX_TERMS = 24  # terms of a query used; the rest are dropped with a note
MAX_SYNONYMS = 4  # synonyms an unquoted term also finds (from indexer/data/synonyms.txt)
MAX_PAGE_SIZE = 100  # hits a page
MAX_RESULT_WINDOW = 10_000  # results a page may reach (page × size), as Elasticsearch's max_result_window
MAX_FACET_VALUES = 20  # values of one repeatable filter parameter (duplicates removed first)
MAX_VALUE_CHARS = 100  # characters of one filter value
MAX_EXPORT_ROWS = 100_000  # rows one CSV export gives; a larger result set is cut, with a note
MAX_SUGGESTIONS = 8
MAX_SIMILAR = 5  # similar items on an item page
MAX_ISSUE_ITEMS = 300  # items of one issue listed beside an item and on its issue page
CITES_PATTERN = TYPED_PATTERN  # a cites value's common form, as the OpenAPI document shows it
MAX_CITED_BY = 200  # items citing an item listed on its page (newest first)
