"""Topic rule mechanics on small texts: title weight, margin over the runner-up, name words, keyword weights."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bench.topics import labelled_pages, score
from indexer.ingest.enrich.topics import TopicRules, default_rules, taxonomy
from tests.conftest import SHARED

EDU, HEALTH = "科技、教育\\教育", "卫生、体育\\卫生"


def _rules(tmp_path: Path, text: str) -> TopicRules:
    path = tmp_path / "rules.tsv"
    path.write_text(text, encoding="utf-8")
    return TopicRules.load(path, taxonomy())


def test_no_topic_when_two_top_levels_are_close():
    assert default_rules().assign("学校与医院开展合作", "", []) == []


def test_a_title_word_outweighs_several_body_words():
    body = "会议在区财政局召开，财政、预算、税收部门参加。"
    assert default_rules().assign("稳就业工作推进会召开", body, []) == ["劳动、人事、监察\\劳动就业"]


def test_one_topic_when_it_leads_clearly():
    assert default_rules().assign("区教育局开展校园安全检查", "检查学校消防安全隐患。", []) == [EDU]


def test_the_taxonomy_names_are_keywords_without_rules(tmp_path):
    rules = _rules(tmp_path, "# no rules\n")
    assert rules.assign("加强水利工程管理", "", []) == ["农业、林业、水利\\水利"]
    assert rules.assign("加强工程管理", "", []) == []


def test_keyword_weights_and_a_zero_weight_taking_a_name_word_back(tmp_path):
    rules = _rules(tmp_path, f"{EDU}\t校园*3\n{HEALTH}\t医院\n农业、林业、水利\\水利\t水利*0\n农业、林业、水利\t水利*0\n")
    assert rules.assign("校园与医院", "", []) == [EDU]
    assert rules.assign("加强水利工程管理", "", []) == []


def test_a_word_of_weight_zero_is_read_whole(tmp_path):
    """人民政府*0 keeps the name word 民政 from being found inside 人民政府."""
    assert _rules(tmp_path, "# no rules\n").assign("区人民政府召开常务会议", "", []) == ["民政、扶贫、救灾"]
    assert _rules(tmp_path, "民政、扶贫、救灾\t人民政府*0\n").assign("区人民政府召开常务会议", "", []) == []
    assert default_rules().assign("区人民政府召开常务会议", "", []) == []
    assert default_rules().assign("区民政局开展困难群众走访", "", []) == ["民政、扶贫、救灾\\社会福利"]


def test_a_long_body_naming_another_area_does_not_outweigh_the_title():
    title, body = "稳就业工作推进会召开", "会上，财政、税务、审计、银行、证券、保险、外汇、预算、贷款、融资各方面负责人发言。" * 2
    rules = default_rules()
    uncapped = rules.with_scoring(dataclasses.replace(rules.scoring, body_top_cap=1e9))
    assert [t.partition("\\")[0] for t in uncapped.assign(title, body, [])] == ["财政、金融、审计"]
    assert rules.assign(title, body, []) == ["劳动、人事、监察\\劳动就业"]


def test_real_govcn_pages_with_their_stated_topic_blanked():
    """Each half of the gov.cn pages (alternate files): the right top level for 75%, 90% of those given right."""
    pages = labelled_pages(SHARED / "corpora" / "realworld" / "web_html")
    assert len(pages) >= 50
    for half in (pages[0::2], pages[1::2]):
        got = score(default_rules(), half)
        assert got.right >= 0.75 * got.pages and got.right >= 0.9 * got.assigned
