"""Highlights: terms (in search form) marked in display text as printed, everything else escaped."""

from __future__ import annotations

import pytest

from indexer.normalize import search_form
from search import highlight

TABLE = [
    # display text, query terms as typed, marked HTML
    ("区教育局扎实做好校园欺凌防治工作", ["校园欺凌"], "区教育局扎实做好<mark>校园欺凌</mark>防治工作"),
    ("２０２２年城镇新增就业", ["2022年"], "<mark>２０２２年</mark>城镇新增就业"),
    ("G20杭州峰会与ｇ２０", ["g20"], "<mark>G20</mark>杭州峰会与<mark>ｇ２０</mark>"),
    ("中办 国办印发通知", ["中办国办"], "<mark>中办 国办</mark>印发通知"),
    ("项目 23个，项目\n3个", ["项目"], "<mark>项目</mark> 23个，<mark>项目</mark>\n3个"),
    ("首席服务官制度", ["首席", "服务官"], "<mark>首席服务官</mark>制度"),  # adjacent terms merge
    ("abcabc", ["bca"], "a<mark>bca</mark>bc"),
    ("<b>区财政局</b> & 预算", ["区财政局"], "&lt;b&gt;<mark>区财政局</mark>&lt;/b&gt; &amp; 预算"),
    ("<script>alert(1)</script>", ["<script>"], "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;"),
    ("第5期和第6期", ["第5期"], "<mark>第5期</mark>和第6期"),
    ("𠀀中文字符", ["𠀀中"], "<mark>𠀀中</mark>文字符"),  # beyond the basic plane
    ("没有命中", ["欺凌"], "没有命中"),
]


@pytest.mark.parametrize("text, typed, expected", TABLE)
def test_terms_are_marked_as_printed(text, typed, expected):
    assert highlight.highlight(text, [search_form(t) for t in typed]) == expected


def test_spans_are_display_offsets():
    text = "一 二三\n四五"
    assert highlight.spans(text, [search_form("二三四")]) == [(2, 6)]
