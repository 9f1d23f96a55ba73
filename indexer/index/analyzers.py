"""The analyses of :mod:`indexer.analysis` as Whoosh tokenizers and analyzers, for the local index's schema.

Whoosh's contract (``positions``, ``chars``, ``mode``): positions count words, or gram keys; in
``mode="index"`` a longer word is followed by the dictionary words inside it at its position.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from whoosh.analysis import Analyzer, Token, Tokenizer

from indexer.analysis import gram_keys, gram_text, joined_gram_keys, word_spans
from indexer.normalize import PART_SEPARATOR, search_form


class WordTokenizer(Tokenizer):
    """Whoosh tokenizer for the word fields (see :func:`word_spans`); ``mode="index"`` adds sub-words."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for word, pos, s, e in word_spans(value, index=(mode == "index")):
            t.original = t.text = word
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            yield t


class _KeyTokenizer(Tokenizer):
    """A Whoosh tokenizer yielding one token a gram key of the value, positions counting keys."""

    def keys(self, value: str) -> np.ndarray:
        """The gram keys of a field value."""
        raise NotImplementedError

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, key in enumerate(self.keys(value).tolist()):
            t.original = t.text = gram_text(key)
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            yield t


class GramTokenizer(_KeyTokenizer):
    """Whoosh tokenizer for the gram fields: characters and pairs of each part's search form."""

    def keys(self, value: str) -> np.ndarray:
        return gram_keys(value)


class JoinedGramTokenizer(_KeyTokenizer):
    """Whoosh tokenizer for the joined-grams field: the pairs joining marks separate in each part."""

    def keys(self, value: str) -> np.ndarray:
        return joined_gram_keys([search_form(part) for part in value.split(PART_SEPARATOR)])


class WordAnalyzer(Analyzer):
    """The analyzer of the word fields (a single tokenizer: folding happens inside)."""

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        return WordTokenizer()(value, **kwargs)


class GramAnalyzer(Analyzer):
    """The analyzer of the gram fields."""

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        return GramTokenizer()(value, **kwargs)


class JoinedGramAnalyzer(Analyzer):
    """The analyzer of the joined-grams field."""

    def __call__(self, value: str, **kwargs) -> Iterator[Token]:
        return JoinedGramTokenizer()(value, **kwargs)
