"""Errors a Searcher raises; the web app maps each to a status (see webapp/errors.py).

Hierarchy::

    SearchError            a request the search cannot answer as asked
    ├── BadParameter       a parameter that cannot be used: names it and says why (400 bad_parameter)
    │   └── ResultWindow   a page past the first MAX_RESULT_WINDOW results (400 result_window)
    └── QueryTooExpensive  the query needed more than its time budget (400)

An index that cannot be opened raises :class:`indexer.errors.IndexProblem` (503).
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class: its message is shown to the user as it is."""


# What each parameter accepts, in Chinese, for pages to show (the English ``reason`` stays in the API's ``message``).
PARAMETER_RULES_ZH = {
    "q": "检索词过长，请删减后再试",
    "scope": "检索范围只能是全文（all）或仅标题（title）",
    "sort": "排序只能是相关度（relevance）、最新（date_desc）或最早（date_asc）",
    "size": "每页条数须在 1 到 100 之间",
    "page": "页码须为正整数",
    "department": "单位筛选的取值过多或过长",
    "topic": "主题筛选的取值过多或过长",
    "issue": "期次筛选的取值过多或过长",
    "year": "年份须为四位数字（如 2022）或“年份不详”（unknown）",
    "date_from": "起始日期须为“年-月-日”格式的有效日期，如 2022-04-06",
    "date_to": "截止日期须为“年-月-日”格式的有效日期，如 2022-04-06",
    "within": "词语位置只能是全文（item）、同段（paragraph）或同句（sentence）",
    "validity": "效力筛选只能是已废止、已失效或未见废止",
    "cites": "引用文号须为完整文号，如 国办发〔2016〕82号",
}


class BadParameter(SearchError, ValueError):
    """A request parameter that cannot be used; names the parameter and says why."""

    code = "bad_parameter"

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason

    @property
    def message_zh(self) -> str:
        """The same problem said in Chinese: what the parameter accepts."""
        return PARAMETER_RULES_ZH.get(self.name, f"参数 {self.name} 的取值无法使用")


class ResultWindow(BadParameter):
    """A page beyond the results any page may reach: no backend is asked to sort that many."""

    code = "result_window"

    def __init__(self, window: int):
        super().__init__("page", f"page × size may not pass {window:,} results: narrow the search instead")
        self.window = window

    @property
    def message_zh(self) -> str:
        return f"结果只能翻到前 {self.window:,} 条，请加筛选条件或换用更具体的词缩小范围"


class QueryTooExpensive(SearchError):
    """The query needed more than its time budget."""

    message_zh = "这次检索超出了限定用时，请换用更具体的词或加筛选条件"
