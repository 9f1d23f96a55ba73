"""Attribute values of OFD parts (GB/T 33190): number lists and the ``DeltaX``/``DeltaY`` advance lists."""

from __future__ import annotations


def numbers(value: str | None, count: int) -> list[float]:
    """The first ``count`` numbers of a space-separated list (``Boundary``, ``CTM``), zeros where missing."""
    parts = (value or "").split()
    try:
        found = [float(p) for p in parts[:count]]
    except ValueError:
        found = []
    return found + [0.0] * (count - len(found))


def number(value: str | None, default: float) -> float:
    """A number attribute, or ``default`` when it is missing or not a number."""
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def deltas(value: str | None) -> list[float]:
    """The advances of a DeltaX list, ``g N d`` (d repeated N times) expanded."""
    out: list[float] = []
    parts = (value or "").split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            out.extend([number(parts[i + 2], 0.0)] * int(number(parts[i + 1], 0)))
            i += 3
        else:
            out.append(number(parts[i], 0.0))
            i += 1
    return out
