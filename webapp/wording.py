"""The Chinese of what people read on the upload and admin pages and in the CSV export: upload statuses, audit
actions and outcomes, roles, an audit entry's details, the export's column headers and file names. The JSON API
and the audit file keep their English names and values."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

STATUS_ZH = {"receiving": "正在接收", "queued": "排队等待", "indexing": "正在索引", "done": "已完成，可检索",
             "failed": "失败", "withdrawn": "已撤回"}
ACTION_ZH = {"upload": "上传", "upload page": "打开上传页", "upload status": "查看上传进度", "retry upload": "重新索引",
             "index upload": "索引上传", "withdraw": "撤回", "restore": "恢复撤回的条目", "admin page": "打开管理页",
             "unreadable line": "无法读取的记录"}
OUTCOME_ZH = {"accepted": "已接受", "done": "完成", "failed": "失败", "denied": "拒绝", "withdrawn": "已撤回"}
ROLE_ZH = {"reader": "读者", "uploader": "上传者", "admin": "管理员"}
VIA_ZH = {"sso": "单点登录", "token": "令牌", "anonymous": "匿名"}
DETAIL_ZH = {"via": "身份来源", "role": "角色", "path": "访问路径", "forwarded_for": "转发链", "upload": "上传",
             "item": "条目", "files": "文件", "refused": "未接受的文件", "issue": "期次", "date": "日期",
             "access": "可见范围", "items_added": "新增条目", "removed": "移除条目", "message": "说明",
             "reason": "原因", "details": "原文"}
SHOWN_ELSEWHERE = {"time", "action", "outcome", "user", "address"}  # columns of their own on /admin
IDENTIFIERS = {"path", "forwarded_for", "upload", "item", "files", "details"}  # shown as written, in code type


def words(table: dict[str, str], value: Any) -> str:
    """A value's Chinese from ``table``, or the value itself when the table has none (names people typed)."""
    return table.get(value, "" if value is None else str(value))


def audit_details(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """An audit entry's details for the admin page: each with a Chinese label, its text, and whether it is an
    identifier or an untranslated original (shown in code type). A detail with a Chinese twin (``reason_zh``)
    shows the twin."""
    out = []
    for key, value in entry.items():
        if key in SHOWN_ELSEWHERE or key.endswith("_zh") or value in (None, "", []):
            continue
        twin = entry.get(f"{key}_zh")
        if twin:
            out.append({"label": DETAIL_ZH.get(key, key), "text": twin, "code": False})
        elif key == "role":
            out.append({"label": DETAIL_ZH[key], "text": words(ROLE_ZH, value), "code": False})
        elif key == "via":
            out.append({"label": DETAIL_ZH[key], "text": words(VIA_ZH, value), "code": False})
        elif key == "refused":
            text = "；".join(f"{r.get('name', '')}（{r.get('reason_zh', '')}）" for r in value if isinstance(r, dict))
            out.append({"label": DETAIL_ZH[key], "text": text, "code": False})
        else:
            text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
            plain = key in DETAIL_ZH and key not in IDENTIFIERS and key not in ("reason", "message")
            out.append({"label": DETAIL_ZH.get(key, "其他"), "text": text, "code": not plain or text.isascii()})
    return out


# The export's column headers (Chinese, for Excel and WPS users): id, title, date, year, departments, topics, issue,
# position, doc_number, the item's address, source, attribution, body.
CSV_HEADERS = ("标识", "标题", "日期", "年份", "单位", "主题", "期次", "条目位置", "文号", "链接", "来源文件",
               "原文署名", "正文")


def attachment(stem: str, suffix: str = ".csv") -> str:
    """A Content-Disposition naming a download in Chinese (RFC 6266: an ASCII name for old clients, the Chinese
    one as ``filename*``), dated today."""
    today = dt.date.today().isoformat()
    return f"attachment; filename=\"jianbao-{today}{suffix}\"; filename*=UTF-8''{quote(f'{stem}-{today}{suffix}')}"
