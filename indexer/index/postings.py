"""Posting lists in Whoosh's W3 format, written and read a block at a time with NumPy.

Whoosh writes and reads postings one by one in Python, which is what made the
stock writer take minutes per thousand bulletins. The format itself is kept: a
posting list is ``b"W3Bl"`` and then blocks, each a signed length (negative for the
last block), a pickled info tuple ``(count, last id, max weight, compression,
min length byte, max length byte)`` and the pickled data ``(delta-coded ids,
weights, values)``. Blocks written here hold ids and weights as ``array`` objects
(which Whoosh's own reader iterates like its tuples), so any Whoosh reader opens
them, and :func:`read_postings` turns any W3 list (ours or Whoosh's) into arrays. A list
shorter than SMALL_BLOCK is not written as a block: W3 keeps it inside the term info
(inlined), which saves the block's framing and the pointer, most of a rare term's bytes.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte

BLOCK_LIMIT = 4096  # postings a block: larger blocks, fewer Python steps to read a long list
SMALL_BLOCK = 64  # posting lists shorter than this are kept inside their term info (inlined)
COMPRESS_OVER = 512  # bytes of block data above which zlib is used
ZLIB_LEVEL = 6  # 7% smaller blocks than level 3, read as fast
_LENGTH_BYTES = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)
_UNSIGNED = (("B", 1 << 8), ("H", 1 << 16), ("I", 1 << 32))  # array type codes and their limits
_INT = struct.Struct("!i")
_INT32 = struct.Struct("<i")
# Pickle opcodes: BININT1 / BININT2 for each integer below 2**16, the tuple of 0-3 items, None, the end.
_SMALL_INT = [b"K" + bytes([v]) if v < 256 else b"M" + v.to_bytes(2, "little") for v in range(1 << 16)]
_TUPLE = (b")", b"\x85", b"\x86", b"\x87")
_NONE, _STOP = b"N", b"."
_OFFSET = struct.Struct("!q")


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's one-byte approximation of field lengths (``length_to_byte``), vectorised."""
    return np.searchsorted(_LENGTH_BYTES, lengths, side="left").clip(0, 255)


def encode_term(ids: np.ndarray, freqs: np.ndarray, lengths: np.ndarray, offset: int,
                with_values: bool = True) -> tuple[bytes, bytes]:
    """One term's postings as (bytes to write to the posting file at ``offset``, its term info record).

    A list shorter than SMALL_BLOCK (most terms are rare) goes into the term info itself, as W3's
    inlined postings, and writes nothing to the posting file; longer ones are :func:`encode_postings`.
    """
    if len(ids) < SMALL_BLOCK:
        return b"", inlined_terminfo(ids.tolist(), freqs.tolist(), lengths.tolist())
    data, stats = encode_postings(ids, freqs, lengths, with_values)
    return data, terminfo_bytes(stats, offset, len(data))


def inlined_terminfo(ids: list[int], freqs: list[int], lengths: list[int]) -> bytes:
    """A W3 term info record holding its postings (what ``W3TermInfo.to_bytes`` writes when inlined).

    The postings are the tuple ``(ids, weights, None)``: weights are the counts as integers, or None when
    every count is 1 (Whoosh's ``ListMatcher`` reads 1.0 then); no value bytes are kept, the counts are the weights.
    """
    maxweight = max(freqs)
    weights = _NONE if maxweight == 1 else pickled_ints(freqs)
    return (W3TermInfo._struct.pack(1, float(sum(freqs)), len(ids), length_to_byte(min(lengths)),
                                    length_to_byte(max(lengths)), float(maxweight), ids[0], ids[-1])
            + pickled_ints(ids) + weights + _NONE + _TUPLE[3] + _STOP)


def pickled_ints(values: list[int]) -> bytes:
    """A tuple of non-negative integers (below 2**31) as pickle opcodes, in the fewest bytes.

    What ``pickle.dumps`` writes for it, without the protocol mark and the memo entries a term info
    never needs (``pickle.loads`` reads it the same): a fifth of the bytes of a rare term's postings.
    """
    body = b"".join([_SMALL_INT[v] if v < len(_SMALL_INT) else b"J" + _INT32.pack(v) for v in values])
    return body + _TUPLE[len(values)] if len(values) < len(_TUPLE) else b"(" + body + b"t"


def terminfo_bytes(stats: tuple, offset: int, length: int) -> bytes:
    """A W3 term info record (what ``W3TermInfo.to_bytes`` writes) for postings at offset/length.

    ``stats`` is (total weight, doc frequency, min length, max length, max weight, first id, last id).
    """
    weight, df, minlen, maxlen, maxweight, minid, maxid = stats
    return (W3TermInfo._struct.pack(0, weight, df, length_to_byte(minlen), length_to_byte(maxlen),
                                    maxweight, minid, maxid)
            + _OFFSET.pack(offset) + _INT.pack(length))


def encode_postings(ids: np.ndarray, freqs: np.ndarray, lengths: np.ndarray,
                    with_values: bool = True) -> tuple[bytes, tuple]:
    """One term's posting list (sorted docnums, term frequencies, field lengths) as W3 bytes.

    Returns the bytes and the term statistics of :func:`terminfo_bytes`.
    ``with_values`` is False for formats that store no value bytes (Whoosh's Existence, and
    :class:`indexer.index.schema.Counts`, whose weights are the frequencies). Ids and weights are
    arrays of the narrowest type that holds them, so a block inflates to few bytes.
    """
    total_weight, max_weight = 0.0, 0.0
    out = [WHOOSH3_HEADER_MAGIC]
    n = len(ids)
    for start in range(0, n, BLOCK_LIMIT):
        end = min(start + BLOCK_LIMIT, n)
        bids, bfreqs, blens = ids[start:end], freqs[start:end], lengths[start:end]
        deltas = np.diff(bids, prepend=0)  # each block starts from 0, as Whoosh's delta_encode does
        weights = bfreqs.astype(np.float32)
        maxweight = float(weights.max())
        minlen_b, maxlen_b = (int(x) for x in length_bytes(np.array([blens.min(), blens.max()])))
        data = pickle.dumps((_narrow(deltas),
                             None if maxweight == 1.0 else _narrow(bfreqs),
                             bfreqs.astype(">u4").tobytes() if with_values else None), protocol=4)
        comp = 0
        if len(data) > COMPRESS_OVER:
            data, comp = zlib.compress(data, ZLIB_LEVEL), ZLIB_LEVEL
        block_info = pickle.dumps((end - start, int(bids[-1]), maxweight, comp, minlen_b, maxlen_b), 2)
        length = len(block_info) + len(data)
        out.append(_INT.pack(-length if end == n else length))
        out.append(block_info)
        out.append(data)
        total_weight += float(weights.sum())
        max_weight = max(max_weight, maxweight)
    return b"".join(out), (total_weight, n, int(lengths.min()), int(lengths.max()), max_weight,
                           int(ids[0]), int(ids[-1]))


def _narrow(values: np.ndarray) -> array:
    """Non-negative integers as an ``array`` of the narrowest unsigned type that holds them."""
    top = int(values.max()) if len(values) else 0
    code = next(c for c, limit in _UNSIGNED if top < limit)
    return array(code, values.astype(np.dtype(code)).tobytes())


def read_postings(terminfo: W3TermInfo, postfile: bytes | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term frequencies) of one term as arrays, from any W3 posting list.

    ``postfile`` is the segment's whole ``.pst`` file as a buffer (a memory map).
    """
    if terminfo.is_inlined():
        ids, weights, _ = terminfo.inlined_postings()
        if weights is None:
            return np.asarray(ids, dtype=np.int64), np.ones(len(ids), dtype=np.float32)
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as a 1-tuple
        length = length[0]
    buf = postfile[offset:offset + length]
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a W3 posting list")
    stream = io.BytesIO(buf)
    pos = 4
    id_parts, weight_parts = [], []
    while True:
        blen = _INT.unpack_from(buf, pos)[0]
        pos += 4
        stream.seek(pos)
        count, _, _, comp, _, _ = pickle.load(stream)
        data = buf[stream.tell():pos + abs(blen)]
        ids, weights, _ = pickle.loads(zlib.decompress(data) if comp else data)
        id_parts.append(np.cumsum(_as_array(ids), dtype=np.int64))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(_as_array(weights).astype(np.float32))
        pos += abs(blen)
        if blen < 0:
            break
    return np.concatenate(id_parts), np.concatenate(weight_parts)


def _as_array(values: array | tuple) -> np.ndarray:
    """A block's ids or weights (an ``array`` of any type code, or Whoosh's own tuple) as NumPy."""
    return np.frombuffer(values, dtype=values.typecode) if isinstance(values, array) else np.asarray(values)
