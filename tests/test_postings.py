"""Posting lists in Whoosh's W3 format: what is written is read back, whatever the gaps and counts."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3TermInfo

from indexer.index.postings import BLOCK_LIMIT, SMALL_BLOCK, encode_postings, encode_term, read_postings, terminfo_bytes


@pytest.mark.parametrize("count, max_gap, max_freq", [
    (SMALL_BLOCK - 1, 3, 1),  # a short list: plain tuples
    (500, 200, 1),  # every count 1: no weights written
    (500, 200, 200),  # one-byte gaps and counts
    (3000, 60_000, 3_000),  # two-byte gaps and counts
    (2 * BLOCK_LIMIT + 7, 5, 70_000),  # several blocks, four-byte counts
    (300, 3_000_000, 2),  # four-byte gaps
])
@pytest.mark.parametrize("with_values", [True, False])
def test_posting_lists_read_back_as_written(count, max_gap, max_freq, with_values):
    rng = np.random.default_rng(count + max_gap)
    ids = np.cumsum(rng.integers(1, max_gap + 1, count))
    ids[-1] = ids[-2] + max_gap  # the largest gap occurs
    freqs = rng.integers(1, max_freq + 1, count)
    freqs[0] = max_freq
    data, stats = encode_postings(ids, freqs, rng.integers(1, 500, count), with_values)
    info = W3TermInfo.from_bytes(terminfo_bytes(stats, 0, len(data)))
    got_ids, got_weights = read_postings(info, data)
    assert got_ids.tolist() == ids.tolist()
    assert got_weights.tolist() == freqs.astype(np.float32).tolist()
    assert stats[1] == count and stats[4] == max_freq


@pytest.mark.parametrize("count, max_freq", [(1, 1), (SMALL_BLOCK - 1, 1), (SMALL_BLOCK - 1, 40), (SMALL_BLOCK, 3)])
def test_short_lists_live_in_their_term_info(count, max_freq):
    ids = np.arange(count, dtype=np.int64) * 700 + 5
    freqs = np.arange(count) % max_freq + 1
    data, info_bytes = encode_term(ids, freqs, np.full(count, 30), offset=12)
    info = W3TermInfo.from_bytes(info_bytes)
    assert info.is_inlined() == (count < SMALL_BLOCK) and (data == b"") == info.is_inlined()
    got_ids, got_weights = read_postings(info, b"\0" * 12 + data)
    assert got_ids.tolist() == ids.tolist() and got_weights.tolist() == freqs.tolist()
    assert (info.doc_frequency(), info.weight(), info.max_weight(), info.min_id(), info.max_id()) == \
           (count, freqs.sum(), max_freq, ids[0], ids[-1])
