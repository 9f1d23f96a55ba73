"""文号 (发文字号) as texts write them, found and written one way: the words both backends and the indexer share.

GB/T 9704-2012 (7.2.4) composes a 发文字号 of the issuer's 机关代字, the year in 六角括号 and the serial number:
``国办发〔2016〕82号``. Texts also write it with ``［］``, ``[]``, ``()``, ``（）``, ``【】`` or ``﹝﹞``, full-width
digits and spaces (``国发 〔2011〕 12 号``), the year first (``〔1996〕武司字第82号``), and a decree or announcement by
its serial number: ``国务院令第746号``, ``国务院第397号令``, ``国家税务总局公告2018年第31号``.

:func:`find_numbers` finds every mention in a text, each with its canonical form (:func:`canonical` of one
number as typed): the 机关代字 without the words before it (``要根据中发〔1994〕8号`` gives ``中发〔1994〕8号``;
``…的通知国办发〔2001〕85号`` gives ``国办发〔2001〕85号``), the brackets ``〔〕``, ASCII digits, no spaces, no
leading zeros, a decree's organ without ``中华人民共和国`` (``国令`` is ``国务院令``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CJK = "\u4e00-\u9fff"
_D = "[0-9０-９]"
_S = "[ \t\u3000\u00a0]*"  # spaces a number may hold (never a line break)
_OPEN = "[〔［\\[(（【﹝]"
_CLOSE = "[〕］\\])）】﹞]"
_YEAR = "[12１２][0-9０-９]{3}"
# 机关代字〔年份〕序号号, the code's letters being the run of Chinese characters before the bracket (trimmed below).
_CODE_FIRST = (f"(?P<run>[{_CJK}](?:[{_CJK}]|[ \u3000](?=[{_CJK}]))*){_S}{_OPEN}{_S}(?P<year>{_YEAR}){_S}{_CLOSE}{_S}"
               f"(?:第{_S})?(?P<seq>{_D}{{1,5}}){_S}号")
# 〔年份〕代字第序号号: the year first.
_YEAR_FIRST = (f"{_OPEN}{_S}(?P<year2>{_YEAR}){_S}{_CLOSE}{_S}(?P<code2>[{_CJK}]{{1,10}}?){_S}(?:第{_S})?"
               f"(?P<seq2>{_D}{{1,5}}){_S}号")
# 某某令第N号, 某某第N号令.
_DECREE = (f"(?P<run3>[{_CJK}]{{1,24}}?)令{_S}第{_S}(?P<seq3>{_D}{{1,5}}){_S}号"
           f"|(?P<run4>[{_CJK}]{{1,24}}?)第{_S}(?P<seq4>{_D}{{1,5}}){_S}号令")
# 某某公告2018年第31号.
_NOTICE = f"(?P<run5>[{_CJK}]{{1,24}}?)公告{_S}(?P<year5>{_YEAR}){_S}年{_S}第{_S}(?P<seq5>{_D}{{1,5}}){_S}号"
_NUMBER = re.compile(f"{_YEAR_FIRST}|{_CODE_FIRST}|{_DECREE}|{_NOTICE}")
_ANCHOR = re.compile(f"{_OPEN}{_S}{_YEAR}{_S}{_CLOSE}|令{_S}第|第{_S}{_D}{{1,5}}{_S}号令|公告{_S}{_YEAR}")
WINDOW = 40  # characters around an anchor a 文号 may take (its 机关代字 is within the last MAX_CODE before the bracket)
_BARE = re.compile(f"^第{_S}({_D}{{1,5}}){_S}号$")  # an own decree number printed under its organ: 第706号
MAX_CODE = 8  # characters of a 机关代字 (安监总煤矿字, 国办发明电, 国务院办公厅)
# A 文号 typed alone, 代字〔年份〕序号号 whole: a search filter takes it as typed; TYPED_PATTERN is its common form as
# a JSON Schema pattern (every string matching it is accepted).
_TYPED = re.compile(f"^([{_CJK}]{{1,{MAX_CODE}}}){_S}{_OPEN}{_S}({_YEAR}){_S}{_CLOSE}{_S}(?:第{_S})?"
                    f"({_D}{{1,5}}){_S}号$")
TYPED_PATTERN = f"^[\\u4e00-\\u9fff]{{1,{MAX_CODE}}}〔(19[5-9][0-9]|20[0-9]{{2}})〕[0-9]{{1,5}}号$"
# Words a 机关代字 never holds and after which one begins: what leads to a citation (根据, 按照 …), the kind of
# document a title ends with (…的通知国发〔…〕), particles and a date's 日.
_LEADS = sorted([
    "的", "根据", "依据", "按照", "依照", "参照", "遵照", "对照", "执行", "落实", "贯彻", "转发", "印发", "批转",
    "下发", "发布", "颁布", "公布", "重申", "即", "见", "据", "按", "和", "及", "与", "或", "并", "在", "将", "对",
    "由", "把", "以", "为", "是", "日", "号", "文件", "通知", "通报", "意见", "决定", "决议", "批复", "报告", "请示",
    "纪要", "办法", "规定", "方案", "函", "复函", "答复", "公告", "通告", "条例", "细则", "规则", "纲要", "规划",
    "要点", "议案", "命令", "令",
], key=len, reverse=True)
STATE = "中华人民共和国"


@dataclass(frozen=True)
class NumberMention:
    """One 文号 in a text: its canonical form and where it stands (``start``: its 机关代字's first character)."""

    number: str
    start: int
    end: int


def find_numbers(text: str) -> list[NumberMention]:
    """Every 文号 the text mentions, in order.

    What every 文号 holds (a bracketed year, ``令第``, ``号令``, ``公告`` and a year) is looked for first, and the
    whole pattern only around it: tried at every character of a long text, its run of characters made reading a
    bulletin's items several times slower."""
    out: list[NumberMention] = []
    done = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() < done:
            continue
        for m in _NUMBER.finditer(text, max(done, anchor.start() - WINDOW), anchor.end() + WINDOW):
            if m.start() <= anchor.start() < m.end():
                found = _mention(m)
                if found is not None:
                    out.append(found)
                done = m.end()
                break
    return out


def canonical(text: str) -> str | None:
    """One 文号 as typed, in its canonical form (``国发 〔２０１６〕 ８２ 号`` gives ``国发〔2016〕82号``; a bare
    ``第706号`` stays so); None when the text is not one 文号."""
    text = text.strip()
    bare = _BARE.match(text)
    if bare:
        return f"第{int(_ascii(bare.group(1)))}号"
    found = find_numbers(text)
    if len(found) != 1 or found[0].end != len(text) or text[:found[0].start].strip():
        return None
    return found[0].number


def typed(text: str) -> str | None:
    """A 文号 typed alone (a filter's value) in canonical form: :func:`canonical`, else, for the shape
    代字〔年份〕序号号 whole, its code as typed (no words before it are cut off: nothing but the number was typed)."""
    found = canonical(text)
    if found is not None:
        return found
    m = _TYPED.match(text.strip())
    if m is None or not _plausible(m.group(2)):
        return None
    return f"{m.group(1)}〔{_ascii(m.group(2))}〕{int(_ascii(m.group(3)))}号"


def bare_serial(number: str | None) -> int | None:
    """The serial of an own number printed without its organ (``第706号``), else None."""
    m = _BARE.match(number or "")
    return int(_ascii(m.group(1))) if m else None


def is_decree(number: str) -> bool:
    """Is the (canonical) number a decree's (``国务院令第706号``)?"""
    return "令第" in number


def serial(number: str) -> int | None:
    """The serial number of a canonical 文号 (``国办发〔2016〕82号`` gives 82)."""
    m = re.search(r"(\d+)号$", number)
    return int(m.group(1)) if m else None


def _mention(m: re.Match[str]) -> NumberMention | None:
    if m.group("year2"):
        if not _plausible(m.group("year2")):
            return None
        first = "第" if "第" in m.group(0)[m.end("code2") - m.start():] else ""
        return NumberMention(f"〔{_ascii(m.group('year2'))}〕{m.group('code2')}{first}{int(_ascii(m.group('seq2')))}号",
                             m.start(), m.end())
    if m.group("run"):
        if not _plausible(m.group("year")):
            return None
        at, run = _run(m.group("run"))
        code = _code(run)
        if not code:
            return None
        start = m.start("run") + _offset(m.group("run"), at, len(run) - len(code))
        return NumberMention(f"{code}〔{_ascii(m.group('year'))}〕{int(_ascii(m.group('seq')))}号", start, m.end())
    if m.group("run5"):
        issuer, skipped = _issuer(m.group("run5"))
        if not issuer or not _plausible(m.group("year5")):
            return None
        return NumberMention(f"{issuer}公告{_ascii(m.group('year5'))}年第{int(_ascii(m.group('seq5')))}号",
                             m.start("run5") + skipped, m.end())
    name = "run3" if m.group("run3") else "run4"
    issuer, skipped = _issuer(m.group(name))
    if not issuer:
        return None
    seq = int(_ascii(m.group("seq3") or m.group("seq4")))
    return NumberMention(f"{'国务院' if issuer == '国' else issuer}令第{seq}号", m.start(name) + skipped, m.end())


def _code(run: str) -> str:
    """The 机关代字 at the end of the run of characters before the bracket: after the last word leading to it, at
    most MAX_CODE characters."""
    for i in range(len(run) - 1, 0, -1):
        if any(run[:i].endswith(word) for word in _LEADS):
            tail = run[i:]
            return tail if len(tail) <= MAX_CODE else tail[-MAX_CODE:]
    return run if len(run) <= MAX_CODE else run[-MAX_CODE:]


def _issuer(run: str) -> tuple[str, int]:
    """A decree's or an announcement's organ at the end of ``run`` (after the state's name, else after the last
    leading word), and how many characters of the run come before where it is written (the state's name included)."""
    if STATE in run:
        at = run.rindex(STATE)
        issuer = run[at + len(STATE):]
    else:
        at = next((i for i in range(len(run) - 1, 0, -1) if any(run[:i].endswith(w) for w in _LEADS)), 0)
        issuer = run[at:]
    ok = 2 <= len(issuer) <= 16 or issuer == "国"
    return (issuer, at) if ok else ("", 0)


def _run(written: str) -> tuple[int, str]:
    """The characters of the run before a bracket that may be the code's: its last word, and the letter-spaced
    characters before it (``请　示　的　通　知国发`` is read whole, ``要求 国发`` as ``国发``); with the index of the
    first kept piece."""
    pieces = re.split(r"[ \u3000]+", written)
    first = len(pieces) - 1
    while first > 0 and len(pieces[first - 1]) == 1:
        first -= 1
    return first, "".join(pieces[first:])


def _offset(written: str, piece: int, kept: int) -> int:
    """Where, in ``written``, the ``kept``-th character (spaces not counted) from its ``piece``-th piece on stands."""
    at = [m.start() for m in re.finditer(r"[^ \u3000]+", written)][piece]
    seen = 0
    for i in range(at, len(written)):
        if written[i] in " \u3000":
            continue
        if seen == kept:
            return i
        seen += 1
    return len(written)


def _ascii(digits: str) -> str:
    return unicodedata.normalize("NFKC", digits)


def _plausible(year: str) -> bool:
    return 1949 <= int(_ascii(year)) <= 2100
