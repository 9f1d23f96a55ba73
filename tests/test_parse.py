"""Splitting issues into items: the seed bulletins and hand-made hard cases."""

from __future__ import annotations

import re

import pytest

from indexer.ingest.split.split import split_issue
from tests.conftest import CORPUS

SEED_000 = [
    ("区先进制造业开发区“三个聚焦”强化招商引资实效", ["区先进制造业开发区"]),
    ("我区探索设立重点项目“首席服务官”", ["工业路街道"]),
    ("区委编办深入清理规范议事协调机构", ["区委编办"]),
    ("区教育局扎实做好校园欺凌防治工作", ["区教育局"]),
    ("区公安局做实暑期未成年人防溺亡工作", ["区公安局"]),
    ("区司法局积极优化法律服务供给", ["区司法局"]),
    ("区不动产登记中心打好“助企减负”组合拳", ["区自然资源局"]),
    ("区审计局开展多维度法治学习宣传活动", ["区审计局"]),
    ("区残联优化残疾人证办理服务工作", ["区残联"]),
]
SEED_004 = [
    ("卯足干劲砥砺奋进全力确保一季度实现“开门红", ["区发改委"]),
    ("小小无人机织密大气污染治理防护网", ["通航试验区管委会"]),
    ("区教育局完善“三查”机制筑牢校园疫情防线", ["区教育局"]),
    ("区城管局扎实做好汛前市政隐患排查工作", ["区城管局"]),
    ("", ["区人社局"]),
]


def _by_source(items, stem):
    return [i for i in items if i.source.startswith(stem)]


def test_seeds_give_fourteen_items(seed_items):
    assert len(seed_items) == 14


@pytest.mark.parametrize("stem, expected", [("000_", SEED_000), ("004_", SEED_004)])
def test_seed_titles_and_units(seed_items, stem, expected):
    items = _by_source(seed_items, stem)
    assert [(i.title, i.departments) for i in items] == expected
    assert [i.position for i in items] == list(range(1, len(expected) + 1))


def test_attribution_decides_the_unit_not_the_title(seed_items):
    item = next(i for i in seed_items if i.title.startswith("区不动产登记中心"))
    assert item.attribution == "区自然资源局"
    assert item.departments == ["区自然资源局"]


def test_bodies_have_no_pdf_line_breaks_or_stray_spaces(seed_items):
    for item in _by_source(seed_items, "000_"):
        assert "\n" not in item.body, item.title
        assert not re.search(r"[\u4e00-\u9fff] +[\d\u4e00-\u9fff%]|\d +[\u4e00-\u9fff%]", item.body), item.body
    first = seed_items[0]
    assert "对接洽谈项目23个，引进落地项目3个" in first.body
    assert "“首席服务官”，打破固定服务时间" in seed_items[1].body


def test_real_paragraph_breaks_are_kept(seed_items):
    item = next(i for i in seed_items if i.title.startswith("卯足干劲"))
    paragraphs = item.body.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[1].startswith("一是抓投资增长") and paragraphs[3].startswith("三是抓企业服务")


def test_short_item_without_title(seed_items):
    item = _by_source(seed_items, "004_")[-1]
    assert item.title == ""
    assert item.body.startswith("△一季度，全区实现城镇新增就业870人")


def test_years(seed_items):
    assert {i.year for i in _by_source(seed_items, "004_")} == {2022}
    assert all(i.year_inferred and i.date is None for i in _by_source(seed_items, "004_"))
    assert {i.year for i in _by_source(seed_items, "000_")} == {None}


@pytest.mark.parametrize("title_start, topic", [
    ("区教育局扎实做好校园欺凌", "科技、教育\\教育"),
    ("区司法局积极优化法律服务", "公安、安全、司法\\司法"),
    ("", "劳动、人事、监察\\劳动就业"),
    ("小小无人机织密大气污染", "城乡建设、环境保护\\环境监测、保护与治理"),
    ("区残联优化残疾人证", "民政、扶贫、救灾\\社会福利"),
    ("区审计局开展多维度", "财政、金融、审计\\审计"),
    ("区不动产登记中心", "国土资源、能源\\土地"),
    ("区城管局扎实做好汛前", "城乡建设、环境保护\\城乡建设（含住房）"),
])
def test_topics_a_civil_servant_would_agree_with(seed_items, title_start, topic):
    item = next(i for i in seed_items if i.title.startswith(title_start) and (title_start or not i.title))
    assert topic in item.topics


def test_no_source_text_is_lost(seed_items):
    for path in sorted(CORPUS.glob("*.txt")):
        source = re.sub(r"\s", "", path.read_text(encoding="utf-8"))
        items = _by_source(seed_items, path.stem)
        got = re.sub(r"\s", "", "".join(i.title + i.body for i in items))
        assert got == source, path.name


CASES = {
    "title broken over two lines": (
        "全力推进重点项目\n\n建设提速增效\n今年以来，全区新开工项目12个。（区发改委）",
        [("全力推进重点项目建设提速增效", "今年以来，全区新开工项目12个。（区发改委）", ["区发改委"])],
    ),
    "title running into the body": (
        "我区探索设立“首席服务官” 一是选派业务骨干。二是上门服务。（工业路街道）",
        [("我区探索设立“首席服务官”", "一是选派业务骨干。二是上门服务。（工业路街道）", ["工业路街道"])],
    ),
    "title running into the body with no space (OCR, PDF)": (
        "区残联优化残疾人证办理服务工作一是完善机制。二是加大宣传。（区残联）\n"
        "小小无人机织密大气污染治理防护网近日，管委会达成合作协议。（通航试验区管委会）\n"
        "上街区教育局近日，开展安全教育。（区教育局）",
        [("区残联优化残疾人证办理服务工作", "一是完善机制。二是加大宣传。（区残联）", ["区残联"]),
         ("小小无人机织密大气污染治理防护网", "近日，管委会达成合作协议。（通航试验区管委会）", ["通航试验区管委会"]),
         ("", "上街区教育局近日，开展安全教育。（区教育局）", ["区教育局"])],
    ),
    "a gap OCR read as a quote mark between title and body": (
        "区卫健委筑牢院感防控防线“今年以来，区卫健委开展院感核查。（区卫健委）",
        [("区卫健委筑牢院感防控防线", "“今年以来，区卫健委开展院感核查。（区卫健委）", ["区卫健委"])],
    ),
    "two units": (
        "区文明办开展志愿服务活动 近日，开展活动5次。（区委宣传部 区文明办）",
        [("区文明办开展志愿服务活动", "近日，开展活动5次。（区委宣传部 区文明办）", ["区委宣传部", "区文明办"])],
    ),
    "units separated by 、": (
        "联合开展执法检查 检查商户30家。（区市场监督管理局、区城市管理局）",
        [("联合开展执法检查", "检查商户30家。（区市场监督管理局、区城市管理局）", ["区市场监督管理局", "区城市管理局"])],
    ),
    "no unit, then a titled item": (
        "区科技局举办创新大赛 共有20家企业参赛。\n区财政局完善预算管理 一是细化预算。（区财政局）",
        [("区科技局举办创新大赛", "共有20家企业参赛。", []),
         ("区财政局完善预算管理", "一是细化预算。（区财政局）", ["区财政局"])],
    ),
    "bullet items without titles": (
        "△全区新增市场主体1200户。（区市场监管局）\n△全区完成植树3万株。（区自然资源局）",
        [("", "△全区新增市场主体1200户。（区市场监管局）", ["区市场监管局"]),
         ("", "△全区完成植树3万株。（区自然资源局）", ["区自然资源局"])],
    ),
    "a parenthesis that is not a unit": (
        "区统计局发布季度数据 地区生产总值增长5%（同比）。全年目标（草案）已报送。（区统计局）",
        [("区统计局发布季度数据", "地区生产总值增长5%（同比）。全年目标（草案）已报送。（区统计局）", ["区统计局"])],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hard_cases(name):
    text, expected = CASES[name]
    assert [(d.title, d.body, d.units) for d in split_issue(text).items] == expected


def test_pdf_wrapped_lines_are_joined():
    lines = [
        "区科技局扎实推进科技型企业培育 一是强化政",
        "策引导。落实研发费用加计扣除等政策，引导企业加大研发投入，",
        "累计培育科技型中小企业 45家，高新技术企业 12家，技术合同",
        "成交额 3.2亿元，同比增长 15%。二是搭建服务平台，推动产学研",
        "合作，组织企业与高校院所对接活动 8场，签约合作项目 6个。三",
        "是优化创新生态，举办创新创业大赛，营造良好氛围。（区科技局）",
    ]
    drafts = split_issue("\n\n".join(lines)).items
    assert len(drafts) == 1
    assert drafts[0].title == "区科技局扎实推进科技型企业培育"
    assert drafts[0].body.startswith("一是强化政策引导。")
    assert "科技型中小企业45家，高新技术企业12家" in drafts[0].body
    assert "同比增长15%。二是" in drafts[0].body and "\n" not in drafts[0].body


def test_masthead_and_footer_are_not_items():
    text = "政务信息\n第5期\n区政府办公室编印    2022年4月6日\n区科技局召开创新大会 会议部署全年工作。（区科技局）\n报：市政府办公室\n送：区委办公室"
    parsed = split_issue(text)
    assert [d.title for d in parsed.items] == ["区科技局召开创新大会"]
    assert parsed.masthead[:2] == ["政务信息", "第5期"]
    assert parsed.footer == ["报：市政府办公室", "送：区委办公室"]
