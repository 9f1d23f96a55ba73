"""Reading real archives: issue mastheads, stated dates, web pages, attributions, documents.

Each rule is checked on a small file written here; the gov.cn pages of ../shared check the same rules on real data.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from indexer.errors import Report
from indexer.ingest.enrich.units import read_attribution
from indexer.ingest.files import read_items
from indexer.ingest.split.document import read_document
from tests.conftest import SHARED


def _read(tmp_path: Path, name: str, text: str | bytes) -> list:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return list(read_items([path], Report(stream=io.StringIO())))


ISSUE = """政务信息
第14期（总第123期）
区政府办公室编                 2023年5月6日
签发：王明  审核：李华
区科技局召开创新大会 会议部署全年工作，全区企业代表参加。（区科技局）
区教育局开展安全教育周活动 活动覆盖全区中小学，参与师生两万余人。（区教育局）
报：市政府办公室
送：区委办公室
发：各街道、各部门
"""


def test_masthead_is_the_issue_not_an_item(tmp_path):
    items = _read(tmp_path, "issue.txt", ISSUE)
    assert [i.title for i in items] == ["区科技局召开创新大会", "区教育局开展安全教育周活动"]
    assert {i.issue for i in items} == {"政务信息 2023年第14期"}
    assert {(i.date, i.date_inferred) for i in items} == {("2023-05-06", False)}
    assert items[0].extra["issue_number"] == "14" and items[0].extra["issue_total"] == "123"
    assert items[0].extra["editor"] == "区政府办公室"
    assert not any("报：" in i.body or "签发" in i.body for i in items)


@pytest.mark.parametrize("written, iso", [
    ("2017年2月8日", "2017-02-08"),
    ("二〇一七年二月八日", "2017-02-08"),
    ("二○一二年一月九日", "2012-01-09"),
    ("二〇〇四年四月二十七日", "2004-04-27"),
    ("2017-02-08", "2017-02-08"),
    ("2017.2.8", "2017-02-08"),
    ("2017/02/08", "2017-02-08"),
])
def test_the_date_of_a_documents_signature(tmp_path, written, iso):
    text = (f"区民政局关于做好2016年冬季救助工作的通知\n各街道办事处：\n2015年以来救助工作成效明显，现通知如下。\n"
            f"区民政局\n{written}\n附件：2014年救助名单\n")
    [item] = _read(tmp_path, "notice.txt", text)
    assert (item.title, item.departments, item.date, item.date_inferred) == (
        "区民政局关于做好2016年冬季救助工作的通知", ["区民政局"], iso, False)


def test_a_metadata_date_wins_and_a_guessed_year_is_marked(tmp_path):
    text = "区民政局关于做好冬季救助工作的通知\n各街道办事处：\n2015年以来救助工作成效明显，现通知如下。\n区民政局\n2016年1月5日\n"
    (tmp_path / "notice.meta.json").write_text('{"date": "2016-01-20"}', encoding="utf-8")
    [item] = _read(tmp_path, "notice.txt", text)
    assert (item.date, item.date_inferred) == ("2016-01-20", False)
    [guess] = _read(tmp_path, "undated.txt", "区民政局关于做好冬季救助工作的通知\n区民发〔2015〕3号\n各街道办事处：\n"
                                             "2014年以来救助工作成效明显。\n")
    assert (guess.date, guess.year, guess.date_inferred) == (None, 2015, True)  # the 文号's year, not 2014年以来
    [undated] = _read(tmp_path, "undated.txt", "区民政局关于做好冬季救助工作的通知\n各街道办事处：\n2015年以来救助工作成效明显。\n")
    assert (undated.date, undated.year) == (None, None)  # a number followed by 年 is not the document's date


@pytest.mark.parametrize("attribution, units, reporters", [
    ("区委宣传部", ["区委宣传部"], []),
    ("区委宣传部 区文明办", ["区委宣传部", "区文明办"], []),
    ("区委宣传部、区文明办", ["区委宣传部", "区文明办"], []),
    ("市应急局：孙洪", ["市应急局"], ["孙洪"]),
    ("市应急局:孙洪 李明", ["市应急局"], ["孙洪", "李明"]),
    ("区委宣传部 许翰文 孙月红", ["区委宣传部"], ["许翰文", "孙月红"]),
    ("据区统计局", ["区统计局"], []),
    ("区12345热线办", ["区12345热线办"], []),
])
def test_attributions_as_offices_write_them(attribution, units, reporters):
    found = read_attribution(attribution)
    assert found is not None and (found.units, found.reporters) == (units, reporters)


@pytest.mark.parametrize("remark", ["试行", "商务部负责", "发展改革委、扶贫办、商务部等按职责分工负责", "许翰文 孙月红", "2022年"])
def test_remarks_in_parentheses_are_not_units(remark):
    assert read_attribution(remark) is None


def test_closing_attributions_in_an_issue(tmp_path):
    text = ("应急演练进社区 市应急局组织社区开展消防演练，居民踊跃参加。(市应急局:孙洪)\n"
            "统计数据显示经济稳中向好 一季度全区经济运行平稳。（据区统计局）。\n"
            "热线办件满意率提升 群众诉求办结率达到98%。（区12345热线办 许翰文 孙月红）\n")
    items = _read(tmp_path, "issue.txt", text)
    assert [(i.title, i.departments, i.reporters) for i in items] == [
        ("应急演练进社区", ["市应急局"], ["孙洪"]),
        ("统计数据显示经济稳中向好", ["区统计局"], []),
        ("热线办件满意率提升", ["区12345热线办"], ["许翰文", "孙月红"]),
    ]
    assert items[2].body.endswith("（区12345热线办 许翰文 孙月红）")  # spaces between names kept


def test_an_unrecognised_ending_stays_with_its_own_item(tmp_path):
    text = ("区科技局召开创新大会 会议部署全年工作。\n（稿件来源不详）\n"
            "区教育局开展安全教育周活动 活动覆盖全区中小学。（区教育局）\n"
            "区民政局开展冬季救助 救助困难群众一千余人。（区民政局）\n")
    items = _read(tmp_path, "issue.txt", text)
    assert [i.title for i in items] == ["区科技局召开创新大会", "区教育局开展安全教育周活动", "区民政局开展冬季救助"]
    assert items[0].body.endswith("（稿件来源不详）")


def test_task_notes_and_trial_marks_keep_a_document_whole(tmp_path):
    text = ("国务院办公厅关于促进消费的指导意见（试行）\n国办发〔2018〕129号\n各省、自治区、直辖市人民政府：\n"
            "一、拓宽渠道。推动各地开展对接。（商务部负责）\n二、优化服务。完善流通体系。（发展改革委、财政部负责）\n"
            "国务院办公厅\n2018年12月30日\n")
    [item] = _read(tmp_path, "guide.txt", text)
    assert (item.title, item.doc_number, item.departments, item.date) == (
        "国务院办公厅关于促进消费的指导意见（试行）", "国办发〔2018〕129号", ["国务院办公厅"], "2018-12-30")


GOV_PAGE = """<html><head><meta charset="utf-8"><title>首页_某某门户</title></head><body>
<div class="crumb">首页 > 政务公开 > 政策文件</div>
<table><tr><td>索 引 号：</td><td>000014349/2018-00129</td><td>主题分类：</td><td>科技、教育\\教育</td></tr>
<tr><td>发文机关：</td><td>区教育局</td><td>成文日期：</td><td>2018年12月20日</td></tr>
<tr><td>标　　题：</td><td colspan="3">区教育局关于做好寒假安全工作的通知</td></tr>
<tr><td>发文字号：</td><td>区教发〔2018〕12号</td><td>发布日期：</td><td>2018年12月28日</td></tr></table>
<div id="UCAP-CONTENT"><p>区教育局关于做好寒假</p><p>安全工作的通知</p><p>区教发〔2018〕12号</p>
<p>各中小学：</p><p>寒假将至，现就安全工作通知如下。（一）加强教育。（二）落实责任。</p>
<p>区教育局</p><p>2018年12月20日</p></div>
<div>扫一扫在手机打开当前页</div></body></html>"""


def test_a_government_page_is_one_item_with_its_stated_facts(tmp_path):
    [item] = _read(tmp_path, "page.html", GOV_PAGE)
    assert item.title == "区教育局关于做好寒假安全工作的通知"
    assert (item.departments, item.date, item.doc_number) == (["区教育局"], "2018-12-20", "区教发〔2018〕12号")
    assert item.topics == ["科技、教育\\教育"]
    assert item.body.startswith("各中小学：")
    assert not any(s in item.body for s in ("索引号", "扫一扫", "首页", "〔2018〕12号"))


def test_text_saved_from_a_web_page(tmp_path):
    text = ("当前位置：首页 > 工作动态\n区统计局发布一季度经济运行情况\n来源：区统计局  发布时间：2022-05-05 10:30  浏览次数：35\n"
            "一季度，全区经济运行总体平稳，主要指标好于预期。\n规上工业增加值增长6%。\n扫一扫在手机打开当前页\n")
    [item] = _read(tmp_path, "page.txt", text)
    assert (item.title, item.departments, item.date, item.date_inferred) == (
        "区统计局发布一季度经济运行情况", ["区统计局"], "2022-05-05", False)
    assert item.body == "一季度，全区经济运行总体平稳，主要指标好于预期。\n规上工业增加值增长6%。"


REAL = SHARED / "corpora" / "realworld"


@pytest.mark.parametrize("name, title, units, date, doc_number", [
    ("govcn_content_5345294.html", "国务院办公厅关于山西、安徽省四起特大煤矿瓦斯爆炸事故调查处理情况的通报", ["国务院办公厅"],
     "2004-01-16", "国办发〔2004〕7号"),
    ("govcn_content_5351624.html", "国务院办公厅关于同意以哈尔滨市名义申办2009年第二十四届世界大学生冬季运动会的复函",
     ["国务院办公厅"], "2004-04-27", "国办函〔2004〕36号"),
    ("govcn_content_5357723.html", "国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见", ["国务院办公厅"],
     "2018-12-30", "国办发〔2018〕129号"),
    ("govcn_content_5351713.html", "国务院办公厅转发国家地震局关于我国地震重点监视防御区的确定和加强防震减灾工作意见报告的通知",
     ["国务院办公厅"], "1996-02-05", "国办发〔1996〕2号"),
])
def test_real_govcn_pages(name, title, units, date, doc_number):
    items = list(read_items([REAL / "web_html" / name], Report(stream=io.StringIO())))
    assert [(i.title, i.departments, i.date, i.doc_number) for i in items] == [(title, units, date, doc_number)]
    assert items[0].topics  # the page states its 主题分类


def test_real_law_database_export():
    [item] = read_items([REAL / "txt" / "pkulaw_CLI.12.748997.txt"], Report(stream=io.StringIO()))
    assert item.title == "新余市人民政府办公室关于印发《新余市新余市绿色建筑管理办法》的通知"
    assert (item.departments, item.date, item.doc_number) == (["新余市人民政府办公室"], "2012-01-09", "余府发〔2012〕3号")
    assert "法宝引证码" not in item.body and "第二十九条" in item.body


def test_the_same_item_from_several_files_is_kept_once(tmp_path):
    text = "区科技局召开创新大会 会议部署全年工作。（区科技局）\n区教育局开展安全教育周活动 活动覆盖全区中小学。（区教育局）\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "b_gbk.txt").write_bytes(text.replace("2", "２").encode("gb18030"))
    (tmp_path / "c.txt").write_bytes("区民政局开展冬季救助 救助困难群众。（区民政局）\n".encode())
    items = list(read_items([tmp_path], Report(stream=io.StringIO())))
    assert [(i.title, i.duplicates) for i in items] == [
        ("区科技局召开创新大会", ["b_gbk.txt"]), ("区教育局开展安全教育周活动", ["b_gbk.txt"]), ("区民政局开展冬季救助", [])]


def test_a_restricted_copy_of_a_public_item_stays_its_own_item(tmp_path):
    text = "区科技局召开创新大会 会议部署全年工作。（区科技局）\n区教育局开展安全教育周活动 活动覆盖全区中小学。（区教育局）\n"
    (tmp_path / "public.txt").write_text(text, encoding="utf-8")
    (tmp_path / "internal").mkdir()
    (tmp_path / "internal" / "copy.txt").write_text(text, encoding="utf-8")
    (tmp_path / "internal" / "_access.json").write_text('{"access": ["leaders"]}', encoding="utf-8")
    items = list(read_items([tmp_path], Report(stream=io.StringIO())))
    assert sorted((i.title, tuple(i.access), tuple(i.duplicates)) for i in items) == [
        ("区教育局开展安全教育周活动", ("leaders",), ()), ("区教育局开展安全教育周活动", ("public",), ()),
        ("区科技局召开创新大会", ("leaders",), ()), ("区科技局召开创新大会", ("public",), ())]


def test_a_document_title_ends_with_its_kind_before_the_addressees():
    text = ("国家发展改革委办公厅\n税务总局办公厅\n发改办财金〔2019〕860号\n关于加强个人所得税纳税信用\n建设的通知\n"
            "各省、自治区、直辖市社会信用体系建设牵头\n部门，国家税务总局各省税务局：\n为贯彻落实个人所得税法，现就有关事项通知如下。\n"
            "国家发展改革委办公厅\n税务总局办公厅\n2019年8月20日")
    doc = read_document(text)
    assert doc.title == "关于加强个人所得税纳税信用建设的通知"
    assert doc.body.startswith("各省、自治区")


REPLY = ("某某县卫生局文件\n某卫发〔2011〕76号\n关于同意李四同志辞职的批复\n县中医院：\n你院请示收悉。经研究，同意李四同志辞职。\n"
         "{signed}\n2011年3月10日\n某某县卫生局办公室　2011年3月10日印发\n")


@pytest.mark.parametrize("signed, units", [
    ("某某县卫生局办公室", ["某某县卫生局"]),  # the masthead unit's own office (its 印发机关) stands for that unit
    ("某某县卫生局", ["某某县卫生局"]),
    ("某某县人民政府", ["某某县人民政府"]),  # another unit signing keeps its name
])
def test_the_issuer_of_a_document_under_a_masthead(tmp_path, signed, units):
    [item] = _read(tmp_path, "reply.txt", REPLY.format(signed=signed))
    assert (item.title, item.departments, item.doc_number) == ("关于同意李四同志辞职的批复", units, "某卫发〔2011〕76号")


@pytest.mark.parametrize("masthead, number, units", [
    ("特急路桥区卫生局", "路卫发〔2011〕76号", ["路桥区卫生局"]),  # a mark printed on the masthead's line
    ("测试符路桥区卫生局", "路卫发〔2011〕76号", ["路桥区卫生局"]),  # (ofd/n.ofd)
    ("台州市路桥区卫生局", "路卫发〔2011〕76号", ["台州市路桥区卫生局"]),  # a higher place is part of the name
    ("中共路桥区委", "路委发〔2011〕76号", ["中共路桥区委"]),
    ("国家税务总局北京市税务局", "京税发〔2011〕76号", ["国家税务总局北京市税务局"]),  # an organ, then its place
    ("测试符路桥区卫生局", "路教发〔2011〕76号", ["测试符路桥区卫生局"]),  # 路教 does not abbreviate 路桥区卫生局
])
def test_the_issuer_starts_where_its_doc_number_code_does(tmp_path, masthead, number, units):
    """The 文号's 机关代字 (路卫发: 路桥区卫生局) tells where the issuer's name begins, unless a place, an organ or a
    party prefix stands before it."""
    text = (f"{masthead}文件\n{number}\n关于同意李四同志辞职的批复\n区中医院：\n你院请示收悉。经研究，同意李四同志辞职。\n"
            f"{masthead}办公室\n2011年3月10日\n")
    [item] = _read(tmp_path, "reply.txt", text)
    assert (item.title, item.departments, item.doc_number) == ("关于同意李四同志辞职的批复", units, number)


def test_a_unit_name_with_bidi_controls_is_the_same_facet_value(tmp_path):
    page = ("<html><head><meta charset='utf-8'><meta name='ContentSource' content='\u202e区教育局\u202c'></head>"
            "<body><div id='zoom'><h1>区教育局召开安全工作会议</h1><p>会议部署全年工作。</p></div></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (tmp_path / "issue.txt").write_text("区教育局开展安全教育周活动 活动覆盖全区中小学。（区教育局）\n", encoding="utf-8")
    items = list(read_items([tmp_path], Report(stream=io.StringIO())))
    assert [i.departments for i in items] == [["区教育局"], ["区教育局"]]


@pytest.mark.parametrize("label_line, unit", [
    ("预算主管部门：某某区文化和旅游局", "某某区文化和旅游局"),
    ("预算单位：某某区文化和旅游局", "某某区文化和旅游局"),
    ("编制单位：某某区文化和旅游局      单位：万元", "某某区文化和旅游局"),
    ("编制部门：某某区文化和旅游局单位：元", "某某区文化和旅游局"),
    ("单位名称：某某区文化和旅游局 填报日期：2025年1月", "某某区文化和旅游局"),
    ("填报单位：（盖章）", None),
])
def test_a_label_line_names_the_unit_of_a_budget_book_or_form(tmp_path, label_line, unit):
    text = (f"某某区2026年区级部门预算\n{label_line}\n目录\n一、部门主要职能\n二、部门预算编制说明\n"
            "部门主要职能\n负责全区文化和旅游工作，拟订文化和旅游发展规划并组织实施。\n")
    [item] = _read(tmp_path, "budget.txt", text)
    assert item.departments == ([unit] if unit else [])
