"""Reporting units: recognising an attribution ``（…）`` and naming its units canonically.

The alias table (``data/departments.tsv``) is plain text an archive keeper edits:
one unit a line, the canonical name first, then its other spellings, tab-separated.
A unit not in the table keeps the name the bulletin gave it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from indexer.settings import DEPARTMENTS_FILE

# Last characters (or words) of a unit's name: 局, 委, 办, 中心, 街道, 公司, ...
_UNIT_END = re.compile(
    r"(?:[局委办院部厅处科室所站队心道镇乡村区县市府会联司团校馆行台组署社庭狱园港场协盟宫]"
    r"|政府|管委会|办事处|支部|党委|党组)$"
)
# Words that mark a credit or a remark rather than a unit.
_NOT_UNIT = re.compile(r"编辑|记者|摄影|摄像|通讯员|作者|来源|转载|责编|审核|撰稿|联播|完|详见|注")
# What may follow a unit's name inside the parentheses: 供稿, 报送, ...
_CREDIT_SUFFIX = re.compile(r"(?:供稿|报送|提供|供)$")
_SEPARATORS = re.compile(r"[\s、，,/／;；]+")
_FORBIDDEN = re.compile(r"[0-9０-９：:。.！？!?“”\"'‘’《》<>【】\[\]=+*#@%]")


def split_units(attribution: str) -> list[str] | None:
    """The unit names in an attribution, or None when it is not one.

    ``区委宣传部 区文明办`` gives two units; ``新闻联播``, ``视频编辑：…``, ``2022年``
    and ``完`` give None.
    """
    text = attribution.strip()
    if not 2 <= len(text) <= 60 or _FORBIDDEN.search(text) or _NOT_UNIT.search(text):
        return None
    parts = [_CREDIT_SUFFIX.sub("", p) for p in _SEPARATORS.split(text) if p]
    if not parts or any(not 2 <= len(p) <= 25 for p in parts):
        return None
    table = alias_table()
    if all(_UNIT_END.search(p) or _key(p) in table for p in parts):
        return parts
    return None


def canonical(unit: str) -> str:
    """The canonical name of a unit (itself when the alias table does not know it)."""
    return alias_table().get(_key(unit), unit.strip())


def canonical_units(units: list[str]) -> list[str]:
    """Canonical names of several units, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for unit in units:
        if unit.strip():
            seen.setdefault(canonical(unit), None)
    return list(seen)


def load_alias_table(path: Path) -> dict[str, str]:
    """Read an alias table: ``canonical<TAB>alias<TAB>alias…`` lines, ``#`` comments."""
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        names = [n.strip() for n in line.split("\t") if n.strip()]
        for name in names:
            table[_key(name)] = names[0]
    return table


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """The alias table of ``data/departments.tsv``, read once."""
    return load_alias_table(DEPARTMENTS_FILE)


def _key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
