"""Attribute values of OFD parts (GB/T 33190): number lists and the ``DeltaX``/``DeltaY`` advance lists."""

from __future__ import annotations

import math


def numbers(value: str | None, count: int) -> list[float]:
    """The first ``count`` numbers of a space-separated list (``Boundary``, ``CTM``), zeros where missing."""
    parts = (value or "").split()
    found = [number(p, 0.0) for p in parts[:count]]
    return found + [0.0] * (count - len(found))


def number(value: str | None, default: float) -> float:
    """A number attribute, or ``default`` when it is missing or not a finite number."""
    try:
        found = float(value) if value is not None else default
    except ValueError:
        return default
    return found if math.isfinite(found) else default


def deltas(value: str | None, limit: int) -> list[float]:
    """The first ``limit`` advances of a DeltaX list, ``g N d`` (d repeated N times) expanded.

    A run uses one advance a character (or glyph) after its first, so no more are
    expanded: a hostile list of many ``g 10000 1`` groups stays as short as its run.
    """
    out: list[float] = []
    parts = (value or "").split()
    i = 0
    while i < len(parts) and len(out) < limit:
        if parts[i] == "g" and i + 2 < len(parts):
            repeat = max(0, min(int(number(parts[i + 1], 0)), limit - len(out)))
            out.extend([number(parts[i + 2], 0.0)] * repeat)
            i += 3
        else:
            out.append(number(parts[i], 0.0))
            i += 1
    return out
