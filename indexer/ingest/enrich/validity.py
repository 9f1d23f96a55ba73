"""What a text states about documents no longer in force, read at indexing time; precision before recall.

* **Repeals.** A sentence in which a document named by 文号 or 《title》 (several joined by 、和及与) is said to be
  废止, 停止执行, 不再执行, 失效 or 作废: as the subject, with nothing between it and the verb but a time (``自本通知
  印发之日起``) and words such as 同时 予以 一律 (``《…的通知》（国办发〔2016〕82号）停止执行。``), or as the object of
  废止 / 停止执行 / 不再执行 ending its clause (``同时废止《…办法》。``). A sentence naming no document
  (``…不再执行…的规定``), or naming only part of one (``不再执行《…规定》中关于…的规定``), or naming one after
  根据 / 按照 / 执行 (``根据《…》停止执行…``) states nothing here. Each repeal is ``{"doc_number", "title",
  "evidence"}``, the evidence being the sentence.
* **A stated validity.** ``有效期至2020年12月31日`` or ``有效期5年`` (``个月`` too) in a clause about the document
  itself: ``本通知有效期5年``, or ``有效期…`` right after the clause putting it into force
  (``本措施自发布之日起实施，有效期3年``). A period counts from the date that clause states, else from the item's date
  (its 成文日期); without one, nothing is stated. ``expires`` is ``{"date": last valid day, "evidence": the
  sentence}``. ``证书有效期5年`` and ``在有效期内`` are about something else.

Whether a repeal marks a document of the archive is decided at query time (:mod:`search.validity`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from indexer.docnumbers import find_numbers
from indexer.ingest.enrich.citations import book_titles, is_document_title, is_own, title_form
from indexer.ingest.enrich.dates import find_date
from indexer.items import Item
from indexer.passages import display_units

_VERB = re.compile(r"废止|停止执行|不再执行|失效|作废")
_OBJECT_VERB = re.compile(r"(?:废止|停止执行|不再执行)了?$")  # a verb taking the documents after it
# What may stand between the documents and their verb: 文件, a time, and adverbs.
_TAIL = re.compile(r"[\s，,]*(?:等?文件|等)?[\s，,]*(?:(?:自|从)[^，。；,;]{0,30}?(?:之日)?起[\s，,]*)?"
                   r"(?:同时|即行|即日起|即|一并|一律|均|亦|也|相应|予以|宣布|自行|自动|已|现|应|随之)*\s*")
_JOIN = re.compile(r"\s*(?:、|，|,|以及|和|及|与)\s*")
_NUMBER_TAIL = re.compile(r"\s*(?:号?文件|文)?")  # 国发〔1983〕117号文件
# Words after which a document is what is applied or relied on, not what ends.
_RELIED_ON = re.compile(r"(?:根据|依据|按照|依照|参照|遵照|对照|执行|落实|贯彻|对于|对|依|按|据|经|由|在)\s*$")
_CLAUSE_END = re.compile(r"\s*(?:[。；;，,！!？?]|$)")

_PERIOD_KIND = (r"通知|办法|意见|规定|决定|细则|方案|规划|措施|政策|公告|通告|文件|条例|规则|实施意见|实施办法|"
                r"实施细则|暂行办法|暂行规定|指导意见|若干措施|若干意见|若干规定|通报|批复|纲要|计划|指引|指南")
_OWN_PERIOD = re.compile(rf"^(?:本(?:{_PERIOD_KIND})(?:的)?)?有效期(?:暂定|为|至|到|截至|截止到?|：|:)*\s*"
                         r"(?P<rest>.*)$")
_IN_FORCE = re.compile(r"(?:施行|实施|执行|生效)$")
_ABOUT_ITSELF = re.compile(rf"本(?:{_PERIOD_KIND})|之日起|(?:自|从)\s*\d{{4}}\s*年")
_LENGTH = re.compile(r"^(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?P<unit>年|个月)")
_YEAR_END = re.compile(r"^((?:19|20)\d{2})\s*年\s*(?:底|末|12月底|12月末)")
_CLAUSES = re.compile(r"[，,；;]")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def repeals(item: Item) -> list[dict[str, Any]]:
    """The documents the item says are no longer in force, each with the sentence saying so (see the docstring)."""
    if not _VERB.search(item.body):
        return []
    out: list[dict[str, Any]] = []
    for start, end in display_units(item.body, "sentence"):
        sentence = item.body[start:end]
        if not _VERB.search(sentence):
            continue
        for target in _repealed_in(sentence):
            if target["doc_number"] and is_own(item.doc_number, target["doc_number"]):
                continue
            if target["title"] and item.title and title_form(target["title"]) == title_form(item.title):
                continue
            target["evidence"] = sentence.strip()
            if target not in out:
                out.append(target)
    return out


def stated_expiry(item: Item) -> dict[str, str] | None:
    """The last day of the validity the item states for itself, with the sentence stating it; None when it states
    none."""
    if "有效期" not in item.body:
        return None
    for start, end in display_units(item.body, "sentence"):
        sentence = item.body[start:end]
        if "有效期" in sentence:
            last = _period_end(sentence, item.date)
            if last is not None:
                return {"date": last.isoformat(), "evidence": sentence.strip()}
    return None


def _repealed_in(sentence: str) -> list[dict[str, Any]]:
    """The documents one sentence says are no longer in force."""
    mentions = _mentions(sentence)
    out: list[dict[str, Any]] = []
    for chain in _chains(sentence, mentions):
        first, last = chain[0][0], chain[-1][1]
        before, after = sentence[:first], sentence[last:]
        verb = _VERB.search(after)
        subject = (verb is not None and _TAIL.fullmatch(after[:verb.start()]) is not None
                   and _CLAUSE_END.match(after, verb.end()) is not None and not _RELIED_ON.search(before))
        obj = _OBJECT_VERB.search(before.rstrip()) is not None and _CLAUSE_END.match(after) is not None
        if subject or obj:
            out.extend({"doc_number": number, "title": title} for _, _, number, title in chain)
    return out


def _mentions(sentence: str) -> list[tuple[int, int, str | None, str | None]]:
    """(start, end, 文号, title) of each document the sentence names: a 《title》 with its 文号 in brackets after it
    is one."""
    numbers = find_numbers(sentence)
    out = []
    used = set()
    for start, end, title in book_titles(sentence):
        number = None
        m = re.match(r"\s*[（(]\s*", sentence[end:])
        if m:
            number = next((n for n in numbers if n.start == end + m.end()), None)
        if number is not None:
            used.add(number)
            close = re.match(r"\s*[）)]", sentence[number.end:])
            end = number.end + (close.end() if close else 0)
        elif not is_document_title(title):
            continue
        out.append((start, end, number.number if number else None, title if is_document_title(title) else None))
    for n in numbers:
        if n not in used:
            tail = _NUMBER_TAIL.match(sentence, n.end)
            out.append((n.start, tail.end() if tail else n.end, n.number, None))
    out.sort()
    return out


def _chains(sentence: str, mentions: list[tuple[int, int, str | None, str | None]]) -> list[list]:
    """Runs of mentions joined only by 、，和及与."""
    chains: list[list] = []
    for mention in mentions:
        if chains and _JOIN.fullmatch(sentence[chains[-1][-1][1]:mention[0]]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    return chains


def _period_end(sentence: str, date: str | None) -> dt.date | None:
    """The last valid day a sentence states for its own document, or None."""
    clauses = [c.strip() for c in _CLAUSES.split(sentence.strip().rstrip("。！？!?"))]
    for k, clause in enumerate(clauses):
        m = _OWN_PERIOD.match(clause)
        if m is None:
            continue
        own = clause.startswith("本") or (k > 0 and _IN_FORCE.search(clauses[k - 1]) is not None
                                          and _ABOUT_ITSELF.search(clauses[k - 1]) is not None)
        if not own:
            continue
        rest = m.group("rest")
        until = find_date(rest[:16])
        if until:
            return dt.date.fromisoformat(until)
        year_end = _YEAR_END.match(rest)
        if year_end:
            return dt.date(int(year_end.group(1)), 12, 31)
        length = _LENGTH.match(rest)
        if length is None:
            continue
        since = find_date(clauses[k - 1]) if k > 0 else None
        start = since or date
        if not start:
            return None
        return _add(dt.date.fromisoformat(start[:10]), _number(length.group("n")), length.group("unit"))
    return None


def _add(start: dt.date, n: int, unit: str) -> dt.date:
    """The last day of a period of ``n`` years or months beginning on ``start``."""
    months = n * 12 if unit == "年" else n
    year, month = divmod(start.month - 1 + months, 12)
    day = start.day
    while True:
        try:
            end = dt.date(start.year + year, month + 1, day)
            break
        except ValueError:
            day -= 1
    return end - dt.timedelta(days=1)


def _number(text: str) -> int:
    """A small number in digits or Chinese (三, 十, 十二)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)
