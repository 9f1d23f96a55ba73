"""Chinese analysis: jieba words and character grams (the only module that imports jieba).

Two analyses of every text feed the index:

* **words** (fields ``title`` and ``body``): jieba's accurate cut of the folded text
  (NFKC, lower case, simplified characters), punctuation dropped, digits and Latin words kept. Positions
  count words. For indexing, each longer word is followed by the dictionary words
  inside it (``双减工作推进会`` also gives ``双减``, ``工作``, ``推进``) at the parent's
  position, so a long word never hides its parts. Queries are cut in accurate mode.
* **grams** (fields ``grams`` and ``title_grams``): every character and every pair
  of adjacent characters of the search form (:func:`indexer.normalize.search_form`).
  A string is in a text exactly when the text holds all its pairs in a row, so
  substrings and quoted phrases are found exactly, across word boundaries.
* **joined grams** (field ``joined_grams``): the pairs of characters a run of joining
  marks separates (``双随机、一公开`` gives ``机一``), so a term typed without the
  marks finds its candidates too (:func:`indexer.normalize.joined_pairs`).

These are plain functions, shared by every backend; the local index wraps them as Whoosh
analyzers (:mod:`indexer.index.analyzers`), and a test checks that the two agree.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator

import jieba
import numpy as np

from indexer.normalize import PART_SEPARATOR, fold_with_offsets, joined_pairs, search_form
from indexer.settings import USER_DICT_FILE

# Bump when the tokens produced for a given text, or the way their postings are stored, change:
# indexes built before then must be rebuilt.
ANALYZER_VERSION = "5"  # 4: an issue's number and date are searchable, its 刊名 no longer; 5: 《》〈〉 join terms
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SHIFT = np.uint64(21)  # code points fit in 21 bits: a gram is (first << 21) | second

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def jieba_tokenizer() -> jieba.Tokenizer:
    """The process's jieba tokenizer, with the user dictionary loaded (built on first use)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                tk.load_userdict(str(USER_DICT_FILE))
                _tokenizer = tk
    return _tokenizer


def dictionary_hash() -> str:
    """A fingerprint of everything that decides the tokens: analyzer version, jieba, user dictionary."""
    h = hashlib.sha1(f"{ANALYZER_VERSION}|jieba {jieba.__version__}|".encode())
    h.update(USER_DICT_FILE.read_bytes())
    return h.hexdigest()[:16]


def word_spans(text: str, index: bool) -> Iterator[tuple[str, int, int, int]]:
    """(word, position, start, end) for each word of ``text``; with ``index``, sub-words too.

    ``start``/``end`` are character offsets in ``text``. Sub-words share the position
    of the word they are part of.
    """
    folded, offsets = fold_with_offsets(text)
    pos = -1
    at = 0
    for word in jieba_tokenizer().cut(folded, HMM=True):
        start, at = at, at + len(word)
        if not _WORDLIKE.search(word):
            continue
        pos += 1
        s, e = (start, at) if offsets is None else (offsets[start], offsets[at - 1] + 1)
        yield word, pos, s, e
        if index and len(word) > 2 and _CJK.match(word):
            for i, j in _subwords(word):
                sub_s, sub_e = start + i, start + j
                if offsets is not None:
                    sub_s, sub_e = offsets[sub_s], offsets[sub_e - 1] + 1
                yield word[i:j], pos, sub_s, sub_e


_SUBWORDS: dict[str, tuple[tuple[int, int], ...]] = {}
_SUBWORDS_MAX = 500_000


def _subwords(word: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each dictionary word inside ``word``, shorter than it (cached: words repeat)."""
    found = _SUBWORDS.get(word)
    if found is None:
        tk = jieba_tokenizer()
        found = tuple(
            (i, j + 1)
            for i, ends in sorted(tk.get_DAG(word).items())
            for j in ends
            if 1 <= j - i < len(word) - 1 and tk.FREQ.get(word[i:j + 1])
        )
        if len(_SUBWORDS) >= _SUBWORDS_MAX:
            _SUBWORDS.clear()
        _SUBWORDS[word] = found
    return found


def index_words(text: str) -> list[str]:
    """The words of a text as indexed: accurate cut plus the dictionary words inside longer ones."""
    return [w for w, _, _, _ in word_spans(text, index=True)]


def query_words(text: str) -> list[str]:
    """The words of a query term: jieba's accurate cut of its folded form."""
    return [w for w, _, _, _ in word_spans(text, index=False)]


def gram_keys(text: str) -> np.ndarray:
    """Every character and adjacent pair of the search form of each part, as sortable integer keys.

    A key is ``(first << 21) | second`` (second is 0 for a single character), so
    keys sort in the same order as the grams' UTF-8 bytes, which is Whoosh's term order.
    """
    return form_gram_keys([search_form(part) for part in text.split(PART_SEPARATOR)])


def form_gram_keys(forms: list[str]) -> np.ndarray:
    """The gram keys of texts already in search form (see :func:`gram_keys`); no gram spans two texts."""
    keys = []
    for form in forms:
        if not form:
            continue
        cps = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        keys.append(cps << _SHIFT)
        keys.append((cps[:-1] << _SHIFT) | cps[1:])
    return np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)


def joined_gram_keys(forms: list[str]) -> np.ndarray:
    """The keys of the pairs joining marks separate in texts already in search form (see :func:`gram_keys`)."""
    pairs = [pair for form in forms for pair in joined_pairs(form)]
    if not pairs:
        return np.zeros(0, dtype=np.uint64)
    cps = np.frombuffer("".join(pairs).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return (cps[0::2] << _SHIFT) | cps[1::2]


def gram_text(key: int) -> str:
    """The gram a key stands for (the inverse of :func:`gram_keys` for one key)."""
    first, second = key >> 21, key & 0x1FFFFF
    return chr(first) + (chr(second) if second else "")


def gram_key(gram: str) -> int | None:
    """The key of a gram of one or two characters (the inverse of :func:`gram_text`); None for other strings."""
    if not 1 <= len(gram) <= 2:
        return None
    return (ord(gram[0]) << 21) | (ord(gram[1]) if len(gram) == 2 else 0)


def grams_of(text: str) -> list[str]:
    """The grams of a string, in order: its characters, then its pairs (for queries and tests)."""
    form = search_form(text)
    return list(form) + [form[i:i + 2] for i in range(len(form) - 1)]
