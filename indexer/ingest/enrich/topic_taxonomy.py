"""The national two-level 主题分类 (``data/govcn_topics.json``) and the topics a document states."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.items import SEPARATOR
from indexer.settings import TAXONOMY_FILE

_NAME_PARTS = re.compile(r"[、，,（）()]|（含|\(含")


@dataclass(frozen=True)
class Taxonomy:
    """The two-level vocabulary: top-level names, in order, and their children."""

    children: dict[str, tuple[str, ...]]
    aliases: dict[str, str]

    def paths(self) -> list[str]:
        """Every valid path: each top level and each ``top\\child``."""
        out: list[str] = []
        for top, kids in self.children.items():
            out.append(top)
            out.extend(f"{top}{SEPARATOR}{kid}" for kid in kids)
        return out

    def resolve(self, path: str) -> str | None:
        """The canonical form of a topic path (aliases of the top level applied), or None if unknown."""
        top, _, child = path.strip().partition(SEPARATOR)
        top = self.aliases.get(top, top)
        if top not in self.children:
            return None
        if not child:
            return top
        return f"{top}{SEPARATOR}{child}" if child in self.children[top] else None

    def name_words(self) -> dict[str, list[str]]:
        """The words of each path's own name (``财政、金融、审计`` gives 财政 金融 审计), ``其他`` left out."""
        out: dict[str, list[str]] = {}
        for path in self.paths():
            name = path.rpartition(SEPARATOR)[2]
            words = [w for w in _NAME_PARTS.split(name.replace("（含", "、").replace("(含", "、")) if w]
            words = [w for w in words if w != "其他"]
            if words:
                out[path] = words
        return out


@lru_cache(maxsize=1)
def taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Read the taxonomy file once."""
    data = json.loads(path.read_text(encoding="utf-8"))
    children = {t["name"]: tuple(t.get("children", ())) for t in data["topics"]}
    return Taxonomy(children, dict(data.get("aliases", {})))


def stated_topics(value: object) -> list[str]:
    """The taxonomy paths a document states (``市场监管、安全生产监管\\工商``; a list, or ``;``-separated).

    Paths the taxonomy does not know are left out.
    """
    given = value if isinstance(value, list) else re.split(r"[;；,，\s]+", str(value or ""))
    tax = taxonomy()
    found = (tax.resolve(str(p)) for p in given if str(p).strip())
    return list(dict.fromkeys(p for p in found if p))


def top_of(path: str) -> str:
    """The top level of a topic path."""
    return path.partition(SEPARATOR)[0]
