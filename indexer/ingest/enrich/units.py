"""Reporting units: recognising an attribution ``（…）`` and naming its units canonically.

An attribution names one or more units, separated by spaces or ``、``, may start
with ``据`` and may name reporters after the units: ``（市应急局：孙洪）``,
``(市应急局:孙洪 李明)``, ``（区委宣传部 许翰文）``. Remarks in parentheses that are not
units (``（试行）``, task notes such as ``（商务部负责）``) are not attributions.

The alias table (``data/departments.tsv``) is plain text an archive keeper edits:
one unit a line, the canonical name first, then its other spellings, tab-separated.
A unit not in the table keeps the name the bulletin gave it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.ingest.read.encodings import strip_bidi
from indexer.settings import DEPARTMENTS_FILE

# Last characters (or words) of a unit's name: 局, 委, 办, 中心, 街道, 公司, ...
_UNIT_LAST = "局委办院部厅处科室所站队心道镇乡村区县市府会联司团校馆行台组署社庭狱园港场协盟宫"
_UNIT_END = re.compile(rf"(?:[{_UNIT_LAST}]|政府|管委会|办事处|支部|党委|党组)$")
# Words that mark a credit or a remark rather than a unit.
_NOT_UNIT = re.compile(r"编辑|记者|摄影|摄像|通讯员|作者|来源|转载|责编|审核|撰稿|联播|完|详见|注")
# Words that make a parenthesis a remark on the text, not its author: （试行）, （商务部负责）, （草案）, and a
# fragment cut out of a sentence (受市政府委托).
_REMARK = re.compile(r"试行|暂行|修订|草案|征求意见稿|负责|牵头|配合|参与|落实|按职责|分工|之一|以下简称|附件|年$"
                     r"|^受|委托")
# What may follow a unit's name inside the parentheses: 供稿, 报送, ...
_CREDIT_SUFFIX = re.compile(r"(?:供稿|报送|提供|供)$")
_SEPARATORS = re.compile(r"[\s、，,/／;；]+")
# Characters no attribution holds (digits and Latin letters may be part of a unit: 区12345热线办).
_FORBIDDEN = re.compile(r"[。.！？!?“”\"'‘’《》<>【】\[\]=+*#@%〔〕]")
# Between units and reporters: （市应急局：孙洪）.
_REPORTER_MARK = re.compile(r"[：:]")
# What a 文号 begins with: its issuer's 机关代字, then the kind (发, 函, 字 ...): 路卫发〔2011〕76号.
_ISSUER_CODE = re.compile(r"^([\u4e00-\u9fff]+?)[发函字复令]*\s*[〔［\[(（]")
# A place-led name: 路桥区卫生局, 台州市…, 浙江省….
_PLACE_LED = re.compile(r"^[\u4e00-\u9fff]{1,7}?(?:省|市|自治区|自治州|地区|区|县|州|旗|盟)")
# What an issuer's name may start with before its place: a higher place, a party or state prefix, an organ.
_NAME_PART = re.compile(rf"^(?:中共|中国|中华|国家|全国|共青团)|[省州旗{_UNIT_LAST}]")
# A person's name: two to four Han characters (with an optional middle dot for minority names).
_PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}[·•][\u4e00-\u9fff]{1,8}$")
# A line of a form, table or budget book that names the unit it is of: 预算单位：…, 预算主管部门：…, 编制单位：….
_UNIT_LABEL = re.compile(
    r"^\s*(?:预算主管部门|预算单位|主管部门|编制单位|编制部门|填报单位|报送单位|单位名称)\s*[：:]\s*(.+)$",
    re.MULTILINE)
# Where the unit's name ends on such a line: a space or the next label (单位：元, 日期：…).
_LABEL_VALUE_END = re.compile(r"\s|(?:金额)?单位\s*[：:]|(?:填报|编制)?(?:日期|时间)\s*[：:]")


@dataclass(frozen=True)
class Attribution:
    """What an attribution names: its units (as written) and the reporters after them."""

    units: list[str]
    reporters: list[str] = field(default_factory=list)


def read_attribution(text: str) -> Attribution | None:
    """The units and reporters of an attribution's text, or None when it is not one.

    ``区委宣传部 区文明办`` gives two units; ``市应急局：孙洪`` and ``区委宣传部 许翰文``
    a unit and a reporter; ``据区统计局`` the unit 区统计局; ``新闻联播``, ``2022年``,
    ``试行`` and ``商务部负责`` give None.
    """
    text = text.strip()
    if not 2 <= len(text) <= 60 or _FORBIDDEN.search(text) or _NOT_UNIT.search(text) or _REMARK.search(text):
        return None
    if text.startswith("据"):
        text = text[1:]
    head, *tail = _REPORTER_MARK.split(text, 1)
    reporters = [p for p in _SEPARATORS.split(tail[0]) if p] if tail else []
    if tail and not (reporters and all(_PERSON.match(p) for p in reporters)):
        return None
    parts = [_CREDIT_SUFFIX.sub("", p) for p in _SEPARATORS.split(head) if p]
    if not tail:
        while len(parts) > 1 and not _is_unit(parts[-1]) and _PERSON.match(parts[-1]):
            reporters.insert(0, parts.pop())
    if not parts or not all(_is_unit(p) for p in parts) or not any(re.search(r"[\u4e00-\u9fff]", p) for p in parts):
        return None
    return Attribution(parts, reporters)


def labelled_unit(text: str) -> str | None:
    """The unit the first unit label line of a text names (``预算主管部门：上海市普陀区司法局``,
    ``编制单位：某某局 单位：元``); None when no such line names a unit (``填报单位：（盖章）``)."""
    for m in _UNIT_LABEL.finditer(text):
        value = _LABEL_VALUE_END.split(m.group(1).strip(), 1)[0]
        found = read_attribution(value)
        if found and len(found.units) == 1 and not found.reporters:
            return found.units[0]
    return None


def split_units(attribution: str) -> list[str] | None:
    """The unit names in an attribution, or None when it is not one (see :func:`read_attribution`)."""
    found = read_attribution(attribution)
    return found.units if found else None


def is_unit_name(line: str) -> bool:
    """Is the whole line one or more units' names (``国务院办公厅``, ``区委宣传部 区文明办``), and nothing else?"""
    found = None if "关于" in line else read_attribution(line)
    return bool(found) and not found.reporters and not line.startswith("据")


def _is_unit(part: str) -> bool:
    """Is this part of an attribution a unit's name: a unit's last word, or a name the alias table knows."""
    return 2 <= len(part) <= 25 and bool(_UNIT_END.search(part) or _key(part) in alias_table())


def issuer_by_code(unit: str, doc_number: str | None) -> str:
    """The issuer's name from where its 文号's 机关代字 begins (路卫发〔2011〕76号: 路桥区卫生局), when what stands
    before is none of a place, an organ, a party or state prefix (marks printed with the masthead: 特急, 测试符);
    else the name as written."""
    code = _ISSUER_CODE.match(doc_number or "")
    start = unit.find(code.group(1)[0]) if code else -1
    if start <= 0 or _NAME_PART.search(unit[:start]) or not _PLACE_LED.match(unit[start:]):
        return unit
    rest = iter(unit[start:])
    return unit[start:] if all(c in rest for c in code.group(1)) else unit


def canonical(unit: str) -> str:
    """The canonical name of a unit (itself when the alias table does not know it), without bidirectional
    controls: a name is a facet value, and a reordering mark would make a second, look-alike value."""
    unit = strip_bidi(unit)
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
