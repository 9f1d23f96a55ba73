"""Items an administrator withdrew, kept in the archive so that every later build and update leaves them out.

The list is ``.withdrawals.json`` in the archive root (hidden: never read as a bulletin), one entry an item id
with its title, file, who withdrew it and when. :func:`indexer.ingest.files.read_files` leaves the listed items
out of every run over that archive, of either backend; an administrator restores an item by taking it off the
list (and the file is read again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from indexer.atomic import atomic_write

FILE = ".withdrawals.json"


class Withdrawals:
    """The withdrawals list of one archive."""

    def __init__(self, archive_root: Path):
        self.path = archive_root / FILE

    def entries(self) -> dict[str, dict[str, Any]]:
        """Item id -> what is known of the withdrawal (title, source, user, time); empty when nothing is withdrawn."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:  # a damaged list must not let withdrawn items back in silently
            raise OSError(f"{self.path} cannot be read ({e}): fix or remove it") from None
        return data if isinstance(data, dict) else {}

    def ids(self) -> frozenset[str]:
        return frozenset(self.entries())

    def add(self, item_id: str, **details: Any) -> None:
        entries = self.entries()
        entries[item_id] = details
        self._save(entries)

    def remove(self, item_id: str) -> dict[str, Any] | None:
        """Take an item off the list; what was listed for it, or None when it was not."""
        entries = self.entries()
        found = entries.pop(item_id, None)
        if found is not None:
            self._save(entries)
        return found

    def _save(self, entries: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, json.dumps(entries, ensure_ascii=False, indent=1))
