"""Documents nobody labelled (issue 26): 公文 read by GB/T 9704's elements, pages by what they print.

Each failure class is checked on a real file of ../shared (realworld3 half A unless said; half B files only after
that half's held-out score was taken, see bench/ingest_labels.py), and on a small file written here where no real
file of the class is at hand.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from indexer.errors import Report
from indexer.ingest.enrich.units import read_attribution
from indexer.ingest.files import read_items
from tests.conftest import SHARED

RW3 = SHARED / "corpora" / "realworld3"
RW = SHARED / "corpora" / "realworld"


def _one(path: Path):
    report = Report(stream=io.StringIO())
    items = list(read_items([path], report))
    assert report.files_skipped == 0, report.problems
    [item] = items
    return item


def _read(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(read_items([path], Report(stream=io.StringIO())))


def _from_line(body: str, first: str) -> str:
    """The body from its line ``first`` on (an attachment cut out of its document, as if filed alone)."""
    lines = body.split("\n")
    return "\n".join(lines[lines.index(first):]) + "\n"


# ---- attachments: the label line (附件1, 附件2：, 附表2) is no title; the title under it is

@pytest.mark.parametrize("source, label, title", [
    (RW3 / "web_html" / "gz08_family_doctor_plan.html", "附件1", "广州市家庭医生签约服务质量监测指标体系（2023年版）"),
    (RW / "txt" / "pkulaw_CLI.12.1075244.txt", "附件2：", "自治区质量技术监督局各单位（部门）宣传报道申报单"),
    (RW3 / "web_html" / "gz18_internship_bases.html", "附表2", "广州市就业见习基地见习岗位需求信息表"),  # half B
])
def test_an_attachment_filed_alone_is_titled_by_the_line_under_its_label(tmp_path, source, label, title):
    body = _one(source).body
    [item] = _read(tmp_path, "attachment.txt", _from_line(body, label))
    assert item.title == title
    assert not item.body.startswith(label)


def test_a_tables_header_row_does_not_join_its_title(tmp_path):
    [item] = _read(tmp_path, "table.txt", "附表2\n2024年见习岗位需求信息表\n序号 单位名称 岗位 人数\n1 某某公司 文员 2\n")
    assert item.title == "2024年见习岗位需求信息表"


# ---- titles that swallow the next line

def test_a_first_section_heading_is_not_part_of_the_title(tmp_path):
    [item] = _read(tmp_path, "post.txt", "附件1\n区民政局科员职位说明书\n一、工作项目\n负责全区社会救助工作。\n")
    assert item.title == "区民政局科员职位说明书"


@pytest.mark.parametrize("head", [
    "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n国务院总理 李强\n",
    "政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上\n",
])
def test_a_reports_date_and_speaker_line(tmp_path, head):
    [item] = _read(tmp_path, "report.txt", head + "各位代表：\n现在，我代表国务院，向大会报告政府工作，请予审议。\n")
    assert (item.title, item.date, item.date_inferred) == ("政府工作报告", "2024-03-05", False)
    assert item.body.startswith("各位代表")


def test_a_masthead_line_of_unit_and_date_is_no_title(tmp_path):
    items = _read(tmp_path, "issue.txt", "民政工作简报\n第5期\n区民政局　　　2024年5月20日\n"
                                         "区民政局开展冬季救助 走访困难群众120户。（区民政局）\n"
                                         "街道开展敬老活动 慰问老人50名。（某某街道）\n")
    assert [i.title for i in items] == ["区民政局开展冬季救助", "街道开展敬老活动"]
    assert {i.date for i in items} == {"2024-05-20"}


# ---- the red masthead (发文机关标志) and 文号 are header; the title under them

def test_a_joint_red_masthead_is_no_title():
    item = _one(RW3 / "pdf" / "aegean_shandong_fire_safety_urgent_notice.pdf")
    assert item.title == ("山东省人民政府安全生产委员会山东省人民政府消防安全委员会"
                          "关于切实做好消防安全防控工作的紧急通知")
    assert item.departments == ["山东省人民政府安全生产委员会", "山东省人民政府消防安全委员会"]
    assert (item.doc_number, item.date, item.issue) == ("鲁安发〔2024〕1号", "2024-01-21", "")


def test_a_letter_spaced_masthead_and_a_full_width_date():  # half B
    item = _one(RW3 / "pdf" / "aegean_state_council_safety_office_2024_1.pdf")
    assert item.title.startswith("国务院安委会办公室关于印发《安全生产治本攻坚三年行动方案")
    assert item.title.endswith("》子方案的通知")
    assert item.date.startswith("2024-01-")


def test_a_signature_date_in_full_width_digits(tmp_path):
    [item] = _read(tmp_path, "notice.txt", "某某局关于做好安全工作的通知\n各科室：\n请做好安全工作。\n某某局\n２０２４年１月２３日\n")
    assert (item.date, item.departments) == ("2024-01-23", ["某某局"])


def test_a_decree_is_issued_by_the_organ_of_its_masthead():
    item = _one(RW3 / "web_html" / "gz33_elderly_preferential_decree.html")
    assert (item.title, item.departments, item.date) == ("广州市老年人优待办法", ["广州市人民政府"], "2021-01-29")


# ---- exports: a crawler's header lines

def test_a_crawler_export_header_gives_the_title_and_is_no_body():
    item = _one(RW3 / "txt" / "govspider_2004-07-13.txt")
    assert item.title == "2004年7月13日外交部发言人章启月在例行记者会上答记者问"
    assert (item.departments, item.date) == (["外交部"], "2004-07-13")  # the organ that speaks; the date on top
    assert not item.body.startswith(("title", "url", "author", "content"))


# ---- web pages: what they print

def test_a_page_whose_article_element_is_a_back_to_top_widget():
    item = _one(RW3 / "web_html" / "gz28_destitute_support.html")
    assert item.title == "广州市人民政府办公厅关于进一步加强特困人员救助供养工作的通知"
    assert item.body.startswith("各区人民政府，市政府各部门")
    assert item.body.count("各区人民政府，市政府各部门") == 1  # the page's hidden copy is not read
    assert item.date == "2021-04-13"


def test_a_page_without_meta_tags_or_charset_whose_title_names_the_site_first():  # half B
    item = _one(RW3 / "web_html" / "kaili_gov_news.html")
    assert item.title == "凯里市教育系统2024年公开招聘事业单位工作人员实施方案"
    assert item.departments == ["凯里市人力资源和社会保障局"]  # the 来源 printed under the heading, not a sidebar
    assert item.date == "2024-06-27"


@pytest.mark.parametrize("title, expected", [
    ("国务院关于印发某某规划的通知_政策_中国政府网", "国务院关于印发某某规划的通知"),
    ("青少年科普活动周启动-中国科普网", "青少年科普活动周启动"),
    ("某某县人民政府-关于做好防汛工作的通知", "关于做好防汛工作的通知"),
])
def test_a_page_title_without_its_site_part(tmp_path, title, expected):
    page = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><div class='nav'>首页</div>"
            "<div><p>各有关单位：</p><p>为做好有关工作，现将有关事项通知如下，请认真贯彻执行。</p></div></body></html>")
    [item] = _read(tmp_path, "page.html", page)
    assert item.title == expected


def test_a_page_with_article_title_and_a_closing_attribution_keeps_its_title(tmp_path):
    page = ("<html><head><meta charset='utf-8'><meta name='ArticleTitle' content='区统计局发布一季度经济数据'></head>"
            "<body><div id='zoom'><p>一季度全区生产总值增长5.2%，增速高于全市平均水平。</p>"
            "<p>规模以上工业增加值增长6.1%。（区统计局）</p></div></body></html>")
    [item] = _read(tmp_path, "page.html", page)
    assert (item.title, item.departments) == ("区统计局发布一季度经济数据", ["区统计局"])


@pytest.mark.parametrize("name, printed, page_made", [
    ("gz24_pension_certification_notice.html", "2025-03-27", "2025-03-31"),
    ("jx_art_4969_1521877.html", "2020-03-03", "2020-03-04"),
    ("lishui_detail.html", "2023-10-16", "2023-10-23"),
])
def test_the_date_a_page_prints_before_the_time_it_was_made(name, printed, page_made):
    assert _one(RW3 / "web_html" / name).date == printed


def test_a_page_titled_with_what_its_document_issues_takes_the_printed_title():
    item = _one(RW3 / "web_html" / "gz17_tianhe_hkmacao_youth.html")
    assert item.title.endswith("中共广州市天河区委统战部关于印发广州市天河区深化支持港澳青年创新创业高质量发展实施办法的通知")
    assert len(item.departments) == 3


def test_a_single_document_is_no_issue_and_the_site_is_no_unit():
    item = _one(RW3 / "web_html" / "gz05_tianhe_kindergarten_2026.html")
    assert item.issue == "" and item.extra["columnname"] == "招生考试"
    assert "广州市天河区人民政府门户网站" not in item.departments


def test_a_law_database_named_as_source_is_no_unit():  # half B
    item = _one(RW3 / "web_html" / "gz37_market_entity_regulation.html")
    assert (item.departments, item.date) == (["国务院"], "2021-07-27")  # its promulgation note (国务院令第746号)


# ---- units by the document's kind

def test_an_attribution_alone_on_the_last_line(tmp_path):
    [item] = _read(tmp_path, "stats.txt", "某市一季度经济运行情况\n全市生产总值增长5%。\n工业增加值增长6%，消费稳步回升。\n"
                                          "投资增长4%。\n（某市统计局）\n")
    assert item.departments == ["某市统计局"]


def test_a_statistical_bulletins_organs_and_cover_date(tmp_path):
    [item] = _read(tmp_path, "bulletin.txt", "2022年某市国民经济和社会发展统计公报\n某市统计局\n国家统计局某市调查队\n"
                                             "二〇二三年三月\n全年全市地区生产总值增长5%。\n")
    assert item.departments == ["某市统计局", "国家统计局某市调查队"]
    assert (item.year, item.date_inferred) == (2023, False)  # the cover date, not the year in the title


def test_a_signature_followed_by_an_attached_name_list(tmp_path):
    [item] = _read(tmp_path, "list.txt", "关于表彰2023年度先进集体的决定\n各街道、各部门：\n经研究，决定表彰以下先进集体。\n"
                                         "区人民政府\n2024年1月10日\n附件\n2023年度先进集体名单\n区民政局\n区财政局\n")
    assert (item.departments, item.date) == (["区人民政府"], "2024-01-10")


@pytest.mark.parametrize("fragment", ["受市人民政府委托", "受区政府委托"])
def test_a_fragment_of_a_sentence_is_no_unit(fragment):
    assert read_attribution(fragment) is None


# ---- years only from the document's own date expressions

def test_no_year_from_numbers_that_are_not_the_documents_dates(tmp_path):
    item = _one(RW3 / "web_html" / "gz05_tianhe_kindergarten_2026.html")
    undated = "\n".join(line for line in item.body.split("\n") if line != "2026年4月20日")  # its 落款 date
    assert "2022年9月1日至2023年8月31日期间出生" in undated  # a birth-date limit stays in the text
    [copy] = _read(tmp_path, "undated.txt", item.title + "\n" + undated + "\n")
    assert (copy.date, copy.year) == (None, None)


@pytest.mark.parametrize("sentence", ["应聘人员须为1980年1月及以后出生。", "本办法有效期至2028年12月31日。",
                                      "填表日期：2023年 月 日", "2015年以来救助工作成效明显。"])
def test_birth_limits_validity_periods_and_sample_forms_give_no_year(tmp_path, sentence):
    [item] = _read(tmp_path, "notice.txt", f"关于招聘工作人员的公告\n{sentence}\n请有关人员按时报名。\n")
    assert item.year is None


def test_an_inferred_year_stays_marked_inferred(tmp_path):
    [item] = _read(tmp_path, "notice.txt", "区民政局关于做好救助工作的通知\n区民发〔2021〕5号\n各街道：\n请做好救助工作。\n")
    assert (item.date, item.year, item.date_inferred) == (None, 2021, True)
