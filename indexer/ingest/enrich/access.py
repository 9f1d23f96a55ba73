"""Who may see an item: ``public`` (the default) or a list of group names.

Access comes, nearest first, from a JSON Lines record's ``access`` field, the
``NAME.meta.json`` beside an issue file, and the ``_access.json``
(``{"access": [...]}``) of the file's folder or the nearest folder above it up to
the archive root. A value that cannot be read restricts rather than opens: the
item is then seen by administrators only (and the problem is reported).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from indexer.errors import Report
from indexer.items import PUBLIC

ACCESS_FILE = "_access.json"
ADMINS_ONLY: list[str] = []  # no group: only an administrator sees the item


def parse_access(value: Any) -> list[str]:
    """Group names from a metadata value (a list of names, or one name); ``["public"]`` when it holds public.

    Raises ValueError for anything else (a number, an object, an empty name, the reserved ``*``).
    """
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"access must be a list of group names, not {json.dumps(value, ensure_ascii=False)[:60]}")
    groups = [v.strip() for v in value]
    if any(not g or g == "*" or "," in g for g in groups):
        raise ValueError("a group name is empty or holds '*' or ','")
    if PUBLIC in groups:
        return [PUBLIC]
    return sorted(set(groups))


def access_or_restricted(value: Any, where: str, report: Report, line: int | None = None) -> list[str]:
    """:func:`parse_access`, with a value it cannot read reported and read as administrators only."""
    try:
        return parse_access(value)
    except ValueError as e:
        report.warn(where, f"{e}: item restricted to administrators", line=line)
        return list(ADMINS_ONLY)


def folder_access(path: Path, root: Path, report: Report) -> list[str] | None:
    """The access of the nearest ``_access.json`` from the file's folder up to ``root``; None when there is none."""
    folder = Path(os.path.abspath(path)).parent
    top = Path(os.path.abspath(root))
    while True:
        candidate = folder / ACCESS_FILE
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8-sig"))
                value = data["access"] if isinstance(data, dict) else data
            except (OSError, ValueError, KeyError) as e:
                report.warn(str(candidate), f"unreadable ({e}): items below restricted to administrators")
                return list(ADMINS_ONLY)
            return access_or_restricted(value, str(candidate), report)
        if folder == top or top not in folder.parents:
            return None
        folder = folder.parent


def nearest_access(*given: list[str] | None) -> list[str]:
    """The first access given (nearest first), else public."""
    return next((g for g in given if g is not None), [PUBLIC])
