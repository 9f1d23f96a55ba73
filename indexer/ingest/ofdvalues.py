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


MAX_REPEAT = 10_000  # ``g N d`` repeats d at most this often (no run holds more characters; a bigger N is hostile)


def deltas(value: str | None) -> list[float]:
    """The advances of a DeltaX list, ``g N d`` (d repeated N times, N bounded) expanded."""
    out: list[float] = []
    parts = (value or "").split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            out.extend([number(parts[i + 2], 0.0)] * max(0, min(int(number(parts[i + 1], 0)), MAX_REPEAT)))
            i += 3
        else:
            out.append(number(parts[i], 0.0))
            i += 1
    return out
