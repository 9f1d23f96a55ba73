"""The elements of a 公文 as GB/T 9704-2012 (党政机关公文格式) lays them out, recognised line by line.

版头 (7.2), at the top in this order: 份号 (six digits), 密级和保密期限 (``机密★1年``), 紧急程度 (``特急``),
发文机关标志 (``某某局文件``; joint issuers with ``文件`` beside them, which text extraction prints as
``甲委员会 文件 乙委员会``; a decree's ``某某人民政府令``, 10.2), 发文字号 (``鲁安发〔2024〕1号``; a decree's
``第179号``) and 签发人 (``签发人：张三``, on the 文号's line in an upward document).
主体 (7.3): 标题 (发文机关名称、事由和文种, the names may stand on lines of their own above ``关于…``), 主送机关,
正文, 附件说明 (``附件：1. …``), 发文机关署名 and 成文日期 (the 落款; its digits may be full-width),
附注 (``（此件公开发布）``), 附件 (on a page of its own: the label ``附件2`` top left, the title two lines
below; filed apart from its document, the label follows the 文号: ``鲁安发〔2024〕1号附件1``).
版记 (7.4): 抄送机关 (``抄送：…``) and 印发机关和印发日期 (``某某办公室 2024年1月21日印发``).
"""

from __future__ import annotations

import re

from indexer.ingest.enrich.dates import date_line
from indexer.ingest.enrich.units import read_attribution

SERIAL = re.compile(r"^(?:No\.?\s*)?\d{6}$")
SECRECY = re.compile(r"^(?:绝密|机密|秘密)(?:\s*★\s*\S*)?$")
URGENCY = re.compile(r"^(?:特急|加急|特提|平急)$")
# A 文号 on its own line, a 签发人 after it allowed: 国办发〔2018〕108号, （余府发〔2012〕3号）, 国务院令第707号.
DOC_NUMBER = re.compile(r"^[（(]?\s*([\u4e00-\u9fff]{1,16}\s*[〔［\[(（]\s*\d{4}\s*[〕］\])）]\s*\d+\s*号"
                        r"|[\u4e00-\u9fff]{0,12}令\s*第\s*\d+\s*号|第\s*\d+\s*号)\s*[）)]?"
                        r"(?:\s*签发人\s*[：:].*)?$")
SIGNER = re.compile(r"^签发人\s*[：:]")
# 发文机关标志: names, then 文件 (or 文件 between joint names); a decree's 某某令 / 某某命令 (names read as units).
_ISSUER_MARK = re.compile(r"^(.{2,60}?)\s*文件$|^(.{2,40}?)\s+文件\s+(.{2,40})$|^(.{2,40}?)\s*(命令|令)$")
_LETTER_SPACED = re.compile(r"^(?:[\u4e00-\u9fff]\s+){3,}[\u4e00-\u9fff]$")
# An attachment's label on its first line: 附件1, 附件：, 附件三, 附表2, 大纲4, 鲁安发〔2024〕1号附件1.
ATTACHMENT_LABEL = re.compile(r"^(?:\S{1,16}[〔［\[]\d{4}[〕］\]]\d+号\s*)?(?:附件|附表|附录|附图|大纲|表)\s*"
                              r"[\d一二三四五六七八九十]{0,3}\s*[：:]?$")
# 附件说明: 附件：1. 某某名单.
ATTACHMENT_NOTE = re.compile(r"^附件\s*[：:]\s*\S")
# 附注 and remarks in parentheses under the 落款 or the title: （此件公开发布）, （联系人：…）.
NOTE = re.compile(r"^[（(][^（）()]*[）)]$")
# 版记: 抄送机关; 印发机关和印发日期.
COPY_TO = re.compile(r"^(?:抄送|抄报|分送)\s*[：:]")
PRINTED = re.compile(r"^.{0,40}?\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")


def is_head_mark(line: str) -> bool:
    """Is the line one of the 版头's marks: 份号, 密级, 紧急程度, 签发人?"""
    return bool(SERIAL.match(line) or SECRECY.match(line) or URGENCY.match(line) or SIGNER.match(line))


def issuer_mark(line: str) -> list[str] | None:
    """The issuers a 发文机关标志 names (``甲委员会 文件 乙委员会`` gives both), or None when it is not one."""
    if _LETTER_SPACED.match(line):
        line = re.sub(r"\s+", "", line)  # a red masthead is set letter-spaced: 国 务 院 文 件
    m = _ISSUER_MARK.match(line)
    if not m or "关于" in line or re.search(r"[。，,：:；;]", line):
        return None
    names = " ".join(g for g in m.groups()[:4] if g)
    found = read_attribution(names) or read_attribution(re.sub(r"\s+", "", names))
    if found and not found.reporters:
        return found.units
    return None if m.group(5) else []


def doc_number(line: str) -> str | None:
    """The 发文字号 a line is (without a 签发人 after it), or None."""
    m = DOC_NUMBER.match(line)
    return re.sub(r"\s+", "", m.group(1)) if m else None


def is_record_line(line: str) -> bool:
    """Is the line part of the 版记 (抄送, 印发机关和印发日期)?"""
    return bool(COPY_TO.match(line) or PRINTED.match(line))


def signature_line(line: str) -> tuple[list[str], str] | None:
    """A 落款 printed on one line, the issuers then the date (``某某局 2024年5月20日``): units and date."""
    m = re.match(r"^(.{2,60}?)\s+(\S.{5,20})$", line)
    if not m or not (date := date_line(m.group(2))):
        return None
    found = read_attribution(m.group(1))
    return (found.units, date) if found and not found.reporters else None
